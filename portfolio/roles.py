"""The portal's roles. A role is a Django group; which agreements a user works on is AgreementAccess
(ministry staff and superusers see every agreement). One definition, used by permissions and seeds."""

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.db import models
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    COORDINATOR = "coordinator", _("Coordinator")
    STEERING = "steering", _("Steering-group member")
    MINISTRY = "ministry", _("Ministry staff")
    PROJECT_CONTACT = "project_contact", _("Project contact")


# Django model permissions each role's group holds: "app_label.codename" without the action prefix,
# expanded by the action list. Object scope (which agreement) is checked separately.
ROLE_MODEL_PERMISSIONS: dict[str, dict[str, tuple[str, ...]]] = {
    Role.COORDINATOR: {
        "view": (
            "portfolio.agreement", "portfolio.agreementrevision", "portfolio.organisation",
            "portfolio.priority", "portfolio.methodcategory", "portfolio.theme", "portfolio.project",
            "portfolio.projectpartner", "funding.fundinginstrument", "funding.fundingframe",
            "funding.fundingline", "governance.steeringgroup", "governance.membership",
            "governance.meeting", "governance.proposal", "governance.decision",
            "reporting.summaryreport", "portfolio.projectcontact", "followup.progressreport",
        ),
        "add": (
            "portfolio.projectcontact", "followup.progressreport",
            "portfolio.organisation", "portfolio.theme", "portfolio.project", "portfolio.projectpartner",
            "funding.fundingline", "funding.fundingframe", "governance.meeting", "governance.proposal",
            "reporting.summaryreport",
        ),
        "change": (
            "portfolio.organisation", "portfolio.theme", "portfolio.project", "portfolio.projectpartner",
            "funding.fundingline", "funding.fundingframe", "governance.meeting", "governance.proposal",
            "portfolio.projectcontact", "followup.progressreport",
        ),
        "delete": ("portfolio.projectpartner", "funding.fundingline", "portfolio.projectcontact"),
    },
    Role.STEERING: {
        "view": (
            "portfolio.agreement", "portfolio.organisation", "portfolio.priority",
            "portfolio.methodcategory", "portfolio.theme", "portfolio.project", "portfolio.projectpartner",
            "funding.fundinginstrument", "funding.fundingframe", "funding.fundingline",
            "governance.steeringgroup", "governance.membership", "governance.meeting",
            "governance.proposal", "governance.decision", "reporting.summaryreport",
            "followup.progressreport",
        ),
        "add": ("governance.decision",),
        "change": ("governance.decision",),
    },
    Role.MINISTRY: {
        "view": (
            "portfolio.agreement", "portfolio.agreementrevision", "portfolio.organisation",
            "portfolio.priority", "portfolio.methodcategory", "portfolio.theme", "portfolio.project",
            "portfolio.projectpartner", "funding.fundinginstrument", "funding.fundingframe",
            "funding.fundingline", "governance.steeringgroup", "governance.membership",
            "governance.meeting", "governance.proposal", "governance.decision",
            "reporting.summaryreport", "portfolio.projectcontact", "followup.progressreport",
        ),
    },
    # A project contact reads and reports on their own projects only (object scope: portfolio.access).
    Role.PROJECT_CONTACT: {
        "view": (
            "portfolio.agreement", "portfolio.organisation", "portfolio.priority", "portfolio.methodcategory",
            "portfolio.theme", "portfolio.project", "portfolio.projectpartner", "funding.fundinginstrument",
            "funding.fundingline", "followup.progressreport",
        ),
        "add": ("followup.progressreport",),
        "change": ("followup.progressreport",),
    },
}


def is_superuser(user: AbstractBaseUser | AnonymousUser) -> bool:
    """The portal's users have PermissionsMixin (is_superuser, groups); AbstractBaseUser alone does not
    declare it, and AnonymousUser answers False."""
    return bool(getattr(user, "is_superuser", False))


def user_roles(user: AbstractBaseUser | AnonymousUser) -> set[str]:
    from django.contrib.auth.models import Group

    if not user.is_authenticated:
        return set()
    cached = getattr(user, "_portal_roles", None)
    if cached is None:
        cached = set(Group.objects.filter(user__pk=user.pk, name__in=Role.values).values_list("name", flat=True))
        user._portal_roles = cached  # type: ignore[attr-defined]  # a per-request cache on the user object
    return cached


def has_role(user: AbstractBaseUser | AnonymousUser, role: str) -> bool:
    return role in user_roles(user)


def sees_all_agreements(user: AbstractBaseUser | AnonymousUser) -> bool:
    return bool(user.is_authenticated and (is_superuser(user) or has_role(user, Role.MINISTRY)))


def is_project_contact_only(user: AbstractBaseUser | AnonymousUser) -> bool:
    """A project contact with no other portal role: they see exactly their own projects."""
    if not user.is_authenticated or is_superuser(user):
        return False
    roles = user_roles(user)
    return Role.PROJECT_CONTACT in roles and roles == {Role.PROJECT_CONTACT}
