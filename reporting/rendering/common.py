"""What every format of a summary shares: labels, the narrative, the title, and the tables that feed the
XLSX sheets, the CSV and the PDF."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.utils import formats, translation
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from portfolio.choices import ProjectStatus

from ..choices import Audience

PDF_NATIONAL_LIST_LIMIT = 5  # projects per agreement and situation in the national PDF; XLSX/CSV/JSON list more
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r", "\n")
CONTENT_TYPES = {
    "pdf": "application/pdf",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "csv": "text/csv; charset=utf-8",
    "json": "application/json",
}


# --- helpers --------------------------------------------------------------------------------------------------

def safe_text(value: str) -> str:
    """Neutralise spreadsheet formulas in user text (a leading apostrophe, as OWASP recommends for CSV)."""
    return f"'{value}" if value and value.startswith(FORMULA_PREFIXES) else value


def compiled_at(snapshot: dict[str, Any]) -> dt.datetime:
    return dt.datetime.fromisoformat(snapshot["compiled_at"])


def _dec(value: Any) -> Decimal | None:
    return None if value is None else Decimal(value)


def _name(names: dict[str, str], language: str) -> str:
    return names.get(language) or names.get("fi") or ""


def instrument_label(data: dict[str, Any], code: str, language: str) -> str:
    """An instrument's short name in the summary's language ("EAKR" for ERDF in Finnish): its name up to the
    explanation in brackets, as FundingInstrument.short_name. Summaries compiled before the names were kept
    in the snapshot show the code."""
    name = _name((data.get("instruments") or {}).get(code, {}), language)
    return (name.split(" (", 1)[0].strip() or code) if name else code


def status_label(code: str) -> str:
    try:
        return str(ProjectStatus(code).label)
    except ValueError:
        return code


def outcome_label(code: str) -> str:
    from governance.choices import DecisionOutcome

    try:
        return str(DecisionOutcome(code).label)
    except ValueError:
        return code


def indicator_label(key: str) -> str:
    return {
        "projects": _("Projects"), "running": _("Running projects"), "approved": _("Approved projects"),
        "closed": _("Closed projects"), "ideas": _("Project ideas"), "proposals": _("Projects at proposal stage"),
        "granted": _("Granted funding (€)"), "planned": _("Planned funding (€)"), "spent": _("Spent funding (€)"),
        "local_percent": _("Local share (%)"), "priority4_ok": _("Priority-4 rule holds"),
        "late": _("Projects past their end date"), "new_agreement": _("New agreement in the summary"),
    }.get(key, key)


# The follow-up figures of the changes since the previous summary (selectors.followup_key_figures).
def _followup_label(key: str) -> str | None:
    return {
        "reports_due": _("Progress reports due in the period"),
        "reports_submitted": _("Progress reports awaiting review"),
        "reports_accepted": _("Progress reports accepted"),
        "reports_returned": _("Progress reports returned"),
        "reports_not_submitted": _("Progress reports not submitted"),
        "reports_overdue": _("Progress reports overdue at the period's end"),
        "enterprises": _("Enterprises reached (each enterprise once)"),
        "decommitment_at_risk": _("EU money at risk of decommitment, N+3 (€)"),
        "followup": _("Follow-up figures (progress reports, indicators, enterprises, N+3 money at risk)"),
    }.get(key)


def change_label(item: dict[str, Any], data: dict[str, Any], language: str) -> str:
    """The name of the figure of one change since the previous summary, in the active language: a key
    indicator's, a follow-up figure's, or an indicator row's ("RCO01 Name, achieved, priority 2")."""
    if item["indicator"] in ("indicator_achieved", "indicator_target"):
        meta = (data.get("indicators") or {}).get(item["code"], {})
        name = _name(meta.get("name", {}), language)
        scope = (_("priority %(code)s") % {"code": item["priority"]} if item.get("priority") is not None
                 else _("all priorities"))
        template = (_("%(code)s %(name)s, achieved, %(scope)s") if item["indicator"] == "indicator_achieved"
                    else _("%(code)s %(name)s, target, %(scope)s"))
        return (template % {"code": item["code"], "name": name, "scope": scope}).replace("  ", " ")
    return _followup_label(item["indicator"]) or indicator_label(item["indicator"])


