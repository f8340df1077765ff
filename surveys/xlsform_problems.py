"""The catalogue of XLSForm problems: what :func:`surveys.xlsform.check_xlsform` tells a user.

Every problem of an XLSForm workbook is a :class:`core.problems.Problem` (the located-problem
model shared with import findings and analysis notes): a stable code from :data:`XLSFORM_PROBLEMS`
with a German and an English template and a hint what to do, a location (file = the workbook's
name, sheet, Excel row, and the column where one cell is at fault) and the parameters that fill
the templates. Names, list names, codes and types quoted from the workbook pass
:func:`core.problems.quote_input`.

Where a problem comes from is in its code: pyxform's own verdict has the codes of
:data:`PYXFORM_CODES` (``pyxform_error``, ``pyxform_warning``, ``pyxform_missing``), everything else
is one of our structural checks. pyxform speaks English; :data:`PYXFORM_GERMAN` translates the
messages users meet most, and the German text quotes pyxform's original.

Example
-------
>>> from core.problems import Location
>>> p = XLSFORM_PROBLEMS.problem("name_duplicate", Location(file="f.xlsx", sheet="survey", row=4),
...                              name="KOM01", first_row=3)
>>> p.code, p.message("en")
('name_duplicate', "Duplicate name 'KOM01' (first in row 3).")
"""

from __future__ import annotations

from core.problems import Catalogue, MessageSpec

__all__ = ["PYXFORM_CODES", "PYXFORM_GENERAL", "PYXFORM_GERMAN", "XLSFORM_PROBLEMS"]

_NAME_RULE = ("er darf nur Buchstaben, Ziffern, '_', '-' und '.' enthalten und muss mit einem Buchstaben oder "
              "'_' beginnen",
              "it may contain only letters, digits, '_', '-' and '.' and must start with a letter or '_'")
_TEMPLATE_HINT = ("Eine gültige Vorlage schreibt: baustein instrument export --format xlsform",
                  "A valid template: baustein instrument export --format xlsform")


def _spec(severity: str, de: str, en: str, hint_de: str = "", hint_en: str = "") -> MessageSpec:
    return MessageSpec(severity, de, en, hint_de=hint_de, hint_en=hint_en)


