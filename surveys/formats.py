"""Column-naming conventions of the survey tools we exchange data with.

One place for the naming rules, so that the generator (which writes exports in the style of each
tool) and the importer (which reads them) cannot drift apart. Every function is derived from the
instrument alone; the reverse maps let the importer recognise a header without a mapping file.

Conventions (see ``docs/formats.md`` for examples):

* **template** (our data-entry workbook): header ``"KOM01 – <German item label>"``; the code before
  the dash identifies the item. Meta headers are in :data:`TEMPLATE_FIELD_HEADERS`.
* **kobo** (KoboToolbox xlsx export, "XML values and headers"): ``<construct>/<item>`` e.g.
  ``kommunal/KOM01``; choice names as values (``1``..``5``, ``dk``, ``na``).
* **limesurvey**: array question per construct, sub-question per item: ``kommunal[KOM01]``
  (LimeSurvey also writes ``kommunal [KOM01]``); answer codes ``1``..``5``, ``-1``; ``N/A`` = no answer.
* **sosci** (SoSci Survey): one question per construct, variable ``<XX>01_<nn>``, e.g. ``KO01_01``;
  missing codes -1 (weiß nicht) and -9 (nicht beantwortet).
* **forms** (Google Forms grid): ``"<block stem> [<German item label>]"``; answer text in cells.
"""

from __future__ import annotations

from .instrument import Instrument, Item

__all__ = [
    "KOBO_META_COLUMNS",
    "LIMESURVEY_META_COLUMNS",
    "SOSCI_FIELD_VARIABLES",
    "SOSCI_META_COLUMNS",
    "SOSCI_VARIABLE_LABELS",
    "TEMPLATE_FIELD_HEADERS",
    "TEMPLATE_MUNICIPALITY_HEADERS",
    "forms_field_header",
    "forms_header",
    "kobo_column",
    "limesurvey_column",
    "sosci_question",
    "sosci_variable",
    "template_header",
]

# ---------------------------------------------------------------- our template
#: Respondent-field headers of the template's answer sheet (German, as the user sees them).
TEMPLATE_FIELD_HEADERS: dict[str, str] = {
    "respondent_id": "Fragebogen-Nr.",
    "ags": "AGS",
    "role": "Rolle",
    "wave": "Welle",
    "submitted_at": "Datum",
    "comment": "Anmerkungen",
}
TEMPLATE_RESPONSES_SHEET = "Antworten"
TEMPLATE_MUNICIPALITIES_SHEET = "Kommunen"
TEMPLATE_INSTRUCTIONS_SHEET = "Hinweise"

#: Columns of the template's ``Kommunen`` sheet: dataset column -> German header.
TEMPLATE_MUNICIPALITY_HEADERS: dict[str, str] = {
    "ags": "AGS",
    "name": "Name der Kommune",
    "district": "Landkreis",
    "population": "Einwohnerzahl",
    "cohort": "Förderkohorte",
    "council_resolution": "Ratsbeschluss (ja/nein)",
    "council_resolution_date": "Datum des Ratsbeschlusses",
    "mayor_involved": "Bürgermeister/in eingebunden (ja/nein)",
    "named_contact": "Benannte Ansprechperson (ja/nein)",
    "staff_hours": "Personalstunden pro Woche",
    "budget_eur": "Budget (EUR pro Jahr)",
    "rooms": "Räume bereitgestellt (ja/nein)",
    "n_initiatives": "Anzahl Initiativen",
    "n_volunteers": "Anzahl Engagierte",
}


def template_header(item: Item, lang: str = "de") -> str:
    """Header of an item column in our template: ``"KOM01 – Die Kommune …"``."""
    return f"{item.code} – {item.label(lang)}"


# ---------------------------------------------------------------- KoboToolbox
KOBO_META_COLUMNS = (
    "_id",
    "_uuid",
    "_submission_time",
    "_validation_status",
    "_notes",
    "_status",
    "_submitted_by",
    "__version__",
    "_tags",
    "_index",
)


