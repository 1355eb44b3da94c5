"""Writes of the funding app: the financing plan, frames, and the frame checks governance calls."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import translation

from funding.models import FundingFrame, FundingLine
from funding.selectors import lines_fingerprint
from funding.services import (
    frame_check_commit,
    funding_change_warnings,
    funding_frame_save,
    funding_frame_warnings,
    funding_lines_replace,
)
from funding.tests.conftest import add_frame, add_line, make_project

pytestmark = pytest.mark.django_db
D = Decimal


def _state(project):  # type: ignore[no-untyped-def]
    """What is stored: the lines and the number of history rows (nothing may change on bad input)."""
    lines = sorted(FundingLine.objects.filter(project=project).values_list(
        "instrument__code", "year", "planned_amount", "granted_amount", "spent_amount"))
    return lines, FundingLine.history.count()


def test_replace_creates_updates_and_deletes_lines(clean_agreement, coordinator):
    project = make_project(clean_agreement)
    keep = add_line(project, "ERDF", 2025, planned="1.00")
    add_line(project, "CITY", 2025, planned="1.00")
    result = funding_lines_replace(project=project, user=coordinator, lines=[
        {"instrument": "ERDF", "year": 2025, "planned_amount": "600.00", "granted_amount": "0", "spent_amount": ""},
        {"instrument": "PUBLIC", "year": "2026", "planned_amount": "400,50", "granted_amount": 0, "spent_amount": 0},
        {"instrument": "ESF", "year": 2026, "planned_amount": "0", "granted_amount": "0", "spent_amount": "0"},
    ])
    stored = {(line.instrument.code, line.year): line for line in
              FundingLine.objects.filter(project=project).select_related("instrument")}
    assert set(stored) == {("ERDF", 2025), ("PUBLIC", 2026)}  # CITY removed, all-zero ESF not stored
    assert stored[("ERDF", 2025)].pk == keep.pk and stored[("ERDF", 2025)].planned_amount == D("600.00")
    assert stored[("PUBLIC", 2026)].planned_amount == D("400.50")
    assert len(result) == 2


def test_replace_records_history_with_the_user(clean_agreement, coordinator):
    project = make_project(clean_agreement)
    funding_lines_replace(project=project, user=coordinator, lines=[
        {"instrument": "ERDF", "year": 2025, "planned_amount": "10"}])
    line = FundingLine.objects.get(project=project)
    assert line.history.first().history_user == coordinator


def test_unchanged_lines_add_no_history(clean_agreement, coordinator):
    project = make_project(clean_agreement)
    lines = [{"instrument": "ERDF", "year": 2025, "planned_amount": "10.00"}]
    funding_lines_replace(project=project, user=coordinator, lines=lines)
    before = FundingLine.history.count()
    funding_lines_replace(project=project, user=coordinator, lines=lines)
    assert FundingLine.history.count() == before


@pytest.mark.parametrize(("bad", "code"), [
    ({"planned_amount": "abc"}, "not_numeric"),
    ({"planned_amount": "1e400"}, "not_numeric"),
    ({"planned_amount": "1e9"}, "not_numeric"),
    ({"planned_amount": "1000000000000"}, "too_large"),
    ({"granted_amount": "NaN"}, "not_numeric"),
    ({"spent_amount": "-0.01"}, "negative"),
    ({"planned_amount": "1.001"}, "too_many_decimals"),
    ({"year": 2019}, "year_outside_agreement"),
    ({"year": 2028}, "year_outside_agreement"),
    ({"year": "next"}, "invalid_year"),
    ({"instrument": "XYZ"}, "unknown_instrument"),
    ({"instrument": "AKKE", "year": 2026}, "instrument_unavailable"),
])
def test_bad_input_is_rejected_and_nothing_is_written(clean_agreement, coordinator, bad, code):
    project = make_project(clean_agreement)
    add_line(project, "ERDF", 2025, planned="5.00")
    before = _state(project)
    good = {"instrument": "CITY", "year": 2025, "planned_amount": "1.00"}
    line = {"instrument": "ERDF", "year": 2025, "planned_amount": "9.00", **bad}
    with pytest.raises(ValidationError) as info:
        funding_lines_replace(project=project, user=coordinator, lines=[good, line])
    errors = info.value.error_list
    assert [e.code for e in errors] == [code]
    assert errors[0].params["index"] == 1 and errors[0].params["line"] == 2
    with translation.override("en"):
        assert "Line 2" in str(errors[0].message % errors[0].params)
    assert _state(project) == before


def test_every_bad_line_is_reported_at_once(clean_agreement, coordinator):
    project = make_project(clean_agreement)
    with pytest.raises(ValidationError) as info:
        funding_lines_replace(project=project, user=coordinator, lines=[
            {"instrument": "XYZ", "year": 2025, "planned_amount": "1"},
            {"instrument": "ERDF", "year": 2025, "planned_amount": "-1"},
            {"instrument": "ERDF", "year": 2025, "planned_amount": "1"},
            {"instrument": "ERDF", "year": 2025, "planned_amount": "2"},
        ])
    assert [(e.params["index"], e.code) for e in info.value.error_list] == [
        (0, "unknown_instrument"), (1, "negative"), (3, "duplicate")]
    assert not FundingLine.objects.filter(project=project).exists()


def test_akke_history_stays_editable(clean_agreement, coordinator):
    project = make_project(clean_agreement)
    add_line(project, "AKKE", 2023, planned="60", granted="60", spent="59")
    funding_lines_replace(project=project, user=coordinator, lines=[
        {"instrument": "AKKE", "year": 2023, "planned_amount": "61", "granted_amount": "60", "spent_amount": "59"},
        {"instrument": "AKKE", "year": 2025, "planned_amount": "1"}])  # its last year (ended January 2025)
    assert FundingLine.objects.filter(project=project, instrument__code="AKKE").count() == 2


def test_a_concurrent_edit_is_detected_and_nothing_is_written(clean_agreement, coordinator):
    project = make_project(clean_agreement)
    add_line(project, "ERDF", 2025, planned="5.00")
    seen = lines_fingerprint(project=project)
    funding_lines_replace(project=project, user=coordinator, expected_fingerprint=seen,
                          lines=[{"instrument": "ERDF", "year": 2025, "planned_amount": "6.00"}])  # first save wins
    before = _state(project)
    with pytest.raises(ValidationError) as info:
        funding_lines_replace(project=project, user=coordinator, expected_fingerprint=seen,
                              lines=[{"instrument": "ERDF", "year": 2025, "planned_amount": "7.00"}])
    assert info.value.error_list[0].code == "conflict"
    assert _state(project) == before


def test_a_failure_midway_rolls_back_everything(clean_agreement, coordinator, monkeypatch):
    project = make_project(clean_agreement)
    add_line(project, "CITY", 2025, planned="5.00")
    before = _state(project)
    original = FundingLine.save
    calls = {"n": 0}

    def failing_save(self, *args, **kwargs):  # type: ignore[no-untyped-def]
        calls["n"] += 1
        if calls["n"] == 2:
            raise RuntimeError("disk full")
        return original(self, *args, **kwargs)

    monkeypatch.setattr(FundingLine, "save", failing_save)
    with pytest.raises(RuntimeError):
        funding_lines_replace(project=project, user=coordinator, lines=[
            {"instrument": "ERDF", "year": 2025, "planned_amount": "1"},
            {"instrument": "ESF", "year": 2025, "planned_amount": "1"}])
    monkeypatch.undo()
    assert _state(project) == before


def test_only_the_agreements_coordinators_replace_lines(clean_agreement, other_coordinator, ministry_user):
    project = make_project(clean_agreement)
    for user in (other_coordinator, ministry_user):
        with pytest.raises(PermissionDenied):
            funding_lines_replace(project=project, user=user, lines=[])


def test_frame_warnings_when_planned_totals_would_exceed_a_frame(clean_agreement):
    add_frame(clean_agreement, "ERDF", 2026, "1000.00")
    add_line(make_project(clean_agreement), "ERDF", 2026, granted="900.00")
    project = make_project(clean_agreement, status="proposal")
    assert funding_frame_warnings(agreement=clean_agreement, project=project, lines=[
        {"instrument": "ERDF", "year": 2026, "planned_amount": "100.00"}]) == []
    warnings = funding_frame_warnings(agreement=clean_agreement, project=project, lines=[
        {"instrument": "ERDF", "year": 2026, "planned_amount": "100.01"},
        {"instrument": "CITY", "year": 2026, "planned_amount": "9999"}])  # no frame for local money
    assert len(warnings) == 1 and "ERDF 2026" in warnings[0]


def test_frame_check_commit_raises_on_overrun(clean_agreement):
    add_frame(clean_agreement, "ERDF", 2026, "1000.00")
    add_line(make_project(clean_agreement), "ERDF", 2026, granted="900.00")
    frame_check_commit(agreement=clean_agreement, lines=[{"instrument": "ERDF", "year": 2026, "amount": "100.00"}])
    with pytest.raises(ValidationError) as info:
        frame_check_commit(agreement=clean_agreement, lines=[{"instrument": "ERDF", "year": 2026, "amount": "100.01"}])
    assert info.value.error_list[0].code == "frame_overrun"


def test_priority4_warning_when_a_plan_would_break_the_rule(clean_agreement):
    for code in (1, 2, 3):
        add_line(make_project(clean_agreement, priority=code), "ERDF", 2025, planned="100.00")
    p4 = make_project(clean_agreement, priority=4)
    with translation.override("en"):
        ok = funding_change_warnings(project=p4, lines=[{"instrument": "ERDF", "year": 2025,
                                                          "planned_amount": D("99")}])
        bad = funding_change_warnings(project=p4, lines=[{"instrument": "ERDF", "year": 2025,
                                                           "planned_amount": D("100")}])
    # (an ERDF-only plan also gets the split and missing-frame warnings; only priority 4's are counted here)
    ok, bad = ([w for w in ws if "riority 4" in w] for ws in (ok, bad))
    assert ok == [] and len(bad) == 1 and "priority 4" in bad[0]


def test_frame_correction_keeps_history(clean_agreement, coordinator):
    import datetime as dt

    frame = funding_frame_save(agreement=clean_agreement, instrument_code="ERDF", year=2025, amount=D("1000.00"),
                               decision_reference="TEM/100/2024", decision_date=dt.date(2024, 12, 15),
                               user=coordinator)
    corrected = funding_frame_save(agreement=clean_agreement, instrument_code="ERDF", year=2025,
                                   amount=D("1200.00"), decision_reference="TEM/55/2025",
                                   decision_date=dt.date(2025, 6, 1), user=coordinator, reason="2025 allocation")
    assert corrected.pk == frame.pk and FundingFrame.objects.filter(agreement=clean_agreement).count() == 1
    history = list(corrected.history.order_by("history_date").values_list(
        "amount", "decision_reference", "history_change_reason"))
    assert history == [(D("1000.00"), "TEM/100/2024", None), (D("1200.00"), "TEM/55/2025", "2025 allocation")]


def test_frames_are_written_only_by_the_agreements_coordinators(clean_agreement, other_coordinator, steering_member):
    for user in (other_coordinator, steering_member):
        with pytest.raises(PermissionDenied):
            funding_frame_save(agreement=clean_agreement, instrument_code="ERDF", year=2025, amount=D("1"),
                               decision_reference="x", decision_date=None, user=user)


def test_frame_year_outside_agreement_is_rejected(clean_agreement, coordinator):
    with pytest.raises(ValidationError):
        funding_frame_save(agreement=clean_agreement, instrument_code="ERDF", year=2030, amount=D("1"),
                           decision_reference="x", decision_date=None, user=coordinator)
    assert not FundingFrame.objects.exists()


def test_a_downward_correction_is_kept_in_history_and_lowers_the_totals(clean_agreement, coordinator):
    """Corrections are done by lowering an amount (rows stay non-negative); the history keeps the old value."""
    from funding.selectors import funding_summary
    from funding.services import granted_set_from_decision

    project = make_project(clean_agreement)
    funding_lines_replace(project=project, user=coordinator, lines=[
        {"instrument": "ERDF", "year": 2025, "planned_amount": "600"}])
    for amount in ("600", "450.55"):
        granted_set_from_decision(project=project, amounts={("ERDF", 2025): D(amount)}, source="Decision",
                                  user=coordinator)
    line = FundingLine.objects.get(project=project)
    assert [h.granted_amount for h in line.history.order_by("history_date")] == [D("0.00"), D("600.00"),
                                                                                 D("450.55")]
    assert funding_summary(agreement_id=clean_agreement.pk)["total"] == D("450.55")


def test_replace_accepts_instrument_objects_as_well_as_codes(clean_agreement, coordinator):
    from funding.models import FundingInstrument

    project = make_project(clean_agreement)
    funding_lines_replace(project=project, user=coordinator, lines=[
        {"instrument": FundingInstrument.objects.get(code="ESF"), "year": 2025, "planned_amount": D("1.00")},
        {"instrument": "erdf", "year": 2025, "planned_amount": 2}])
    assert set(FundingLine.objects.filter(project=project).values_list("instrument__code", flat=True)) == {
        "ESF", "ERDF"}
