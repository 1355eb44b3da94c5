"""Synthetic portfolios at scale for benchmarks (`manage.py seed_scale`). Deterministic: the same
arguments give the same rows. Written with bulk_create, so it records no history and is fast."""

from __future__ import annotations

import datetime as dt
import random
from decimal import Decimal

from django.db import transaction
from django.db.models import QuerySet

from funding.models import FundingInstrument, FundingLine
from governance.models import ProjectIdea
from portfolio.choices import ProjectStatus
from portfolio.models import Agreement, MethodCategory, Organisation, Priority, Project, ProjectPartner
from portfolio.upsert import in_data_language
from portfolio.validators import business_id_check_digit

CODE_PREFIX = "scale-"
STATUSES = ["idea", "proposal", "approved", "running", "running", "running", "closed", "rejected"]
WORDS = ["älykäs", "kestävä", "liikenne", "energia", "terveys", "oppiminen", "data", "kiertotalous", "testialusta",
         "hautomo", "osaaminen", "kampus", "rakentaminen", "ruoka", "hyvinvointi", "digitaalinen", "XR"]
INSTRUMENTS = ["ERDF", "CITY", "ESF", "PUBLIC", "PRIVATE"]


def _business_id(n: int) -> str:
    base = 3_000_000 + n * 7
    while business_id_check_digit(f"{base:07d}") is None:
        base += 1
    return f"{base:07d}-{business_id_check_digit(f'{base:07d}')}"


def _organisations(count: int) -> list[Organisation]:
    existing = {o.business_id: o for o in Organisation.objects.filter(name__startswith="Skaala ")}
    missing = [Organisation(name_fi=f"Skaala {i:04d} Oy", kind="company",
                            business_id=_business_id(i), municipality="Helsinki")
               for i in range(count) if _business_id(i) not in existing]
    Organisation.objects.bulk_create(missing, batch_size=1000)
    return list(Organisation.objects.filter(name__startswith="Skaala ").order_by("name"))


def _replace_synthetic_projects(old: QuerySet[Project]) -> None:
    """Delete the earlier synthetic projects and what this seed made for them. The rows the seed made are
    deleted in bulk (DELETE ... WHERE, no per-row history: they were bulk-created without any, and a per-row
    delete wrote a history row for each of ~58 000 funding lines, minutes at 20 000 projects). If anything
    else now refers to a synthetic project (a benchmark wrote a proposal, say), the projects go the slow,
    recorded way."""
    seeded = [FundingLine, ProjectPartner, Project.methods.through, Project.themes.through, ProjectIdea]
    for model in seeded:
        model._default_manager.filter(project__in=old)._raw_delete(model._default_manager.db)  # type: ignore[attr-defined]
    others = [rel for rel in Project._meta.related_objects
              if rel.related_model not in seeded and not rel.many_to_many]
    if not any(rel.related_model._default_manager.filter(**{f"{rel.field.name}__in": old}).exists()  # type: ignore[union-attr]
               for rel in others):
        old._raw_delete(old.db)  # type: ignore[attr-defined]
        return
    # Decided projects may not be deleted (portfolio.deletion); these synthetic rows are only ever replaced.
    old.exclude(status=ProjectStatus.WITHDRAWN).update(status=ProjectStatus.WITHDRAWN)
    old.delete()


