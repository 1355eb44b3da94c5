"""Indicator values for the period in a progress report (issue 13): the form shows the project's indicators with
their targets, the contact types the period's values, saved through the indicator-value service with the report
as their source, in one transaction with the report; they count once the report is accepted."""

import datetime as dt
from decimal import Decimal

import pytest
from django.test import Client

from followup.models import IndicatorValue, ProgressReport
from followup.selectors import indicator_totals
from followup.services import (
    progress_report_accept,
    progress_report_return,
    progress_report_submit,
    progress_report_update,
    progress_reports_generate,
)

from .factories import IndicatorTargetFactory, IndicatorValueFactory, indicator

pytestmark = pytest.mark.django_db

FORM = {"status": "on_track", "status_reason": "", "done": "Tehty.", "next_steps": "", "risks": ""}


def _client(user):  # type: ignore[no-untyped-def]
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def report(project):  # type: ignore[no-untyped-def]
    IndicatorTargetFactory(project=project, indicator=indicator("HEV03"), target_value=Decimal("12"))
    IndicatorTargetFactory(project=project, indicator=indicator("HEV02"), target_value=Decimal("5"))
    IndicatorTargetFactory(project=project, indicator=indicator("RCO01"), target_value=Decimal("20"))
    progress_reports_generate(project=project)
    return ProgressReport.objects.get(project=project, kind="periodic", period_start=dt.date(2025, 1, 1))


def _achieved(user, agreement, code: str) -> Decimal:  # type: ignore[no-untyped-def]
    return next(r.achieved for r in indicator_totals(user=user, agreement=agreement).rows if r.code == code)


def test_the_form_lists_the_projects_indicators_with_targets(report, contact):  # type: ignore[no-untyped-def]
    html = _client(contact).get(f"/followup/reports/{report.pk}/edit/", HTTP_ACCEPT_LANGUAGE="fi").content.decode()
    assert 'name="indicator_HEV03"' in html and 'name="indicator_HEV02"' in html
    # RCO01 is counted from the enterprise register: no input for it.
    assert 'name="indicator_RCO01"' not in html
    assert "kumulatiivinen" in html and ">12<" in html


def test_the_contact_saves_the_periods_values_with_the_report_as_their_source(report, contact):  # type: ignore[no-untyped-def]
    response = _client(contact).post(f"/followup/reports/{report.pk}/edit/",
                                     {**FORM, "indicator_HEV03": "3", "indicator_HEV02": " 2 "})
    assert response.status_code == 302
    values = {v.indicator.code: v for v in IndicatorValue.objects.filter(report=report)}
    assert {code: v.value for code, v in values.items()} == {"HEV03": Decimal("3"), "HEV02": Decimal("2")}
    hev03 = values["HEV03"]
    assert (hev03.period_start, hev03.period_end) == (report.period_start, report.period_end)
    assert hev03.recorded_by == contact and hev03.history.first().history_user == contact
    # Edited again: the same rows change, an emptied input removes the report's value.
    _client(contact).post(f"/followup/reports/{report.pk}/edit/", {**FORM, "indicator_HEV03": "4",
                                                                   "indicator_HEV02": ""})
    assert list(IndicatorValue.objects.filter(report=report).values_list("pk", "value")) == [
        (hev03.pk, Decimal("4.00"))]


@pytest.mark.parametrize(("typed", "message"), [("-1", "negatiivinen"), ("kolme", "luku"), ("2,5", "kokonaisluku")])
def test_a_bad_value_is_shown_next_to_its_cell_and_nothing_is_saved(report, contact, typed, message):  # type: ignore[no-untyped-def]
    response = _client(contact).post(f"/followup/reports/{report.pk}/edit/",
                                     {**FORM, "indicator_HEV03": typed, "indicator_HEV02": "2", "submit": "1"},
                                     HTTP_ACCEPT_LANGUAGE="fi")
    assert response.status_code == 400
    html = response.content.decode()
    assert 'id="id_indicator_HEV03_error"' in html and f'value="{typed}"' in html
    error = html.split('id="id_indicator_HEV03_error"', 1)[1].split("</div>", 1)[0]
    assert message in error.lower()
    report.refresh_from_db()
    assert report.done == "" and report.review_state == "draft"
    assert not IndicatorValue.objects.filter(report=report).exists()


