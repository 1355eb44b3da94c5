"""The dashboard's, the country split's and the funding summary's figures pinned on seeded data (the demo
portfolio and a small `seed_scale`), so that making them faster cannot change them.

The expected figures in `data/figures_pinned.<database>.json` were written by the code before the aggregates were
combined into fewer grouped queries (issue 16), and the optimised code gave the same; they were written anew
when the demo gained three agreements (national view): each agreement's own figures stayed as they were, the
country's, the comparison's and the national summary's took in the new agreements. Written anew again when the
demo agreements' steering groups got their meetings (issue 13): Oulu and Turku each gained a project at the
proposal stage (their planned money, counts and the country's), the proposals on the upcoming agendas are
pending money in the frames; and when the main demo's indicator values moved into its accepted progress
reports, accepted on the seeding day: the 2025-H1 summaries no longer count them (as of 30.6.2025).
`PIN_FIGURES_WRITE=1 pytest this file` writes them anew, which is only right when a figure is meant to change."""

from __future__ import annotations

import datetime as dt
import json
import os
import re
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
import time_machine
from django.core.management import call_command
from django.db import connection, models

pytestmark = pytest.mark.django_db

# One file per database: the two order names differently (collations), and so list them differently.
PINNED = Path(__file__).parent / "data" / "figures_pinned.{vendor}.json"
FROZEN = dt.datetime(2026, 12, 3, 10, 0, tzinfo=dt.UTC)


def _is_id(key: str, value: Any) -> bool:
    return (key == "id" or key.endswith("_id")) and isinstance(value, int) and not isinstance(value, bool)


def _plain(value: Any) -> Any:
    """JSON of the figures with ids that differ between databases replaced by natural keys."""
    if isinstance(value, dict):
        # Database ids (a frame's id, say) depend on what earlier tests of the same process created: on
        # PostgreSQL a sequence is not rolled back, and a transactional test's flush renumbers the rows.
        return {str(key): "ID" if _is_id(str(key), item) else _plain(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(item) for item in value]
    if isinstance(value, models.Model):
        return f"{value._meta.label}:{getattr(value, 'code', None) or value}"
    if isinstance(value, Decimal | dt.date):
        return str(value)
    if isinstance(value, str):
        return re.sub(r"agreement(=|-)\d+", r"agreement\1ID", value)
    return value


def _figures(users: dict[str, Any]) -> dict[str, Any]:
    from funding.selectors import (
        agreement_split,
        agreements_comparison,
        country_split,
        dashboard_funding,
        funding_summary,
    )
    from portfolio.models import Agreement, Project

    out: dict[str, Any] = {}
    agreements = list(Agreement.objects.order_by("code"))
    for role, user in users.items():
        visible = Project.objects.visible_to(user)
        out[f"{role}/country_split"] = country_split(user=user)
        out[f"{role}/comparison"] = agreements_comparison(user=user)
        for agreement in agreements:
            key = f"{role}/{agreement.code}"
            funding = dashboard_funding(agreement=agreement, user=user)
            funding.pop("charts")  # translated titles and chart ids; the figures are in by_year
            out[f"{key}/dashboard_funding"] = funding
            out[f"{key}/agreement_split"] = agreement_split(agreement=agreement, user=user)
            for basis in ("planned", "granted", "spent"):
                out[f"{key}/funding_summary/{basis}"] = funding_summary(
                    agreement_id=agreement.pk, projects=visible, basis=basis)
    for basis in ("planned", "granted", "spent"):
        out[f"country/funding_summary/{basis}"] = funding_summary(basis=basis)
    out["country/split"] = country_split(user=None)
    # The summaries' source data (the snapshot's "data": no timestamp in it), national and one steering group's.
    from reporting.periods import period_parse
    from reporting.selectors import summary_data

    for code in ("2026-H2", "2025-H1"):
        national = summary_data(audience="national", period=period_parse(code))
        steering = summary_data(audience="steering", period=period_parse(code), agreement_id=agreements[0].pk)
        for data in (national, steering):
            for section in data["agreements"]:
                section.pop("id")  # a database id
        out[f"summary/national/{code}"] = national
        out[f"summary/steering/{code}"] = steering
    return _plain(out)


@pytest.fixture
def seeded(db, coordinator, ministry_user, steering_member):  # type: ignore[no-untyped-def]
    with time_machine.travel(FROZEN, tick=False):
        call_command("seed_demo", verbosity=0)
        call_command("seed_scale", agreements=3, projects=300, stdout=open(os.devnull, "w"))
        yield {"coordinator": coordinator, "ministry": ministry_user, "steering": steering_member}


def test_dashboard_split_and_summary_figures_are_those_pinned(seeded):  # type: ignore[no-untyped-def]
    with time_machine.travel(FROZEN, tick=False):
        figures = _figures(seeded)
    pinned = Path(str(PINNED).format(vendor=connection.vendor))
    if os.environ.get("PIN_FIGURES_WRITE"):
        pinned.parent.mkdir(exist_ok=True)
        pinned.write_text(json.dumps(figures, indent=1, sort_keys=True, ensure_ascii=False) + "\n")
    expected = json.loads(pinned.read_text())
    assert set(figures) == set(expected)
    for key in expected:
        assert figures[key] == expected[key], key
