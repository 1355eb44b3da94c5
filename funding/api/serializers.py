"""Funding lines, frames and the funding summary as JSON. Amounts are decimal strings in euros."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from portfolio.models import Agreement

from ..choices import InstrumentCode
from ..models import FundingDecision, FundingDecisionLine, FundingFrame, FundingLine, SpendingEntry


@extend_schema_field(OpenApiTypes.DECIMAL)
class AmountField(serializers.Field):
    """A euro amount through the one money parser (portfolio.money): a JSON number or a string such as
    "12 500,00"; no exponents, at most two decimals. Rendered as a decimal string."""

    def __init__(self, *, allow_negative: bool = False, **kwargs: Any) -> None:
        self.allow_negative = allow_negative
        super().__init__(**kwargs)

    def to_internal_value(self, data: Any) -> Decimal:
        from django.core.exceptions import ValidationError as DjangoValidationError

        from portfolio.money import parse_amount

        try:
            return parse_amount(data, allow_negative=self.allow_negative)
        except DjangoValidationError as exc:
            raise serializers.ValidationError(exc.messages) from exc

    def to_representation(self, value: Any) -> str:
        return f"{Decimal(value):.2f}"


class FundingLineSerializer(serializers.ModelSerializer):
    """A project's funding from one instrument in one year."""

    instrument = serializers.CharField(source="instrument.code", read_only=True,
                                       help_text="Instrument code (ERDF, ESF, JTF, AKKE, RRF, CITY, PUBLIC, "
                                                 "PRIVATE).")
    share_group = serializers.CharField(source="instrument.share_group", read_only=True)
    agreement = serializers.IntegerField(source="project.agreement_id", read_only=True)
    counted = serializers.BooleanField(read_only=True, help_text="Whether the line counts in funding-summary "
                                       "(not an idea, not a rejected or withdrawn project, not RRF).")

    class Meta:
        model = FundingLine
        fields = ["id", "project", "agreement", "instrument", "share_group", "year", "kind", "note",
                  "planned_amount", "granted_amount", "spent_amount", "counted", "granted_source", "spent_source",
                  "granted_decision"]
        read_only_fields = fields


class NestedFundingLineSerializer(serializers.ModelSerializer):
    instrument = serializers.CharField(source="instrument.code", read_only=True)

    class Meta:
        model = FundingLine
        fields = ["id", "instrument", "year", "kind", "note", "planned_amount", "granted_amount", "spent_amount"]
        read_only_fields = fields


class FundingFrameSerializer(serializers.ModelSerializer):
    """An agreement's funding frame for one instrument and year."""

    instrument = serializers.CharField(source="instrument.code", read_only=True)

    class Meta:
        model = FundingFrame
        fields = ["id", "agreement", "instrument", "year", "amount", "decision_reference", "decision_date"]
        read_only_fields = fields


class PriorityTotalSerializer(serializers.Serializer):
    code = serializers.IntegerField(help_text="Priority code 1–4.")
    total = serializers.DecimalField(max_digits=16, decimal_places=2)


class CodeTotalSerializer(serializers.Serializer):
    code = serializers.CharField(help_text="Instrument code.")
    total = serializers.DecimalField(max_digits=16, decimal_places=2)


class YearTotalSerializer(serializers.Serializer):
    year = serializers.IntegerField()
    total = serializers.DecimalField(max_digits=16, decimal_places=2)


class FundingSummarySerializer(serializers.Serializer):
    """An agreement's funding on one basis (planned, granted or spent): totals, the local / EU+state /
    private split, totals by priority, instrument and year, and whether the priority-4 rule holds."""

    basis = serializers.ChoiceField(choices=["planned", "granted", "spent"])
    total = serializers.DecimalField(max_digits=16, decimal_places=2)
    local = serializers.DecimalField(max_digits=16, decimal_places=2)
    eu_state = serializers.DecimalField(max_digits=16, decimal_places=2)
    private = serializers.DecimalField(max_digits=16, decimal_places=2)
    local_percent = serializers.DecimalField(max_digits=7, decimal_places=2, allow_null=True)
    eu_state_percent = serializers.DecimalField(max_digits=7, decimal_places=2, allow_null=True)
    by_priority = PriorityTotalSerializer(many=True)
    by_instrument = CodeTotalSerializer(many=True)
    by_year = YearTotalSerializer(many=True)
    priority4_rule_ok = serializers.BooleanField()
    separate = serializers.DecimalField(max_digits=16, decimal_places=2,
                                        help_text="RRF money, shown apart: outside the total and the split.")


