"""Structured money entry in proposals and decisions (issue 15, item 3): an instrument × year grid of euro
inputs, each error next to its cell, running totals, and the live funding effect before saving."""

from __future__ import annotations

import re
from decimal import Decimal

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import translation

from governance.models import Decision, Proposal
from governance.tests import factories as f

pytestmark = pytest.mark.django_db


def _client(user) -> Client:  # type: ignore[no-untyped-def]
    client = Client()
    client.force_login(user)
    return client


def _cell_error(body: str, name: str) -> str:
    match = re.search(rf'id="err_{re.escape(name)}"[^>]*>(.*?)</div>', body, re.S)
    assert match, f"no error slot next to {name}"
    return match.group(1).strip()


def _local_after(agreement, local: Decimal, total: Decimal) -> Decimal:  # type: ignore[no-untyped-def]
    from funding.selectors import funding_summary

    before = funding_summary(agreement_id=agreement.pk, basis="granted")
    granted = before["local"] + before["eu_state"] + before["private"]
    return ((before["local"] + local) * 100 / (granted + total)).quantize(Decimal("0.01"))


def test_proposal_form_is_a_grid_with_instrument_names_and_localised_amounts(coordinator, agreement):
    proposal = f.draft(coordinator, agreement)
    with translation.override("fi"):
        body = _client(coordinator).get(reverse("governance:proposal-edit", args=[proposal.pk]),
                                        HTTP_ACCEPT_LANGUAGE="fi").content.decode()
    # One input per instrument and year, prefilled in the Finnish format the help text shows.
    assert 'name="request-ERDF-2026" value="120\u00a0000,00"' in body
    assert 'name="request-CITY-2027" value=""' in body
    assert "Euroopan aluekehitysrahasto" in body  # the instrument's name in Finnish, not only its code
    assert "<textarea" not in body.split('id="request-grid-help"')[1].split("</fieldset>")[0]
    # Running totals (row, column, grand total) of the saved amounts.
    assert re.search(r'id="request-total">200\s000,00\s€<', body)


def test_bad_amount_is_shown_next_to_its_cell_and_nothing_is_saved(coordinator, agreement):
    proposal = f.draft(coordinator, agreement)
    response = _client(coordinator).post(reverse("governance:proposal-edit", args=[proposal.pk]), {
        "title": "Muutettu", "plan": "x", "request-ERDF-2026": "abc", "request-CITY-2026": "-5",
        "request-ERDF-2027": "172980.5"})
    assert response.status_code == 400
    body = response.content.decode()
    assert _cell_error(body, "request-ERDF-2026") == "“abc” is not an amount in euros. Write it like 12 500,00."
    assert _cell_error(body, "request-CITY-2026") == "An amount cannot be negative."
    assert _cell_error(body, "request-ERDF-2027") == ""
    assert 'value="172980.5"' in body  # kept as typed, not cut
    assert "error-summary" in body  # and listed at the top, linked to the cell
    assert 'href="#id_request-ERDF-2026"' in body
    proposal.refresh_from_db()
    assert proposal.title != "Muutettu"
    assert proposal.funding_lines.count() == 2


def test_grid_saves_the_typed_amounts(coordinator, agreement):
    proposal = f.draft(coordinator, agreement)
    response = _client(coordinator).post(reverse("governance:proposal-edit", args=[proposal.pk]), {
        "title": "Muutettu", "plan": "x", "request-ERDF-2026": "12 500,50", "request-CITY-2027": "8333.33"})
    assert response.status_code == 302
    assert {(line.instrument.code, line.year, line.amount)
            for line in Proposal.objects.get(pk=proposal.pk).funding_lines.select_related("instrument")} == {
        ("ERDF", 2026, Decimal("12500.50")), ("CITY", 2027, Decimal("8333.33"))}


