#!/usr/bin/env python3
"""Fail when a locale's catalogue has untranslated or fuzzy entries (checklist item 33).
Uses msgfmt --statistics from gettext, so it needs no Python package."""

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
failed = False
for po in sorted(ROOT.glob("locale/*/LC_MESSAGES/django.po")):
    result = subprocess.run(["msgfmt", "--check-format", "--statistics", "-o", "/dev/null", str(po)],
                            capture_output=True, text=True)
    stats = result.stderr.strip()
    locale = po.parent.parent.name
    print(f"{locale}: {stats}")
    if result.returncode != 0 or "untranslated" in stats or "fuzzy" in stats:
        failed = True
sys.exit(1 if failed else 0)
