"""The portfolio as JSON: agreements, priorities, method categories, organisations and projects.

Output serializers render; input serializers only parse and validate the shape of a request. Rules live
in `portfolio.services`, which the views call."""

from __future__ import annotations

from decimal import Decimal
from typing import Any, cast

from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from ..i18n import translated_reader
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
            request = self.context.get("request")
            # Of the themes the writer sees, the project's agreement's own.
            scope = Theme.objects.visible_to(request.user) if request is not None else Theme.objects.all()
            themes = {t.slug: t for t in scope.filter(agreement=agreement, slug__in=slugs)}
            unknown = [slug for slug in slugs if slug not in themes]
            if unknown:
                raise serializers.ValidationError({"themes": [
                    _("Not a theme of this project's agreement: %(slugs)s.") % {"slugs": ", ".join(unknown)}]})
            data["themes"] = [themes[slug] for slug in slugs]
        for name in ("title_sv", "title_en", "summary_fi", "summary_sv", "summary_en"):
            if name in data and data[name] is None:
                data[name] = ""
        return data


# --- The project list from rows ---------------------------------------------------------------------------
# GET /api/v1/projects/ renders a page of up to 500 projects. Through ProjectSerializer that is a model
# instance, a serializer and a nested serializer per project, funding line and decision; here the page is
# read as rows (values()) and its related parts in one query each, and each value is converted exactly as
# the serializer's field converts it (tests/api/test_project_list_json.py: the same bytes).

PROJECT_LIST_FIELDS = ("id", "agreement", "code", "title", "title_fi", "title_sv", "title_en", "summary",
                       "summary_fi", "summary_sv", "summary_en", "status", "priority", "methods", "themes",
                       "lead_organisation", "partners", "co_implementers", "start_date", "end_date",
                       "internationalisation", "is_coordination_project", "is_supra_regional", "eura_code",
                       "coordinator", "version", "created_at", "updated_at")
PROJECT_ROW_COLUMNS = ("id", "agreement_id", "code", "title_fi", "title_sv", "title_en", "summary_fi", "summary_sv",
                       "summary_en", "status", "priority__code", "lead_organisation_id", "start_date", "end_date",
                       "internationalisation", "is_coordination_project", "is_supra_regional", "eura_code",
                       "coordinator_id", "version", "created_at", "updated_at")


def project_list_rows(queryset: Any) -> Any:
    """The list's queryset as rows of the project's own columns (its filters and order kept)."""
    return queryset.prefetch_related(None).select_related(None).values(*PROJECT_ROW_COLUMNS)


def project_list_renderable() -> bool:
    """Whether the rows give every field of ProjectSerializer (an app's field without `rows` does not)."""
    extras = project_fields()
    return (all(extra.rows is not None for extra in extras)
            and tuple(ProjectSerializer.Meta.fields) == PROJECT_LIST_FIELDS)


def decimal_representation(field: serializers.DecimalField) -> Any:
    """The field's to_representation, without its quantizing when the value already has the field's decimal
    places (as the database returns it): the same string."""
    slow = field.to_representation
    places = field.decimal_places
    if field.localize or not getattr(field, "coerce_to_string", True) or places is None:
        return slow

    def convert(value: Any) -> Any:
        if isinstance(value, Decimal) and value.as_tuple().exponent == -places:
            return f"{value:f}"
        return slow(value)

    return convert


def _grouped(pairs: Any) -> dict[int, list[Any]]:
    grouped: dict[int, list[Any]] = {}
    for key, value in pairs:
        grouped.setdefault(key, []).append(value)
    return grouped


def project_list_data(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """ProjectSerializer's representation of each row of `project_list_rows`, a constant number of queries."""
    ids = [row["id"] for row in rows]
    through: Any = Project.methods.through  # the auto-created project–method table
    methods = _grouped(through.objects.filter(project_id__in=ids)
                       .order_by("methodcategory__code", "methodcategory_id")
                       .values_list("project_id", "methodcategory__code"))
    themes = _grouped((project_id, slug) for slug, project_id in
                      Theme.objects.filter(projects__in=ids).values_list("slug", "projects__id"))
    share = decimal_representation(cast(serializers.DecimalField, PartnerSerializer().fields["budget_share"]))
    partners = _grouped((project_id, {"organisation": organisation_id,
                                      "budget_share": None if budget is None else share(budget)})
                        for project_id, organisation_id, budget in ProjectPartner.objects.filter(project_id__in=ids)
                        .values_list("project_id", "organisation_id", "budget_share"))
    extras = [(extra.name, extra.rows(ids)) for extra in project_fields() if extra.rows is not None]
    title, summary = translated_reader(Project, "title"), translated_reader(Project, "summary")
    stamp = serializers.DateTimeField().to_representation
    data = []
    for row in rows:
        pk = row["id"]
        shares = partners.get(pk, [])
        item = {
            "id": pk, "agreement": row["agreement_id"], "code": row["code"], "title": title(row),
            "title_fi": row["title_fi"], "title_sv": row["title_sv"], "title_en": row["title_en"],
            "summary": summary(row), "summary_fi": row["summary_fi"], "summary_sv": row["summary_sv"],
            "summary_en": row["summary_en"], "status": row["status"], "priority": row["priority__code"],
            "methods": methods.get(pk, []), "themes": themes.get(pk, []),
            "lead_organisation": row["lead_organisation_id"], "partners": shares,
            "co_implementers": [dict(share_row) for share_row in shares],
            "start_date": _iso(row["start_date"]), "end_date": _iso(row["end_date"]),
            "internationalisation": row["internationalisation"],
            "is_coordination_project": row["is_coordination_project"],
            "is_supra_regional": row["is_supra_regional"], "eura_code": row["eura_code"],
            "coordinator": row["coordinator_id"], "version": row["version"],
            "created_at": None if row["created_at"] is None else stamp(row["created_at"]),
            "updated_at": None if row["updated_at"] is None else stamp(row["updated_at"]),
        }
        for name, values in extras:
            item[name] = values.get(pk, [])
        data.append(item)
    return data


def _iso(value: Any) -> str | None:
    return None if value is None else value.isoformat()
