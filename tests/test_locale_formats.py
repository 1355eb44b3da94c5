"""Numbers, dates and instrument names in the user's language (issue 15, item 4): dates day-first in English,
money inputs showing the stored amount in the locale's format (and reading it back), instruments by their
translated names in tables, codes only where they are codes."""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal

import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import formats, translation
from hypothesis import given
from hypothesis import strategies as st

from funding.models import FundingInstrument
from funding.tests.conftest import add_frame, add_line, make_project
from portfolio.money import MAX_AMOUNT, parse_amount

pytestmark = pytest.mark.django_db
D = Decimal
NBSP = "\u00a0"
US_ORDER = re.compile(r"\b02/12/2026\b")  # 12 February 2026 in the US month/day order


def _in(client, language: str):  # type: ignore[no-untyped-def]
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    return client


def _input_value(html: str, name: str) -> str:
    tag = re.search(r'<input[^>]*name="' + re.escape(name) + r'"[^>]*>', html)
    assert tag is not None, name
    value = re.search(r'value="([^"]*)"', tag.group(0))
    return value.group(1) if value else ""


# --- dates: day first in English, never 02/12/2026 for 12 February ----------------------------------------

def test_english_short_dates_are_day_first():
    with translation.override("en"):
        assert formats.date_format(dt.date(2026, 2, 12), "SHORT_DATE_FORMAT") == "12/02/2026"
        assert formats.date_format(dt.date(2026, 2, 12), "DATE_FORMAT") == "12 Feb 2026"
        assert formats.date_format(dt.datetime(2026, 2, 12, 14, 5), "SHORT_DATETIME_FORMAT") == "12/02/2026 14:05"


def test_frame_page_in_english_shows_the_decision_date_day_first(coordinator_client, agreement):
    frame = add_frame(agreement, "ERDF", 2026, "1000.00")
    frame.decision_date = dt.date(2026, 2, 12)
    frame.save()
    html = _in(coordinator_client, "en").get(reverse("funding:frame-detail", args=[frame.pk])).content.decode()
    assert "12/02/2026" in html
    assert not US_ORDER.search(html)


def test_an_english_date_typed_day_first_is_read_day_first(agreement):
    from funding.forms import FrameForm

    with translation.override("en"):
        form = FrameForm({"instrument": "ERDF", "year": 2026, "amount": "10", "decision_reference": "TEM/1",
                          "decision_date": "12/02/2026"}, agreement=agreement)
        assert form.is_valid(), form.errors
    assert form.cleaned_data["decision_date"] == dt.date(2026, 2, 12)


@pytest.mark.parametrize("language", ["fi", "sv", "en"])
def test_a_date_input_holds_an_iso_date_in_every_language(agreement, language):
    """<input type="date"> shows nothing for any value but YYYY-MM-DD (Finnish 12.02.2026 left it blank)."""
    from funding.forms import FrameForm

    with translation.override(language):
        html = str(FrameForm(agreement=agreement, initial={"decision_date": dt.date(2026, 2, 12)})["decision_date"])
    assert 'value="2026-02-12"' in html


# --- money inputs: the stored amount in the locale's format, read back by parse_amount ----------------------

@pytest.mark.parametrize(("language", "expected"), [("fi", f"186{NBSP}000,00"), ("sv", f"186{NBSP}000,00"),
                                                    ("en", "186000.00")])
def test_the_frame_correction_form_shows_the_amount_in_the_locale_format(coordinator_client, agreement, language,
                                                                         expected):
    frame = add_frame(agreement, "ERDF", 2026, "186000.00")
    html = _in(coordinator_client, language).get(reverse("funding:frame-correct", args=[frame.pk])).content.decode()
    value = _input_value(html, "amount").replace("&nbsp;", NBSP)
    assert value == expected
    assert parse_amount(value) == D("186000.00")