def change_rows(snapshot: dict[str, Any], language: str) -> list[dict[str, Any]]:
    """The changes since the previous summary as every format shows them (the narrative, the HTML page's
    table, the changes table of the PDF, the XLSX and the CSV): per change the agreement's code, the
    indicator key, the figure's label (``change_label``), the values before and after as cells (a Decimal,
    an int, a bool, None or a text) and as text in the locale's number format (``before_text`` /
    ``after_text``). A figure the previous summary did not have (one compiled before the follow-up tables)
    reads "not in the previous summary"; one this summary no longer has, "not in this summary"."""
    data = snapshot["data"]
    rows = []
    with translation.override(language):
        for item in (snapshot.get("changes") or {}).get("items", []):
            before = _("not in the previous summary") if item.get("new") else _cell_value(item["before"])
            after = _("not in this summary") if item.get("gone") else _cell_value(item["after"])
            if item["indicator"] == "followup":
                after = _("in this summary's follow-up tables")
            rows.append({"agreement": item["agreement"], "indicator": item["indicator"],
                         "label": change_label(item, data, language), "before": before, "after": after,
                         "before_text": _fmt(before), "after_text": _fmt(after),
                         "raw_before": item["before"], "raw_after": item["after"]})
    return rows


def _fmt(value: Any) -> str:
    if value is None:
        return "–"
    if isinstance(value, bool):
        return _("yes") if value else _("no")
    if isinstance(value, str):
        try:
            value = Decimal(value)
        except ArithmeticError:
            return value
    if isinstance(value, Decimal):
        return formats.number_format(value, decimal_pos=2, use_l10n=True, force_grouping=True)
    return formats.number_format(value, use_l10n=True, force_grouping=True)


def narrative(snapshot: dict[str, Any], language: str) -> list[str]:
    """A few sentences on the main changes since the previous summary, in the summary's language."""
    with translation.override(language):
        changes = snapshot.get("changes") or {}
        previous = changes.get("previous")
        if not previous:
            return [_("This is the first summary of this series: there is no earlier summary to compare with.")]
        codes = {a["code"]: _name(a["name"], language) for a in snapshot["data"]["agreements"]}
        lines = [_("Compared with the previous summary (%(period)s, version %(version)s):")
                 % {"period": previous["period"], "version": previous["version"]}]
        rows = change_rows(snapshot, language)
        if not rows:
            lines.append(_("The key figures have not changed."))
        for row in rows:
            agreement = codes.get(row["agreement"], row["agreement"])
            if row["indicator"] == "new_agreement":
                lines.append(_("%(agreement)s is included for the first time.") % {"agreement": agreement})
                continue
            if row["indicator"] == "followup":
                lines.append(_("%(agreement)s: the follow-up figures are not in the previous summary (it was "
                               "compiled before them); this summary's follow-up tables show them.")
                             % {"agreement": agreement})
                continue
            # An indicator row's label starts with the indicator's code ("RCO01"): kept as it is.
            label = row["label"] if row["indicator"].startswith("indicator_") else row["label"].lower()
            lines.append(_("%(agreement)s: %(indicator)s %(before)s → %(after)s.") % {
                "agreement": agreement, "indicator": label, "before": row["before_text"],
                "after": row["after_text"]})
        return lines


