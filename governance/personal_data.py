"""How a former steering-group member's role reads after anonymisation (see portfolio.personal_data)."""

from __future__ import annotations

from django.contrib.auth.base_user import AbstractBaseUser

from portfolio.personal_data import role_describer_register

from .models import Membership


def _memberships(user: AbstractBaseUser) -> list[str]:
    seats = Membership.objects.filter(user_id=user.pk).select_related("group").order_by("group__name", "pk")
    return [f"{seat.get_role_display()} ({seat.group.name})" for seat in seats]


def register_role_describers() -> None:
    role_describer_register(_memberships)
