import pytest

from followup.data.indicators import INDICATORS
from followup.models import Indicator
from followup.services import indicator_catalogue_load
from portfolio.services import agreement_load

pytestmark = pytest.mark.django_db


def test_load_agreement_loads_the_catalogue(agreement):
    codes = set(Indicator.objects.values_list("code", flat=True))
    assert {"RCO01", "RCO02", "RCO04", "RCO05", "RCO07", "RCO10", "RCO13", "RCO15", "RCR01", "RCR02", "RCR03",
            "RCR04", "RCR18", "RCR104"} <= codes
    assert len(codes) == len(INDICATORS)


def test_catalogue_load_is_idempotent(agreement):
    history_before = Indicator.history.count()
    assert indicator_catalogue_load() == []
    assert agreement_load().changed == []
    assert Indicator.history.count() == history_before


def test_catalogue_load_restores_an_edited_name_and_keeps_every_language(agreement):
    rco01 = Indicator.objects.get(code="RCO01")
    rco01.name_sv = "muutettu"
    rco01.save()
    assert indicator_catalogue_load() == ["indicator RCO01"]
    rco01.refresh_from_db()
    assert rco01.name_en == "Enterprises supported (of which: micro, small, medium, large)"
    assert rco01.name_fi.startswith("Tuetut yritykset")
    assert rco01.name_sv.startswith("Företag som får stöd")


def test_indicators_added_in_the_admin_stay(agreement):
    Indicator.objects.create(code="OWN1", name_fi="Oma", unit="persons", kind="output")
    indicator_catalogue_load()
    assert Indicator.objects.filter(code="OWN1").exists()


def test_catalogue_units_and_register_counts(agreement):
    by_code = {i.code: i for i in Indicator.objects.all()}
    assert by_code["RCR01"].unit == "fte" and by_code["RCR01"].is_decimal
    assert by_code["RCO13"].unit == "euros" and not by_code["RCO13"].is_cumulative
    assert by_code["RCO01"].register_count == "supported" and by_code["RCO01"].breakdown == "size_class"
    assert by_code["HEV01"].register_count == "involved" and not by_code["HEV01"].is_common