def coordinator_narrative(snapshot: dict[str, Any], language: str) -> list[dict[str, str]]:
    """The coordinator's narrative as it is in the snapshot (written in the summary's language), with its
    headings in `language`: key messages, risks, what the group is asked to note or decide. Empty parts
    are left out; an unreviewed snapshot has none."""
    texts = snapshot.get("narrative") or {}
    with translation.override(language):
        headings = (("key_messages", _("Key messages")), ("risks", _("Risks")),
                    ("asks", _("For the group to note or decide")))
        return [{"key": key, "heading": str(heading), "text": texts[key]} for key, heading in headings
                if texts.get(key)]


def correction_note(snapshot: dict[str, Any], language: str) -> str:
    """"A correction of version N: reason", or empty."""
    correction = snapshot.get("correction")
    if not correction:
        return ""
    with translation.override(language):
        return _("This version corrects version %(version)s. Reason: %(reason)s") % {
            "version": correction.get("of_version") or "–", "reason": correction.get("reason", "")}


def title_of(snapshot: dict[str, Any], language: str) -> str:
    data = snapshot["data"]
    with translation.override(language):
        if data["audience"] == Audience.NATIONAL:
            return _("National summary of the innovation ecosystem agreements %(period)s") % {
                "period": data["period"]["code"]}
        agreement = _name(data["agreements"][0]["name"], language)
        return _("Steering-group summary %(period)s: %(agreement)s") % {"period": data["period"]["code"],
                                                                        "agreement": agreement}


# --- tables: one definition feeds the XLSX sheets, the CSV and the PDF -----------------------------------------

def _sum_by_instrument(rows: list[dict[str, Any]]) -> list[tuple[str, list[Decimal | None]]]:
    keys = ("frame", "committed", "pending", "planned", "granted", "spent")
    sums: dict[str, list[Decimal | None]] = {}
    for r in rows:
        acc = sums.setdefault(r["instrument"], [None] * len(keys))
        for i, key in enumerate(keys):
            if r[key] is not None:
                acc[i] = (acc[i] or Decimal("0.00")) + Decimal(r[key])
    return list(sums.items())


