"""The minutes of a meeting as PDF (WeasyPrint), rendered from an HTML template.

WeasyPrint would fetch any URL the HTML names; the url_fetcher below serves only files from the local
static directories and refuses everything else (no network, no file:// outside static) against SSRF."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlparse

from django.conf import settings
from django.contrib.staticfiles import finders
from django.template.loader import render_to_string
from django.utils import timezone

from . import selectors
from .models import Meeting


class RefusedURL(ValueError):
    pass


def static_only_url_fetcher(url: str, *args: Any, **kwargs: Any) -> dict[str, Any]:
    """Serve `/static/...` paths from the static finders; refuse every other URL."""
    parsed = urlparse(url)
    path = parsed.path
    static_url = settings.STATIC_URL
    if parsed.scheme not in ("", "file") or parsed.netloc or not path.startswith(static_url):
        raise RefusedURL(f"refused to fetch {url!r}")
    relative = path[len(static_url):]
    if ".." in relative.split("/"):
        raise RefusedURL(f"refused to fetch {url!r}")
    found = finders.find(relative)
    if not found:
        raise RefusedURL(f"no static file {relative!r}")
    with open(found, "rb") as handle:
        data = handle.read()
    mime = "text/css" if relative.endswith(".css") else None
    return {"string": data, "mime_type": mime, "filename": relative}


def minutes_html(*, meeting: Meeting, user: Any) -> str:
    context = selectors.meeting_detail(meeting=meeting, user=user)
    context["generated_at"] = timezone.now()
    # Items that name a portal page (an approved summary) show its address: a PDF is read outside the portal.
    context["base_url"] = str(getattr(settings, "PORTAL_BASE_URL", "")).rstrip("/")
    return render_to_string("governance/minutes_pdf.html", context)


def minutes_pdf(*, meeting: Meeting, user: Any) -> bytes:
    from weasyprint import HTML

    html = minutes_html(meeting=meeting, user=user)
    return HTML(string=html, base_url=settings.STATIC_URL, url_fetcher=static_only_url_fetcher).write_pdf()
