"""Writes of the results indicators, the enterprise register and milestones. Each checks that the user may
change the project, validates every field (a ``ValidationError`` naming them) and writes in one
transaction with the project row locked, so two coordinators cannot slip a duplicate in; nothing is
half-saved."""

from __future__ import annotations

import datetime as dt
from typing import Any, TypeVar, cast

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Model
from django.utils.translation import gettext_lazy as _

from portfolio.models import Agreement, Project
from portfolio.permissions import can_change_project
from portfolio.templatetags.portal import day as day_text
from portfolio.upsert import in_data_language, translated, upsert
from portfolio.validators import normalise_business_id, validate_business_id

from ..data.indicators import INDICATORS
from ..models import (
    Enterprise,
    Indicator,
    IndicatorTarget,
    IndicatorValue,
    Milestone,
    ProgressReport,
    ProjectEnterprise,
)
from ..models.indicators import BREAKDOWN_VALUES, EnterpriseRelation, SizeClass
from ..permissions.reports import can_write_progress_reports
from ..quantities import parse_quantity

User = AbstractBaseUser | AnonymousUser
Errors = dict[str, list[Any]]


@in_data_language
def indicator_catalogue_load(agreement: Agreement | None = None) -> list[str]:
    """The follow-up part of ``load_agreement`` (registered in ``FollowupConfig.ready()``): the indicator
    catalogue of ``followup.data.indicators``, created or updated by code. Running it again changes
    nothing; indicators added in the admin stay."""
    changed: list[str] = []
    for order, spec in enumerate(INDICATORS, start=1):
        _indicator, did = upsert(Indicator, {"code": spec["code"]}, {
            **translated("name", spec["names"]), "unit": spec["unit"], "kind": spec["kind"],
            "is_cumulative": spec["cumulative"], "breakdown": spec["breakdown"],
            "register_count": spec["register"], "is_common": spec["common"], "sort_order": order * 10,
        })
        if did:
            changed.append(f"indicator {spec['code']}")
    return changed


def _require_editor(user: User, project: Project) -> None:
    if not can_change_project(user, project):
        raise PermissionDenied(_("You do not have permission to change this project."))


def _lock(project: Project) -> Project:
    return Project.objects.select_for_update().get(pk=project.pk)


def _raise(errors: Errors) -> None:
    if errors:
        raise ValidationError(errors)


def _quantity(errors: Errors, field: str, raw: object, indicator: Indicator | None) -> Any:
    if indicator is None:
        return None
    try:
        return parse_quantity(raw, unit=indicator.unit)
    except ValidationError as exc:
        errors.setdefault(field, []).extend(exc.error_list)
        return None


def _breakdown(errors: Errors, indicator: Indicator | None, value: str) -> str:
    value = (value or "").strip()
    if indicator is None or not value:
        return value
    choices = BREAKDOWN_VALUES.get(indicator.breakdown)
    if choices is None:
        errors.setdefault("breakdown_value", []).append(ValidationError(
            _("Indicator %(code)s has no breakdown."), code="no_breakdown", params={"code": indicator.code}))
    elif value not in choices.values:
        errors.setdefault("breakdown_value", []).append(ValidationError(
            _("Choose one of the listed values."), code="invalid_breakdown"))
    return value


def _within_project(errors: Errors, project: Project, day: dt.date | None, field: str) -> None:
    if day is None:
        return
    if project.start_date and day < project.start_date or project.end_date and day > project.end_date:
        errors.setdefault(field, []).append(ValidationError(
            _("The date is outside the project's period %(start)s – %(end)s."), code="outside_project",
            params={"start": day_text(project.start_date) or "…", "end": day_text(project.end_date) or "…"}))


M = TypeVar("M", bound=Model)


def _save(obj: M, errors: Errors) -> M:
    """Validate the whole object (fields and constraints), adding the earlier errors, then save."""
    try:
        obj.full_clean()
    except ValidationError as exc:
        errors = exc.update_error_dict(errors)
    _raise(errors)
    obj.save()
    return obj


