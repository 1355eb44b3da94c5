"""E-mail about summaries (Django's mail framework): the delivery of an approved summary to one recipient,
in the recipient's language, and the notice to the reviewers that a draft awaits them. Called by the tasks
in tasks.py after the transaction that queued them has committed. The message carries the key figures and a
link that requires sign-in; the summary's PDF is attached only for a named recipient whose list entry allows
it, and only while REPORT_ATTACHMENTS_TO_NAMED_RECIPIENTS is on (so unpublished funding decisions never
travel by e-mail to anyone else)."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.mail import EmailMessage, send_mass_mail
from django.template.loader import render_to_string
from django.utils import translation

from .models import SummaryDelivery, SummaryReport
from .rendering.common import _fmt, _name, indicator_label, title_of
from .selectors import attachments_allowed, key_indicators, summary_reviewers

KEY_FIGURES = ("projects", "running", "granted", "planned", "spent", "local_percent", "priority4_ok", "late")


def _base_url() -> str:
    return str(getattr(settings, "PORTAL_BASE_URL", "")).rstrip("/")


def key_figures(report: SummaryReport, language: str) -> list[dict[str, Any]]:
    """Per agreement of the summary, its name and the key figures formatted in `language`."""
    snapshot = report.snapshot or {}
    blocks = []
    with translation.override(language):
        for section in snapshot.get("data", {}).get("agreements", []):
            figures = key_indicators(section)
            blocks.append({"name": _name(section["name"], language),
                           "figures": [(indicator_label(key), _fmt(figures[key])) for key in KEY_FIGURES]})
    return blocks


def delivery_attaches_files(delivery: SummaryDelivery) -> bool:
    """Both the recipient's entry (copied to the delivery on approval) and the portal's setting, as it is at
    the time of sending, must allow it; and there must be a file."""
    return bool(delivery.attachments and attachments_allowed() and delivery.report.pdf_file)


def summary_delivery_message(delivery: SummaryDelivery) -> EmailMessage:
    report = delivery.report
    attach = delivery_attaches_files(delivery)
    with translation.override(delivery.language):
        file_language = translation.gettext(str(dict(settings.LANGUAGES).get(report.language, report.language)))
    if delivery.language in ("fi", "sv"):  # language names are not capitalised inside a Finnish/Swedish sentence
        file_language = file_language.lower()
    context = {"report": report, "title": title_of(report.snapshot, delivery.language) if report.snapshot else "",
               "blocks": key_figures(report, delivery.language), "base_url": _base_url(),
               "link": _base_url() + report.get_absolute_url(), "attached": attach, "file_language": file_language,
               "narrative": (report.snapshot or {}).get("narrative") or {}}
    with translation.override(delivery.language):
        subject = render_to_string("reporting/email/summary_delivery_subject.txt", context).strip().replace("\n", " ")
        body = render_to_string("reporting/email/summary_delivery.txt", context)
    message = EmailMessage(subject=subject, body=body, from_email=settings.DEFAULT_FROM_EMAIL, to=[delivery.email])
    if attach:
        # The PDF in the summary's own language (the one its narrative is written in), as it was approved.
        with report.pdf_file.open("rb") as handle:
            message.attach(f"summary-{report.period}-v{report.version}-{report.language}.pdf", handle.read(),
                           "application/pdf")
    return message


def summary_review_send(report: SummaryReport, *, reminder: bool) -> int:
    """To the summary's reviewers (one message each, so no one sees the others' addresses), in the summary's
    language: the one they write its narrative in (the portal does not know a coordinator's own language)."""
    addresses = sorted({user.email for user in summary_reviewers(report)})
    if not addresses:
        return 0
    context = {"report": report, "reminder": reminder, "link": _base_url() + report.get_absolute_url(),
               "title": title_of(report.snapshot, report.language) if report.snapshot else str(report)}
    with translation.override(report.language):
        subject = render_to_string("reporting/email/summary_review_subject.txt", context).strip().replace("\n", " ")
        body = render_to_string("reporting/email/summary_review.txt", context)
    return send_mass_mail([(subject, body, settings.DEFAULT_FROM_EMAIL, [to]) for to in addresses])
