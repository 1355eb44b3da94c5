"""The portfolio as JSON: agreements, priorities, method categories, organisations and projects.

Output serializers render; input serializers only parse and validate the shape of a request. Rules live
in `portfolio.services`, which the views call."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from ..models import Agreement, MethodCategory, Organisation, Priority, Project, ProjectPartner, Theme
from .extensions import project_fields


class AgreementSerializer(serializers.ModelSerializer):
    """An innovation ecosystem agreement between the State and a city region."""

    class Meta:
        model = Agreement
        fields = ["id", "code", "name", "name_fi", "name_sv", "name_en", "region", "status", "signed_on",
                  "valid_from", "valid_until", "programme"]
        read_only_fields = fields


class PrioritySerializer(serializers.ModelSerializer):
    class Meta:
        model = Priority
        fields = ["id", "agreement", "code", "name", "name_fi", "name_sv", "name_en", "is_open"]
        read_only_fields = fields


class MethodCategorySerializer(serializers.ModelSerializer):
    class Meta:
        model = MethodCategory
        fields = ["id", "code", "name", "name_fi", "name_sv", "name_en"]
        read_only_fields = fields


class OrganisationSerializer(serializers.ModelSerializer):
    """A city, university, research institute, company, public body or ministry."""

    class Meta:
        model = Organisation
        fields = ["id", "name", "name_fi", "name_sv", "name_en", "short_name", "kind", "business_id",
                  "municipality", "website"]
        read_only_fields = ["id", "name"]


class OrganisationWriteSerializer(serializers.ModelSerializer):
    class Meta:
        model = Organisation
        fields = ["name_fi", "name_sv", "name_en", "short_name", "kind", "business_id", "municipality", "website"]
        extra_kwargs = {"name_fi": {"required": True, "allow_blank": False}}


class PartnerSerializer(serializers.ModelSerializer):
    class Meta:
        model = ProjectPartner
        fields = ["organisation", "budget_share"]
        read_only_fields = fields


class CoImplementerWriteSerializer(serializers.Serializer):
    """A co-implementer (osatoteuttaja) with its own share of the project's budget."""

    organisation: serializers.PrimaryKeyRelatedField[Organisation] = serializers.PrimaryKeyRelatedField(
        queryset=Organisation.objects.all(), help_text="Organisation id (not the lead implementer).")
    budget_share = serializers.DecimalField(max_digits=14, decimal_places=2, min_value=Decimal("0.00"),
                                            required=False, default=Decimal("0.00"),
                                            help_text="The organisation's share of the budget in euros.")


class ProjectSerializer(serializers.ModelSerializer):
    """A project with its funding lines and the steering-group decisions on its proposals (read-only)."""

    priority = serializers.IntegerField(source="priority.code", read_only=True, help_text="Priority code 1–4.")
    methods: serializers.SlugRelatedField[MethodCategory] = serializers.SlugRelatedField(
        slug_field="code", many=True, read_only=True, help_text="Method category codes 1–3.")
    themes: serializers.SlugRelatedField[Theme] = serializers.SlugRelatedField(slug_field="slug", many=True,
                                                                               read_only=True)
    partners = PartnerSerializer(source="partnerships", many=True, read_only=True)
    co_implementers = PartnerSerializer(source="partnerships", many=True, read_only=True)

    class Meta:
        model = Project
        fields = ["id", "agreement", "code", "title", "title_fi", "title_sv", "title_en", "summary", "summary_fi",
                  "summary_sv", "summary_en", "status",
                  "priority", "methods", "themes", "lead_organisation", "partners", "co_implementers",
                  "start_date", "end_date",
                  "internationalisation", "is_coordination_project", "is_supra_regional", "eura_code",
                  "coordinator", "version", "created_at", "updated_at"]
        read_only_fields = fields

    def get_fields(self) -> dict[str, serializers.Field]:
        # The apps above add theirs (funding_lines, decisions): portfolio.api.extensions.
        fields = super().get_fields()
        for extra in project_fields():
            fields[extra.name] = extra.field()
        return fields


