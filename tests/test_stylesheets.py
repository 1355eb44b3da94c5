"""The portal's own stylesheets are well-formed (issue 15).

One missing `}` (the summary recipients' phone block) put every rule after it inside `@media (max-width: 576px)`:
the browser accepts the nesting silently, so the project list's column rules, the notification bell's and
a hundred lines more applied on a phone only, and changes to them "did nothing" at 1366 px. Nested at-rules
are valid CSS, so the browser cannot tell; this test can, because in these files a rule or an at-rule that
starts in the first column is always a top-level one.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

CSS_DIR = Path(__file__).resolve().parents[1] / "static" / "css"
STYLESHEETS = sorted(CSS_DIR.glob("*.css"))


def _blank(match: re.Match[str]) -> str:
    """A comment or string replaced by spaces and its newlines, so that line numbers stay right."""
    return re.sub(r"[^\n]", " ", match.group(0))


def stylesheet_problems(text: str) -> list[str]:
    code = re.sub(r"/\*.*?\*/|\"(?:\\.|[^\"\\])*\"|'(?:\\.|[^'\\])*'", _blank, text, flags=re.S)
    problems = []
    depth = 0
    for number, line in enumerate(code.split("\n"), 1):
        if depth and line[:1] not in ("", " ", "\t", "}"):
            problems.append(f"line {number} starts in the first column inside an open block (depth {depth}): "
                            f"{line.strip()[:60]!r}; a `}}` is missing above it")
        for char in line:
            depth += {"{": 1, "}": -1}.get(char, 0)
            if depth < 0:
                problems.append(f"line {number}: a `}}` without its `{{`")
                depth = 0
    if depth:
        problems.append(f"the file ends with {depth} block(s) open")
    return problems


def test_there_are_stylesheets() -> None:
    assert STYLESHEETS, CSS_DIR


@pytest.mark.parametrize("path", STYLESHEETS, ids=lambda path: path.name)
def test_stylesheet_blocks_are_closed(path: Path) -> None:
    assert stylesheet_problems(path.read_text(encoding="utf-8")) == []


def test_a_missing_brace_is_found() -> None:
    text = "@media (max-width: 576px) {\n  .a { color: red; }\n/* next */\n.b { color: blue; }\n"
    problems = stylesheet_problems(text)
    assert problems[0].startswith("line 4 starts in the first column inside an open block")
    assert problems[-1] == "the file ends with 1 block(s) open"
    assert stylesheet_problems("a { content: '}'; }\n/* { */\n") == []
