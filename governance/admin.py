"""The governance admin. Decisions of confirmed minutes are read-only for everybody, superusers included:
the admin asks the same rule as the services and the model layer (a correction is a new decision)."""

from __future__ import annotations

from typing import Any

from django.contrib import admin, messages
from django.http import HttpRequest
from django.utils.text import capfirst
from django.utils.translation import gettext
from django.utils.translation import gettext as _
from modeltranslation.admin import TranslationAdmin

from .choices import MeetingStatus
from .models import (
    AgendaItem,
    ApplicationCriteria,
    CriteriaItem,
    Decision,
    DecisionFundingLine,
    Meeting,
    Membership,
    NotificationOutbox,
    ProjectIdea,
    Proposal,
    ProposalAssessment,
    ProposalAttachment,
    ProposalFundingLine,
    ProposalTransition,
    Recusal,
    SteeringGroup,
)

# A member's e-mail language is set on the group's recipients page (reporting.services.member_language_set),
# which records the change in the recipients' history; the admin shows it read-only so no change escapes it.
MEMBERSHIP_READONLY = ["language"]


class MembershipInline(admin.TabularInline):
    model = Membership
    fk_name = "group"
    extra = 0
    autocomplete_fields = ["user"]
    readonly_fields = MEMBERSHIP_READONLY


@admin.register(SteeringGroup)
class SteeringGroupAdmin(TranslationAdmin):
    list_display = ["name", "kind", "agreement", "quorum"]
    list_filter = ["kind", "agreement"]
    search_fields = ["name"]
    inlines = [MembershipInline]


@admin.register(Membership)
class MembershipAdmin(admin.ModelAdmin):
    list_display = ["user", "group", "role", "substitute_for", "term_start", "term_end", "language"]
    list_filter = ["group", "role"]
    search_fields = ["user__username", "user__last_name"]
    readonly_fields = MEMBERSHIP_READONLY


def _criteria_in_use(criteria: Any) -> bool:
    return criteria is not None and criteria.pk is not None and CriteriaItem.objects.filter(
        criteria=criteria).used().exists()


class CriteriaItemInline(admin.TabularInline):
    """A version's checklist is read-only once proposals have been assessed against it (a new version)."""

    model = CriteriaItem
    extra = 0

    def has_add_permission(self, request: Any, obj: Any = None) -> bool:
        return not _criteria_in_use(obj) and super().has_add_permission(request, obj)

    def has_change_permission(self, request: Any, obj: Any = None) -> bool:
        return not _criteria_in_use(obj) and super().has_change_permission(request, obj)

    def has_delete_permission(self, request: Any, obj: Any = None) -> bool:
        return not _criteria_in_use(obj) and super().has_delete_permission(request, obj)


@admin.register(ApplicationCriteria)
class ApplicationCriteriaAdmin(admin.ModelAdmin):
    list_display = ["title", "group", "version", "valid_from"]
    list_filter = ["group"]
    inlines = [CriteriaItemInline]

    def has_change_permission(self, request: Any, obj: Any = None) -> bool:
        return not _criteria_in_use(obj) and super().has_change_permission(request, obj)

    def has_delete_permission(self, request: Any, obj: Any = None) -> bool:
        return not _criteria_in_use(obj) and super().has_delete_permission(request, obj)

    def change_view(self, request: Any, object_id: str, form_url: str = "", extra_context: Any = None) -> Any:
        if request.method == "GET" and _criteria_in_use(self.get_object(request, object_id)):
            messages.warning(request, _("Proposals have been assessed against this version of the criteria: "
                                        "it cannot be changed. Create a new version instead."))
        return super().change_view(request, object_id, form_url, extra_context)


@admin.register(ProjectIdea)
class ProjectIdeaAdmin(admin.ModelAdmin):
    list_display = ["project", "stage", "updated_at"]
    list_filter = ["stage", "project__agreement"]
    search_fields = ["project__code", "project__title"]
    raw_id_fields = ["project"]


class AgendaItemInline(admin.TabularInline):
    model = AgendaItem
    extra = 0


class _ConfirmedIsReadOnly:
    """Objects that belong to confirmed minutes can be neither changed nor deleted in the admin."""

    def _confirmed(self, obj: Any) -> bool:
        raise NotImplementedError

    def has_change_permission(self, request: Any, obj: Any = None) -> bool:
        if obj is not None and self._confirmed(obj):
            return False
        return super().has_change_permission(request, obj)  # type: ignore[misc]

    def has_delete_permission(self, request: Any, obj: Any = None) -> bool:
        if obj is not None and self._confirmed(obj):
            return False
        return super().has_delete_permission(request, obj)  # type: ignore[misc]


@admin.register(Meeting)
class MeetingAdmin(_ConfirmedIsReadOnly, admin.ModelAdmin):
    list_display = ["title", "group", "starts_at", "status", "minutes_confirmed_at"]
    list_filter = ["group", "status"]
    search_fields = ["title", "location"]
    date_hierarchy = "starts_at"
    filter_horizontal = ["attendees"]
    inlines = [AgendaItemInline]
    readonly_fields = ["status", "agenda_published_at", "agenda_published_by", "minutes_confirmed_at",
                       "minutes_confirmed_by", "created_by"]

    def _confirmed(self, obj: Meeting) -> bool:
        return obj.status == MeetingStatus.MINUTES_CONFIRMED

    def get_deleted_objects(self, objs: Any, request: HttpRequest) -> tuple[list, dict, set, list]:
        """A meeting with proposals cannot be deleted: their meeting would become empty, which a proposal on
        an agenda or decided may not have. The admin lists them as protected (and refuses) instead of failing
        with an integrity error."""
        deleted, counts, perms_needed, protected = super().get_deleted_objects(objs, request)
        pks = [obj.pk for obj in objs]
        for proposal in Proposal.objects.filter(meeting__in=pks).select_related("meeting").order_by("pk"):
            protected.append(gettext("%(model)s: %(proposal)s (of the meeting %(meeting)s: move them to another "
                                     "meeting or take them off the agenda first)") % {
                "model": capfirst(Proposal._meta.verbose_name), "proposal": proposal,
                "meeting": proposal.meeting})
        return deleted, counts, perms_needed, protected