def test_the_corrected_frame_saves_the_amount_as_shown(coordinator_client, agreement):
    frame = add_frame(agreement, "ERDF", 2026, "186000.00")
    response = _in(coordinator_client, "fi").post(reverse("funding:frame-correct", args=[frame.pk]), {
        "amount": f"186{NBSP}500,50", "decision_reference": "TEM/2/2026", "decision_date": "2026-02-12"})
    frame.refresh_from_db()
    assert response.status_code == 302 and frame.amount == D("186500.50")


@pytest.mark.parametrize(("language", "expected"), [("fi", f"172{NBSP}980,00"), ("en", "172980.00")])
def test_the_plan_grid_shows_planned_amounts_that_read_back(coordinator_client, agreement, language, expected):
    project = make_project(agreement, start_date=dt.date(2026, 1, 1), end_date=dt.date(2026, 12, 31))
    add_line(project, "ERDF", 2026, planned="172980.00")
    html = _in(coordinator_client, language).get(reverse("funding:project-plan", args=[project.pk])).content.decode()
    value = _input_value(html, "ERDF-2026-planned").replace("&nbsp;", NBSP)
    assert value == expected
    assert parse_amount(value) == D("172980.00")


def test_project_form_budget_inputs_show_amounts_in_finnish():
    from portfolio.forms import FundingLineForm, PartnerForm

    with translation.override("fi"):
        line = str(FundingLineForm(initial={"planned_amount": D("186000.00")})["planned_amount"])
        share = str(PartnerForm(initial={"budget_share": D("12500.5")})["budget_share"])
    assert f'value="186{NBSP}000,00"' in line
    assert f'value="12{NBSP}500,50"' in share


def test_progress_report_spending_inputs_show_amounts_in_finnish(agreement):
    from followup.forms.reports import ProgressReportForm
    from followup.tests.factories import ProgressReportFactory

    report = ProgressReportFactory(project=make_project(agreement))
    report.spending.create(instrument=FundingInstrument.objects.get(code="ERDF"), amount=D("186000.00"))
    with translation.override("fi"):
        html = str(ProgressReportForm(report=report)["spent_ERDF"])
    assert f'value="186{NBSP}000,00"' in html


def test_indicator_inputs_show_figures_in_finnish():
    from followup.indicator_forms import TargetForm
    from followup.models import Indicator

    with translation.override("fi"):
        count = str(TargetForm(initial={"target_value": D("1250.00")}, indicators=Indicator.objects.none())
                    ["target_value"])
        euros = str(TargetForm(initial={"target_value": D("12500.50")}, indicators=Indicator.objects.none())
                    ["target_value"])
    assert f'value="1{NBSP}250"' in count
    assert f'value="12{NBSP}500,50"' in euros


cents = st.integers(min_value=-int(MAX_AMOUNT * 100), max_value=int(MAX_AMOUNT * 100)).map(lambda n: D(n) / 100)


@given(cents, st.sampled_from(["fi", "sv", "en"]))
def test_any_amount_shown_in_an_input_reads_back(value, language):
    from portfolio.money import amount_input_text

    with translation.override(language):
        text = amount_input_text(value)
    assert parse_amount(text, allow_negative=True) == value


# --- instruments by their names in the user's language ------------------------------------------------------

@pytest.mark.parametrize(("language", "code", "expected"), [
    ("fi", "ERDF", "EAKR"), ("sv", "ERDF", "ERUF"), ("en", "ERDF", "ERDF"), ("fi", "ESF", "ESR+"),
    ("fi", "CITY", "Kaupunkien oma rahoitus"), ("sv", "PUBLIC", "Annan offentlig finansiering"),
])
def test_an_instrument_has_a_short_name_in_each_language(agreement, language, code, expected):
    with translation.override(language):
        assert FundingInstrument.objects.get(code=code).short_name == expected


