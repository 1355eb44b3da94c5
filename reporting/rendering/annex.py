"""The action-plan annex (toimenpidesuunnitelma) of one version as a tagged PDF, rendered from the version's
snapshot alone (reporting.action_plan.annex_snapshot), in one language."""

from __future__ import annotations

import datetime as dt
import logging
from decimal import Decimal
from pathlib import Path
from typing import Any

from django.conf import settings
from django.template.loader import render_to_string
from django.utils import formats, timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from .pdf import LocalStaticFetcher, _css_string, _font_clock, _pdf_cell


def _text(texts: dict[str, str], language: str) -> str:
    """The text in `language`, falling back to Finnish (the source language) when it has none."""
    return texts.get(language) or texts.get("fi") or ""


def _money(amounts: dict[str, str]) -> dict[str, str]:
    return {basis: _pdf_cell(Decimal(value)) for basis, value in amounts.items()}


def _theme(theme: dict[str, Any], language: str) -> dict[str, Any]:
    from portfolio.choices import ProjectStatus

    return {"name": _text(theme["name"], language), "money": _money(theme["money"]), "projects": [
        {"code": p["code"], "title": _text(p["title"], language), "lead": _text(p["lead"], language),
         "status": str(ProjectStatus(p["status"]).label), "money": _money(p["money"])} for p in theme["projects"]]}


def render_annex_pdf(snapshot: dict[str, Any], language: str) -> bytes:
    from weasyprint import HTML

    logging.getLogger("weasyprint.progress").setLevel(logging.WARNING)
    version = snapshot["version"]
    stamp = dt.datetime.fromisoformat(version["created_at"])
    with translation.override(language):
        agreement = _text(snapshot["agreement"]["name"], language)
        title = _("Action plan, version %(number)s") % {"number": version["number"]}
        html = render_to_string("reporting/annex_pdf.html", {
            "language": language,
            "title": title,
            "agreement": agreement,
            "version": version,
            # As the portal writes a day: 3.12.2026 in Finnish and Swedish, 3 Dec 2026 in English.
            "created": formats.date_format(timezone.localtime(stamp).date(),
                                           "j M Y" if language == "en" else "j.n.Y"),
            "created_iso": stamp.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
            "priorities": [{
                "code": p["code"], "name": _text(p["name"], language),
                "description": _text(p["description"], language), "money": _money(p["money"]),
                "themes": [_theme(t, language) for t in p["themes"]],
            } for p in snapshot["priorities"]],
            "unplaced": [_theme(t, language) for t in snapshot["unplaced"]],
            "footer_title": _css_string(f"{agreement} – {title}"),
            "page_label": _css_string(pgettext("pdf footer", "Page")),
            "of_label": _css_string(pgettext("pdf footer", "of")),
        })
    static_root = Path(settings.STATICFILES_DIRS[0]).resolve() if settings.STATICFILES_DIRS else Path.cwd()
    document = HTML(string=html, base_url=static_root.as_uri() + "/", url_fetcher=LocalStaticFetcher())
    with _font_clock(stamp):
        return document.write_pdf(uncompressed_pdf=False, pdf_tags=True)
