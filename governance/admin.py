from django.contrib import admin
from modeltranslation.admin import TranslationAdmin

from .models import (
    Decision,
    DecisionFundingLine,
    Meeting,
    Membership,
    Proposal,
    ProposalFundingLine,
    Recusal,
    SteeringGroup,
)


class MembershipInline(admin.TabularInline):
    model = Membership
    fk_name = "group"
    extra = 0
    autocomplete_fields = ["user"]


@admin.register(SteeringGroup)
class SteeringGroupAdmin(TranslationAdmin):
    list_display = ["name", "kind", "agreement", "quorum"]
    list_filter = ["kind", "agreement"]
    search_fields = ["name"]
    inlines = [MembershipInline]


@admin.register(Membership)
class MembershipAdmin(admin.ModelAdmin):
    list_display = ["user", "group", "role", "term_start", "term_end"]
    list_filter = ["group", "role"]
    search_fields = ["user__username", "user__last_name"]


@admin.register(Meeting)
class MeetingAdmin(admin.ModelAdmin):
    list_display = ["title", "group", "starts_at", "status", "minutes_confirmed_at"]
    list_filter = ["group", "status"]
    search_fields = ["title", "location"]
    date_hierarchy = "starts_at"
    filter_horizontal = ["attendees"]


class ProposalFundingLineInline(admin.TabularInline):
    model = ProposalFundingLine
    extra = 0


@admin.register(Proposal)
class ProposalAdmin(admin.ModelAdmin):
    list_display = ["title", "project", "status", "meeting", "submitted_at"]
    list_filter = ["status", "project__agreement"]
    search_fields = ["title", "project__code", "project__title"]
    inlines = [ProposalFundingLineInline]
    autocomplete_fields = ["project"]


class DecisionFundingLineInline(admin.TabularInline):
    model = DecisionFundingLine
    extra = 0


class RecusalInline(admin.TabularInline):
    model = Recusal
    extra = 0


@admin.register(Decision)
class DecisionAdmin(admin.ModelAdmin):
    list_display = ["proposal", "meeting", "outcome", "method", "decided_at"]
    list_filter = ["outcome", "method", "meeting__group"]
    search_fields = ["proposal__title", "rationale"]
    inlines = [DecisionFundingLineInline, RecusalInline]
