"""Rendering helpers that need no database: the PDF URL fetcher and the spreadsheet text guard."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.conf import settings

from reporting.rendering import LocalStaticFetcher, _css_string, safe_text


@pytest.mark.parametrize("url", [
    "http://169.254.169.254/latest/meta-data/", "https://example.com/style.css", "file:///etc/passwd",
    "ftp://example.com/x", "data:text/css,body{}",
])
def test_pdf_url_fetcher_refuses_anything_but_local_static_files(url):
    with pytest.raises(ValueError):
        LocalStaticFetcher()(url)


def test_pdf_url_fetcher_serves_a_static_file():
    path = Path(settings.STATICFILES_DIRS[0]).resolve() / "css" / "portal.css"
    response = LocalStaticFetcher()(path.as_uri())
    assert response.read() == path.read_bytes()


def test_pdf_url_fetcher_refuses_path_traversal_out_of_static():
    root = Path(settings.STATICFILES_DIRS[0]).resolve()
    with pytest.raises(ValueError):
        LocalStaticFetcher()(f"{root.as_uri()}/../manage.py")


@pytest.mark.parametrize(("text", "expected"), [
    ("=1+1", "'=1+1"), ("+SUM(A1)", "'+SUM(A1)"), ("-2", "'-2"), ("@cmd", "'@cmd"), ("Hanke", "Hanke"), ("", ""),
])
def test_text_guard_neutralises_formulas(text, expected):
    assert safe_text(text) == expected


def test_css_strings_cannot_close_the_style_element():
    assert "</" not in _css_string('Nimi"</style><script>')