def indicator_target_save(*, project: Project, indicator: Indicator | None, target_value: object,
                          breakdown_value: str = "", user: User) -> IndicatorTarget:
    """Set a project's target for an indicator (and breakdown value): created, or the existing one changed."""
    _require_editor(user, project)
    errors: Errors = {}
    if indicator is None:
        errors["indicator"] = [ValidationError(_("Choose an indicator."), code="required")]
    value = _quantity(errors, "target_value", target_value, indicator)
    breakdown = _breakdown(errors, indicator, breakdown_value)
    _raise(errors)
    with transaction.atomic():
        _lock(project)
        target = (IndicatorTarget.objects.select_for_update()
                  .filter(project=project, indicator=indicator, breakdown_value=breakdown).first()
                  or IndicatorTarget(project=project, indicator=indicator, breakdown_value=breakdown))
        if target.pk is not None and target.target_value == value:
            return target  # unchanged: no write, no history row
        target.target_value = value
        return _save(target, errors)


def indicator_target_delete(*, target: IndicatorTarget, user: User) -> None:
    _require_editor(user, target.project)
    with transaction.atomic():
        _lock(target.project)
        target.delete()


def indicator_value_save(*, project: Project, indicator: Indicator | None, value: object,
                         period_end: dt.date | None, period_start: dt.date | None = None, breakdown_value: str = "",
                         source_note: str = "", user: User, instance: IndicatorValue | None = None,
                         report: ProgressReport | None = None) -> IndicatorValue:
    """Record (or correct, ``instance``) a value a project achieved for an indicator in a period or on a
    date. The value must be a number in the indicator's unit; the period must lie within the project's
    dates; indicators counted from the enterprise register take no values. With ``report`` the value is
    the report's (its source; it counts once the report is accepted): whoever may write the open report
    may record it, in the report's transaction."""
    if report is not None:
        if report.project_id != project.pk or not report.is_open or not can_write_progress_reports(user, report):
            raise PermissionDenied(_("You cannot change the values of this report."))
        if instance is not None and instance.report_id != report.pk:
            raise PermissionDenied(_("This value belongs to another report."))
    else:
        _require_editor(user, project)
        if instance is not None and instance.report_id is not None:
            raise PermissionDenied(_("This value was given in a progress report: change it in the report."))
    if instance is not None and instance.project_id != project.pk:
        raise PermissionDenied(_("This value belongs to another project."))
    errors: Errors = {}
    if indicator is None:
        errors["indicator"] = [ValidationError(_("Choose an indicator."), code="required")]
    elif indicator.from_register:
        errors["indicator"] = [ValidationError(
            _("%(code)s is counted from the enterprise register: add the enterprises instead."),
            code="from_register", params={"code": indicator.code})]
    amount = _quantity(errors, "value", value, indicator)
    breakdown = _breakdown(errors, indicator, breakdown_value)
    if period_end is None:
        errors.setdefault("period_end", []).append(ValidationError(_("Enter the date or the end of the period."),
                                                                   code="required"))
    if period_start and period_end and period_start > period_end:
        errors.setdefault("period_end", []).append(ValidationError(
            _("The end of the period cannot be before its start."), code="end_before_start"))
    _within_project(errors, project, period_start, "period_start")
    _within_project(errors, project, period_end, "period_end")
    _raise(errors)
    with transaction.atomic():
        _lock(project)
        record = (IndicatorValue.objects.select_for_update().get(pk=instance.pk) if instance is not None
                  else IndicatorValue(project=project, recorded_by_id=user.pk, report=report))
        record.indicator = indicator  # type: ignore[assignment]
        record.value, record.breakdown_value = amount, breakdown
        record.period_start, record.period_end = period_start, period_end  # type: ignore[assignment]
        record.source_note = source_note.strip()
        return _save(record, errors)


def indicator_value_delete(*, record: IndicatorValue, user: User) -> None:
    _require_editor(user, record.project)
    if record.report_id is not None:
        raise PermissionDenied(_("This value was given in a progress report: change it in the report."))
    with transaction.atomic():
        _lock(record.project)
        record.delete()


