import json
from typing import Any

from django import forms
from django.contrib import admin, messages
from django.contrib.auth import get_user_model
from django.contrib.auth.admin import UserAdmin
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from modeltranslation.admin import TranslationAdmin
from simple_history.admin import SimpleHistoryAdmin

from .audit import security_event_record
from .choices import SecurityEventKind
from .deletion import ExplainRefusedDeleteMixin
from .exports import csv_bytes
from .models import (
    Agreement,
    AgreementAccess,
    AgreementParty,
    AgreementRevision,
    MethodCategory,
    Organisation,
    Priority,
    Project,
    ProjectContact,
    ProjectPartner,
    SecurityEvent,
    Theme,
)
from .personal_data import personal_data_export, user_anonymise, user_deactivate


class AgreementPartyInline(admin.TabularInline):
    model = AgreementParty
    extra = 0
    autocomplete_fields = ["organisation"]


class AgreementRevisionInline(admin.TabularInline):
    model = AgreementRevision
    extra = 0


@admin.register(Agreement)
class AgreementAdmin(SimpleHistoryAdmin, TranslationAdmin):
    list_display = ["name", "code", "region", "status", "valid_from", "valid_until"]
    list_filter = ["status"]
    search_fields = ["name", "code", "region"]
    inlines = [AgreementPartyInline, AgreementRevisionInline]


@admin.register(AgreementAccess)
class AgreementAccessAdmin(admin.ModelAdmin):
    list_display = ["user", "agreement"]
    list_filter = ["agreement"]
    search_fields = ["user__username", "user__email"]
    autocomplete_fields = ["user"]


@admin.register(Organisation)
class OrganisationAdmin(SimpleHistoryAdmin, TranslationAdmin):
    list_display = ["name", "short_name", "kind", "business_id", "municipality"]
    list_filter = ["kind"]
    search_fields = ["name", "short_name", "business_id"]


@admin.register(Priority)
class PriorityAdmin(TranslationAdmin):
    list_display = ["code", "name", "agreement", "is_open"]
    list_filter = ["agreement", "is_open"]
    search_fields = ["name"]


@admin.register(MethodCategory)
class MethodCategoryAdmin(TranslationAdmin):
    list_display = ["code", "name"]
    search_fields = ["name"]


@admin.register(Theme)
class ThemeAdmin(SimpleHistoryAdmin, TranslationAdmin):
    list_display = ["name", "slug", "agreement", "priority", "position"]
    list_filter = ["agreement", "priority__code"]
    search_fields = ["name", "slug"]
    list_select_related = ["agreement", "priority"]


class ProjectPartnerInline(admin.TabularInline):
    model = ProjectPartner
    extra = 0
    autocomplete_fields = ["organisation"]


class ProjectAdminForm(forms.ModelForm):
    """The admin writes the model directly (not through portfolio.services), so it checks the service's
    rule itself: a project's themes are its own agreement's. No Meta: the admin builds it with all its fields
    (modelform_factory), as without a custom form."""

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        agreement = data.get("agreement") or getattr(self.instance, "agreement", None)
        themes = data.get("themes")
        if agreement is not None and themes is not None and any(t.agreement_id != agreement.pk for t in themes):
            self.add_error("themes", _("Choose themes of this project's agreement."))
        return data


@admin.register(Project)
class ProjectAdmin(ExplainRefusedDeleteMixin, SimpleHistoryAdmin, TranslationAdmin):
    form = ProjectAdminForm
    list_display = ["code", "title", "agreement", "priority", "status", "lead_organisation", "start_date",
                    "end_date"]
    list_filter = ["agreement", "status", "priority__code", "methods", "is_coordination_project",
                   "is_supra_regional"]
    search_fields = ["code", "title", "summary", "eura_code", "lead_organisation__name"]
    list_select_related = ["agreement", "priority", "lead_organisation"]
    autocomplete_fields = ["lead_organisation", "coordinator"]
    filter_horizontal = ["methods", "themes"]
    inlines = [ProjectPartnerInline]
    date_hierarchy = "start_date"

    def get_queryset(self, request):  # type: ignore[no-untyped-def]
        return super().get_queryset(request).visible_to(request.user)