def test_a_value_the_project_page_already_holds_for_the_period_is_refused_on_its_cell(report, contact):  # type: ignore[no-untyped-def]
    IndicatorValueFactory(project=report.project, indicator=indicator("HEV03"), period_start=report.period_start,
                          period_end=report.period_end, value=Decimal("1"))
    response = _client(contact).post(f"/followup/reports/{report.pk}/edit/", {**FORM, "indicator_HEV03": "3"})
    assert response.status_code == 400
    assert 'id="id_indicator_HEV03_error"' in response.content.decode()
    report.refresh_from_db()
    assert report.done == ""  # the report's text was not saved either


def test_values_count_once_the_report_is_accepted_not_while_returned(report, contact, coordinator, agreement):  # type: ignore[no-untyped-def]
    progress_report_update(report=report, data=FORM, indicator_values={"HEV03": "3", "HEV02": "2"}, user=contact)
    progress_report_submit(report=report, user=contact)
    assert _achieved(coordinator, agreement, "HEV03") == 0  # awaiting review
    progress_report_return(report=report, user=coordinator, comment="Tarkista luvut.")
    assert _achieved(coordinator, agreement, "HEV03") == 0  # returned
    progress_report_update(report=report, data=FORM, indicator_values={"HEV03": "4", "HEV02": "2"}, user=contact)
    progress_report_submit(report=report, user=contact)
    progress_report_accept(report=report, user=coordinator)
    assert _achieved(coordinator, agreement, "HEV03") == Decimal("4")
    assert _achieved(coordinator, agreement, "HEV02") == Decimal("2")


def test_an_accepted_reports_values_cannot_be_changed(report, contact, coordinator):  # type: ignore[no-untyped-def]
    from followup.errors import ReportStateError

    progress_report_update(report=report, data=FORM, indicator_values={"HEV03": "3"}, user=contact)
    progress_report_submit(report=report, user=contact)
    progress_report_accept(report=report, user=coordinator)
    with pytest.raises(ReportStateError):
        progress_report_update(report=report, data=FORM, indicator_values={"HEV03": "9"}, user=contact)
    assert IndicatorValue.objects.get(report=report).value == Decimal("3")


def test_the_final_report_asks_only_for_cumulative_indicators(report, contact):  # type: ignore[no-untyped-def]
    final = ProgressReport.objects.get(project=report.project, kind="final")
    html = _client(contact).get(f"/followup/reports/{final.pk}/edit/").content.decode()
    assert 'name="indicator_HEV02"' in html and 'name="indicator_HEV03"' not in html


def test_the_report_page_shows_its_values_and_when_they_count(report, contact, coordinator):  # type: ignore[no-untyped-def]
    progress_report_update(report=report, data=FORM, indicator_values={"HEV03": "7"}, user=contact)
    html = _client(coordinator).get(f"/followup/reports/{report.pk}/", HTTP_ACCEPT_LANGUAGE="fi").content.decode()
    section = html.split('id="indicator-values-heading"', 1)[1].split("</section>", 1)[0]
    assert "HEV03" in section and ">7<" in section
    assert "Arvot lasketaan lukuihin, kun raportti on hyväksytty." in section


def test_a_reports_value_is_changed_only_in_the_report(report, contact, coordinator):  # type: ignore[no-untyped-def]
    from django.core.exceptions import PermissionDenied

    from followup.services import indicator_value_delete, indicator_value_save

    progress_report_update(report=report, data=FORM, indicator_values={"HEV03": "3"}, user=contact)
    value = IndicatorValue.objects.get(report=report)
    with pytest.raises(PermissionDenied):
        indicator_value_save(project=report.project, indicator=value.indicator, value="9", period_end=value.period_end,
                             period_start=value.period_start, user=coordinator, instance=value)
    with pytest.raises(PermissionDenied):
        indicator_value_delete(record=value, user=coordinator)
    response = _client(coordinator).get(f"/api/v1/indicator-values/{value.pk}/")
    assert response.json()["report"] == report.pk
