"""Proposals, meetings and decisions as JSON. Status fields are read-only: they change only through the
transition actions, which call `governance.services`."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.contrib.auth import get_user_model
from django.db.models import Prefetch, Q
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from funding.choices import InstrumentCode
from portfolio.models import Project

from ..choices import DecisionMethod, DecisionOutcome
from ..models import (
    AgendaItem,
    Decision,
    DecisionFundingLine,
    Meeting,
    Proposal,
    ProposalFundingLine,
    Recusal,
    SteeringGroup,
)

User = get_user_model()


class ProposalFundingLineSerializer(serializers.ModelSerializer):
    instrument = serializers.CharField(source="instrument.code", read_only=True)

    class Meta:
        model = ProposalFundingLine
        fields = ["instrument", "year", "amount"]
        read_only_fields = fields


class DecisionFundingLineSerializer(serializers.ModelSerializer):
    instrument = serializers.CharField(source="instrument.code", read_only=True)

    class Meta:
        model = DecisionFundingLine
        fields = ["instrument", "year", "amount"]
        read_only_fields = fields


class RecusalSerializer(serializers.ModelSerializer):
    class Meta:
        model = Recusal
        fields = ["user", "reason"]
        read_only_fields = fields


class DecisionSerializer(serializers.ModelSerializer):
    """A steering group's decision on a proposal; permanent once the meeting's minutes are confirmed."""

    project = serializers.IntegerField(source="proposal.project_id", read_only=True)
    funding_lines = DecisionFundingLineSerializer(many=True, read_only=True)
    recusals = RecusalSerializer(many=True, read_only=True)

    class Meta:
        model = Decision
        fields = ["id", "proposal", "project", "meeting", "outcome", "method", "votes_for", "votes_against",
                  "votes_abstain", "conditions", "rationale", "corrects", "recorded_by", "decided_at",
                  "decided_on", "funding_lines", "recusals"]
        read_only_fields = fields


class NestedDecisionSerializer(serializers.ModelSerializer):
    class Meta:
        model = Decision
        fields = ["id", "proposal", "meeting", "outcome", "method", "conditions", "decided_at", "decided_on",
                  "corrects"]
        read_only_fields = fields


@extend_schema_field(NestedDecisionSerializer(many=True))
class ProjectDecisionsField(serializers.Field):
    """The `decisions` of the project API: every steering-group decision on the project's proposals, in the
    order they were made (registered in portfolio.api.extensions by GovernanceConfig.ready)."""

    def __init__(self) -> None:
        super().__init__(source="*", read_only=True)

    def to_representation(self, project: Project) -> list[dict[str, Any]]:
        decisions = [d for proposal in project.proposals.all() for d in proposal.decisions.all()]
        decisions.sort(key=lambda d: (d.decided_at, d.pk))
        return NestedDecisionSerializer(decisions, many=True).data  # type: ignore[return-value]


def project_decisions_prefetch() -> Prefetch:
    return Prefetch("proposals", queryset=Proposal.objects.order_by("pk").prefetch_related(
        Prefetch("decisions", queryset=Decision.objects.order_by("decided_at", "pk"))))


class ProposalSerializer(serializers.ModelSerializer):
    """A project proposal (hanke-esitys) and the funding it requests."""

    agreement = serializers.IntegerField(source="project.agreement_id", read_only=True)
    funding_lines = ProposalFundingLineSerializer(many=True, read_only=True)

    class Meta:
        model = Proposal
        fields = ["id", "project", "agreement", "title", "plan", "status", "meeting", "created_by",
                  "created_at", "submitted_at", "funding_lines"]
        read_only_fields = fields


class AgendaItemSerializer(serializers.ModelSerializer):
    class Meta:
        model = AgendaItem
        fields = ["id", "position", "title", "description", "link"]
        read_only_fields = fields


class MeetingSerializer(serializers.ModelSerializer):
    """A steering-group meeting with its agenda (proposals and other items) and attendees."""

    agreement = serializers.IntegerField(source="group.agreement_id", read_only=True, allow_null=True)
    proposals = serializers.PrimaryKeyRelatedField(many=True, read_only=True)
    other_items = AgendaItemSerializer(many=True, read_only=True)

    class Meta:
        model = Meeting
        fields = ["id", "group", "agreement", "title", "starts_at", "location", "online_url", "status",
                  "attendees", "minutes", "minutes_confirmed_at", "proposals", "other_items"]
        read_only_fields = fields


class AgendaItemWriteSerializer(serializers.Serializer):
    title = serializers.CharField(max_length=200)
    description = serializers.CharField(required=False, allow_blank=True, max_length=20_000)


# --- input ------------------------------------------------------------------------------------------------


def _scoped(field: serializers.RelatedField, queryset: Any) -> None:
    field.queryset = queryset


class RequestedLineSerializer(serializers.Serializer):
    instrument = serializers.ChoiceField(choices=InstrumentCode.choices)
    year = serializers.IntegerField(min_value=2000, max_value=2100)
    amount = serializers.DecimalField(max_digits=14, decimal_places=2, min_value=Decimal("0"))


class ProposalWriteSerializer(serializers.Serializer):
    """A draft proposal: the project (on create), title, plan and the requested funding (replaced whole)."""

    project = serializers.PrimaryKeyRelatedField(queryset=Project.objects.none())
    title = serializers.CharField(max_length=255)
    plan = serializers.CharField(required=False, allow_blank=True, max_length=100_000)
    funding_lines = RequestedLineSerializer(many=True, required=False, max_length=200)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        request = self.context.get("request")
        if request is not None:
            _scoped(self.fields["project"], Project.objects.visible_to(request.user))
        if self.instance is not None:
            self.fields["project"].read_only = True


class ProposalWithdrawSerializer(serializers.Serializer):
    reason = serializers.CharField(required=False, allow_blank=True, max_length=255)


class ProposalAgendaSerializer(serializers.Serializer):
    meeting = serializers.PrimaryKeyRelatedField(queryset=Meeting.objects.none())

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        request = self.context.get("request")
        if request is not None:
            _scoped(self.fields["meeting"], Meeting.objects.visible_to(request.user))


class MeetingWriteSerializer(serializers.Serializer):
    """A meeting's time and place; the group is set on create only."""

    group = serializers.PrimaryKeyRelatedField(queryset=SteeringGroup.objects.none())
    title = serializers.CharField(max_length=200)
    starts_at = serializers.DateTimeField()
    location = serializers.CharField(required=False, allow_blank=True, max_length=200)
    online_url = serializers.URLField(required=False, allow_blank=True, max_length=200)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        request = self.context.get("request")
        if request is not None:
            from portfolio.models import Agreement

            from ..querysets import group_ids_of

            user = request.user
            _scoped(self.fields["group"], SteeringGroup.objects.filter(
                Q(agreement__in=Agreement.objects.worked_on_by(user)) | Q(pk__in=group_ids_of(user))))
        if self.instance is not None:
            self.fields["group"].read_only = True

    def validate_starts_at(self, value: Any) -> Any:
        if not 2000 <= value.year <= 2100:
            raise serializers.ValidationError(_("Enter a time between the years 2000 and 2100."))
        return value