def test_finnish_project_page_names_instruments_not_codes(coordinator_client, agreement):
    project = make_project(agreement, start_date=dt.date(2026, 1, 1), end_date=dt.date(2026, 12, 31))
    add_line(project, "ERDF", 2026, planned="600.00")
    add_line(project, "CITY", 2026, planned="400.00")
    html = _in(coordinator_client, "fi").get(project.get_absolute_url()).content.decode()
    assert ">EAKR<" in html and "Kaupunkien oma rahoitus" in html
    assert ">ERDF<" not in html and ">CITY<" not in html


def test_finnish_funding_page_names_instruments_not_codes(coordinator_client, agreement):
    add_frame(agreement, "PUBLIC", 2026, "1000.00")
    html = _in(coordinator_client, "fi").get(reverse("funding:index") + f"?agreement={agreement.pk}").content.decode()
    assert "Muu julkinen rahoitus</a>" in html
    assert ">PUBLIC<" not in html
    assert "instrument=PUBLIC" in html  # the filter link keeps the code


def test_finnish_plan_grid_names_instruments_not_codes(coordinator_client, agreement):
    project = make_project(agreement, start_date=dt.date(2026, 1, 1), end_date=dt.date(2026, 12, 31))
    html = _in(coordinator_client, "fi").get(reverse("funding:project-plan", args=[project.pk])).content.decode()
    assert re.search(r'<th scope="row" class="plan-instrument">EAKR<', html)
    assert not re.search(r'<th scope="row" class="plan-instrument">ERDF<', html)
    assert 'name="ERDF-2026-planned"' in html  # the inputs keep the code


def test_summary_tables_name_instruments_in_the_summary_language():
    from reporting.rendering.common import instrument_label

    data = {"instruments": {"ERDF": {"fi": "EAKR (Euroopan aluekehitysrahasto)", "sv": "ERUF (Europeiska …)",
                                     "en": "ERDF (European Regional Development Fund)"}}}
    assert instrument_label(data, "ERDF", "fi") == "EAKR"
    assert instrument_label(data, "ERDF", "sv") == "ERUF"
    assert instrument_label({}, "ERDF", "fi") == "ERDF"  # a summary compiled before the names were kept


def test_finnish_project_history_names_instruments_and_formats_amounts(coordinator_client, agreement):
    project = make_project(agreement, start_date=dt.date(2026, 1, 1), end_date=dt.date(2026, 12, 31))
    line = add_line(project, "ERDF", 2026, planned="124000.00")
    line.planned_amount = D("186000.00")
    line.save()
    html = _in(coordinator_client, "fi").get(reverse("portfolio:project-history", args=[project.pk])).content.decode()
    assert "Rahoitusrivi EAKR 2026" in html and "Rahoitusrivi ERDF" not in html
    assert f"124{NBSP}000,00" in html.replace("&nbsp;", NBSP) and "124000.00" not in html


def test_english_plan_grid_groups_the_read_only_amounts(coordinator_client, agreement):
    project = make_project(agreement, start_date=dt.date(2026, 1, 1), end_date=dt.date(2026, 12, 31))
    add_line(project, "ERDF", 2026, planned="186000.00", granted="186000.00")
    html = _in(coordinator_client, "en").get(reverse("funding:project-plan", args=[project.pk])).content.decode()
    assert ">186,000.00<" in html  # granted, shown
    assert _input_value(html, "ERDF-2026-planned") == "186000.00"  # planned, typed back


def test_finnish_summary_funding_table_names_instruments(agreement):
    from reporting.periods import period_parse
    from reporting.rendering import tables
    from reporting.selectors import summary_data

    project = make_project(agreement, start_date=dt.date(2026, 1, 1), end_date=dt.date(2026, 12, 31))
    add_line(project, "ERDF", 2026, planned="600.00", granted="600.00")
    data = summary_data(audience="steering", period=period_parse("2026"), agreement_id=agreement.pk)
    funding = next(t for t in tables({"data": data}, "fi") if t["key"] == "funding")
    instruments = {row[1] for row in funding["rows"]}
    assert "EAKR" in instruments and "ERDF" not in instruments
