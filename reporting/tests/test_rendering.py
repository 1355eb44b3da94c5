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


@pytest.mark.parametrize("count", [1, 2, 5, 8, 9, 13])
def test_pdf_tables_have_fixed_column_widths_that_fill_the_page(count):  # type: ignore[no-untyped-def]
    """The PDF's tables use a fixed layout (issue 16: automatic layout measured every cell, most of the
    summary's PDF time); one width per column, adding up to the page's width, names wider than figures."""
    from decimal import Decimal
    from pathlib import Path

    from reporting.rendering.pdf import column_widths

    columns = ["Agreement", "Name"] + [f"Figure {i}" for i in range(count - 2)]
    rows = [["Helsinki–Espoo–Vantaa", "Uudet oppimisympäristöt ja osaamisen digitaaliset ratkaisut"]
            + ["12 345,00"] * (count - 2)] * 3
    widths = [Decimal(w) for w in column_widths(columns[:count], [row[:count] for row in rows])]
    assert len(widths) == count
    assert Decimal(99) <= sum(widths) <= Decimal(100)
    assert count <= 2 or widths[1] > widths[2]
    template = (Path(__file__).parents[1] / "templates" / "reporting" / "summary_pdf.html").read_text()
    assert "table-layout: fixed" in template and "table.widths" in template