@admin.register(ProjectContact)
class ProjectContactAdmin(SimpleHistoryAdmin):
    """Coordinators assign project contacts; saving gives the person the project-contact role."""

    list_display = ["project", "user", "organisation", "created_at"]
    list_filter = ["project__agreement"]
    search_fields = ["project__code", "project__title", "user__username", "user__last_name"]
    list_select_related = ["project", "user", "organisation"]
    autocomplete_fields = ["project", "user", "organisation"]

    def get_queryset(self, request):  # type: ignore[no-untyped-def]
        projects = Project.objects.visible_to(request.user).values("pk")
        return super().get_queryset(request).filter(project__in=projects)

    def save_model(self, request, obj, form, change):  # type: ignore[no-untyped-def]
        from .services import project_contact_assign

        saved = project_contact_assign(project=obj.project, contact_user=obj.user, organisation=obj.organisation,
                                       user=request.user)
        obj.pk = saved.pk

    def has_change_permission(self, request, obj=None):  # type: ignore[no-untyped-def]
        from .permissions import can_assign_project_contacts

        allowed = super().has_change_permission(request, obj)
        return allowed and (obj is None or can_assign_project_contacts(request.user, obj.project))

    def has_delete_permission(self, request, obj=None):  # type: ignore[no-untyped-def]
        from .permissions import can_assign_project_contacts

        allowed = super().has_delete_permission(request, obj)
        return allowed and (obj is None or can_assign_project_contacts(request.user, obj.project))


User = get_user_model()
admin.site.unregister(User)


@admin.action(description=_("Deactivate the selected users (they leave; their records stay)"))
def deactivate_users(modeladmin: admin.ModelAdmin, request: HttpRequest, queryset) -> None:  # type: ignore[no-untyped-def]
    for user in queryset:
        user_deactivate(user=user, by=request.user)
    modeladmin.message_user(request, _("Deactivated: %(count)d.") % {"count": queryset.count()})


@admin.action(description=_("Anonymise the selected departed users (irreversible)"))
def anonymise_users(modeladmin: admin.ModelAdmin, request: HttpRequest, queryset) -> None:  # type: ignore[no-untyped-def]
    done = 0
    for user in queryset:
        if user.pk == request.user.pk:
            continue
        try:
            user_anonymise(user=user, by=request.user)
            done += 1
        except ValidationError as exc:
            modeladmin.message_user(request, f"{user}: {' '.join(exc.messages)}", level=messages.ERROR)
    if done:
        modeladmin.message_user(request, _("Anonymised: %(count)d.") % {"count": done})


@admin.action(description=_("Export the personal data of the selected user (JSON)"))
def export_personal_data(modeladmin: admin.ModelAdmin, request: HttpRequest, queryset) -> HttpResponse | None:  # type: ignore[no-untyped-def]
    if queryset.count() != 1:
        modeladmin.message_user(request, _("Choose exactly one user to export."), level=messages.ERROR)
        return None
    user = queryset.get()
    data = personal_data_export(user=user, by=request.user)
    response = HttpResponse(json.dumps(data, ensure_ascii=False, indent=2, sort_keys=True),
                            content_type="application/json; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="personal-data-{user.pk}.json"'
    response["Cache-Control"] = "no-store"
    return response


@admin.register(User)
class PortalUserAdmin(ExplainRefusedDeleteMixin, UserAdmin):
    """Django's user admin; a delete that would rewrite the permanent record is refused with the reason.
    People leave by deactivation and anonymisation (the actions), never by deletion."""

    actions = [deactivate_users, anonymise_users, export_personal_data]


SECURITY_EVENT_COLUMNS = ["at", "kind", "user_id", "username", "ip_address", "method", "path", "request_id",
                          "object_type", "object_id", "user_agent", "detail"]


@admin.action(description=_("Export the selected events as CSV"))
def export_security_events_csv(modeladmin: admin.ModelAdmin, request: HttpRequest, queryset) -> HttpResponse:  # type: ignore[no-untyped-def]
    rows = ([getattr(e, c).isoformat() if c == "at" else getattr(e, c) for c in SECURITY_EVENT_COLUMNS]
            for e in queryset.order_by("at", "pk"))
    response = HttpResponse(csv_bytes(SECURITY_EVENT_COLUMNS, rows), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="security-events-{timezone.now():%Y%m%d-%H%M}.csv"'
    response["Cache-Control"] = "no-store"
    security_event_record(kind=SecurityEventKind.EXPORT, request=request,
                          detail={"what": "security events", "rows": queryset.count()})
    return response


@admin.register(SecurityEvent)
class SecurityEventAdmin(admin.ModelAdmin):
    """The security log: searchable, filterable and exportable, never editable (append-only for the app)."""

    list_display = ["at", "kind", "username", "ip_address", "method", "path", "request_id", "object_type",
                    "object_id"]
    list_filter = ["kind", "at"]
    search_fields = ["username", "ip_address", "path", "request_id", "object_id"]
    date_hierarchy = "at"
    actions = [export_security_events_csv]
    readonly_fields = [f.name for f in SecurityEvent._meta.fields]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: SecurityEvent | None = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: SecurityEvent | None = None) -> bool:
        return False
