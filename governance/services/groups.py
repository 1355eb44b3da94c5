"""Steering groups, their members and application criteria."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import TYPE_CHECKING

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from portfolio.data import hev
from portfolio.upsert import translated, upsert

from .. import permissions
from ..choices import (
    GroupKind,
)
from ..models import (
    ApplicationCriteria,
    CriteriaInUseError,
    CriteriaItem,
    Membership,
    SteeringGroup,
)
from ._common import (
    _deny,
)

if TYPE_CHECKING:
    from django.contrib.auth.models import User

    from portfolio.models import Agreement, Organisation


# --- steering groups, criteria ---------------------------------------------------------------------------

def steering_groups_ensure(*, agreement: Agreement, regional_names: dict[str, str],
                           national_names: dict[str, str]) -> list[str]:
    """The agreement's steering group and the single national steering group exist."""
    changed = []
    _, did = upsert(SteeringGroup, {"kind": GroupKind.REGIONAL, "agreement": agreement},
                    translated("name", regional_names))
    if did:
        changed.append("steering group")
    _, did = upsert(SteeringGroup, {"kind": GroupKind.NATIONAL, "agreement": None},
                    translated("name", national_names))
    if did:
        changed.append("national steering group")
    return changed


def agreement_groups_load(agreement: Agreement) -> list[str]:
    """Governance's part of `portfolio.services.agreement_load` (registered in `GovernanceConfig.ready()`):
    the loaded agreement's steering group and the national one, named as in the agreement's data."""
    return steering_groups_ensure(agreement=agreement, regional_names=hev.STEERING_GROUP,
                                  national_names=hev.NATIONAL_GROUP)


def membership_save(*, group: SteeringGroup, member: User, role: str, user: User | None,
                    organisation: Organisation | None = None, substitute_for: Membership | None = None,
                    term_start: dt.date | None = None, term_end: dt.date | None = None) -> Membership:
    """Add a member to a group or change their seat. Only the group's chair/secretary (or a superuser)."""
    if user is not None:
        _deny(permissions.can_manage_members(user, group))
    if substitute_for is not None and substitute_for.group_id != group.pk:
        raise ValidationError(_("A substitute stands in for a member of the same group."))
    with transaction.atomic():
        seat = Membership.objects.select_for_update().filter(group=group, user=member).first() or Membership(
            group=group, user=member)
        if substitute_for is not None and substitute_for.pk == seat.pk:
            raise ValidationError(_("A member cannot be their own substitute."))
        seat.role, seat.organisation, seat.substitute_for = role, organisation, substitute_for
        seat.term_start, seat.term_end = term_start, term_end
        seat.full_clean()
        seat.save()
    return seat


def criteria_version_create(*, group: SteeringGroup, title: str, text: str, items: Iterable[str],
                            valid_from: dt.date, user: User | None) -> ApplicationCriteria:
    """A new version of the group's application criteria; earlier versions stay as they were."""
    if user is not None:
        _deny(bool(user.is_superuser) or permissions.can_manage_meeting(user, group))
    items = [item.strip() for item in items if item and item.strip()]
    if not items:
        raise ValidationError(_("Criteria need at least one checklist item."), code="no_items")
    with transaction.atomic():
        SteeringGroup.objects.select_for_update().filter(pk=group.pk).first()
        last = ApplicationCriteria.objects.filter(group=group).order_by("-version").first()
        criteria = ApplicationCriteria.objects.create(
            group=group, version=(last.version + 1) if last else 1, title=title, text=text,
            valid_from=valid_from, created_by=user)
        CriteriaItem.objects.bulk_create(
            [CriteriaItem(criteria=criteria, position=n, text=text_) for n, text_ in enumerate(items, start=1)])
    return criteria


def criteria_item_update(*, item: CriteriaItem, text: str, user: User | None) -> CriteriaItem:
    """Reword a checklist item that no proposal has yet been assessed against. A used item is immutable
    (the assessments must keep their meaning): a change is a new criteria version (criteria_version_create)."""
    if user is not None:
        _deny(bool(user.is_superuser) or permissions.can_manage_meeting(user, item.criteria.group))
    if not text.strip():
        raise ValidationError({"text": _("Write the criterion.")})
    with transaction.atomic():
        item = CriteriaItem.objects.select_for_update().get(pk=item.pk)
        if item.is_used:
            raise CriteriaInUseError()
        item.text = text.strip()
        item.full_clean()
        item.save()
    return item


def criteria_current(*, agreement: Agreement | None, on: dt.date | None = None) -> ApplicationCriteria | None:
    """The newest criteria version of the agreement's steering group in force on the day."""
    day = on or timezone.localdate()
    return (ApplicationCriteria.objects.filter(group__agreement=agreement, group__kind=GroupKind.REGIONAL,
                                               valid_from__lte=day).order_by("-version").first())
