"""The one 40/60 check at its boundaries, from the settings' target and tolerance, through every public entry
point: split_of, split_by, what_if_effect, and the pages that show the warning (issue 19, point 3).

With the default settings (target 40 % local, tolerance 2 percentage points) the cases are 38.00 % and
42.00 % local (inside, boundaries included) and 37.99 % and 42.01 % (outside)."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.conf import settings
from django.urls import reverse

from funding import selectors
from funding.models import FundingLine
from funding.tests.conftest import add_line, make_project

pytestmark = pytest.mark.django_db

CENT = Decimal("0.01")
TOTAL = Decimal("10000.00")  # euros: one euro is 0.01 percentage points, so every case is exact


def _cases() -> list[tuple[Decimal, bool]]:
    target = Decimal(settings.FUNDING_SPLIT_LOCAL_TARGET)
    tolerance = Decimal(settings.FUNDING_SPLIT_TOLERANCE)
    return [(target - tolerance, True), (target + tolerance, True),
            (target - tolerance - CENT, False), (target + tolerance + CENT, False)]


CASES = _cases()
IDS = [f"local {local}% {'inside' if ok else 'outside'}" for local, ok in CASES]


def test_the_cases_are_the_documented_ones_with_the_default_settings():
    if (settings.FUNDING_SPLIT_LOCAL_TARGET, settings.FUNDING_SPLIT_TOLERANCE) == (Decimal("40"), Decimal("2.0")):
        assert [(str(local), ok) for local, ok in CASES] == [("38.0", True), ("42.0", True), ("37.99", False),
                                                             ("42.01", False)]


def _amounts(local_percent: Decimal) -> tuple[Decimal, Decimal]:
    local = (TOTAL * local_percent / 100).quantize(CENT)
    return local, TOTAL - local


@pytest.fixture
def funded(clean_agreement):  # type: ignore[no-untyped-def]
    def make(local_percent: Decimal):  # type: ignore[no-untyped-def]
        local, eu_state = _amounts(local_percent)
        project = make_project(clean_agreement, priority=1, status="running", code="SPLIT-1")
        add_line(project, "CITY", 2025, planned=str(local), granted=str(local))
        add_line(project, "ERDF", 2025, planned=str(eu_state), granted=str(eu_state))
        return project
    return make


@pytest.mark.parametrize(("local_percent", "ok"), CASES, ids=IDS)
def test_split_of(funded, local_percent, ok):
    project = funded(local_percent)
    split = selectors.split_of(FundingLine.objects.filter(project=project))
    assert split["local_percent"] == local_percent.quantize(CENT)
    assert split["split_ok"] is ok


@pytest.mark.parametrize(("local_percent", "ok"), CASES, ids=IDS)
def test_split_by(funded, local_percent, ok):
    project = funded(local_percent)
    (row,) = selectors.split_by(FundingLine.objects.filter(project=project), group_field="project__priority__code")
    assert (row["key"], row["local_percent"], row["split_ok"]) == (1, local_percent.quantize(CENT), ok)


@pytest.mark.parametrize(("local_percent", "ok"), CASES, ids=IDS)
def test_what_if_effect(clean_agreement, local_percent, ok):
    assert selectors.funding_summary(agreement_id=clean_agreement.pk)["total"] == 0
    local, eu_state = _amounts(local_percent)
    effect = selectors.what_if_effect(agreement=clean_agreement, lines=[
        {"instrument": "CITY", "year": 2026, "amount": local, "priority": 1},
        {"instrument": "ERDF", "year": 2026, "amount": eu_state, "priority": 1}])
    assert effect["split_after"]["local_percent"] == local_percent.quantize(CENT)
    assert effect["split_after"]["split_ok"] is ok


@pytest.mark.parametrize(("local_percent", "ok"), CASES, ids=IDS)
def test_funding_summary_and_the_funding_page_badge(funded, clean_agreement, coordinator_client, local_percent, ok):
    funded(local_percent)
    assert selectors.funding_summary(agreement_id=clean_agreement.pk)["split_ok"] is ok
    html = coordinator_client.get(reverse("funding:index"), {"agreement": clean_agreement.pk}).content.decode()
    assert ("Within the indicative split" in html) is ok
    assert ("Outside the indicative split" in html) is not ok


@pytest.mark.parametrize(("local_percent", "ok"), CASES, ids=IDS)
def test_the_splits_page_gauge_and_rows(funded, clean_agreement, coordinator_client, local_percent, ok):
    funded(local_percent)
    html = coordinator_client.get(reverse("funding:splits"), {"agreement": clean_agreement.pk}).content.decode()
    regular = html.split("Regular projects</h2>", 1)[1].split("Supra-regional theme-network projects</h2>", 1)[0]
    assert ("Within the indicative split" in regular) is ok
    assert ("Outside the indicative split" in regular) is not ok


@pytest.mark.parametrize(("local_percent", "ok"), CASES, ids=IDS)
def test_the_dashboard_gauge(funded, coordinator_client, local_percent, ok):
    funded(local_percent)  # planned and granted alike, so every gauge on the page says the same
    html = coordinator_client.get(reverse("dashboard")).content.decode()
    assert ("Within the indicative split" in html) is ok
    assert ("Outside the indicative split" in html) is not ok
