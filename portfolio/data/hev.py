"""The Helsinki–Espoo–Vantaa innovation ecosystem agreement 2021–2027, as the agreement text gives it.
Translations of names are ours (domain.md); the Finnish text is the agreement's own."""

import datetime as dt
from typing import TypedDict


class AgreementSpec(TypedDict):
    code: str
    name: dict[str, str]
    region: str
    valid_from: dt.date
    valid_until: dt.date
    programme: str


class ProjectSpec(TypedDict):
    code: str
    title: dict[str, str]
    summary: dict[str, str]
    start_date: dt.date
    end_date: dt.date
    lead: str
    partners: list[str]
    priority: int
    methods: list[int]


AGREEMENT: AgreementSpec = {
    "code": "helsinki-espoo-vantaa-2021-2027",
    "name": {
        "fi": "Helsingin, Espoon ja Vantaan innovaatioekosysteemisopimus 2021–2027",
        "sv": "Innovationsekosystemavtalet för Helsingfors, Esbo och Vanda 2021–2027",
        "en": "Helsinki–Espoo–Vantaa innovation ecosystem agreement 2021–2027",
    },
    "region": "Helsinki–Espoo–Vantaa",
    "valid_from": dt.date(2021, 1, 1),
    "valid_until": dt.date(2027, 12, 31),
    "programme": "Uudistuva ja osaava Suomi 2021–2027",
}

# (key, names fi/sv/en, short name, kind, business ID, municipality, party role)
PARTIES = [
    ("tem", {"fi": "Työ- ja elinkeinoministeriö", "sv": "Arbets- och näringsministeriet",
             "en": "Ministry of Economic Affairs and Employment"}, "TEM", "ministry", "0245872-8", "Helsinki", "state"),
    ("helsinki", {"fi": "Helsingin kaupunki", "sv": "Helsingfors stad", "en": "City of Helsinki"},
     "Helsinki", "city", "0201256-6", "Helsinki", "city"),
    ("espoo", {"fi": "Espoon kaupunki", "sv": "Esbo stad", "en": "City of Espoo"},
     "Espoo", "city", "0101263-6", "Espoo", "city"),
    ("vantaa", {"fi": "Vantaan kaupunki", "sv": "Vanda stad", "en": "City of Vantaa"},
     "Vantaa", "city", "0124610-9", "Vantaa", "city"),
    ("okm", {"fi": "Opetus- ja kulttuuriministeriö", "sv": "Undervisnings- och kulturministeriet",
             "en": "Ministry of Education and Culture"}, "OKM", "ministry", "", "Helsinki", "cooperating"),
    ("ym", {"fi": "Ympäristöministeriö", "sv": "Miljöministeriet", "en": "Ministry of the Environment"},
     "YM", "ministry", "", "Helsinki", "cooperating"),
]

PRIORITIES = [
    (1, {"fi": "Älykkäät ja kestävät kaupunkiratkaisut", "sv": "Smarta och hållbara stadslösningar",
         "en": "Smart and sustainable city solutions"}, False),
    (2, {"fi": "Hyvinvointi ja terveysteknologia", "sv": "Välfärd och hälsoteknologi",
         "en": "Wellbeing and health technology"}, False),
    (3, {"fi": "Uudet oppimisympäristöt ja osaamisen digitaaliset ratkaisut",
         "sv": "Nya lärmiljöer och digitala kompetenslösningar",
         "en": "New learning environments and digital competence solutions"}, False),
    (4, {"fi": "Uudet avaukset ja yleinen ekosysteemien kehittäminen",
         "sv": "Nya initiativ och allmän utveckling av ekosystem",
         "en": "New openings and general ecosystem development"}, True),
]

