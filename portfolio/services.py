"""Writes of the portfolio app: the agreement loader and the role set-up."""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

from django.contrib.auth.models import Group, Permission
from django.db import transaction

from funding.services import funding_instruments_load, funding_line_upsert

from .data import hev
from .models import Agreement, AgreementParty, MethodCategory, Organisation, Priority, Project, ProjectPartner
from .roles import ROLE_MODEL_PERMISSIONS
from .upsert import translated, upsert


@dataclass
class LoadResult:
    agreement: Agreement
    changed: list[str] = field(default_factory=list)


def roles_sync() -> list[str]:
    """Create the role groups and give each exactly the model permissions of ROLE_MODEL_PERMISSIONS."""
    changed: list[str] = []
    for role, actions in ROLE_MODEL_PERMISSIONS.items():
        group, created = Group.objects.get_or_create(name=role)
        wanted: set[int] = set()
        for action, models in actions.items():
            for dotted in models:
                app_label, model = dotted.split(".")
                wanted.add(Permission.objects.get(content_type__app_label=app_label,
                                                  codename=f"{action}_{model}").pk)
        current = set(group.permissions.values_list("pk", flat=True))
        if created or current != wanted:
            group.permissions.set(wanted)
            changed.append(f"group {role}")
    return changed


@transaction.atomic
def agreement_load() -> LoadResult:
    """Create or update the Helsinki–Espoo–Vantaa agreement with its parties, priorities, method categories,
    funding instruments, steering groups and the coordination project. Running it again changes nothing."""
    from governance.services import steering_groups_ensure

    changed: list[str] = roles_sync()
    changed += funding_instruments_load(hev.INSTRUMENTS)

    data = hev.AGREEMENT
    agreement, did = upsert(Agreement, {"code": data["code"]}, {
        **translated("name", data["name"]), "region": data["region"], "valid_from": data["valid_from"],
        "valid_until": data["valid_until"], "programme": data["programme"], "status": "active",
    })
    if did:
        changed.append(f"agreement {agreement.code}")

    organisations: dict[str, Organisation] = {}
    for key, names, short, kind, business_id, municipality, role in hev.PARTIES:
        lookup = {"business_id": business_id} if business_id else {"short_name": short, "kind": kind}
        org, did = upsert(Organisation, lookup, {**translated("name", names), "short_name": short, "kind": kind,
                                                 "municipality": municipality})
        organisations[key] = org
        _, did_party = upsert(AgreementParty, {"agreement": agreement, "organisation": org}, {"role": role})
        if did or did_party:
            changed.append(f"party {short}")

    for code, names, is_open in hev.PRIORITIES:
        _, did = upsert(Priority, {"agreement": agreement, "code": code},
                        {**translated("name", names), "is_open": is_open})
        if did:
            changed.append(f"priority {code}")
    for code, names in hev.METHOD_CATEGORIES:
        _, did = upsert(MethodCategory, {"code": code}, translated("name", names))
        if did:
            changed.append(f"method category {code}")

    changed += steering_groups_ensure(agreement=agreement, regional_names=hev.STEERING_GROUP,
                                      national_names=hev.NATIONAL_GROUP)
    changed += _coordination_project_load(agreement, organisations)
    return LoadResult(agreement=agreement, changed=changed)


def _coordination_project_load(agreement: Agreement, organisations: dict[str, Organisation]) -> list[str]:
    spec = hev.COORDINATION_PROJECT
    changed: list[str] = []
    project, did = upsert(Project, {"agreement": agreement, "code": spec["code"]}, {
        **translated("title", spec["title"]), "summary": spec["summary"]["fi"],
        "summary_fi": spec["summary"]["fi"], "summary_en": spec["summary"]["en"],
        "lead_organisation": organisations[spec["lead"]],
        "priority": Priority.objects.get(agreement=agreement, code=spec["priority"]),
        "start_date": spec["start_date"], "end_date": spec["end_date"], "is_coordination_project": True,
    })
    if did:
        changed.append(f"project {project.code}")
    if project.status == "idea":  # a fresh load: the coordination project has run since 2021
        project.status = "running"
        project.save(update_fields=["status"])
    methods = set(MethodCategory.objects.filter(code__in=spec["methods"]).values_list("pk", flat=True))
    if set(project.methods.values_list("pk", flat=True)) != methods:
        project.methods.set(methods)
        changed.append(f"project {project.code} methods")
    for key in spec["partners"]:
        _, did = upsert(ProjectPartner, {"project": project, "organisation": organisations[key]}, {})
        if did:
            changed.append(f"project {project.code} partner {key}")

    yearly = Decimal(hev.COORDINATION_YEARLY_TOTAL)
    support, local = (yearly * Decimal("0.60")).quantize(Decimal("0.01")), (yearly * Decimal("0.40")).quantize(
        Decimal("0.01"))
    for year, instrument in hev.COORDINATION_FUNDING_YEARS.items():
        for code, amount in ((instrument, support), ("CITY", local)):
            if funding_line_upsert(project=project, instrument_code=code, year=year, planned=amount, granted=amount):
                changed.append(f"funding {project.code} {code} {year}")
    return changed
