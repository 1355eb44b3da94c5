"""Bad input to targets, values, enterprises and milestones: clear field errors, nothing written."""

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from followup.models import Enterprise, IndicatorTarget, IndicatorValue, Milestone, ProjectEnterprise
from followup.services import (
    indicator_target_save,
    indicator_value_save,
    milestone_save,
    project_enterprise_add,
)
from followup.tests.factories import EnterpriseFactory, indicator, valid_business_id
from tests.factories import ProjectFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def project(agreement):  # type: ignore[no-untyped-def]
    """A running project of the loaded agreement (the catalogue is loaded with it), 2024–2026."""
    return ProjectFactory(agreement=agreement, lead_organisation__municipality="Espoo")


def _errors(exc: pytest.ExceptionInfo) -> dict[str, list[str]]:
    return exc.value.message_dict


def _codes(exc: pytest.ExceptionInfo, field: str) -> set[str]:
    return {e.code for e in exc.value.error_dict[field]}


def test_a_count_value_is_saved_as_a_whole_number(project, coordinator):
    record = indicator_value_save(project=project, indicator=indicator("HEV03"), value="1 250",
                                  period_start=dt.date(2024, 1, 1), period_end=dt.date(2024, 6, 30),
                                  user=coordinator)
    assert record.value == Decimal("1250") and record.recorded_by == coordinator


@pytest.mark.parametrize("raw", ["abc", "1e3", "12,5,0", "", "NaN"])
def test_a_value_that_is_not_a_number_is_refused(project, coordinator, raw):
    with pytest.raises(ValidationError) as exc:
        indicator_value_save(project=project, indicator=indicator("HEV03"), value=raw,
                             period_end=dt.date(2024, 6, 30), user=coordinator)
    assert set(_errors(exc)) == {"value"}
    assert _codes(exc, "value") <= {"not_a_number", "required"}
    assert not IndicatorValue.objects.exists()


def test_a_fraction_of_a_count_is_refused_naming_the_unit(project, coordinator):
    with pytest.raises(ValidationError) as exc:
        indicator_value_save(project=project, indicator=indicator("HEV03"), value="2,5",
                             period_end=dt.date(2024, 6, 30), user=coordinator)
    assert _codes(exc, "value") == {"not_whole"}
    assert "experiments" in _errors(exc)["value"][0]
    assert not IndicatorValue.objects.exists()


def test_euros_and_fte_take_two_decimals_but_not_three(project, coordinator):
    saved = indicator_value_save(project=project, indicator=indicator("RCR01"), value="2,5",
                                 period_end=dt.date(2024, 6, 30), user=coordinator)
    assert saved.value == Decimal("2.50")
    euros = indicator_value_save(project=project, indicator=indicator("RCR02"), value="12 500,50 €",
                                 period_end=dt.date(2024, 6, 30), user=coordinator)
    assert euros.value == Decimal("12500.50")
    with pytest.raises(ValidationError) as exc:
        indicator_value_save(project=project, indicator=indicator("RCR02"), value="1,005",
                             period_end=dt.date(2024, 9, 30), user=coordinator)
    assert _codes(exc, "value") == {"too_many_decimals"}


def test_a_negative_value_is_refused(project, coordinator):
    with pytest.raises(ValidationError) as exc:
        indicator_value_save(project=project, indicator=indicator("HEV03"), value="-3",
                             period_end=dt.date(2024, 6, 30), user=coordinator)
    assert _codes(exc, "value") == {"negative"}


def test_a_period_outside_the_project_is_refused_and_nothing_is_saved(project, coordinator):
    # The project runs 1.1.2024–31.12.2026.
    with pytest.raises(ValidationError) as exc:
        indicator_value_save(project=project, indicator=indicator("HEV03"), value="3",
                             period_start=dt.date(2023, 7, 1), period_end=dt.date(2027, 1, 31), user=coordinator)
    assert set(_errors(exc)) == {"period_start", "period_end"}
    assert _codes(exc, "period_end") == {"outside_project"}
    assert not IndicatorValue.objects.exists()


def test_a_period_ending_before_it_starts_is_refused(project, coordinator):
    with pytest.raises(ValidationError) as exc:
        indicator_value_save(project=project, indicator=indicator("HEV03"), value="3",
                             period_start=dt.date(2024, 6, 1), period_end=dt.date(2024, 5, 1), user=coordinator)
    assert "end_before_start" in _codes(exc, "period_end")


def test_a_register_indicator_takes_no_values(project, coordinator):
    with pytest.raises(ValidationError) as exc:
        indicator_value_save(project=project, indicator=indicator("RCO01"), value="3",
                             period_end=dt.date(2024, 6, 30), user=coordinator)
    assert _codes(exc, "indicator") == {"from_register"}


def test_a_second_value_for_the_same_date_is_refused(project, coordinator):
    args = {"project": project, "indicator": indicator("HEV02"), "period_end": dt.date(2024, 6, 30),
            "user": coordinator}
    indicator_value_save(value="3", **args)
    with pytest.raises(ValidationError) as exc:
        indicator_value_save(value="4", **args)
    assert "already has a value" in str(exc.value)
    assert IndicatorValue.objects.get().value == Decimal("3")


def test_a_breakdown_value_is_refused_for_an_indicator_without_breakdown(project, coordinator):
    with pytest.raises(ValidationError) as exc:
        indicator_target_save(project=project, indicator=indicator("HEV03"), target_value="5",
                              breakdown_value="small", user=coordinator)
    assert _codes(exc, "breakdown_value") == {"no_breakdown"}
    assert not IndicatorTarget.objects.exists()


