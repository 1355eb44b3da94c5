"""The financing-plan grid does not fail silently (issue 15, point 1; issue 12, points 9 and 12)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import translation

from funding.models import FundingLine
from funding.selectors import lines_fingerprint
from funding.tests.conftest import add_frame, add_line, make_project

pytestmark = pytest.mark.django_db
D = Decimal


@pytest.fixture
def project(clean_agreement):  # type: ignore[no-untyped-def]
    p = make_project(clean_agreement, priority=2, start_date=dt.date(2025, 1, 1), end_date=dt.date(2026, 12, 31))
    add_line(p, "ERDF", 2025, planned="172980.00", granted="172980.00")
    add_line(p, "CITY", 2025, planned="115320.00")
    return p


def _post(client, project, **cells):  # type: ignore[no-untyped-def]
    url = reverse("funding:project-plan", args=[project.pk])
    data = {"fingerprint": lines_fingerprint(project=project), "action": cells.pop("action", "save"), **cells}
    return client.post(url, data, HTTP_HX_REQUEST="true")


@pytest.mark.parametrize("bad", ["abc", "-5", "1e9", "12,345"])
def test_a_bad_amount_is_shown_next_to_its_cell_and_at_the_top(coordinator_client, project, bad):
    response = _post(coordinator_client, project, **{"ERDF-2025-planned": "172980", "CITY-2025-planned": bad})
    html = response.content.decode()
    assert response.status_code == 400
    assert 'id="err_CITY-2025-planned"' in html and 'aria-describedby="err_CITY-2025-planned"' in html
    assert 'role="alert"' in html and 'href="#id_CITY-2025-planned"' in html
    assert FundingLine.objects.get(project=project, instrument__code="CITY").planned_amount == D("115320.00")


def test_an_edit_conflict_is_shown(coordinator_client, project):
    url = reverse("funding:project-plan", args=[project.pk])
    response = coordinator_client.post(url, {"fingerprint": "stale", "action": "save",
                                             "ERDF-2025-planned": "1"}, HTTP_HX_REQUEST="true")
    assert response.status_code == 400 and 'role="alert"' in response.content.decode()
    assert "Someone else changed" in response.content.decode()


def test_htmx_swaps_error_responses_in():
    from pathlib import Path

    script = (Path(__file__).resolve().parents[2] / "static/js/portal.js").read_text()
    assert "htmx:beforeSwap" in script and "shouldSwap = true" in script


def test_check_without_saving_warns_of_the_split(coordinator_client, project):
    response = _post(coordinator_client, project, action="check",
                     **{"ERDF-2025-planned": "670", "CITY-2025-planned": "330"})  # 33 % local
    html = response.content.decode()
    assert response.status_code == 200
    assert "local share is 33.00" in html and "no frame or priority-4 warnings" not in html


def test_a_year_without_a_frame_is_warned(coordinator_client, project, clean_agreement):
    add_frame(clean_agreement, "ERDF", 2025, "1000000")
    response = _post(coordinator_client, project, action="check",
                     **{"ERDF-2025-planned": "600", "CITY-2025-planned": "400", "ERDF-2026-planned": "60",
                        "CITY-2026-planned": "40"})
    html = response.content.decode()
    assert "ERDF 2026: no funding frame" in html and "ERDF 2025: no funding frame" not in html


def test_values_render_whole_in_the_locale_format(coordinator_client, project):
    url = reverse("funding:project-plan", args=[project.pk])
    with translation.override("fi"):
        html = coordinator_client.get(url, HTTP_ACCEPT_LANGUAGE="fi").content.decode()
    assert 'value="115\u00a0320,00"' in html
    assert "172\u00a0980,00" in html
    # What is shown reads back unchanged.
    response = _post(coordinator_client, project, **{"ERDF-2025-planned": "172\u00a0980,00",
                                                     "CITY-2025-planned": "115\u00a0320,50"})
    assert response.status_code == 204
    assert FundingLine.objects.get(project=project, instrument__code="CITY").planned_amount == D("115320.50")