def project_enterprise_add(*, project: Project, business_id: str, relation: str, date: dt.date | None,
                           name: str = "", size_class: str = "", is_new: bool = False,
                           user: User) -> ProjectEnterprise:
    """Link an enterprise to a project by its business ID, creating the register entry when the business ID
    is new (then the name and size class are required). An existing entry keeps its data unless a new
    name or size class is given."""
    _require_editor(user, project)
    errors: Errors = {}
    business_id = normalise_business_id(business_id or "")
    try:
        validate_business_id(business_id)
    except ValidationError as exc:
        errors["business_id"] = exc.error_list
    if relation not in EnterpriseRelation.values:
        errors["relation"] = [ValidationError(_("Choose how the project reaches the enterprise."), code="required")]
    if size_class and size_class not in SizeClass.values:
        errors["size_class"] = [ValidationError(_("Choose one of the listed values."), code="invalid")]
    if date is None:
        errors["date"] = [ValidationError(_("Enter the date."), code="required")]
    _within_project(errors, project, date, "date")
    name = (name or "").strip()
    existing = Enterprise.objects.filter(business_id=business_id).first() if "business_id" not in errors else None
    if existing is None and "business_id" not in errors:
        if not name:
            errors["name"] = [ValidationError(_("A new enterprise needs its name."), code="required")]
        if not size_class:
            errors["size_class"] = [ValidationError(_("A new enterprise needs its size class."), code="required")]
    _raise(errors)
    with transaction.atomic():
        _lock(project)
        enterprise = Enterprise.objects.select_for_update().filter(business_id=business_id).first()
        if enterprise is None:
            enterprise = _save(Enterprise(business_id=business_id, name=name, size_class=size_class), errors)
        elif (name and name != enterprise.name) or (size_class and size_class != enterprise.size_class):
            enterprise.name = name or enterprise.name
            enterprise.size_class = size_class or enterprise.size_class
            _save(enterprise, errors)
        link = ProjectEnterprise(project=project, enterprise=enterprise, relation=relation, is_new=is_new)
        link.date = cast(dt.date, date)  # refused above when missing
        try:
            link.full_clean()
        except ValidationError as exc:
            # The business ID identifies the enterprise in the form; say it there.
            errors = exc.update_error_dict(errors)
            if "__all__" in errors:
                errors["business_id"] = errors.pop("__all__")
        _raise(errors)
        link.save()
        return link


def project_enterprise_remove(*, link: ProjectEnterprise, user: User) -> None:
    """Unlink an enterprise from a project; the register entry stays (other projects may reach it)."""
    _require_editor(user, link.project)
    with transaction.atomic():
        _lock(link.project)
        link.delete()


def milestone_save(*, project: Project, title: str, planned_date: dt.date | None, actual_date: dt.date | None = None,
                   note: str = "", user: User, instance: Milestone | None = None) -> Milestone:
    """Add (or change, ``instance``) a milestone of a project."""
    _require_editor(user, project)
    if instance is not None and instance.project_id != project.pk:
        raise PermissionDenied(_("This milestone belongs to another project."))
    errors: Errors = {}
    if not (title or "").strip():
        errors["title"] = [ValidationError(_("Enter a title."), code="required")]
    if planned_date is None:
        errors["planned_date"] = [ValidationError(_("Enter the planned date."), code="required")]
    _raise(errors)
    with transaction.atomic():
        _lock(project)
        milestone = (Milestone.objects.select_for_update().get(pk=instance.pk) if instance is not None
                     else Milestone(project=project))
        milestone.title, milestone.note = title.strip(), (note or "").strip()
        milestone.planned_date, milestone.actual_date = planned_date, actual_date  # type: ignore[assignment]
        return _save(milestone, errors)


def milestone_delete(*, milestone: Milestone, user: User) -> None:
    _require_editor(user, milestone.project)
    with transaction.atomic():
        _lock(milestone.project)
        milestone.delete()
