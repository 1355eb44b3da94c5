"""Property tests: for random funding plans every breakdown reconciles to the grand total to the cent."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.db import transaction
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from funding.choices import SHARE_GROUP_OF, FundingLineKind
from funding.selectors import funding_summary, percentages
from funding.tests.conftest import add_line, make_project

pytestmark = pytest.mark.django_db

CODES = sorted(SHARE_GROUP_OF)
YEARS = list(range(2021, 2028))
cents = st.integers(min_value=0, max_value=10**11).map(lambda c: Decimal(c).scaleb(-2))
plans = st.dictionaries(
    keys=st.tuples(st.integers(1, 4), st.sampled_from(CODES), st.sampled_from(YEARS)),
    values=st.tuples(cents, cents, cents, st.integers(min_value=0, max_value=3)),
    max_size=25,
)


def _correction(amount: Decimal, divisor: int) -> Decimal:
    """A negative correction of part of an amount (never below zero net), or none."""
    return -(amount / divisor).quantize(Decimal("0.01"), rounding="ROUND_DOWN") if divisor else Decimal("0.00")


class _Rollback(Exception):
    pass


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(plan=plans)
def test_breakdowns_reconcile_to_the_grand_total(clean_agreement, plan):
    try:
        with transaction.atomic():
            projects = {code: make_project(clean_agreement, priority=code) for code in (1, 2, 3, 4)}
            net: dict[tuple[int, str, int], list[Decimal]] = {}
            for (priority, code, year), (planned, granted, spent, divisor) in plan.items():
                add_line(projects[priority], code, year, planned, granted, spent)
                corrections = [_correction(amount, divisor) for amount in (planned, granted, spent)]
                if divisor:
                    add_line(projects[priority], code, year, *corrections, kind=FundingLineKind.CORRECTION)
                net[(priority, code, year)] = [a + c for a, c in zip((planned, granted, spent), corrections,
                                                                       strict=True)]
            for index, basis in enumerate(("planned", "granted", "spent")):
                # RRF is used separately (docs/counting-rules.md): outside the totals, shown in ``separate``.
                counted = {key: amounts for key, amounts in net.items() if key[1] != "RRF"}
                expected_separate = sum((amounts[index] for key, amounts in net.items() if key[1] == "RRF"),
                                        Decimal("0.00"))
                expected_total = sum((amounts[index] for amounts in counted.values()), Decimal("0.00"))
                expected_groups = {"local": Decimal(0), "eu_state": Decimal(0), "private": Decimal(0)}
                for (_p, code, _y), amounts in counted.items():
                    expected_groups[SHARE_GROUP_OF[code]] += amounts[index]
                s = funding_summary(agreement_id=clean_agreement.pk, basis=basis)
                assert s["separate"] == expected_separate
                assert s["total"] == expected_total
                assert sum(r["total"] for r in s["by_priority"]) == expected_total
                assert sum(r["total"] for r in s["by_instrument"]) == expected_total
                assert sum(r["total"] for r in s["by_year"]) == expected_total
                assert s["local"] + s["eu_state"] + s["private"] == expected_total
                assert (s["local"], s["eu_state"], s["private"]) == (
                    expected_groups["local"], expected_groups["eu_state"], expected_groups["private"])
                if expected_total:
                    assert s["local_percent"] + s["eu_state_percent"] + s["private_percent"] == Decimal("100.00")
                    assert abs(s["local_percent"] - expected_groups["local"] * 100 / expected_total) < Decimal("0.01")
                else:
                    assert s["local_percent"] is None and s["eu_state_percent"] is None
            raise _Rollback
    except _Rollback:
        pass


@given(parts=st.lists(st.integers(min_value=0, max_value=10**12), min_size=1, max_size=8))
def test_percentages_always_add_up_to_100(parts):
    values = {str(i): Decimal(v).scaleb(-2) for i, v in enumerate(parts)}
    total = sum(values.values(), Decimal(0))
    result = percentages(values, total)
    if total:
        assert sum(result.values()) == Decimal("100.00")
        for key, value in values.items():
            assert abs(result[key] - value * 100 / total) < Decimal("0.01")
            assert result[key] == result[key].quantize(Decimal("0.01"))
    else:
        assert all(v is None for v in result.values())
