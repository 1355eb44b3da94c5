from django.contrib import admin
from modeltranslation.admin import TranslationAdmin
from simple_history.admin import SimpleHistoryAdmin

from .models import (
    Agreement,
    AgreementAccess,
    AgreementParty,
    AgreementRevision,
    MethodCategory,
    Organisation,
    Priority,
    Project,
    ProjectPartner,
    Theme,
)


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
class ThemeAdmin(TranslationAdmin):
    list_display = ["name", "slug"]
    search_fields = ["name", "slug"]


class ProjectPartnerInline(admin.TabularInline):
    model = ProjectPartner
    extra = 0
    autocomplete_fields = ["organisation"]


@admin.register(Project)
class ProjectAdmin(SimpleHistoryAdmin, TranslationAdmin):
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
