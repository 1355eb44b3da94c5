"""Permission predicates: can_<verb>_<entity>(user, obj). Views, the API and the admin all ask these."""

from __future__ import annotations

from typing import TYPE_CHECKING

from rest_framework.permissions import SAFE_METHODS, BasePermission

from .access import agreement_ids_of, is_contact_of, is_coordinator
from .roles import Role, has_role, is_superuser, sees_all_agreements

if TYPE_CHECKING:
    from django.contrib.auth.models import AbstractBaseUser, AnonymousUser

    from .models import Agreement, Project

    AnyUser = AbstractBaseUser | AnonymousUser


def works_on(user: AnyUser, agreement_id: int) -> bool:
    return sees_all_agreements(user) or agreement_id in agreement_ids_of(user)


def can_view_portal(user: AnyUser) -> bool:
    return bool(user.is_authenticated and (is_superuser(user) or has_role(user, Role.COORDINATOR)
                                           or has_role(user, Role.STEERING) or has_role(user, Role.MINISTRY)
                                           or has_role(user, Role.PROJECT_CONTACT)))


def can_edit_agreement_portfolio(user: AnyUser, agreement: Agreement | int) -> bool:
    agreement_id = agreement if isinstance(agreement, int) else agreement.pk
    if not user.is_authenticated:
        return False
    if is_superuser(user):
        return True
    return is_coordinator(user) and agreement_id in agreement_ids_of(user)


def can_edit_some_agreement_portfolio(user: AnyUser) -> bool:
    """Whether ``can_edit_agreement_portfolio`` holds for some agreement: a superuser's when any agreement
    exists, a coordinator's when they work on one (known from the roles already read: no query)."""
    if not user.is_authenticated:
        return False
    if is_superuser(user):
        from django.apps import apps  # noqa: PLC0415  (the registry: this module sits below the models)

        return bool(apps.get_model("portfolio", "Agreement").objects.exists())
    return is_coordinator(user) and bool(agreement_ids_of(user))


def can_change_project(user: AnyUser, project: Project) -> bool:
    return can_edit_agreement_portfolio(user, project.agreement_id)


def can_report_on_project(user: AnyUser, project: Project) -> bool:
    """The project's own contacts, and the coordinators of its agreement, write its progress reports."""
    if not user.is_authenticated:
        return False
    return (has_role(user, Role.PROJECT_CONTACT) and is_contact_of(user, project.pk)) or can_change_project(
        user, project)


def can_assign_project_contacts(user: AnyUser, project: Project) -> bool:
    return can_change_project(user, project)


def can_create_project(user: AnyUser) -> bool:
    return is_coordinator(user)


def can_change_organisation(user: AnyUser) -> bool:
    return is_coordinator(user)


class PortalReadOnlyOrCoordinator(BasePermission):
    """Any portal role reads; only coordinators write (object scope checked by has_object_permission)."""

    def has_permission(self, request, view) -> bool:  # type: ignore[no-untyped-def]
        if not can_view_portal(request.user):
            return False
        return request.method in SAFE_METHODS or is_coordinator(request.user)