class AttendanceSerializer(serializers.Serializer):
    attendees = serializers.PrimaryKeyRelatedField(many=True, queryset=User.objects.filter(is_active=True))


class MinutesSerializer(serializers.Serializer):
    minutes = serializers.CharField(allow_blank=True, max_length=200_000)


class RecusalInputSerializer(serializers.Serializer):
    user = serializers.PrimaryKeyRelatedField(queryset=User.objects.filter(is_active=True))
    reason = serializers.CharField(required=False, allow_blank=True, max_length=255)


class DecisionInputSerializer(serializers.Serializer):
    """How the steering group decided, the approved funding and recusals."""

    outcome = serializers.ChoiceField(choices=DecisionOutcome.choices)
    method = serializers.ChoiceField(choices=DecisionMethod.choices, default=DecisionMethod.CONSENSUS)
    votes_for = serializers.IntegerField(required=False, allow_null=True, min_value=0, max_value=1000)
    votes_against = serializers.IntegerField(required=False, allow_null=True, min_value=0, max_value=1000)
    votes_abstain = serializers.IntegerField(required=False, allow_null=True, min_value=0, max_value=1000)
    approved_lines = RequestedLineSerializer(many=True, required=False, max_length=200)
    conditions = serializers.CharField(required=False, allow_blank=True, max_length=20_000)
    rationale = serializers.CharField(required=False, allow_blank=True, max_length=20_000)
    recusals = RecusalInputSerializer(many=True, required=False, max_length=100)

    def service_kwargs(self) -> dict[str, Any]:
        data = dict(self.validated_data)
        data["recusals"] = [(item["user"], item.get("reason", "")) for item in data.get("recusals", [])]
        data["approved_lines"] = [dict(line) for line in data.get("approved_lines", [])]
        return data


class DecisionRecordSerializer(DecisionInputSerializer):
    proposal = serializers.PrimaryKeyRelatedField(queryset=Proposal.objects.none())
    meeting = serializers.PrimaryKeyRelatedField(queryset=Meeting.objects.none())

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        request = self.context.get("request")
        if request is not None:
            _scoped(self.fields["proposal"], Proposal.objects.visible_to(request.user))
            _scoped(self.fields["meeting"], Meeting.objects.visible_to(request.user))


class DecisionCorrectSerializer(DecisionInputSerializer):
    meeting = serializers.PrimaryKeyRelatedField(queryset=Meeting.objects.none(),
                                                 help_text="The meeting at which the correction is decided.")
    rationale = serializers.CharField(max_length=20_000, help_text="Why the decision is corrected.")

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        request = self.context.get("request")
        if request is not None:
            _scoped(self.fields["meeting"], Meeting.objects.visible_to(request.user))


def project_decisions_rows(project_ids: list[int]) -> dict[int, list[dict[str, Any]]]:
    """The `decisions` of a page of the project list, one query: what ProjectDecisionsField renders for each
    project (every decision on its proposals, by decision time)."""
    fields = NestedDecisionSerializer().fields
    decided_at, decided_on = fields["decided_at"].to_representation, fields["decided_on"].to_representation
    decisions: dict[int, list[dict[str, Any]]] = {}
    for row in (Decision.objects.filter(proposal__project_id__in=project_ids).order_by("decided_at", "pk")
                .values("proposal__project_id", "id", "proposal_id", "meeting_id", "outcome", "method",
                        "conditions", "decided_at", "decided_on", "corrects_id")):
        decisions.setdefault(row["proposal__project_id"], []).append({
            "id": row["id"], "proposal": row["proposal_id"], "meeting": row["meeting_id"], "outcome": row["outcome"],
            "method": row["method"], "conditions": row["conditions"],
            "decided_at": None if row["decided_at"] is None else decided_at(row["decided_at"]),
            "decided_on": None if row["decided_on"] is None else decided_on(row["decided_on"]),
            "corrects": row["corrects_id"],
        })
    return decisions