def test_decision_grid_puts_the_services_refusal_next_to_the_cell(coordinator, steering_member, agreement):
    """More than requested is the service's rule (not the form's): its LineError lands in that cell."""
    meeting, (proposal,) = f.deciding_meeting(coordinator, agreement, steering_member)
    url = reverse("governance:decision-record", args=[meeting.pk, proposal.pk])
    client = _client(steering_member)
    form = client.get(url).content.decode()
    assert "Requested" in form.split('id="ref_grant-ERDF-2026"')[1][:200]  # the request under the cell
    response = client.post(url, {"outcome": "approved", "method": "consensus", "rationale": "Hyvä.",
                                 "grant-ERDF-2026": "130000", "grant-CITY-2026": "80000"})
    assert response.status_code == 400
    body = response.content.decode()
    message = _cell_error(body, "grant-ERDF-2026")
    assert "grants 130,000.00 € but the proposal requests 120,000.00 €" in message
    assert _cell_error(body, "grant-CITY-2026") == ""
    assert not Decision.objects.filter(proposal=proposal).exists()


def test_live_preview_totals_split_and_cell_errors_without_saving(coordinator, agreement):
    proposal = f.draft(coordinator, agreement)
    url = reverse("governance:proposal-funding-preview") + f"?project={proposal.project_id}"
    client = _client(coordinator)
    response = client.post(url, {"request-ERDF-2026": "60 000", "request-CITY-2026": "40000",
                                 "request-CITY-2027": "abc"}, HTTP_HX_REQUEST="true")
    assert response.status_code == 200
    body = response.content.decode()
    assert re.search(r'id="request-total" hx-swap-oob="true">€100,000.00<', body)
    assert re.search(r'id="request-total-2026" hx-swap-oob="true">€100,000.00<', body)
    assert re.search(r'id="request-total-CITY" hx-swap-oob="true">€40,000.00<', body)
    assert "is not an amount in euros" in _cell_error(body, "request-CITY-2027")
    # The effect of these amounts on the agreement's split, computed here from the granted money before.
    assert f"<strong>{_local_after(agreement, Decimal('40000'), Decimal('100000'))}" in body
    # Nothing was saved.
    assert {(line.instrument.code, line.amount) for line in proposal.funding_lines.select_related("instrument")} \
        == {("ERDF", Decimal("120000.00")), ("CITY", Decimal("80000.00"))}


def test_live_preview_shows_a_split_far_from_40_60(coordinator, agreement):
    proposal = f.draft(coordinator, agreement)
    url = reverse("governance:proposal-funding-preview") + f"?project={proposal.project_id}"
    body = _client(coordinator).post(url, {"request-ERDF-2026": "67000", "request-CITY-2026": "33000"}
                                     ).content.decode()
    local = _local_after(agreement, Decimal("33000"), Decimal("100000"))
    assert f"<strong>{local} % / {Decimal(100) - local} %</strong>" in body
    assert local < Decimal("40.00")  # the split moves away from 40 % before anything is saved


def test_live_preview_is_for_the_agreements_coordinators_only(coordinator, other_coordinator, steering_member,
                                                                agreement):
    proposal = f.draft(coordinator, agreement)
    url = reverse("governance:proposal-funding-preview") + f"?project={proposal.project_id}"
    assert _client(other_coordinator).post(url, {"request-ERDF-2026": "1"}).status_code == 404
    assert _client(steering_member).post(url, {"request-ERDF-2026": "1"}).status_code == 403
    assert _client(coordinator).get(url).status_code == 405


def test_decision_preview_is_for_those_who_record_decisions(coordinator, steering_member, agreement):
    meeting, (proposal,) = f.deciding_meeting(coordinator, agreement, steering_member)
    url = reverse("governance:decision-funding-preview", args=[meeting.pk, proposal.pk])
    assert _client(coordinator).post(url, {"grant-ERDF-2026": "1"}).status_code == 403
    body = _client(steering_member).post(url, {"grant-ERDF-2026": "100000", "grant-CITY-2026": "80000"}
                                         ).content.decode()
    assert re.search(r'id="grant-total" hx-swap-oob="true">€180,000.00<', body)