def kobo_column(item: Item) -> str:
    """KoboToolbox XML header of an item: ``"<construct group>/<item code>"``."""
    return f"{item.construct}/{item.code}"


# ---------------------------------------------------------------- LimeSurvey
LIMESURVEY_META_COLUMNS = ("id", "submitdate", "lastpage", "startlanguage", "seed", "token")


def limesurvey_column(item: Item, spaced: bool = False) -> str:
    """LimeSurvey array sub-question header: ``kommunal[KOM01]`` (or ``kommunal [KOM01]``)."""
    return f"{item.construct}{' ' if spaced else ''}[{item.code}]"


# ---------------------------------------------------------------- SoSci Survey
SOSCI_META_COLUMNS = ("CASE", "SERIAL", "REF", "QUESTNNR", "MODE", "STARTED")
#: SoSci's standard variable labels (the second header row of its Excel export; German).
SOSCI_VARIABLE_LABELS: dict[str, str] = {
    "CASE": "Interview-Nummer (fortlaufend)",
    "SERIAL": "Seriennummer (sofern verwendet)",
    "REF": "Referenz (sofern im Link angegeben)",
    "QUESTNNR": "Fragebogen, der im Interview verwendet wurde",
    "MODE": "Interview-Modus",
    "STARTED": "Zeitpunkt zu dem das Interview begonnen hat (Europe/Berlin)",
    "TIME_SUM": "Verweildauer gesamt (ohne Ausreißer)",
    "MAILSENT": "Versandzeitpunkt der Einladungsmail (nur für nicht-anonyme Adressaten)",
    "LASTDATA": "Zeitpunkt als der Datensatz das letzte mal geändert wurde",
    "FINISHED": "Wurde die Befragung abgeschlossen (letzte Seite erreicht)?",
    "Q_VIEWER": "Hat der Teilnehmer den Fragebogen nur angesehen, ohne die Pflichtfragen zu beantworten?",
    "LASTPAGE": "Seite, die der Teilnehmer zuletzt bearbeitet hat",
    "MAXPAGE": "Letzte Seite, die im Fragebogen bearbeitet wurde",
    "MISSING": "Fehlende Antworten in Prozent",
    "MISSREL": "Fehlende Antworten (gewichtet nach Relevanz)",
    "TIME_RSI": "Maluspunkte für schnelles Ausfüllen",
    "DEG_TIME": "Maluspunkte für schnelles Ausfüllen (Grad)",
}
#: SoSci variables of the respondent fields (section "SD": Stammdaten).
SOSCI_FIELD_VARIABLES: dict[str, str] = {
    "ags": "SD01_01",
    "role": "SD02",
    "wave": "SD03_01",
    "comment": "SD04_01",
}


def sosci_question(instrument: Instrument, construct_id: str) -> str:
    """SoSci question id of a construct block: first two letters upper-cased + ``01``.

    Raises ``ValueError`` when two constructs would share an id (then use a mapping file).
    """
    ids = {c.id: c.id[:2].upper() + "01" for c in instrument.constructs}
    if len(set(ids.values())) != len(ids):
        raise ValueError("constructs share their first two letters; SoSci ids are ambiguous")
    return ids[construct_id]


def sosci_variable(instrument: Instrument, item: Item) -> str:
    """SoSci variable of an item: question id + ``_`` + position in its block, e.g. ``KO01_01``."""
    pos = [i.code for i in instrument.items_of(item.construct)].index(item.code) + 1
    return f"{sosci_question(instrument, item.construct)}_{pos:02d}"


# ---------------------------------------------------------------- Google / Microsoft Forms
def forms_field_header(instrument: Instrument, name: str, lang: str = "de") -> str:
    """Forms header of a respondent field: the field's question text (e.g. the AGS question)."""
    return instrument.field(name).label(lang)


def forms_header(instrument: Instrument, item: Item, lang: str = "de") -> str:
    """Google Forms grid header: ``"<block stem> [<item label>]"``."""
    stem = instrument.construct(item.construct).stem(lang)
    return f"{stem} [{item.label(lang)}]"
