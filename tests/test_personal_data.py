"""Personal data: the register (as code) classifies every field of every model that refers to a person; one
person's data exports as JSON; a departed person is anonymised, and the decisions they took stay attributable
to their role."""

from __future__ import annotations

import json
from io import StringIO

import pytest
from django.apps import apps
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.core.management.base import CommandError
from django.test import Client
from django.urls import reverse

from governance import services as gov
from governance.models import Decision, Meeting
from governance.tests import factories as f
from portfolio import personal_data as pd
from portfolio.audit import security_event_record
from portfolio.choices import SecurityEventKind
from portfolio.models import SecurityEvent
from tests.factories import ProjectFactory

pytestmark = pytest.mark.django_db
User = get_user_model()
CATEGORIES = {pd.IDENTITY, pd.CONTACT, pd.CREDENTIAL, pd.ACTIVITY, pd.LINK, pd.NETWORK, pd.FREE_TEXT,
              pd.NOT_PERSONAL}


# --- the register ------------------------------------------------------------------------------------------

def _models_with_person_data() -> list[type]:
    return [m for m in apps.get_models() if m is User or pd.relations_to_user(m)
            or m._meta.label_lower in pd.REGISTER]


def test_register_classifies_every_field_of_every_model_with_person_data():
    missing: list[str] = []
    for model in _models_with_person_data():
        label = model._meta.label_lower
        fields = pd.register_fields(model)
        if pd.is_history_model(model):
            base = model.instance_type._meta.label_lower
            if base in pd.NOT_PERSONAL_MODELS:
                classified = set(pd.HISTORY_FIELDS) | set(fields) - set(pd.HISTORY_FIELDS)
            else:
                assert base in pd.REGISTER, f"{label}: its model {base} is neither registered nor marked"
                classified = set(pd.HISTORY_FIELDS) | set(pd.REGISTER[base])
            missing += [f"{label}.{name}" for name in fields if name not in classified]
            continue
        assert label in pd.REGISTER, f"{label} refers to a person but is not in the register"
        missing += [f"{label}.{name}" for name in fields if name not in pd.REGISTER[label]]
    assert missing == []


def test_register_has_no_stale_or_unknown_entries():
    for label, classes in pd.REGISTER.items():
        model = apps.get_model(label)
        assert set(classes) == set(pd.register_fields(model)), label
        assert set(classes.values()) <= CATEGORIES, label
    for label in pd.NOT_PERSONAL_MODELS:
        model = apps.get_model(label)
        assert not pd.relations_to_user(model), f"{label} refers to a person; register its fields"


def test_user_name_and_email_are_personal():
    user_fields = pd.REGISTER["auth.user"]
    assert user_fields["username"] == user_fields["first_name"] == user_fields["last_name"] == pd.IDENTITY
    assert user_fields["email"] == pd.CONTACT and user_fields["password"] == pd.CREDENTIAL


def test_the_docs_list_every_registered_model():
    from pathlib import Path

    text = (Path(__file__).resolve().parent.parent / "docs" / "personal-data.md").read_text(encoding="utf-8")
    for label in [*pd.REGISTER, *pd.NOT_PERSONAL_MODELS]:
        assert f"`{label}`" in text, label


# --- export and anonymisation ------------------------------------------------------------------------------

@pytest.fixture
def record(coordinator, steering_member, agreement):  # type: ignore[no-untyped-def]
    """A chair who attended, decided and confirmed the minutes of a meeting."""
    steering_member.first_name, steering_member.last_name = "Sanna", "Puheenjohtaja"
    steering_member.email = "sanna@example.fi"
    steering_member.save()
    meeting, (proposal,) = f.deciding_meeting(coordinator, agreement, steering_member)
    f.approve(meeting, proposal, steering_member)
    gov.meeting_update_minutes(meeting=meeting, minutes="Kokous avattiin.", user=steering_member)
    gov.meeting_confirm_minutes(meeting=meeting, user=steering_member)
    project = ProjectFactory(agreement=agreement)
    project._history_user = steering_member  # type: ignore[attr-defined]
    project.summary = "Muutettu"
    project.save()
    security_event_record(kind=SecurityEventKind.SIGN_IN, user=steering_member)
    return Meeting.objects.get(pk=meeting.pk)