XLSFORM_PROBLEMS = Catalogue("xlsform", {
    # ------------------------------------------------------------------ the file
    "file_not_found": _spec(
        "error", "XLSForm-Datei nicht gefunden: {path}.", "XLSForm file not found: {path}.",
        "Pfad und Dateinamen prüfen.", "Check the path and the file name."),
    "file_unreadable": _spec(
        "error", "Die Datei ist keine lesbare Excel-Datei (.xlsx), vielleicht verschlüsselt oder beschädigt "
                 "({detail}).",
        "The file is not a readable .xlsx workbook, perhaps encrypted or damaged ({detail}).",
        "In Excel öffnen, einen Kennwortschutz entfernen und als Excel-Arbeitsmappe (.xlsx) speichern.",
        "Open it in Excel, remove any password and save it as an Excel workbook (.xlsx)."),
    # ------------------------------------------------------------------ sheets and columns
    "sheet_missing": _spec(
        "error", "Das Blatt '{sheet}' fehlt.", "Sheet '{sheet}' is missing.",
        f"Das Blatt anlegen oder umbenennen. {_TEMPLATE_HINT[0]}",
        f"Add or rename the sheet. {_TEMPLATE_HINT[1]}"),
    "choices_sheet_missing": _spec(
        "error", "Das Blatt 'choices' fehlt, wird aber von Auswahlfragen gebraucht.",
        "Sheet 'choices' is missing but select questions need it.",
        "Ein Blatt 'choices' mit den Spalten list_name, name und label::Deutsch (de) anlegen.",
        "Add a sheet 'choices' with the columns list_name, name and label::Deutsch (de)."),
    "settings_sheet_missing": _spec(
        "warning", "Das Blatt 'settings' fehlt (Formular-ID und Version werden geraten).",
        "Sheet 'settings' is missing (form id and version will be guessed).",
        "Ein Blatt 'settings' mit den Spalten form_title, form_id, version und default_language anlegen.",
        "Add a sheet 'settings' with the columns form_title, form_id, version and default_language."),
    "column_missing": _spec(
        "error", "Die Spalte '{column}' fehlt.", "Column '{column}' is missing.",
        "Die Spalte '{column}' in Zeile 1 ergänzen.", "Add the column '{column}' in row 1."),
    "label_de_column_missing": _spec(
        "error", "Die Spalte '{column}' (deutsche Beschriftung) fehlt.", "Column '{column}' (German label) is missing.",
        "Die Spalte '{column}' in Zeile 1 ergänzen (oder eine Spalte 'label' mit default_language "
        "Deutsch (de) im Blatt 'settings').",
        "Add the column '{column}' in row 1 (or a column 'label' with default_language Deutsch (de) on "
        "the sheet 'settings')."),
    # ------------------------------------------------------------------ the choices sheet
    "list_name_missing": _spec(
        "error", "Listenname (list_name) fehlt.", "list_name is empty.",
        "Den Namen der Auswahlliste eintragen, zu der diese Antwort gehört.",
        "Enter the name of the choice list this answer belongs to."),
    "list_name_invalid": _spec(
        "error", f"Listenname '{{list_name}}' ist ungültig: {_NAME_RULE[0]}.",
        f"List name '{{list_name}}' is invalid: {_NAME_RULE[1]}.",
        "Den Namen hier und im Typ 'select_one …' des Blatts 'survey' gleich ändern.",
        "Change the name here and in the type 'select_one …' on the sheet 'survey' alike."),
    "choice_name_missing": _spec(
        "error", "Antwort ohne Namen in Liste '{list_name}'.", "Choice without a name in list '{list_name}'.",
        "Einen in der Liste eindeutigen Namen eintragen (z. B. 1, 2, … oder dk).",
        "Enter a name unique within the list (e.g. 1, 2, … or dk)."),
    "choice_duplicate": _spec(
        "error", "Antwortname '{name}' kommt in Liste '{list_name}' doppelt vor (zuerst Zeile {first_row}).",
        "Duplicate choice name '{name}' in list '{list_name}' (first in row {first_row}).",
        "Jeder Antwortname darf je Liste nur einmal vorkommen: die Zeile löschen oder umbenennen.",
        "A choice name may occur once per list: delete or rename the row."),
    "choice_label_de_missing": _spec(
        "error", "Deutsche Beschriftung fehlt für Antwort '{name}' in Liste '{list_name}'.",
        "German label missing for choice '{name}' in list '{list_name}'.",
        "Den deutschen Antworttext eintragen.", "Enter the German answer text."),
    "code_not_integer": _spec(
        "error", "Code '{value}' ist keine ganze Zahl.", "Code '{value}' is not an integer.",
        "Eine ganze Zahl eintragen (z. B. 1, oder -9 für keine Angabe) oder die Zelle leeren.",
        "Enter a whole number (e.g. 1, or -9 for no answer) or empty the cell."),
    # ------------------------------------------------------------------ the survey sheet
    "type_missing": _spec(
        "error", "Typ (type) fehlt.", "Type is empty.",
        "Einen Fragetyp eintragen (z. B. select_one agree5, text, begin_group) oder die Zeile löschen.",
        "Enter a question type (e.g. select_one agree5, text, begin_group) or delete the row."),
    "group_end_unmatched": _spec(
        "error", "'{type}' ohne passendes 'begin_{kind}'.", "'{type}' without a matching 'begin_{kind}'.",
        "Die überzählige Zeile löschen oder davor ein 'begin_{kind}' ergänzen.",
        "Delete the extra row or add a 'begin_{kind}' before it."),
    "group_end_mismatch": _spec(
        "error", "'{type}' schließt 'begin_{open_kind}' '{open_name}' aus Zeile {open_row}.",
        "'{type}' closes 'begin_{open_kind}' '{open_name}' from row {open_row}.",
        "Eine Gruppe mit end_group, eine Wiederholung mit end_repeat schließen, die innere zuerst.",
        "Close a group with end_group and a repeat with end_repeat, the inner one first."),
    "group_not_closed": _spec(
        "error", "'begin_{kind}' '{name}' wird nie mit 'end_{kind}' geschlossen.",
        "'begin_{kind}' '{name}' is never closed by 'end_{kind}'.",
        "Nach der letzten Frage der Gruppe eine Zeile 'end_{kind}' einfügen.",
        "Insert a row 'end_{kind}' after the last question of the group."),
    "name_missing": _spec(
        "error", "Name fehlt (Typ '{type}').", "Name is empty (type '{type}').",
        "Einen eindeutigen Namen eintragen (Buchstabe oder _ am Anfang); er wird zum Spaltennamen der Daten.",
        "Enter a unique name (starting with a letter or _); it becomes the column name of the data."),
    "name_invalid": _spec(
        "error", f"Name '{{name}}' ist ungültig: {_NAME_RULE[0]}.", f"Name '{{name}}' is invalid: {_NAME_RULE[1]}.",
        "Den Namen ändern, z. B. einen Buchstaben voranstellen.", "Change the name, e.g. put a letter in front."),
    "name_duplicate": _spec(
        "error", "Name '{name}' kommt doppelt vor (zuerst Zeile {first_row}).",
        "Duplicate name '{name}' (first in row {first_row}).",
        "Jeden Namen nur einmal vergeben (Groß- und Kleinschreibung zählen als gleich).",
        "Give each name once only (upper and lower case count as the same)."),
    "unknown_role": _spec(
        "error", "Rolle '{role}' der Gruppe '{group}' ist unbekannt (erlaubt: {allowed}).",
        "Role '{role}' of group '{group}' is unknown (allowed: {allowed}).",
        "Eine der erlaubten Rollen in der Spalte 'construct_role' eintragen oder die Zelle leeren.",
        "Enter one of the allowed roles in the column 'construct_role' or empty the cell."),
    "group_label_de_missing": _spec(
        "warning", "Gruppe '{name}' hat keine deutsche Beschriftung (Fragestamm).",
        "Group '{name}' has no German label (block stem).",
        "Den Fragestamm eintragen, der über den Items der Gruppe steht.",
        "Enter the stem shown above the group's items."),
    "type_without_list": _spec(
        "error", "Typ '{type}' nennt keine Auswahlliste.", "Type '{type}' names no choice list.",
        "Die Liste nach einem Leerzeichen nennen, z. B. 'select_one agree5'.",
        "Name the list after a space, e.g. 'select_one agree5'."),
    "list_missing": _spec(
        "error", "Auswahlliste '{list_name}' fehlt im Blatt 'choices'.",
        "List name '{list_name}' not in choices sheet.",
        "Die Liste im Blatt 'choices' anlegen oder den Listennamen im Typ korrigieren.",
        "Add the list on the sheet 'choices' or correct the list name in the type."),
    "label_de_missing": _spec(
        "error", "Deutsche Beschriftung fehlt für '{name}'.", "German label missing for '{name}'.",
        "Den deutschen Fragetext eintragen.", "Enter the German question text."),
    # ------------------------------------------------------------------ the settings sheet
    "form_id_invalid": _spec(
        "error", "form_id '{form_id}' ist ungültig (Buchstabe oder _ am Anfang).",
        "form_id '{form_id}' is invalid (must start with a letter or underscore).",
        "Eine Formular-ID wie 'sensibilisierung_2025' eintragen.", "Enter a form id like 'sensibilisierung_2025'."),
    # ------------------------------------------------------------------ pyxform's verdict
    "pyxform_error": _spec(
        "error", "{summary_de} (pyxform: {detail})", "pyxform: {detail}",
        "Die genannte Stelle korrigieren und neu prüfen: pyxform hält beim ersten Fehler an.",
        "Fix the place named and check again: pyxform stops at its first error."),
    "pyxform_warning": _spec(
        "warning", "{summary_de} (pyxform: {detail})", "pyxform: {detail}",
        "Die genannte Stelle prüfen; das Formular lässt sich trotzdem umwandeln.",
        "Look at the place named; the form converts all the same."),
    "pyxform_missing": _spec(
        "warning", "pyxform ist nicht installiert; nur die eigenen Prüfungen liefen.",
        "pyxform is not installed; only our own checks ran.",
        "Für die vollständige Prüfung pyxform installieren: pip install pyxform",
        "Install pyxform for the full check: pip install pyxform"),
})