def tables(snapshot: dict[str, Any], language: str, *, compact: bool = False) -> list[dict[str, Any]]:
    """The summary's tables: {key, title, columns, rows}; cells are str, int, Decimal, bool or None.
    `compact` (the PDF) sums the national summary's years per instrument to keep it readable."""
    data = snapshot["data"]
    methods = data["methods"]
    result: list[dict[str, Any]] = []
    with translation.override(language):
        agreement_col = _("Agreement")

        def add(key: str, title: str, columns: list[str], rows: list[list[Any]]) -> None:
            result.append({"key": key, "title": title, "columns": columns, "rows": rows})

        rows = []
        for a in data["agreements"]:
            sp, fu = a["split"], a["funding"]
            rows.append([a["code"], a["projects"]["total"], a["projects"]["by_status"].get("running", 0),
                         _dec(fu["all_years"]["frame"]), _dec(sp["granted"]["total"]), _dec(sp["planned"]["total"]),
                         _dec(fu["all_years"]["spent"]), _dec(sp["granted"]["local_percent"]),
                         _dec(sp["granted"]["eu_state_percent"]), a["priority4"]["granted_ok"],
                         a["internationalisation"]["with_internationalisation"], a["late"]["count"],
                         a["ending"]["count"]])
        add("overview", _("Key figures"),
            [agreement_col, _("Projects"), _("Running"), _("Frames (€)"), _("Granted (€)"), _("Planned (€)"),
             _("Spent (€)"), _("Local share (%)"), _("EU and state share (%)"), _("Priority-4 rule holds"),
             _("Internationalisation (projects)"), _("Past end date"), _("Ending within 90 days")], rows)

        statuses = list(ProjectStatus.values)
        add("status", _("Projects by status"), [agreement_col] + [status_label(s) for s in statuses] + [_("Total")],
            [[a["code"]] + [a["projects"]["by_status"].get(s, 0) for s in statuses] + [a["projects"]["total"]]
             for a in data["agreements"]])

        add("priority", _("Projects and funding by priority"),
            [agreement_col, _("Priority"), _("Name"), _("Projects"), _("Planned (€)"), _("Granted (€)"),
             _("Spent (€)")],
            [[a["code"], p["code"], _name(a["priorities"].get(str(p["code"]), {}), language), p["projects"],
              _dec(p["planned"]), _dec(p["granted"]), _dec(p["spent"])]
             for a in data["agreements"] for p in a["projects"]["by_priority"]])

        method_rows = []
        for a in data["agreements"]:
            method_rows += [[a["code"], m["code"], _name(methods.get(str(m["code"]), {}), language), m["projects"],
                             _dec(m["granted"])] for m in a["projects"]["by_method"]]
            if "method_total" in a["projects"]:
                total = a["projects"]["method_total"]
                method_rows.append([a["code"], _("Total"), _("Each project once"), total["projects"],
                                    _dec(total["granted"])])
        add("method", _("Projects by method category (a project in several categories is listed under each; "
                        "the total counts it once)"),
            [agreement_col, _("Method category"), _("Name"), _("Projects"), _("Granted (€)")], method_rows)

        add("activity", _("Activity in the period"),
            [agreement_col, _("New project ideas"), _("Proposals submitted"), _("Decisions"), _("Approved"),
             _("Approved with conditions"), _("Returned"), _("Rejected"), _("Projects started"),
             _("Projects ended")],
            [[a["code"], a["activity"]["new_ideas"], a["activity"]["new_proposals"], a["activity"]["decisions"]]
             + [a["activity"]["decisions_by_outcome"].get(o, 0)
                for o in ("approved", "conditional", "returned", "rejected")]
             + [a["activity"]["started"], a["activity"]["ended"]] for a in data["agreements"]])

        if compact and len(data["agreements"]) > 1:
            # Reading format of the national summary: years summed per agreement and instrument (the
            # machine formats keep every year).
            add("funding", _("Frames, committed, planned and spent by instrument, all years"),
                [agreement_col, _("Instrument"), _("Frame (€)"), _("Committed (€)"), _("Pending proposals (€)"),
                 _("Planned (€)"), _("Granted (€)"), _("Spent (€)")],
                [[a["code"], instrument_label(data, code, language)] + sums for a in data["agreements"]
                 for code, sums in _sum_by_instrument(a["funding"]["rows"])])
        else:
            add("funding", _("Frames, committed, planned and spent by instrument and year"),
                [agreement_col, _("Instrument"), _("Year"), _("Frame (€)"), _("Committed (€)"),
                 _("Pending proposals (€)"), _("Planned (€)"), _("Granted (€)"), _("Spent (€)")],
                [[a["code"], instrument_label(data, r["instrument"], language), r["year"], _dec(r["frame"]),
                  _dec(r["committed"]), _dec(r["pending"]),
                  _dec(r["planned"]), _dec(r["granted"]), _dec(r["spent"])]
                 for a in data["agreements"] for r in a["funding"]["rows"]])

        totals_rows = []
        for a in data["agreements"]:
            for key, label in (("period", _("Period")), ("cumulative", _("Cumulative since 2021")),
                               ("all_years", _("Whole agreement period"))):
                t = a["funding"][key]
                totals_rows.append([a["code"], label, _dec(t["frame"]), _dec(t["planned"]), _dec(t["granted"]),
                                    _dec(t["spent"])])
        add("funding_totals", _("Funding totals"),
            [agreement_col, _("Scope"), _("Frame (€)"), _("Planned (€)"), _("Granted (€)"), _("Spent (€)")],
            totals_rows)

        split_rows = []
        for a in data["agreements"]:
            for key, label in (("granted", _("Granted")), ("planned", _("Planned")),
                               ("akke_granted", _("AKKE, granted")), ("akke_planned", _("AKKE, planned"))):
                s = a["split"][key]
                split_rows.append([a["code"], label, _dec(s["total"]), _dec(s["local"]), _dec(s["eu_state"]),
                                   _dec(s["private"]), _dec(s["local_percent"]), _dec(s["eu_state_percent"]),
                                   s["split_ok"]])
        add("split", _("40/60 split and AKKE split"),
            [agreement_col, _("Basis"), _("Total (€)"), _("Local (€)"), _("EU and state (€)"), _("Private (€)"),
             _("Local share (%)"), _("EU and state share (%)"), _("Within the indicative split")], split_rows)

        add("priority4", _("Priority-4 rule"),
            [agreement_col, _("Basis"), _("Priority 1 (€)"), _("Priority 2 (€)"), _("Priority 3 (€)"),
             _("Priority 4 (€)"), _("Rule holds")],
            [[a["code"], label] + [_dec(a["priority4"][basis].get(str(c))) for c in (1, 2, 3, 4)]
             + [a["priority4"][f"{basis}_ok"]]
             for a in data["agreements"] for basis, label in (("granted", _("Granted")), ("planned", _("Planned")))])

        add("internationalisation", _("Internationalisation"),
            [agreement_col, _("Approved and running projects"), _("With internationalisation"), _("Share (%)")],
            [[a["code"], a["internationalisation"]["active_projects"],
              a["internationalisation"]["with_internationalisation"], _dec(a["internationalisation"]["percent"])]
             for a in data["agreements"]])

        late_rows = []
        for a in data["agreements"]:
            for key, label in (("late", _("Past its end date")), ("ending", _("Ending within 90 days"))):
                listed = a[key]["projects"][:PDF_NATIONAL_LIST_LIMIT] if compact and len(data["agreements"]) > 1 \
                    else a[key]["projects"]
                for p in listed:
                    late_rows.append([a["code"], label, p["code"], p["title"], status_label(p["status"]),
                                      p["end_date"]])
        add("late", _("Projects late or ending"),
            [agreement_col, _("Situation"), _("Project code"), _("Title"), _("Status"), _("End date")], late_rows)

        add("coordination", _("Coordination project funding"),
            [agreement_col, _("Project code"), _("Instrument"), _("Year"), _("Planned (€)"), _("Granted (€)"),
             _("Spent (€)")],
            [[a["code"], c["code"], instrument_label(data, line["instrument"], language), line["year"],
              _dec(line["planned"]), _dec(line["granted"]),
              _dec(line["spent"])] for a in data["agreements"] for c in a["coordination"] for line in c["lines"]])

        if all("followup" in a for a in data["agreements"]):
            _followup_tables(add, data, language, agreement_col, compact=compact and len(data["agreements"]) > 1)

        add("changes", _("Changes since the previous summary"),
            [agreement_col, _("Figure"), _("Before"), _("After")],
            [[c["agreement"], c["label"], c["before"], c["after"]] for c in change_rows(snapshot, language)])
    return result


