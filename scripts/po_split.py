#!/usr/bin/env python3
"""Split a .po catalogue into N part files (header repeated) and join them back: for parallel translating."""
import sys
from pathlib import Path


def entries(text: str) -> list[str]:
    return [e for e in text.strip("\n").split("\n\n") if e.strip()]


def split(po: str, n: int, out_prefix: str) -> None:
    items = entries(Path(po).read_text())
    header, body = items[0], items[1:]
    size = -(-len(body) // n)
    for i in range(n):
        part = body[i * size:(i + 1) * size]
        Path(f"{out_prefix}-{i + 1}.po").write_text("\n\n".join([header, *part]) + "\n")


def join(po: str, parts: list[str]) -> None:
    header = entries(Path(po).read_text())[0]
    body = [e for p in parts for e in entries(Path(p).read_text())[1:]]
    Path(po).write_text("\n\n".join([header, *body]) + "\n")


if __name__ == "__main__":
    if sys.argv[1] == "split":
        split(sys.argv[2], int(sys.argv[3]), sys.argv[4])
    else:
        join(sys.argv[2], sys.argv[3:])