#: Codes of the problems pyxform reports (all others come from our own structural checks).
PYXFORM_CODES = frozenset({"pyxform_error", "pyxform_warning", "pyxform_missing"})

#: pyxform's most common messages (regular expression) -> German summary; ``{0}`` ... are the
#: groups of the expression. Other messages get a summary from :data:`PYXFORM_GENERAL`.
PYXFORM_GERMAN: tuple[tuple[str, str], ...] = (
    (r"List name not in choices sheet: (\S+)", "Auswahlliste '{0}' fehlt im Blatt 'choices'"),
    (r"Unmatched 'begin_(\w+)'", "'begin_{0}' ohne passendes 'end_{0}'"),
    (r"Unmatched 'end_(\w+)'", "'end_{0}' ohne passendes 'begin_{0}'"),
    (r"Names must begin with a letter or underscore", "Name muss mit einem Buchstaben oder _ beginnen"),
    (r"Choice names must be unique", "Antwortnamen müssen je Liste eindeutig sein"),
    (r"must be unique within their nearest parent", "Name kommt doppelt vor"),
    (r"Unknown question type '([^']*)'", "Unbekannter Fragetyp '{0}'"),
    (r"has no label", "Beschriftung fehlt"),
)

#: German summary of a pyxform message that :data:`PYXFORM_GERMAN` does not know: by severity, and
#: ``failed`` when pyxform stopped with an unexpected exception.
PYXFORM_GENERAL = {
    "error": "pyxform kann das Formular so nicht umwandeln",
    "warning": "pyxform empfiehlt eine Änderung",
    "failed": "pyxform konnte das Formular nicht umwandeln",
}