def _quantity_cell(value: str | None, meta: dict[str, Any]) -> Decimal | int | None:
    """An indicator figure in its unit: a count as a whole number, euros and FTE with two decimals."""
    if value is None:
        return None
    return Decimal(value) if meta.get("decimal") else int(Decimal(value))


def _followup_tables(add: Any, data: dict[str, Any], language: str, agreement_col: str, *, compact: bool) -> None:
    """The follow-up tables (snapshot schema 3): what was achieved as of the period's end. Summaries compiled
    before them have no "followup" section and show none of these tables."""
    from followup.models.indicators import IndicatorUnit, SizeClass
    from followup.models.reports import ReportStatus

    catalogue = data.get("indicators") or {}
    agreements = data["agreements"]

    def listed(items: list[Any]) -> list[Any]:
        return items[:PDF_NATIONAL_LIST_LIMIT] if compact else items

    def report_status(code: str) -> str:
        try:
            return str(ReportStatus(code).label)
        except ValueError:
            return code

    def unit(code: str) -> str:
        try:
            return str(IndicatorUnit(code).label)
        except ValueError:
            return code

    add("followup_reports", _("Progress reports due in the period, by their state at the period's end"),
        [agreement_col, _("Due in the period"), _("Awaiting review"), pgettext("report state", "Accepted"),
         pgettext("report state", "Returned"), _("Not submitted"), _("Overdue at the period's end (all periods)")],
        [[a["code"]] + [a["followup"]["reports"][k] for k in ("due", "submitted", "accepted", "returned",
                                                              "not_submitted", "overdue")] for a in agreements])

    add("followup_trouble", _("Projects reporting that they are at risk or late"),
        [agreement_col, _("Project code"), _("Title"), _("Reported status"), _("Reason"), _("Report period")],
        [[a["code"], p["code"], p["title"], report_status(p["status"]), p["reason"],
          f'{_date(p["period_start"])}–{_date(p["period_end"])}']
         for a in agreements for p in listed(a["followup"]["at_risk_or_late"]["projects"])])

    indicator_rows = []
    for a in agreements:
        for row in a["followup"]["indicators"]:
            meta = catalogue.get(row["indicator"], {})
            counted = (_("from the enterprise register, each once") if meta.get("from_register")
                       else _("cumulative") if meta.get("cumulative") else _("per period, added up"))
            priority = str(row["priority"]) if row["priority"] is not None else _("All priorities")
            indicator_rows.append([a["code"], priority, row["indicator"], _name(meta.get("name", {}), language),
                                   unit(meta.get("unit", "")), counted, _quantity_cell(row["target"], meta),
                                   _quantity_cell(row["achieved"], meta),
                                   None if row["percent"] is None else int(Decimal(row["percent"]))])
    add("followup_indicators", _("Results indicators: achieved against the targets by priority, as of the "
                                 "period's end"),
        [agreement_col, _("Priority"), _("Code"), _("Indicator"), _("Unit"), _("Counted"), _("Target"),
         _("Achieved"), _("Achieved (%)")], indicator_rows)

    sizes = list(SizeClass)
    enterprise_rows = []
    for a in agreements:
        reached = a["followup"]["enterprises"]
        if reached is not None:
            enterprise_rows.append([a["code"], reached["count"]] + [reached["by_size"].get(s.value, 0) for s in sizes])
    add("followup_enterprises", _("Enterprises reached (each enterprise once)"),
        [agreement_col, _("Enterprises")] + [str(s.label).capitalize() for s in sizes], enterprise_rows)

    add("followup_milestones", _("Late milestones at the period's end"),
        [agreement_col, _("Project code"), _("Milestone"), _("Planned date"), _("Actual date")],
        [[a["code"], m["project"], m["title"], _date(m["planned_date"]), _date(m["actual_date"])]
         for a in agreements for m in listed(a["followup"]["late_milestones"]["items"])])

    add("followup_decommitment", _("EU money at risk of decommitment (N+3 rule)"),
        [agreement_col, _("Instrument"), _("Commitment year"), _("Deadline"), _("Granted (€)"), _("Spent (€)"),
         _("Forecast spent by the deadline (€)"), _("At risk (€)")],
        [[a["code"], instrument_label(data, r["instrument"], language), r["year"], _date(r["deadline"]),
          _dec(r["granted"]), _dec(r["spent"]), _dec(r["forecast"]), _dec(r["at_risk"])]
         for a in agreements for r in a["followup"]["decommitment"]["rows"]])


def _date(iso: str | None) -> str | None:
    """A date of the snapshot in the locale's short format (24.11.2026; 24 Nov 2026 in English)."""
    if not iso:
        return None
    return formats.date_format(dt.date.fromisoformat(iso), "SHORT_DATE_FORMAT")


def _cell_value(value: Any) -> Any:
    if isinstance(value, str):
        try:
            return Decimal(value)
        except ArithmeticError:
            return value
    return value