# The action-plan annex ("Alustava toimenpidesuunnitelma"): per priority its description and example themes.
# The annex is data of the agreement kept current in the portal (coordinators edit it; load_agreement only
# fills what is missing and never overwrites an edit). The descriptions summarise the annex's themes for each
# priority (domain.md lists the themes, not the annex's full wording); Swedish and English are our translations.
PRIORITY_DESCRIPTIONS = {
    1: {"fi": "Kehitetään ja kokeillaan älykkäitä ja kestäviä kaupunkiratkaisuja kaupunkien omissa "
              "ympäristöissä: energiatehokasta korjausrakentamista, vähähiilistä ja digitaalista rakentamista, "
              "aluetason testialustoja (liikkuminen, energia, kiertotalous), kaupunkiruoantuotantoa, liikkumisen "
              "kokeiluja, jakamistaloutta sekä vähähiilisiä työmaita ja logistiikkaa.",
        "sv": "Smarta och hållbara stadslösningar utvecklas och testas i städernas egna miljöer: energieffektiv "
              "renovering, koldioxidsnålt och digitalt byggande, testbäddar på områdesnivå (mobilitet, energi, "
              "cirkulär ekonomi), urban livsmedelsproduktion, mobilitetsförsök, delningsekonomi samt "
              "koldioxidsnåla byggarbetsplatser och logistik.",
        "en": "Smart and sustainable city solutions are developed and tried out in the cities' own environments: "
              "energy-efficiency renovation, low-carbon and digital construction, district-level test beds "
              "(mobility, energy, circular economy), urban food production, mobility experiments, the sharing "
              "economy, and low-carbon worksites and logistics."},
    2: {"fi": "Vahvistetaan hyvinvoinnin ja terveysteknologian innovaatioekosysteemiä: sote-alan testialustat, "
              "ennaltaehkäisevän hyvinvoinnin yhteiskehittäminen, tutkimuksesta liiketoimintaan -mallit "
              "(Spark, BioDesign), terveysteknologian tutkimusinfrastruktuurit ja Health Capital Helsinki.",
        "sv": "Innovationsekosystemet för välfärd och hälsoteknologi stärks: testbäddar inom social- och "
              "hälsovården, samutveckling av förebyggande välfärd, modeller från forskning till "
              "affärsverksamhet (Spark, BioDesign), forskningsinfrastrukturer för hälsoteknologi och Health "
              "Capital Helsinki.",
        "en": "The wellbeing and health-technology innovation ecosystem is strengthened: social- and "
              "health-sector test beds, preventive wellbeing co-development, research-to-business models "
              "(Spark, BioDesign), health-tech research infrastructures and Health Capital Helsinki."},
    3: {"fi": "Kehitetään uusia oppimisympäristöjä ja osaamisen digitaalisia ratkaisuja: varhaiskasvatuksen "
              "ja koulujen testialustat, oppimisympäristöjen konseptit ja koulutusviennin edistäminen.",
        "sv": "Nya lärmiljöer och digitala kompetenslösningar utvecklas: testbäddar i småbarnspedagogik och "
              "skolor, koncept för lärmiljöer och främjande av utbildningsexport.",
        "en": "New learning environments and digital competence solutions are developed: early-education and "
              "school test beds, learning-environment concepts and ed-tech export promotion."},
    4: {"fi": "Tuetaan uusia avauksia ja ekosysteemien yleistä kehittämistä: uudet teknologiat, XR ja "
              "edistynyt valmistus, yrityspalveluverkostot (Maria01), kampukset innovaatioekosysteemeinä, "
              "kansainvälisten osaajien houkuttelu ja yhteiskehittämisen taidot. Painopiste saa vähemmän "
              "resursseja kuin kukin painopisteistä 1–3.",
        "sv": "Nya initiativ och allmän utveckling av ekosystem stöds: ny teknik, XR och avancerad tillverkning, "
              "nätverk för företagstjänster (Maria01), campus som innovationsekosystem, att locka internationella "
              "talanger och färdigheter i samutveckling. Prioriteringen får mindre resurser än var och en av "
              "prioriteringarna 1–3.",
        "en": "New openings and general ecosystem development are supported: emerging technologies, XR and "
              "advanced manufacturing, company services networks (Maria01), campuses as innovation ecosystems, "
              "attracting international talent and co-development skills. The priority receives fewer "
              "resources than each of priorities 1–3."},
}

