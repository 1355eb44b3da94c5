"""The portal speaks Finnish by default and Swedish and English on request (checklist item 33)."""

from __future__ import annotations

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
