"""Fixtures of the API tests: token clients per role and a small portfolio in two agreements."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from tests.factories import FundingFrameFactory, FundingLineFactory, ProjectFactory, instrument

ROLES = ("anonymous", "plain", "coordinator", "steering", "ministry", "other_coordinator")


@pytest.fixture(autouse=True)
def _fresh_throttles():  # type: ignore[no-untyped-def]
    """Throttle counters live in the cache; every test starts from zero."""
    from django.core.cache import cache

    cache.clear()
    yield
    cache.clear()


def token_client(user) -> APIClient:  # type: ignore[no-untyped-def]
    client = APIClient()
    if user is not None:
        token, _ = Token.objects.get_or_create(user=user)
        client.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")
    return client


@pytest.fixture
def users(plain_user, coordinator, steering_member, ministry_user, other_coordinator):  # type: ignore[no-untyped-def]
    return {"anonymous": None, "plain": plain_user, "coordinator": coordinator, "steering": steering_member,
            "ministry": ministry_user, "other_coordinator": other_coordinator}


@pytest.fixture
def clients(users):  # type: ignore[no-untyped-def]
    return {role: token_client(user) for role, user in users.items()}


@pytest.fixture
def api(coordinator) -> APIClient:  # type: ignore[no-untyped-def]
    return token_client(coordinator)


@pytest.fixture
def portfolio(agreement, other_agreement):  # type: ignore[no-untyped-def]
    """Projects in both agreements (a draft idea and a running one each), with funding lines and frames."""
    from portfolio.models import Priority

    p2 = Priority.objects.get(agreement=agreement, code=2)
    running = ProjectFactory(agreement=agreement, code="HEV-RUN", title="Liikkuvuuskokeilu",
                             title_fi="Liikkuvuuskokeilu", methods=[1, 2])
    idea = ProjectFactory(agreement=agreement, code="HEV-IDEA", title="Terveysteknologia", priority=p2,
                          title_fi="Terveysteknologia", status="idea", methods=[3])
    other_running = ProjectFactory(agreement=other_agreement, code="OTH-RUN", title="Toinen",
                                   title_fi="Toinen")
    other_idea = ProjectFactory(agreement=other_agreement, code="OTH-IDEA", title="Luonnos",
                                title_fi="Luonnos", status="idea")
    lines = [
        FundingLineFactory(project=running, instrument=instrument("ERDF"), year=2025,
                           planned_amount=Decimal("60000.00"), granted_amount=Decimal("60000.00")),
        FundingLineFactory(project=running, instrument=instrument("CITY"), year=2025,
                           planned_amount=Decimal("40000.00"), granted_amount=Decimal("40000.00")),
        FundingLineFactory(project=idea, instrument=instrument("ERDF"), year=2026,
                           planned_amount=Decimal("30000.00"), granted_amount=Decimal("0.00")),
        FundingLineFactory(project=other_running, instrument=instrument("ESF"), year=2025,
                           planned_amount=Decimal("1000.00"), granted_amount=Decimal("1000.00")),
        FundingLineFactory(project=other_idea, instrument=instrument("ESF"), year=2026,
                           planned_amount=Decimal("500.00"), granted_amount=Decimal("0.00")),
    ]
    frames = [
        FundingFrameFactory(agreement=agreement, instrument=instrument("ERDF"), year=2025,
                            amount=Decimal("2000000.00"), decision_date=dt.date(2025, 1, 15)),
        FundingFrameFactory(agreement=other_agreement, instrument=instrument("ESF"), year=2025,
                            amount=Decimal("500000.00")),
    ]
    return {"running": running, "idea": idea, "other_running": other_running, "other_idea": other_idea,
            "lines": lines, "frames": frames}


@pytest.fixture
def governance_records(agreement, portfolio, steering_member, coordinator):  # type: ignore[no-untyped-def]
    """A meeting, a submitted proposal and a decision, so the governance collections have rows."""
    from django.utils import timezone

    from governance.choices import GroupKind
    from governance.models import Decision, Meeting, Proposal, SteeringGroup

    group = SteeringGroup.objects.get(kind=GroupKind.REGIONAL, agreement=agreement)
    meeting = Meeting.objects.create(group=group, title="Johtoryhmä 1/2025", starts_at=timezone.now())
    proposal = Proposal.objects.create(project=portfolio["idea"], title="Terveysteknologian esitys",
                                       status="submitted", meeting=meeting, submitted_at=timezone.now(),
                                       created_by=coordinator)
    draft = Proposal.objects.create(project=portfolio["idea"], title="Luonnos", status="draft",
                                    created_by=coordinator)
    decided = Proposal.objects.create(project=portfolio["running"], title="Liikkuvuus", status="decided",
                                      meeting=meeting, created_by=coordinator)
    decision = Decision.objects.create(proposal=decided, meeting=meeting, outcome="approved",
                                       decided_at=timezone.now(), recorded_by=steering_member)
    return {"meeting": meeting, "proposal": proposal, "draft": draft, "decided": decided, "decision": decision}