@in_data_language  # bulk_create fills the untranslated columns from the active language: make it Finnish
@transaction.atomic
def scale_seed(*, agreements: int, projects: int, seed: int = 2027, organisations: int = 300) -> dict[str, int]:
    """Create `agreements` synthetic agreements (replacing earlier synthetic ones' projects) with `projects`
    projects in total, spread evenly, each with 1–4 funding lines, 1–2 method categories and 0–2
    co-implementers. The real agreement must be loaded first (instruments and method categories)."""
    # Synthetic benchmark data, reproducible from the seed: not a security use of randomness.
    rng = random.Random(seed)  # nosec B311
    instruments = {i.code: i for i in FundingInstrument.objects.filter(code__in=INSTRUMENTS)}
    methods = list(MethodCategory.objects.order_by("code"))
    if len(instruments) < len(INSTRUMENTS) or len(methods) < 3:
        raise RuntimeError("Run load_agreement first.")
    orgs = _organisations(organisations)

    synthetic: list[Agreement] = []
    for a in range(agreements):
        agreement, _ = Agreement.objects.get_or_create(code=f"{CODE_PREFIX}{a + 1}", defaults={
            "name_fi": f"Skaalaussopimus {a + 1}",
            "region": f"Skaala-alue {a + 1}", "valid_from": dt.date(2021, 1, 1), "valid_until": dt.date(2027, 12, 31),
        })
        for code in range(1, 5):
            Priority.objects.get_or_create(agreement=agreement, code=code, defaults={
                "name_fi": f"Painopiste {code}", "is_open": code == 4})
        synthetic.append(agreement)
    _replace_synthetic_projects(Project.objects.filter(agreement__in=synthetic))

    priorities = {a.pk: list(Priority.objects.filter(agreement=a).order_by("code")) for a in synthetic}
    rows: list[Project] = []
    for n in range(projects):
        agreement = synthetic[n % agreements]
        start = dt.date(rng.randint(2021, 2026), rng.randint(1, 12), 1)
        end = start + dt.timedelta(days=rng.randint(180, 1400))
        title = " ".join(rng.choice(WORDS) for _ in range(3)).capitalize() + f" {n}"
        rows.append(Project(
            agreement=agreement, code=f"SC{n % agreements + 1}-{n:06d}", title_fi=title,
            summary_fi=f"Synteettinen hanke {n}.",
            lead_organisation=rng.choice(orgs), priority=rng.choice(priorities[agreement.pk]),
            status=rng.choice(STATUSES), start_date=start, end_date=end,
            internationalisation="EU-verkostot" if rng.random() < 0.3 else "",
        ))
    Project.objects.bulk_create(rows, batch_size=2000)
    created = list(Project.objects.filter(agreement__in=synthetic).order_by("pk").values_list("pk", "start_date"))
    # Every idea has its preparation record (docs/governance.md): the idea list counts as the dashboard does.
    ProjectIdea.objects.bulk_create([ProjectIdea(project_id=pk) for pk in Project.objects.filter(
        agreement__in=synthetic, status=ProjectStatus.IDEA).values_list("pk", flat=True)], batch_size=2000)

    through = Project.methods.through
    method_rows, line_rows, partner_rows = [], [], []
    for pk, start in created:
        for method in rng.sample(methods, rng.randint(1, 2)):
            method_rows.append(through(project_id=pk, methodcategory_id=method.pk))
        years = sorted({min(2027, start.year + k) for k in range(rng.randint(1, 3))})
        for year in years:
            for code in rng.sample(INSTRUMENTS[:2], rng.randint(1, 2)):
                amount = Decimal(rng.randint(10_000, 400_000)).quantize(Decimal("1.00"))
                line_rows.append(FundingLine(project_id=pk, instrument=instruments[code], year=year,
                                             planned_amount=amount, granted_amount=amount * Decimal("0.8"),
                                             spent_amount=amount * Decimal("0.3")))
        for org in rng.sample(orgs, rng.randint(0, 2)):
            partner_rows.append(ProjectPartner(project_id=pk, organisation=org,
                                               budget_share=Decimal(rng.randint(0, 50_000))))
    through.objects.bulk_create(method_rows, batch_size=5000)
    FundingLine.objects.bulk_create(line_rows, batch_size=5000)
    ProjectPartner.objects.bulk_create(partner_rows, batch_size=5000, ignore_conflicts=True)
    return {"agreements": len(synthetic), "projects": len(created), "funding_lines": len(line_rows),
            "organisations": len(orgs)}
