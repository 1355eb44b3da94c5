"""The portal speaks Finnish by default and Swedish and English on request (checklist item 33)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.urls import reverse
from django.utils import translation

pytestmark = pytest.mark.django_db

ROOT = Path(__file__).resolve().parent.parent


def test_finnish_is_the_portal_default_language():
    from config.settings import base

    assert base.LANGUAGE_CODE == "fi"
    assert [code for code, _ in base.LANGUAGES] == ["fi", "sv", "en"]


@pytest.mark.parametrize(("language", "expected"), [("fi", "Kirjaudu"), ("sv", "Logga in")])
def test_login_page_is_translated(client, settings, language, expected):
    settings.LANGUAGE_CODE = language
    body = client.get(reverse("login")).content.decode()
    assert f'<html lang="{language}">' in body
    assert expected in body


@pytest.mark.parametrize(("language", "expected"), [("fi", "Hankkeet"), ("sv", "Projekt"), ("en", "Projects")])
def test_navigation_follows_the_chosen_language(coordinator_client, language, expected):
    response = coordinator_client.post(reverse("set_language"), {"language": language, "next": "/"})
    assert response.status_code == 302
    body = coordinator_client.get(reverse("dashboard")).content.decode()
    assert f'<html lang="{language}">' in body
    assert f">{expected}</a>" in body


def test_model_choice_labels_are_translated():
    from portfolio.choices import ProjectStatus

    with translation.override("fi"):
        assert str(ProjectStatus.RUNNING.label) != "Running"
    with translation.override("sv"):
        assert str(ProjectStatus.RUNNING.label) != "Running"


def test_catalogues_have_no_untranslated_or_fuzzy_entries():
    result = subprocess.run([sys.executable, str(ROOT / "scripts" / "check_translations.py")],
                            capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr


def test_every_string_of_the_code_and_templates_is_in_the_fi_and_sv_catalogues(tmp_path):
    """Extract the messages afresh (makemessages, in a copy of the tree so the committed catalogues stay as they
    are) and fail on any msgid that has no Finnish or Swedish translation: a string added to the code without its
    translations would show in English to Finnish and Swedish users."""
    import shutil

    copy = tmp_path / "tree"
    skip = shutil.ignore_patterns("tests", "__pycache__", "*.mo", "migrations")
    for name in ("config", "portfolio", "funding", "governance", "followup", "reporting", "templates", "locale"):
        shutil.copytree(ROOT / name, copy / name, ignore=skip)
    shutil.copy(ROOT / "manage.py", copy / "manage.py")
    result = subprocess.run([sys.executable, "manage.py", "makemessages", "-l", "fi", "-l", "sv", "--no-obsolete",
                             "-v", "0"], cwd=copy, capture_output=True, text=True,
                            env={**os.environ, "DJANGO_SETTINGS_MODULE": "config.settings.dev"})
    assert result.returncode == 0, result.stderr
    missing = {}
    for language in ("fi", "sv"):
        catalogue = str(copy / "locale" / language / "LC_MESSAGES" / "django.po")
        # Untranslated, and fuzzy: makemessages guesses a similar old translation for a new string and marks it
        # fuzzy; gettext does not use it, so the reader sees English.
        ids = [line[len("msgid "):]
               for flag in ("--untranslated", "--only-fuzzy")
               for line in subprocess.run(["msgattrib", flag, "--no-wrap", "--no-obsolete", catalogue],
                                          capture_output=True, text=True, check=True).stdout.splitlines()
               if line.startswith("msgid ") and line != 'msgid ""']
        if ids:
            missing[language] = ids
    assert missing == {}, f"add these to locale/*/LC_MESSAGES/django.po: {missing}"
