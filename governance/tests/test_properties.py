"""Properties of the requested-funding input: whatever is sent, what is stored is whole cents, not
negative, within the agreement's years, on instruments offered then; everything else is refused."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from governance import services
from governance.tests import factories as f

pytestmark = pytest.mark.django_db

amounts = st.one_of(
    st.decimals(min_value=Decimal("-1000"), max_value=Decimal("10000000000000"), allow_nan=False,
                allow_infinity=False),
    st.sampled_from([Decimal("NaN"), Decimal("Infinity"), Decimal("-Infinity"), "1e400", "0.001"]),
    st.decimals(min_value=0, max_value=Decimal("1000000"), places=2),
    st.text(max_size=12), st.integers(min_value=-5, max_value=10**15), st.none(), st.booleans(),
)
lines = st.lists(st.fixed_dictionaries({
    "instrument": st.sampled_from(["ERDF", "CITY", "AKKE", "ESF", "XXX", ""]),
    "year": st.one_of(st.integers(min_value=2015, max_value=2032), st.text(max_size=4)),
    "amount": amounts,
}), max_size=4)


@settings(max_examples=60, deadline=None, derandomize=True,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(data=lines)
def test_requested_funding_is_valid_or_refused(coordinator, agreement, data):
    proposal = f.draft(coordinator, agreement, lines=[])
    try:
        services.proposal_update(proposal=proposal, user=coordinator, funding_lines=data)
    except ValidationError as exc:
        assert exc.messages
        assert not proposal.funding_lines.exists()
        return
    for line in proposal.funding_lines.select_related("instrument"):
        assert line.amount > 0 and line.amount == line.amount.quantize(Decimal("0.01"))
        assert line.year in agreement.years
        assert not (line.instrument.code == "AKKE" and line.year > 2025)
