"""The API's project list (/api/v1/projects/?page_size=100 and 500) as a coordinator, against hand-written
SQL returning the same rows and fields turned into the same JSON with json.dumps."""

from __future__ import annotations

import json
from collections import defaultdict
from typing import Any

from django.db import connection

from benchmarks.harness import Context, Operation

PUBLIC = ("approved", "running", "closed")

PAGE_SQL = """
SELECT p.id, p.agreement_id, p.code, p.title_fi, p.title_sv, p.title_en, p.summary_fi, p.summary_sv, p.summary_en,
       p.status, pr.code, p.lead_organisation_id, p.start_date, p.end_date, p.internationalisation,
       p.is_coordination_project, p.is_supra_regional, p.eura_code, p.coordinator_id, p.version, p.created_at,
       p.updated_at
FROM portfolio_project p JOIN portfolio_priority pr ON pr.id = p.priority_id
WHERE p.agreement_id = %s OR p.status IN (%s, %s, %s)
ORDER BY p.agreement_id, p.code, p.id LIMIT %s
"""
RELATED_SQL = {
    "methods": "SELECT pm.project_id, m.code FROM portfolio_project_methods pm JOIN portfolio_methodcategory m "
               "ON m.id = pm.methodcategory_id WHERE pm.project_id IN ({ids}) ORDER BY m.code",
    "themes": "SELECT pt.project_id, t.slug FROM portfolio_project_themes pt JOIN portfolio_theme t "
              "ON t.id = pt.theme_id WHERE pt.project_id IN ({ids}) ORDER BY t.name_fi",
    "partners": "SELECT pp.project_id, pp.organisation_id, pp.budget_share FROM portfolio_projectpartner pp "
                "JOIN portfolio_organisation o ON o.id = pp.organisation_id WHERE pp.project_id IN ({ids}) "
                "ORDER BY o.name",
    "funding_lines": "SELECT l.project_id, l.id, i.code, l.year, l.kind, l.note, l.planned_amount, l.granted_amount, "
                     "l.spent_amount FROM funding_fundingline l JOIN funding_fundinginstrument i "
                     "ON i.id = l.instrument_id WHERE l.project_id IN ({ids}) ORDER BY l.year, i.sort_order, l.id",
    "decisions": "SELECT pp.project_id, d.id, d.proposal_id, d.meeting_id, d.outcome, d.method, d.conditions, "
                 "d.decided_at, d.decided_on, d.corrects_id FROM governance_decision d JOIN governance_proposal pp "
                 "ON pp.id = d.proposal_id WHERE pp.project_id IN ({ids}) ORDER BY d.decided_at, d.id",
}
PROJECT_KEYS = ("id", "agreement", "code", "title_fi", "title_sv", "title_en", "summary_fi", "summary_sv",
                "summary_en", "status", "priority", "lead_organisation", "start_date", "end_date",
                "internationalisation", "is_coordination_project", "is_supra_regional", "eura_code", "coordinator",
                "version", "created_at", "updated_at")


def _text(value: Any) -> Any:
    return value if value is None or isinstance(value, int | str | bool) else str(value)


def raw_json(agreement_id: int, page_size: int) -> bytes:
    """The page by hand: the count, the rows, one query per related part, and json.dumps."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT COUNT(*) FROM portfolio_project p WHERE p.agreement_id = %s OR p.status IN "
                       "(%s, %s, %s)", [agreement_id, *PUBLIC])
        (count,) = cursor.fetchone()
        cursor.execute(PAGE_SQL, [agreement_id, *PUBLIC, page_size])
        projects = [dict(zip(PROJECT_KEYS, map(_text, row), strict=True)) for row in cursor.fetchall()]
        ids = [p["id"] for p in projects]
        placeholders = ", ".join(["%s"] * len(ids))
        related: dict[str, dict[int, list[Any]]] = {}
        for name, sql in RELATED_SQL.items():
            cursor.execute(sql.format(ids=placeholders), ids)
            grouped: dict[int, list[Any]] = defaultdict(list)
            for project_id, *rest in cursor.fetchall():
                grouped[project_id].append(rest[0] if len(rest) == 1 else [_text(v) for v in rest])
            related[name] = grouped
    for p in projects:
        p["title"], p["summary"] = p["title_fi"], p["summary_fi"]
        for name, grouped in related.items():
            p[name] = grouped.get(p["id"], [])
        p["co_implementers"] = p["partners"]
    return json.dumps({"count": count, "next": None, "previous": None, "results": projects},
                      ensure_ascii=False, separators=(",", ":")).encode()


def operations(ctx: Context) -> list[Operation]:
    client = ctx.client_for(ctx.coordinator)
    agreement_id = ctx.agreement.pk
    return [
        Operation(f"API /projects/?page_size={size}",
                  lambda size=size: client.get(f"/api/v1/projects/?page_size={size}"),
                  {"raw SQL + json.dumps": lambda size=size: raw_json(agreement_id, size)}, query_limit=12)
        for size in (100, 500)
    ]
