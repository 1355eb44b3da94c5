"""Project documents: checked on upload, stored under a server name, downloaded only by those who see the
project, never cached."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from portfolio.models import ProjectAttachment
from portfolio.services import ATTACHMENT_MAX_BYTES
from tests.factories import ProjectFactory

pytestmark = pytest.mark.django_db
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


@pytest.fixture
def project(agreement):
    return ProjectFactory(agreement=agreement, status="idea")


def _upload(client, project, name, content, content_type="application/pdf"):
    return client.post(reverse("portfolio:attachment-upload", args=[project.pk]),
                       {"file": SimpleUploadedFile(name, content, content_type=content_type), "description": "d"})


def test_upload_is_stored_under_a_server_name(coordinator_client, project):
    response = _upload(coordinator_client, project, "../../etc/suunnitelma.pdf", PDF)
    assert response.status_code == 302
    attachment = ProjectAttachment.objects.get(project=project)
    assert attachment.original_name == "suunnitelma.pdf"
    stored = attachment.file.name.rsplit("/", 1)[-1]
    assert stored != "suunnitelma.pdf" and stored.endswith(".pdf") and len(stored) == 36
    assert ".." not in attachment.file.name


@pytest.mark.parametrize(("name", "content"), [
    ("page.pdf", b"<html><script>alert(1)</script></html>"),  # wrong magic bytes
    ("script.html", b"<html></html>"),  # type not allowed
    ("empty.pdf", b""),
])
def test_bad_uploads_are_rejected(coordinator_client, project, name, content):
    response = _upload(coordinator_client, project, name, content)
    assert response.status_code == 400
    assert 'id="id_file_error"' in response.content.decode()
    assert not ProjectAttachment.objects.exists()


def test_oversized_upload_is_rejected(coordinator_client, project):
    response = _upload(coordinator_client, project, "big.pdf", PDF + b"0" * ATTACHMENT_MAX_BYTES)
    assert response.status_code == 400
    assert not ProjectAttachment.objects.exists()


def test_download_is_an_uncached_attachment(coordinator_client, ministry_client, project):
    _upload(coordinator_client, project, "raportti ä.pdf", PDF)
    attachment = ProjectAttachment.objects.get()
    response = coordinator_client.get(attachment.get_absolute_url())
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment;")
    assert "filename*=utf-8''raportti%20%c3%a4.pdf" in response["Content-Disposition"].lower()
    assert "no-store" in response["Cache-Control"]
    assert response["X-Content-Type-Options"] == "nosniff"
    assert b"".join(response.streaming_content) == PDF
    assert ministry_client.get(attachment.get_absolute_url()).status_code == 200


def test_foreign_coordinator_cannot_download_or_upload(coordinator_client, other_coordinator_client, project):
    _upload(coordinator_client, project, "a.pdf", PDF)
    attachment = ProjectAttachment.objects.get()
    assert other_coordinator_client.get(attachment.get_absolute_url()).status_code == 404
    assert _upload(other_coordinator_client, project, "b.pdf", PDF).status_code == 404
    assert ProjectAttachment.objects.count() == 1


def test_read_only_roles_cannot_upload(steering_client, agreement):
    running = ProjectFactory(agreement=agreement, status="running")
    assert _upload(steering_client, running, "a.pdf", PDF).status_code == 403
