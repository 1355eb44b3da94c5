"""The visibility scopes every list starts from (`visible_to`, `editable_by`, `worked_on_by`), as truth tables:
which user sees which project, theme and token. The views and the API are tested through these in
tests/test_access_matrix.py; here each scope is asked directly, so a changed rule shows which answer moved."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from tests.factories import ProjectFactory, UserFactory

pytestmark = pytest.mark.django_db

USERS = ["anonymous", "no_role", "coordinator", "other_coordinator", "steering", "ministry", "superuser",
         "contact_only", "steering_and_contact", "coordinator_without_access"]


@pytest.fixture
def projects(agreement, other_agreement):  # type: ignore[no-untyped-def]
    return {"our_draft": ProjectFactory(agreement=agreement, code="O-DRAFT", status="proposal"),
            "our_idea": ProjectFactory(agreement=agreement, code="O-IDEA", status="idea"),
            "our_running": ProjectFactory(agreement=agreement, code="O-RUN", status="running"),
            "their_draft": ProjectFactory(agreement=other_agreement, code="T-DRAFT", status="proposal"),
            "their_approved": ProjectFactory(agreement=other_agreement, code="T-APPR", status="approved"),
            "their_closed": ProjectFactory(agreement=other_agreement, code="T-CLOSED", status="closed"),
            "their_rejected": ProjectFactory(agreement=other_agreement, code="T-REJ", status="rejected")}


@pytest.fixture
def users(coordinator, other_coordinator, steering_member, ministry_user, plain_user, admin_user, projects):
    from django.contrib.auth.models import AnonymousUser, Group

    from portfolio.models import ProjectContact

    def with_roles(username, *roles):  # type: ignore[no-untyped-def]
        user = UserFactory(username=username)
        for role in roles:
            user.groups.add(Group.objects.get(name=role))
        return user

    contact_only = with_roles("contact-only", "project_contact")
    both = with_roles("steer-contact", "steering", "project_contact")
    for user in (contact_only, both):
        ProjectContact.objects.create(user=user, project=projects["their_draft"])
    return {"anonymous": AnonymousUser(), "no_role": plain_user, "coordinator": coordinator,
            "other_coordinator": other_coordinator, "steering": steering_member, "ministry": ministry_user,
            "superuser": admin_user, "contact_only": contact_only, "steering_and_contact": both,
            "coordinator_without_access": with_roles("coord-noaccess", "coordinator")}


def _codes(queryset) -> list[str]:  # type: ignore[no-untyped-def]
    """The codes of this module's projects in the scope (the agreement's own coordination project aside)."""
    return sorted(queryset.filter(code__in=EVERY).values_list("code", flat=True))


EVERY = ["O-DRAFT", "O-IDEA", "O-RUN", "T-APPR", "T-CLOSED", "T-DRAFT", "T-REJ"]
DECIDED_ELSEWHERE = ["T-APPR", "T-CLOSED"]
OURS = ["O-DRAFT", "O-IDEA", "O-RUN"]


def test_which_projects_each_user_sees(users, projects):
    from portfolio.models import Project

    assert {name: _codes(Project.objects.visible_to(user)) for name, user in users.items()} == {
        "anonymous": [], "no_role": ["O-RUN", *DECIDED_ELSEWHERE],
        "coordinator": [*OURS, *DECIDED_ELSEWHERE],
        "other_coordinator": ["O-RUN", "T-APPR", "T-CLOSED", "T-DRAFT", "T-REJ"],
        "steering": [*OURS, *DECIDED_ELSEWHERE], "ministry": EVERY, "superuser": EVERY,
        "contact_only": ["T-DRAFT"], "steering_and_contact": ["O-RUN", "T-APPR", "T-CLOSED", "T-DRAFT"],
        "coordinator_without_access": ["O-RUN", *DECIDED_ELSEWHERE]}


def test_which_projects_each_user_edits(users, projects):
    from portfolio.models import Project

    assert {name: _codes(Project.objects.editable_by(user)) for name, user in users.items()} == {
        "anonymous": [], "no_role": [], "coordinator": OURS,
        "other_coordinator": ["T-APPR", "T-CLOSED", "T-DRAFT", "T-REJ"], "steering": [], "ministry": [],
        "superuser": EVERY, "contact_only": [], "steering_and_contact": [], "coordinator_without_access": []}


def test_agreements_worked_on(users, agreement, other_agreement):
    from portfolio.models import Agreement

    both = sorted([agreement.pk, other_agreement.pk])
    expected = {"anonymous": [], "no_role": [], "coordinator": [agreement.pk],
                "other_coordinator": [other_agreement.pk], "steering": [agreement.pk], "ministry": both,
                "superuser": both, "contact_only": [], "steering_and_contact": [], "coordinator_without_access": []}
    assert {n: sorted(Agreement.objects.worked_on_by(u).values_list("pk", flat=True)) for n, u in users.items()} \
        == expected
    assert {n: Agreement.objects.worked_on_ids(u) for n, u in users.items()} == expected
    # Agreements themselves are public facts to every signed-in user.
    assert {n: Agreement.objects.visible_to(u).count() for n, u in users.items()} == {
        n: 0 if n == "anonymous" else 2 for n in users}


def test_for_agreement_and_active(projects, agreement, other_agreement):
    from portfolio.models import Project

    assert _codes(Project.objects.for_agreement(agreement.pk)) == OURS
    assert _codes(Project.objects.for_agreement(other_agreement.pk)) == [
        "T-APPR", "T-CLOSED", "T-DRAFT", "T-REJ"]
    assert _codes(Project.objects.for_agreement(None)) == EVERY
    assert _codes(Project.objects.active()) == ["O-RUN", "T-APPR"]


def test_which_themes_each_user_sees(users, projects, agreement, other_agreement):
    from portfolio.models import Theme

    Theme.objects.create(agreement=agreement, slug="ours", name_fi="Meidän")
    Theme.objects.create(agreement=other_agreement, slug="planned", name_fi="Vain suunniteltu")
    on_draft = Theme.objects.create(agreement=other_agreement, slug="on-draft", name_fi="Luonnoksella")
    on_decided = Theme.objects.create(agreement=other_agreement, slug="on-decided", name_fi="Päätetyllä")
    projects["their_draft"].themes.add(on_draft)
    projects["their_approved"].themes.add(on_decided)
    theirs = ["on-decided", "on-draft", "planned"]
    slugs = ["ours", *theirs]
    assert {n: sorted(Theme.objects.visible_to(u).filter(slug__in=slugs).values_list("slug", flat=True))
            for n, u in users.items()} == {
        "anonymous": [], "no_role": ["on-decided"], "coordinator": ["on-decided", "ours"],
        "other_coordinator": theirs, "steering": ["on-decided", "ours"],
        "ministry": sorted([*theirs, "ours"]), "superuser": sorted([*theirs, "ours"]),
        "contact_only": ["on-draft"], "steering_and_contact": ["on-decided", "on-draft"],
        "coordinator_without_access": ["on-decided"]}


def test_api_tokens_are_their_owners_and_live_until_revoked_or_expired(users):
    from portfolio.models import ApiToken

    now = timezone.now()
    owner, admin = users["coordinator"], users["superuser"]

    def token(name, **kwargs):  # type: ignore[no-untyped-def]
        return ApiToken.objects.create(user=owner, name=name, prefix=name[:8], key_hash=name * 2, **kwargs)

    token("forever")
    token("later", expires_at=now + dt.timedelta(minutes=1))
    token("now", expires_at=now)
    token("earlier", expires_at=now - dt.timedelta(days=1))
    token("revoked", revoked_at=now - dt.timedelta(hours=1))
    token("revokedlater", revoked_at=now, expires_at=now + dt.timedelta(days=1))
    assert sorted(ApiToken.objects.visible_to(owner).values_list("name", flat=True)) == [
        "earlier", "forever", "later", "now", "revoked", "revokedlater"]
    assert ApiToken.objects.visible_to(admin).count() == 0
    assert ApiToken.objects.visible_to(users["anonymous"]).count() == 0
    assert sorted(ApiToken.objects.not_revoked().values_list("name", flat=True)) == [
        "earlier", "forever", "later", "now"]
    assert sorted(ApiToken.objects.live(now).values_list("name", flat=True)) == ["forever", "later"]
