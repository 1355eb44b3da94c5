"""Checks of rendered PDFs shared by the reporting tests."""

from __future__ import annotations

import io

from pypdf import PdfReader


def text_outside_the_page(pdf: bytes, *, limit: int = 10) -> list[str]:
    """Pieces of text whose right edge (estimated from the font size) lies beyond the page's width."""
    reader = PdfReader(io.BytesIO(pdf))
    outside: list[str] = []
    for number, page in enumerate(reader.pages, start=1):
        width = float(page.mediabox.width)

        def visit(text, cm, tm, font, size, number=number, width=width):  # type: ignore[no-untyped-def]
            text = text.strip()
            if not text:
                return
            x = cm[0] * tm[4] + cm[2] * tm[5] + cm[4]
            scale = abs(cm[0] * tm[0]) or 1
            right = x + 0.45 * size * scale * len(text)  # a generous average glyph width of DejaVu Sans
            if right > width:
                outside.append(f"page {number}: {text!r} ends near {right:.0f} pt on a {width:.0f} pt page")

        page.extract_text(visitor_text=visit)
    return outside[:limit]