def test_a_target_is_set_then_changed(project, coordinator):
    indicator_target_save(project=project, indicator=indicator("RCO01"), target_value="20", user=coordinator)
    indicator_target_save(project=project, indicator=indicator("RCO01"), target_value="25", user=coordinator)
    target = IndicatorTarget.objects.get()
    assert target.target_value == Decimal("25")
    assert target.history.count() == 2


def test_a_target_in_the_wrong_unit_kind_is_refused(project, coordinator):
    with pytest.raises(ValidationError) as exc:
        indicator_target_save(project=project, indicator=indicator("RCO01"), target_value="20.5", user=coordinator)
    assert _codes(exc, "target_value") == {"not_whole"}


def test_another_agreements_coordinator_cannot_write(project, other_coordinator):
    with pytest.raises(PermissionDenied):
        indicator_target_save(project=project, indicator=indicator("RCO01"), target_value="2", user=other_coordinator)


def test_steering_member_cannot_write(project, steering_member):
    with pytest.raises(PermissionDenied):
        milestone_save(project=project, title="x", planned_date=dt.date(2025, 1, 1), user=steering_member)


# --- enterprises -----------------------------------------------------------------------------------------

def test_an_enterprise_is_created_by_business_id_and_then_reused(project, coordinator):
    from tests.factories import ProjectFactory

    bid = valid_business_id(1)
    project_enterprise_add(project=project, business_id=bid, name="Testi Oy", size_class="micro",
                           relation="grant", date=dt.date(2024, 3, 1), user=coordinator)
    second = ProjectFactory(agreement=project.agreement)
    link = project_enterprise_add(project=second, business_id=bid, relation="research", date=dt.date(2024, 3, 1),
                                  user=coordinator)
    assert Enterprise.objects.count() == 1
    assert link.enterprise.name == "Testi Oy"


def test_a_business_id_with_a_wrong_check_digit_is_refused(project, coordinator):
    good = valid_business_id(2)
    bad = f"{good[:-1]}{(int(good[-1]) + 1) % 10}"
    with pytest.raises(ValidationError) as exc:
        project_enterprise_add(project=project, business_id=bad, name="X Oy", size_class="small",
                               relation="grant", date=dt.date(2024, 3, 1), user=coordinator)
    assert _codes(exc, "business_id") == {"business_id_check_digit"}
    assert not Enterprise.objects.exists() and not ProjectEnterprise.objects.exists()


def test_a_business_id_in_the_wrong_form_is_refused(project, coordinator):
    with pytest.raises(ValidationError) as exc:
        project_enterprise_add(project=project, business_id="12345678", name="X Oy", size_class="small",
                               relation="grant", date=dt.date(2024, 3, 1), user=coordinator)
    assert _codes(exc, "business_id") == {"business_id_format"}


def test_a_new_enterprise_needs_name_and_size(project, coordinator):
    with pytest.raises(ValidationError) as exc:
        project_enterprise_add(project=project, business_id=valid_business_id(3), relation="grant",
                               date=dt.date(2024, 3, 1), user=coordinator)
    assert set(_errors(exc)) == {"name", "size_class"}
    assert not Enterprise.objects.exists()


def test_the_same_link_twice_is_refused_on_the_business_id(project, coordinator):
    enterprise = EnterpriseFactory()
    args = {"project": project, "business_id": enterprise.business_id, "relation": "grant",
            "date": dt.date(2024, 3, 1), "user": coordinator}
    project_enterprise_add(**args)
    with pytest.raises(ValidationError) as exc:
        project_enterprise_add(**args)
    assert "business_id" in _errors(exc)
    assert ProjectEnterprise.objects.count() == 1


def test_an_enterprise_dated_outside_the_project_is_refused(project, coordinator):
    with pytest.raises(ValidationError) as exc:
        project_enterprise_add(project=project, business_id=valid_business_id(4), name="X Oy", size_class="small",
                               relation="grant", date=dt.date(2023, 3, 1), user=coordinator)
    assert _codes(exc, "date") == {"outside_project"}
    assert not Enterprise.objects.exists()


# --- milestones ------------------------------------------------------------------------------------------

def test_a_milestone_needs_a_title_and_a_planned_date(project, coordinator):
    with pytest.raises(ValidationError) as exc:
        milestone_save(project=project, title=" ", planned_date=None, user=coordinator)
    assert set(_errors(exc)) == {"title", "planned_date"}
    assert not Milestone.objects.exists()


def test_a_milestone_keeps_its_history(project, coordinator):
    m = milestone_save(project=project, title="Pilotti", planned_date=dt.date(2025, 3, 1), user=coordinator)
    milestone_save(project=project, title="Pilotti", planned_date=dt.date(2025, 3, 1),
                   actual_date=dt.date(2025, 3, 5), user=coordinator, instance=m)
    assert m.history.count() == 2


def test_a_failure_after_the_new_enterprise_leaves_nothing(project, coordinator, monkeypatch):
    def broken_save(self, *args, **kwargs):  # type: ignore[no-untyped-def]
        raise RuntimeError("database went away")

    monkeypatch.setattr(ProjectEnterprise, "save", broken_save)
    with pytest.raises(RuntimeError):
        project_enterprise_add(project=project, business_id=valid_business_id(9), name="Kesken Oy",
                               size_class="small", relation="grant", date=dt.date(2024, 3, 1), user=coordinator)
    assert not Enterprise.objects.exists()
