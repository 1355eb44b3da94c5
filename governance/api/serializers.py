"""Proposals, meetings and decisions as JSON. Status fields are read-only: they change only through the
transition actions, which call `governance.services`."""

from __future__ import annotations

from rest_framework import serializers

from ..models import Decision, DecisionFundingLine, Meeting, Proposal, ProposalFundingLine, Recusal


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
                  "funding_lines", "recusals"]
        read_only_fields = fields


class NestedDecisionSerializer(serializers.ModelSerializer):
    class Meta:
        model = Decision
        fields = ["id", "proposal", "meeting", "outcome", "method", "conditions", "decided_at", "corrects"]
        read_only_fields = fields


class ProposalSerializer(serializers.ModelSerializer):
    """A project proposal (hanke-esitys) and the funding it requests."""

    agreement = serializers.IntegerField(source="project.agreement_id", read_only=True)
    funding_lines = ProposalFundingLineSerializer(many=True, read_only=True)

    class Meta:
        model = Proposal
        fields = ["id", "project", "agreement", "title", "plan", "status", "meeting", "created_by",
                  "created_at", "submitted_at", "funding_lines"]
        read_only_fields = fields


class MeetingSerializer(serializers.ModelSerializer):
    """A steering-group meeting with its agenda (proposals) and attendees."""

    agreement = serializers.IntegerField(source="group.agreement_id", read_only=True, allow_null=True)
    proposals = serializers.PrimaryKeyRelatedField(many=True, read_only=True)

    class Meta:
        model = Meeting
        fields = ["id", "group", "agreement", "title", "starts_at", "location", "online_url", "status",
                  "attendees", "minutes", "minutes_confirmed_at", "proposals"]
        read_only_fields = fields