# The annex's example themes: (identifier, priority code, names fi/sv/en), in the annex's order.
THEMES = [
    ("energy-renovation", 1, {"fi": "Energiatehokkaan korjausrakentamisen testialustat",
                              "sv": "Testbäddar för energieffektiv renovering",
                              "en": "Energy-efficiency renovation test beds"}),
    ("low-carbon-construction", 1, {"fi": "Vähähiilinen ja digitaalinen rakentaminen",
                                    "sv": "Koldioxidsnålt och digitalt byggande",
                                    "en": "Low-carbon and digital construction"}),
    ("district-testbeds", 1, {"fi": "Aluetason testialustat (liikkuminen, energia, kiertotalous)",
                              "sv": "Testbäddar på områdesnivå (mobilitet, energi, cirkulär ekonomi)",
                              "en": "District-level test beds (mobility, energy, circular economy)"}),
    ("urban-food", 1, {"fi": "Kaupunkiruoantuotanto", "sv": "Urban livsmedelsproduktion",
                       "en": "Urban food production"}),
    ("mobility", 1, {"fi": "Liikkumisen kokeilut", "sv": "Mobilitetsförsök", "en": "Mobility experiments"}),
    ("sharing-economy", 1, {"fi": "Jakamistalous", "sv": "Delningsekonomi", "en": "Sharing economy"}),
    ("logistics", 1, {"fi": "Vähähiiliset työmaat ja logistiikka",
                      "sv": "Koldioxidsnåla byggarbetsplatser och logistik",
                      "en": "Low-carbon worksites and logistics"}),
    ("health-testbeds", 2, {"fi": "Sote-alan testialustat", "sv": "Testbäddar inom social- och hälsovården",
                            "en": "Social- and health-sector test beds"}),
    ("preventive-wellbeing", 2, {"fi": "Ennaltaehkäisevän hyvinvoinnin yhteiskehittäminen",
                                 "sv": "Samutveckling av förebyggande välfärd",
                                 "en": "Preventive wellbeing co-development"}),
    ("research-to-business", 2, {"fi": "Tutkimuksesta liiketoimintaan -mallit (Spark, BioDesign)",
                                 "sv": "Modeller från forskning till affärsverksamhet (Spark, BioDesign)",
                                 "en": "Research-to-business models (Spark, BioDesign)"}),
    ("healthtech-infra", 2, {"fi": "Terveysteknologian tutkimusinfrastruktuurit",
                             "sv": "Forskningsinfrastrukturer för hälsoteknologi",
                             "en": "Health-tech research infrastructures"}),
    ("health-capital", 2, {"fi": "Health Capital Helsinki", "sv": "Health Capital Helsinki",
                           "en": "Health Capital Helsinki"}),
    ("school-testbeds", 3, {"fi": "Varhaiskasvatuksen ja koulujen testialustat",
                            "sv": "Testbäddar i småbarnspedagogik och skolor",
                            "en": "Early-education and school test beds"}),
    ("learning-environments", 3, {"fi": "Oppimisympäristöjen konseptit", "sv": "Koncept för lärmiljöer",
                                  "en": "Learning-environment concepts"}),
    ("edtech-export", 3, {"fi": "Koulutusviennin edistäminen", "sv": "Främjande av utbildningsexport",
                          "en": "Ed-tech export promotion"}),
    ("emerging-tech", 4, {"fi": "Uudet teknologiat, XR ja edistynyt valmistus",
                          "sv": "Ny teknik, XR och avancerad tillverkning",
                          "en": "Emerging technologies, XR and advanced manufacturing"}),
    ("company-services", 4, {"fi": "Yrityspalveluverkostot (Maria01)", "sv": "Nätverk för företagstjänster (Maria01)",
                             "en": "Company services networks (Maria01)"}),
    ("campuses", 4, {"fi": "Kampukset innovaatioekosysteemeinä", "sv": "Campus som innovationsekosystem",
                     "en": "Campuses as innovation ecosystems"}),
    ("talent", 4, {"fi": "Kansainvälisten osaajien houkuttelu", "sv": "Att locka internationella talanger",
                   "en": "Attracting international talent"}),
    ("co-development-skills", 4, {"fi": "Yhteiskehittämisen taidot", "sv": "Färdigheter i samutveckling",
                                  "en": "Co-development skills"}),
]

METHOD_CATEGORIES = [
    (1, {"fi": "Kokeiluympäristöjen sekä innovatiivisten hankintojen kehittäminen ja hyödyntäminen",
         "sv": "Utveckling och användning av testmiljöer och innovativa upphandlingar",
         "en": "Test and experimentation environments and innovative public procurement"}),
    (2, {"fi": "TKI-keskittymien toiminnan, rakenteiden ja osaamisen vahvistaminen",
         "sv": "Stärkande av FUI-koncentrationernas verksamhet, strukturer och kompetens",
         "en": "Strengthening RDI hubs: activities, structures and competence"}),
    (3, {"fi": "Yrityshautomot ja muut yrityspalvelut", "sv": "Företagskuvöser och andra företagstjänster",
         "en": "Business incubators and other business services"}),
]

