"""The project list /projects/ (page 1, page 50, a filtered page) as a coordinator, against the Django admin
changelist as a superuser and a hand-written SQL query returning the same rows and fields (the count, the
page's columns with the planned and granted totals, and the page's method categories)."""

from __future__ import annotations

from typing import Any

from django.db import connection

from benchmarks.harness import Context, Operation
from portfolio.models import Project

PAGE_SIZE = 50
PUBLIC = ("approved", "running", "closed")

# The rows and fields the list shows, in the language of the page (Finnish), with the same visibility rule
# (the coordinator's agreement, or decided projects of other agreements) and the same order (agreement id, code).
PAGE_SQL = """
SELECT p.id, p.code, p.title_fi, a.region, pr.code, pr.name_fi, o.name_fi, p.status, p.end_date,
       COALESCE((SELECT SUM(l.planned_amount) FROM funding_fundingline l WHERE l.project_id = p.id), 0),
       COALESCE((SELECT SUM(l.granted_amount) FROM funding_fundingline l WHERE l.project_id = p.id), 0)
FROM portfolio_project p
JOIN portfolio_agreement a ON a.id = p.agreement_id
JOIN portfolio_priority pr ON pr.id = p.priority_id
JOIN portfolio_organisation o ON o.id = p.lead_organisation_id
WHERE (p.agreement_id = %s OR p.status IN %s) {extra}
ORDER BY {order}
LIMIT %s OFFSET %s
"""
COUNT_SQL = "SELECT COUNT(*) FROM portfolio_project p WHERE (p.agreement_id = %s OR p.status IN %s) {extra}"
METHODS_SQL = """
SELECT pm.project_id, m.code, m.name_fi FROM portfolio_project_methods pm
JOIN portfolio_methodcategory m ON m.id = pm.methodcategory_id WHERE pm.project_id IN ({ids}) ORDER BY m.code
"""


def raw_page(agreement_id: int, *, page: int, extra: str = "", extra_params: tuple[Any, ...] = (),
             order: str = "p.agreement_id, p.code") -> list[tuple[Any, ...]]:
    """The list's page by hand: three queries, as few as the page can have (count, rows, methods)."""
    public = PUBLIC
    with connection.cursor() as cursor:
        in_public = "(" + ", ".join(["%s"] * len(public)) + ")"
        cursor.execute(COUNT_SQL.replace("IN %s", f"IN {in_public}").format(extra=extra),
                       [agreement_id, *public, *extra_params])
        (count,) = cursor.fetchone()
        pages = max(1, -(-count // PAGE_SIZE))
        offset = (min(page, pages) - 1) * PAGE_SIZE
        cursor.execute(PAGE_SQL.replace("IN %s", f"IN {in_public}").format(extra=extra, order=order),
                       [agreement_id, *public, *extra_params, PAGE_SIZE, offset])
        rows = cursor.fetchall()
        ids = [row[0] for row in rows]
        if ids:
            cursor.execute(METHODS_SQL.format(ids=", ".join(["%s"] * len(ids))), ids)
            cursor.fetchall()
    return rows


def operations(ctx: Context) -> list[Operation]:
    coordinator = ctx.client_for(ctx.coordinator)
    admin = ctx.client_for(ctx.superuser)
    agreement_id = ctx.agreement.pk
    # The admin shows 100 rows a page and redirects past its last page: its page 25 holds the portal's page 50.
    admin_page = min(25, max(1, -(-Project.objects.count() // 100)))

    def portal(query: str) -> Any:
        return lambda: coordinator.get("/projects/" + query)

    def changelist(query: str) -> Any:
        return lambda: admin.get("/admin/portfolio/project/" + query)

    return [
        Operation("/projects/ page 1", portal(""), {
            "admin changelist": changelist(""),
            "raw SQL": lambda: raw_page(agreement_id, page=1),
        }, query_limit=19),
        Operation("/projects/?page=50", portal("?page=50"), {
            "admin changelist": changelist(f"?p={admin_page}"),
            "raw SQL": lambda: raw_page(agreement_id, page=50),
        }, query_limit=19),
        Operation("/projects/ filtered", portal("?status=running&priority=2&ordering=-end_date"), {
            "admin changelist": changelist("?status__exact=running&priority__code=2&o=-8"),
            "raw SQL": lambda: raw_page(agreement_id, page=1, extra=("AND p.status = %s AND p.priority_id IN "
                                               "(SELECT id FROM portfolio_priority WHERE code = %s)"),
                                        extra_params=("running", 2), order="p.end_date DESC, p.id"),
        }, query_limit=19),
    ]