class ProposalFundingLineInline(admin.TabularInline):
    model = ProposalFundingLine
    extra = 0


class ProposalTransitionInline(admin.TabularInline):
    model = ProposalTransition
    extra = 0
    can_delete = False
    readonly_fields = ["from_status", "to_status", "meeting", "by", "at", "note"]

    def has_add_permission(self, request: Any, obj: Any = None) -> bool:
        return False


@admin.register(Proposal)
class ProposalAdmin(admin.ModelAdmin):
    list_display = ["title", "project", "status", "meeting", "submitted_at"]
    list_filter = ["status", "project__agreement"]
    search_fields = ["title", "project__code", "project__title"]
    inlines = [ProposalFundingLineInline, ProposalTransitionInline]
    autocomplete_fields = ["project"]
    # The workflow state changes only through the services (which record who and when).
    readonly_fields = ["status", "meeting", "submitted_at", "created_by"]


@admin.register(ProposalAttachment)
class ProposalAttachmentAdmin(admin.ModelAdmin):
    list_display = ["original_name", "proposal", "size", "uploaded_by", "uploaded_at"]
    readonly_fields = ["file", "original_name", "content_type", "size", "uploaded_by"]


@admin.register(ProposalAssessment)
class ProposalAssessmentAdmin(admin.ModelAdmin):
    list_display = ["proposal", "item", "answer"]


class _DecisionChildInline(admin.TabularInline):
    extra = 0

    def has_add_permission(self, request: Any, obj: Any = None) -> bool:
        return not (obj is not None and obj.meeting.status == MeetingStatus.MINUTES_CONFIRMED) and \
            super().has_add_permission(request, obj)

    def has_change_permission(self, request: Any, obj: Any = None) -> bool:
        return not (obj is not None and obj.meeting.status == MeetingStatus.MINUTES_CONFIRMED) and \
            super().has_change_permission(request, obj)

    def has_delete_permission(self, request: Any, obj: Any = None) -> bool:
        return not (obj is not None and obj.meeting.status == MeetingStatus.MINUTES_CONFIRMED) and \
            super().has_delete_permission(request, obj)


class DecisionFundingLineInline(_DecisionChildInline):
    model = DecisionFundingLine


class RecusalInline(_DecisionChildInline):
    model = Recusal


@admin.register(Decision)
class DecisionAdmin(_ConfirmedIsReadOnly, admin.ModelAdmin):
    list_display = ["proposal", "meeting", "outcome", "method", "decided_at", "corrects"]
    list_filter = ["outcome", "method", "meeting__group"]
    search_fields = ["proposal__title", "rationale"]
    inlines = [DecisionFundingLineInline, RecusalInline]
    actions = None  # no bulk delete: it would bypass the per-object rule above

    def _confirmed(self, obj: Decision) -> bool:
        return obj.meeting.status == MeetingStatus.MINUTES_CONFIRMED

    def has_add_permission(self, request: Any) -> bool:
        # Decisions are recorded in a meeting (quorum, recusals, project effects), never typed in the admin.
        return False


@admin.register(NotificationOutbox)
class NotificationOutboxAdmin(admin.ModelAdmin):
    """The notifications waiting for the broker (a transactional outbox): which are still unsent, how often
    sending was tried and why it failed. Entries are written by the services only; the one thing to do here
    is to try sending again now instead of waiting for the sweep."""

    list_display = ("task_name", "object_id", "created_at", "sent_at", "attempts", "short_error")
    list_filter = (("sent_at", admin.EmptyFieldListFilter), "task_name")
    search_fields = ("task_name", "last_error")
    date_hierarchy = "created_at"
    readonly_fields = ("task_name", "object_id", "created_at", "sent_at", "attempts", "last_error")
    actions = ["send_now"]

    @admin.display(description=_("last error"))
    def short_error(self, obj: NotificationOutbox) -> str:
        return obj.last_error[:120]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    @admin.action(description=_("Send the selected unsent notifications now"))
    def send_now(self, request: HttpRequest, queryset: Any) -> None:
        from .notifications import outbox_send

        pending = list(queryset.filter(sent_at__isnull=True).order_by("created_at", "pk")
                       .values_list("pk", flat=True))
        sent = 0
        for pk in pending:
            if not outbox_send(entry_id=pk):
                break  # the broker is down: the rest would wait for the same refusal
            sent += 1
        if sent:
            self.message_user(request, gettext("%(sent)d of %(total)d notifications handed to the broker.")
                              % {"sent": sent, "total": len(pending)}, messages.SUCCESS)
        if sent < len(pending):
            self.message_user(request, gettext("The broker refused the notifications; %(left)d stay in the outbox "
                                               "and the sweep tries them again every minute.")
                              % {"left": len(pending) - sent}, messages.ERROR)
        if not pending:
            self.message_user(request, gettext("The selected notifications have already been sent."),
                              messages.INFO)
