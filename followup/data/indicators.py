"""The results-indicator catalogue loaded by ``load_agreement`` (``followup.services.indicator_catalogue_load``).

The ERDF common indicators relevant to the innovation ecosystem agreements (Regulation (EU) 2021/1058,
Annex I; English names as in the Regulation, Finnish and Swedish as in the programme documents of
"Uudistuva ja osaava Suomi 2021–2027"), and the agreement's own indicators (codes HEV..). The names are
data (translated columns), not msgids.

Each row: code, names {fi, sv, en}, unit, kind, cumulative, breakdown, register count, common.
- ``cumulative``: a value tells the total reached so far (the latest counts); otherwise a value tells
  what was reached in its period (the periods add up).
- ``register``: counted from the enterprise register (``ProjectEnterprise``), each enterprise once;
  values are not entered for these. "" for indicators whose values projects report.
"""

from __future__ import annotations

from typing import TypedDict


class IndicatorSpec(TypedDict):
    code: str
    names: dict[str, str]
    unit: str
    kind: str
    cumulative: bool
    breakdown: str
    register: str
    common: bool


def _spec(code: str, fi: str, sv: str, en: str, *, unit: str, kind: str, cumulative: bool = True,
          breakdown: str = "", register: str = "", common: bool = True) -> IndicatorSpec:
    return {"code": code, "names": {"fi": fi, "sv": sv, "en": en}, "unit": unit, "kind": kind,
            "cumulative": cumulative, "breakdown": breakdown, "register": register, "common": common}


INDICATORS: list[IndicatorSpec] = [
    _spec("RCO01", "Tuetut yritykset (joista mikro-, pien-, keskisuuret ja suuret yritykset)",
          "Företag som får stöd (varav mikroföretag, små, medelstora och stora företag)",
          "Enterprises supported (of which: micro, small, medium, large)",
          unit="enterprises", kind="output", breakdown="size_class", register="supported"),
    _spec("RCO02", "Avustuksilla tuetut yritykset", "Företag som får stöd genom bidrag",
          "Enterprises supported by grants", unit="enterprises", kind="output", breakdown="size_class",
          register="grant"),
    _spec("RCO04", "Muuta kuin rahoitustukea saavat yritykset", "Företag som får icke-finansiellt stöd",
          "Enterprises with non-financial support", unit="enterprises", kind="output", breakdown="size_class",
          register="non_financial"),
    _spec("RCO05", "Tuetut uudet yritykset", "Nystartade företag som får stöd", "New enterprises supported",
          unit="enterprises", kind="output", register="new"),
    _spec("RCO07", "Yhteisiin tutkimushankkeisiin osallistuvat tutkimusorganisaatiot",
          "Forskningsorganisationer som deltar i gemensamma forskningsprojekt",
          "Research organisations participating in joint research projects",
          unit="organisations", kind="output"),
    _spec("RCO10", "Tutkimusorganisaatioiden kanssa yhteistyötä tekevät yritykset",
          "Företag som samarbetar med forskningsorganisationer",
          "Enterprises cooperating with research organisations", unit="enterprises", kind="output",
          breakdown="size_class", register="research"),
    _spec("RCO13", "Yrityksille kehitettyjen digitaalisten palvelujen, tuotteiden ja prosessien arvo",
          "Värdet av digitala tjänster, produkter och processer som utvecklats för företag",
          "Value of digital services, products and processes developed for enterprises",
          unit="euros", kind="output", cumulative=False),
    _spec("RCO15", "Luotu hautomokapasiteetti", "Skapad kapacitet för företagskuvöser",
          "Capacity of incubation created", unit="enterprises", kind="output"),
    _spec("RCR01", "Tuetuissa yksiköissä luodut työpaikat", "Arbetstillfällen som skapats i enheter som får stöd",
          "Jobs created in supported entities", unit="fte", kind="result"),
    _spec("RCR02", "Julkista tukea täydentävät yksityiset investoinnit (joista avustukset, rahoitusvälineet)",
          "Privata investeringar som matchar offentligt stöd (varav bidrag, finansieringsinstrument)",
          "Private investments matching public support (of which: grants, financial instruments)",
          unit="euros", kind="result", cumulative=False),
    _spec("RCR03", "Tuote- tai prosessi-innovaatioita toteuttavat pk-yritykset",
          "Små och medelstora företag som inför produkt- eller processinnovationer",
          "Small and medium-sized enterprises (SMEs) introducing product or process innovation",
          unit="enterprises", kind="result"),
    _spec("RCR04", "Markkinointi- tai organisaatioinnovaatioita toteuttavat pk-yritykset",
          "Små och medelstora företag som inför marknadsförings- eller organisationsinnovationer",
          "SMEs introducing marketing or organisational innovation", unit="enterprises", kind="result"),
    _spec("RCR18", "Hautomopalveluja käyttävät pk-yritykset vuoden kuluttua hautomon perustamisesta",
          "Små och medelstora företag som använder kuvöstjänster ett år efter kuvösens inrättande",
          "SMEs using incubator services one year after the incubator creation", unit="enterprises",
          kind="result"),
    _spec("RCR104", "Organisaatioiden käyttöön ottamat tai laajentamat ratkaisut",
          "Lösningar som tagits upp eller skalats upp av organisationer",
          "Solutions taken up or up-scaled by organisations", unit="solutions", kind="result"),
    # The agreement's own indicators.
    _spec("HEV01", "Mukana olevat yritykset", "Deltagande företag", "Companies involved", unit="enterprises",
          kind="output", breakdown="size_class", register="involved", common=False),
    _spec("HEV02", "Kansainväliset kumppanit", "Internationella partner", "International partners",
          unit="organisations", kind="output", common=False),
    _spec("HEV03", "Toteutetut kokeilut kokeiluympäristöissä", "Genomförda försök i testmiljöer",
          "Test-bed experiments run", unit="experiments", kind="output", cumulative=False, common=False),
    _spec("HEV04", "Valmistellut innovatiiviset hankinnat", "Förberedda innovativa upphandlingar",
          "Innovative procurements prepared", unit="procurements", kind="output", cumulative=False, common=False),
]
