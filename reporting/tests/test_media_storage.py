"""Media files (project documents, compiled summaries) go through Django's STORAGES["default"], never a local
path, so a multi-instance deployment can put them in S3-compatible object storage (django-storages). Here
the default storage is Django's in-memory one, which has no filesystem path at all."""

from __future__ import annotations

import pytest
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.urls import reverse

from reporting.models import SummaryReport

pytestmark = pytest.mark.django_db
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


@pytest.fixture
def object_storage(settings, tmp_path):  # type: ignore[no-untyped-def]
    settings.MEDIA_ROOT = tmp_path / "must-stay-empty"
    settings.STORAGES = {**settings.STORAGES,
                         "default": {"BACKEND": "django.core.files.storage.InMemoryStorage"}}
    assert type(default_storage._wrapped).__name__ in ("InMemoryStorage", "object")
    yield
    assert not (tmp_path / "must-stay-empty").exists(), "a file was written to the local disk"


def test_media_storage_is_configured_through_storages(settings):
    assert settings.STORAGES["default"]["BACKEND"] == "django.core.files.storage.FileSystemStorage"


@pytest.mark.usefixtures("object_storage", "fast_pdf")
def test_summaries_compile_and_download_with_object_storage(demo, ministry_client, capsys):
    call_command("compile_summary", "--audience", "steering", "--period", "2026-Q3", "--agreement", demo.code)
    report = SummaryReport.objects.get()
    assert report.pdf_file and default_storage.exists(report.pdf_file.name)
    assert f"pdf: {report.pdf_file.name}" in capsys.readouterr().out
    body = b"".join(ministry_client.get(f"/reports/{report.pk}/download/pdf/").streaming_content)
    assert body.startswith(b"%PDF")


@pytest.mark.usefixtures("object_storage")
def test_project_documents_upload_and_download_with_object_storage(agreement, coordinator_client):
    from portfolio.models import ProjectAttachment
    from tests.factories import ProjectFactory

    project = ProjectFactory(agreement=agreement, status="idea")
    response = coordinator_client.post(reverse("portfolio:attachment-upload", args=[project.pk]),
                                       {"file": SimpleUploadedFile("plan.pdf", PDF, content_type="application/pdf"),
                                        "description": "d"})
    assert response.status_code == 302
    attachment = ProjectAttachment.objects.get()
    assert default_storage.exists(attachment.file.name)
    download = coordinator_client.get(attachment.get_absolute_url())
    assert b"".join(download.streaming_content) == PDF
