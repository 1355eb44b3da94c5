"""Defect 3: the production image must build. `collectstatic` with the production manifest storage (what the
Dockerfile runs) must succeed, every vendored file's references must resolve, and pages must render hashed
static URLs with it."""

from __future__ import annotations

import re
import shlex
from pathlib import Path
from unittest import mock

import pytest
from django.core.management import call_command
from django.test import override_settings
from whitenoise.compress import Compressor

ROOT = Path(__file__).resolve().parent.parent
PRODUCTION_STATICFILES = {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"}


def _production_storages() -> dict:
    """The production settings' STORAGES (the module needs its required variables to import)."""
    import importlib
    import os

    env = {"SECRET_KEY": "test-only-" + "x" * 50, "ALLOWED_HOSTS": "localhost"}
    with mock.patch.dict(os.environ, env):
        production = importlib.import_module("config.settings.production")
    return production.STORAGES


def test_production_settings_use_the_manifest_storage():
    assert _production_storages()["staticfiles"] == PRODUCTION_STATICFILES


@pytest.fixture(scope="module")
def collected(tmp_path_factory) -> dict:  # type: ignore[no-untyped-def]
    """Settings overrides of one collectstatic run with the production storage (it is slow: run it once)."""
    from django.conf import settings

    overrides = {
        "STATIC_ROOT": tmp_path_factory.mktemp("static"),
        "STORAGES": {**settings.STORAGES, "staticfiles": _production_storages()["staticfiles"]},
    }
    # Compression (gzip + brotli of ~800 files) is what takes minutes and has nothing to do with the
    # manifest's references; `.ci/run` and the Dockerfile run the whole thing, compression included.
    with override_settings(**overrides), mock.patch.object(Compressor, "should_compress", return_value=False):
        call_command("collectstatic", interactive=False, verbosity=0)
    return overrides


def test_collectstatic_with_the_production_manifest_storage(collected):
    with override_settings(**collected):
        from django.contrib.staticfiles.storage import staticfiles_storage

        manifest = (collected["STATIC_ROOT"] / "staticfiles.json").read_text()
        assert "vendor/bootstrap/bootstrap.bundle.min.js" in manifest
        url = staticfiles_storage.url("vendor/bootstrap/bootstrap.min.css")
        assert re.search(r"bootstrap\.min\.[0-9a-f]{12}\.css$", url), url


@pytest.mark.django_db
def test_login_page_renders_hashed_static_urls_with_the_manifest(collected, client):
    with override_settings(**collected):
        response = client.get("/accounts/login/")
    assert response.status_code == 200
    assert re.search(r'/static/vendor/bootstrap/bootstrap\.min\.[0-9a-f]{12}\.css', response.content.decode())


def test_vendored_files_reference_no_missing_source_map():
    for path in (ROOT / "static").rglob("*"):
        if path.suffix not in (".js", ".css"):
            continue
        for ref in re.findall(r"sourceMappingURL=([^\s*]+)", path.read_text(errors="replace")):
            assert (path.parent / ref).exists(), f"{path.relative_to(ROOT)} references missing {ref}"


def _dockerfile_run_commands() -> list[str]:
    """The Dockerfile's RUN instructions, continuation lines joined."""
    text = (ROOT / "Dockerfile").read_text().replace("\\\n", " ")
    return [line.strip()[4:] for line in text.splitlines() if line.strip().startswith("RUN ")]


def test_dockerfile_collects_static_files_with_the_production_settings():
    text = (ROOT / "Dockerfile").read_text()
    assert re.search(r"DJANGO_SETTINGS_MODULE=config\.settings\.production", text)
    collect = [c for c in _dockerfile_run_commands() if "collectstatic" in c]
    assert collect, "the Dockerfile must run collectstatic"
    words = shlex.split(collect[0].replace("&&", " && "))
    assert "--noinput" in words
    # The production settings need SECRET_KEY and ALLOWED_HOSTS at build time too.
    assert any(w.startswith("SECRET_KEY=") for w in words)
    assert any(w.startswith("ALLOWED_HOSTS=") for w in words)
    # Static files are copied in before collectstatic runs.
    copy_lines = [ln for ln in text.splitlines() if ln.startswith("COPY ")]
    assert any(ln.split()[1] == "." for ln in copy_lines)
    assert text.index("COPY . .") < text.index("collectstatic")