class FundingFrameWriteSerializer(serializers.Serializer):
    """Input of a frame: on update only the amount, the decision and the reason can change."""

    not_yours = _("You do not work on this agreement.")

    agreement = serializers.PrimaryKeyRelatedField(queryset=Agreement.objects.all())
    instrument = serializers.ChoiceField(choices=InstrumentCode.choices)
    year = serializers.IntegerField(min_value=2000, max_value=2100)
    amount = serializers.DecimalField(max_digits=14, decimal_places=2, min_value=Decimal("0"))
    decision_reference = serializers.CharField(max_length=120, required=False, allow_blank=True)
    decision_date = serializers.DateField(required=False, allow_null=True)
    reason = serializers.CharField(max_length=100, required=False, allow_blank=True, write_only=True,
                                   help_text="Why the frame changed (kept in the history).")

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if self.instance is not None:
            for name in ("agreement", "instrument", "year"):
                self.fields[name].read_only = True


class PlanLineSerializer(serializers.Serializer):
    instrument = serializers.ChoiceField(choices=InstrumentCode.choices)
    year = serializers.IntegerField(min_value=2000, max_value=2100)
    planned_amount = AmountField(required=False, default=Decimal("0.00"))
    granted_amount = AmountField(required=False, help_text="Read-only in the plan: leave it out, or repeat the "
                                 "recorded amount. Granted money changes only through recorded decisions.")
    spent_amount = AmountField(required=False, help_text="Read-only in the plan: leave it out, or repeat the "
                               "recorded amount. Spent money comes from spending entries.")


class FundingPlanWriteSerializer(serializers.Serializer):
    """A project's whole financing plan: every line; lines left out (or all zero) are removed."""

    lines = PlanLineSerializer(many=True, max_length=200)


class FundingPlanSerializer(serializers.Serializer):
    project = serializers.IntegerField()
    lines = NestedFundingLineSerializer(many=True)


class FundingDecisionLineSerializer(serializers.ModelSerializer):
    instrument = serializers.CharField(source="instrument.code", read_only=True)

    class Meta:
        model = FundingDecisionLine
        fields = ["instrument", "year", "amount"]
        read_only_fields = fields


class FundingDecisionSerializer(serializers.ModelSerializer):
    """The funding authority's decision on a project: date, reference, EURA code, granted euros."""

    lines = FundingDecisionLineSerializer(many=True, read_only=True)
    agreement = serializers.IntegerField(source="project.agreement_id", read_only=True)

    class Meta:
        model = FundingDecision
        fields = ["id", "project", "agreement", "kind", "authority", "decided_on", "reference", "eura_code", "note",
                  "lines", "recorded_at"]
        read_only_fields = fields


class FundingDecisionLineWriteSerializer(serializers.Serializer):
    instrument = serializers.ChoiceField(choices=InstrumentCode.choices)
    year = serializers.IntegerField(min_value=2000, max_value=2100)
    amount = AmountField()


class FundingDecisionWriteSerializer(serializers.Serializer):
    """Input of a funding authority's decision (holders of funding.record_funding_decision only)."""

    project = serializers.IntegerField()
    decided_on = serializers.DateField()
    reference = serializers.CharField(max_length=120)
    eura_code = serializers.CharField(max_length=20, required=False, allow_blank=True)
    authority = serializers.CharField(max_length=120, required=False, allow_blank=True)
    note = serializers.CharField(max_length=200, required=False, allow_blank=True)
    lines = FundingDecisionLineWriteSerializer(many=True, min_length=1, max_length=200)


class SpendingEntrySerializer(serializers.ModelSerializer):
    instrument = serializers.CharField(source="instrument.code", read_only=True)

    class Meta:
        model = SpendingEntry
        fields = ["id", "project", "instrument", "year", "date", "source", "reference", "amount", "recorded_at"]
        read_only_fields = fields