class ProjectWriteSerializer(serializers.ModelSerializer):
    """The project's own fields a coordinator may set. Status, version, the coordination-project flag and
    the agreement of an existing project are not writable: status changes only through governance
    decisions. Unknown keys are ignored."""

    priority = serializers.IntegerField(min_value=1, max_value=4, help_text="Priority code 1–4.")
    methods: serializers.SlugRelatedField[MethodCategory] = serializers.SlugRelatedField(
        slug_field="code", many=True, queryset=MethodCategory.objects.all(), help_text="Method category codes 1–3.")
    # Identifiers of the project's agreement's themes (two agreements may use the same identifier), resolved
    # in to_service_data against the agreement.
    themes = serializers.ListField(child=serializers.SlugField(max_length=60), required=False,
                                   help_text="Theme identifiers of the project's agreement's action plan.")
    partners: serializers.PrimaryKeyRelatedField[Organisation] = serializers.PrimaryKeyRelatedField(
        many=True, queryset=Organisation.objects.all(), required=False, help_text="Co-implementers (organisation ids).")
    co_implementers = CoImplementerWriteSerializer(
        many=True, required=False,
        help_text="Co-implementers with their budget shares (replaces `partners` when given): the lead is not "
                  "among them and the shares total at most the project's planned budget.")

    class Meta:
        model = Project
        fields = ["agreement", "code", "title_fi", "title_sv", "title_en", "summary_fi", "summary_sv",
                  "summary_en", "priority", "methods", "themes", "partners", "co_implementers",
                  "lead_organisation", "start_date",
                  "end_date", "internationalisation", "is_supra_regional", "eura_code"]
        extra_kwargs = {
            "title_fi": {"required": True, "allow_blank": False, "allow_null": False},
            "title_sv": {"allow_null": False}, "title_en": {"allow_null": False},
            "summary_fi": {"allow_null": False}, "summary_sv": {"allow_null": False},
            "summary_en": {"allow_null": False},
        }
        # Uniqueness and the other rules are the service's (and the database's) job.
        validators: list[Any] = []

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if self.instance is not None:
            self.fields["agreement"].read_only = True

    def validate_co_implementers(self, value: list[dict[str, Any]]) -> list[dict[str, Any]]:
        ids = [item["organisation"].pk for item in value]
        if len(ids) != len(set(ids)):
            raise serializers.ValidationError(_("Each organisation is listed once as a co-implementer."))
        return value

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        lead = attrs.get("lead_organisation") or getattr(self.instance, "lead_organisation", None)
        if lead is not None and any(item["organisation"].pk == lead.pk for item in attrs.get("co_implementers", [])):
            raise serializers.ValidationError(
                {"co_implementers": [_("The lead implementer cannot also be a co-implementer.")]})
        return attrs

    def validate_methods(self, value: list[MethodCategory]) -> list[MethodCategory]:
        if not value:
            raise serializers.ValidationError(_("Choose at least one method category."))
        return value

    def to_service_data(self, agreement: Agreement) -> dict[str, Any]:
        """The validated input as `portfolio.services` takes it: the priority code becomes the agreement's
        priority."""
        data = dict(self.validated_data)
        data.pop("agreement", None)
        if "co_implementers" in data:
            data["partners"] = [{"organisation": item["organisation"], "budget_share": item["budget_share"]}
                                for item in data.pop("co_implementers")]
        if "priority" in data:
            priority = Priority.objects.filter(agreement=agreement, code=data["priority"]).first()
            if priority is None:
                raise serializers.ValidationError({"priority": [_("The agreement has no such priority.")]})
            data["priority"] = priority
        if "themes" in data:
            slugs = list(dict.fromkeys(data["themes"]))
            themes = {t.slug: t for t in Theme.objects.filter(agreement=agreement, slug__in=slugs)}
            unknown = [slug for slug in slugs if slug not in themes]
            if unknown:
                raise serializers.ValidationError({"themes": [
                    _("Not a theme of this project's agreement: %(slugs)s.") % {"slugs": ", ".join(unknown)}]})
            data["themes"] = [themes[slug] for slug in slugs]
        for name in ("title_sv", "title_en", "summary_fi", "summary_sv", "summary_en"):
            if name in data and data[name] is None:
                data[name] = ""
        return data