def _export(username: str) -> dict:
    out = StringIO()
    call_command("export_personal_data", username, stdout=out)
    return json.loads(out.getvalue())


def test_export_contains_the_person_and_their_records_but_no_credentials(record, steering_member):
    from rest_framework.authtoken.models import Token

    token = Token.objects.create(user=steering_member)
    data = _export("steer")
    assert data["account"]["username"] == "steer" and data["account"]["email"] == "sanna@example.fi"
    assert data["account"]["first_name"] == "Sanna"
    records = data["records"]
    assert {row["id"] for row in records["governance.decision"]} == {record.decisions.get().pk}
    assert record.pk in {row["id"] for row in records["governance.meeting"]}
    assert records["governance.membership"][0]["role"] == "chair"
    assert records["portfolio.securityevent"][0]["kind"] == "sign_in"
    assert any(h["model"] == "portfolio.project" for h in data["history"])
    text = json.dumps(data)
    assert steering_member.password not in text and token.key not in text
    assert SecurityEvent.objects.filter(kind=SecurityEventKind.PERSONAL_DATA_EXPORTED).count() == 1


def test_export_of_unknown_user_is_an_error(db):
    with pytest.raises(CommandError):
        call_command("export_personal_data", "nobody")


def test_anonymisation_removes_name_email_username_and_keeps_decisions_by_role(record, steering_member):
    pk = steering_member.pk
    decision = record.decisions.get()
    call_command("anonymise_user", "steer", "--deactivate", "--yes", stdout=StringIO())
    user = User.objects.get(pk=pk)
    assert (user.username, user.email, user.last_name) == (f"former-{pk}", "", "")
    assert "Sanna" not in user.get_full_name() and "Puheenjohtaja" not in user.get_full_name()
    assert user.get_full_name().startswith("Former member, Chair")
    assert not user.is_active and not user.has_usable_password()
    assert Decision.objects.get(pk=decision.pk).recorded_by_id == pk
    assert Meeting.objects.get(pk=record.pk).attendees.filter(pk=pk).exists()
    assert not SecurityEvent.objects.filter(username="steer").exists()
    text = json.dumps(_export(str(pk)))
    assert "Sanna" not in text and "sanna@example.fi" not in text and '"steer"' not in text


def test_anonymising_an_active_account_is_refused(record):
    with pytest.raises(CommandError):
        call_command("anonymise_user", "steer", "--yes", stdout=StringIO())
    assert User.objects.filter(username="steer").exists()


def test_anonymised_person_cannot_sign_in_and_their_sessions_end(record, steering_member):
    steering_member.set_password("correct-horse-battery-9")
    steering_member.save()
    client = Client()
    response = client.post(reverse("login"), {"username": "steer", "password": "correct-horse-battery-9"})
    assert response.status_code == 302
    call_command("anonymise_user", "steer", "--deactivate", "--yes", stdout=StringIO())
    assert client.get(reverse("dashboard")).status_code == 302
    assert Client().post(reverse("login"), {"username": "steer",
                                            "password": "correct-horse-battery-9"}).status_code == 200


def test_admin_actions_deactivate_then_anonymise(record, steering_member, admin_client_logged):
    changelist = reverse("admin:auth_user_changelist")
    member_client = Client()
    member_client.force_login(steering_member)
    admin_client_logged.post(changelist, {"action": "deactivate_users", "_selected_action": [steering_member.pk]})
    assert not User.objects.get(pk=steering_member.pk).is_active
    assert member_client.get(reverse("dashboard")).status_code == 302  # the session has ended
    admin_client_logged.post(changelist, {"action": "anonymise_users", "_selected_action": [steering_member.pk]})
    assert User.objects.get(pk=steering_member.pk).username == f"former-{steering_member.pk}"
    assert SecurityEvent.objects.filter(kind=SecurityEventKind.ANONYMISED).count() == 1


def test_admin_exports_one_persons_data(record, steering_member, admin_client_logged):
    response = admin_client_logged.post(reverse("admin:auth_user_changelist"),
                                        {"action": "export_personal_data", "_selected_action": [steering_member.pk]})
    assert response.status_code == 200
    assert json.loads(response.content)["account"]["username"] == "steer"