# (code, names, share group, available from, available until, order)
INSTRUMENTS = [
    ("ERDF", {"fi": "EAKR (Euroopan aluekehitysrahasto)", "sv": "ERUF (Europeiska regionala utvecklingsfonden)",
              "en": "ERDF (European Regional Development Fund)"}, "eu_state", dt.date(2021, 1, 1), None, 1),
    ("ESF", {"fi": "ESR+ (Euroopan sosiaalirahasto plus)", "sv": "ESF+ (Europeiska socialfonden+)",
             "en": "ESF+ (European Social Fund Plus)"}, "eu_state", dt.date(2021, 1, 1), None, 2),
    ("JTF", {"fi": "JTF (oikeudenmukaisen siirtymän rahasto)", "sv": "FRO (Fonden för en rättvis omställning)",
             "en": "JTF (Just Transition Fund)"}, "eu_state", dt.date(2021, 1, 1), None, 3),
    ("AKKE", {"fi": "AKKE (alueiden kestävän kasvun ja elinvoiman tukeminen)",
              "sv": "AKKE (stöd för regional hållbar tillväxt och livskraft)",
              "en": "AKKE (national regional development funding)"}, "eu_state", None, dt.date(2025, 1, 31), 4),
    ("RRF", {"fi": "RRF (elpymis- ja palautumistukiväline)", "sv": "RRF (faciliteten för återhämtning och resiliens)",
             "en": "RRF (Recovery and Resilience Facility)"}, "eu_state", dt.date(2021, 1, 1), dt.date(2026, 8, 31), 5),
    ("CITY", {"fi": "Kaupunkien oma rahoitus", "sv": "Städernas egen finansiering", "en": "City own funding"},
     "local", None, None, 6),
    ("PUBLIC", {"fi": "Muu julkinen rahoitus", "sv": "Annan offentlig finansiering", "en": "Other public funding"},
     "local", None, None, 7),
    ("PRIVATE", {"fi": "Yksityinen rahoitus", "sv": "Privat finansiering", "en": "Private funding"},
     "private", None, None, 8),
]

STEERING_GROUP = {"fi": "Helsingin, Espoon ja Vantaan ekosysteemisopimuksen johtoryhmä",
                  "sv": "Ledningsgruppen för ekosystemavtalet Helsingfors, Esbo och Vanda",
                  "en": "Helsinki–Espoo–Vantaa ecosystem agreement steering group"}
NATIONAL_GROUP = {"fi": "Innovaatioekosysteemisopimusten kansallinen ohjausryhmä",
                  "sv": "Den nationella styrgruppen för innovationsekosystemavtalen",
                  "en": "National steering group of the innovation ecosystem agreements"}

COORDINATION_PROJECT: ProjectSpec = {
    "code": "HEV-KOORD",
    "title": {"fi": "Innovaatioekosysteemisopimuksen koordinaatiohanke",
              "sv": "Koordineringsprojektet för innovationsekosystemavtalet",
              "en": "Innovation ecosystem agreement coordination project"},
    "summary": {
        "fi": "Rakentaa ohjelman rakenteen ja hankeportfolion, ylläpitää tilannekuvaa ja kokoaa koosteet "
              "johtoryhmälle ja kansalliselle ohjausryhmälle. AKKE-rahoitus 2021–2023, EAKR 2024 alkaen.",
        "en": "Builds the programme structure and the portfolio, keeps the situation picture and compiles the "
              "summaries for the steering group and the national steering group. AKKE 2021–2023, ERDF from 2024.",
    },
    "start_date": dt.date(2021, 3, 1),
    "end_date": dt.date(2027, 12, 31),
    "lead": "helsinki",
    "partners": ["espoo", "vantaa"],
    "priority": 4,
    "methods": [2],
}
# The coordination project's funding: AKKE until the end of 2023, then ERDF; 60 % support, 40 % cities.
COORDINATION_FUNDING_YEARS = {2021: "AKKE", 2022: "AKKE", 2023: "AKKE", 2024: "ERDF", 2025: "ERDF",
                              2026: "ERDF", 2027: "ERDF"}
COORDINATION_YEARLY_TOTAL = 250_000

# The public list of operations (Regulation (EU) 2021/1060, Article 49(3); reporting/open_data.py): the facts
# of this agreement's operations that the portfolio does not hold per project. The sustainable urban
# development money of the programme "Uudistuva ja osaava Suomi 2021–2027" is programmed under these specific
# objectives; the type of intervention follows the project's method category (the first, when several). To be
# confirmed against the managing authority's programme document when it changes.
OPEN_DATA = {
    "country": "Finland",
    "country_id": "FI",
    "nuts_code": "FI1B1",  # Helsinki-Uusimaa (NUTS 2021)
    "programme": "Uudistuva ja osaava Suomi 2021–2027",
    "programme_cci": "2021FI16FFPR001",
    "specific_objective_by_fund": {"ERDF": "RSO1.1", "ESF": "ESO4.1", "JTF": "JSO8.1"},
    "fund_code": {"ERDF": "ERDF", "ESF": "ESF+", "JTF": "JTF"},
    # Annex I of Regulation (EU) 2021/1060, dimension 1 (intervention field), by method category.
    "intervention_field_by_method": {1: "028", 2: "026", 3: "025"},
    "default_intervention_field": "026",
}
