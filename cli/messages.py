"""Messages of the command line (German and English), from one catalogue.

Exit codes of every command (documented in the README):

====  =============================================================================
0     clean: everything imported (or checked) without an error
1     imported, but rows or cells were rejected (see rejections.xlsx)
2     nothing imported, or a user error (wrong option, missing file, bad mapping)
3     internal error (a bug in baustein-eval; rerun with --debug and report it)
====  =============================================================================

argparse's own error messages are English; :func:`usage_error` turns the common ones into a
German and English pair.
"""

from __future__ import annotations

import re

from core.problems import Catalogue, MessageSpec

__all__ = ["CLI_MESSAGES", "EXIT_CLEAN", "EXIT_INTERNAL", "EXIT_REJECTED", "EXIT_USER", "usage_error"]

EXIT_CLEAN, EXIT_REJECTED, EXIT_USER, EXIT_INTERNAL = 0, 1, 2, 3

CLI_MESSAGES = Catalogue("cli", {
    "usage": MessageSpec(
        "error", "Aufruf fehlerhaft: {de}", "Usage error: {en}",
        hint_de="Hilfe: {help}", hint_en="Help: {help}"),
    "mapping_draft_written": MessageSpec(
        "info", "Zuordnung geschrieben: {path} ({n_columns} Spalten, {n_items} Items zugeordnet, "
                "{n_unsure} unsicher, {n_groups} Antwortgruppen).",
        "Mapping written: {path} ({n_columns} columns, {n_items} items mapped, {n_unsure} uncertain, "
        "{n_groups} answer groups).",
        hint_de="In Excel prüfen (Spalte »Ziel«, Blätter Antworten, Rollen, Vorgaben), dann: "
                "baustein import ... --mapping {path} --out DATENSATZ",
        hint_en="Check it in Excel (column 'Ziel', sheets Antworten, Rollen, Vorgaben), then: "
                "baustein import ... --mapping {path} --out DATASET"),
    "nothing_imported": MessageSpec(
        "error", "Keine Zeile übernommen: kein Datensatz geschrieben, '{out}' bleibt unverändert. "
                 "Prüfbericht: {report}",
        "No row imported: no dataset written, '{out}' is unchanged. Report: {report}",
        hint_de="Die Meldungen oben nennen die Ursache; bei fremden Exporten mit --suggest-mapping beginnen.",
        hint_en="The findings above name the cause; for other tools' exports start with --suggest-mapping."),
    "dataset_written": MessageSpec(
        "info", "Datensatz: {path} (Bericht: {report})", "Dataset: {path} (report: {report})"),
    "report_written": MessageSpec("info", "Bericht: {path}", "Report: {path}"),
    "out_missing": MessageSpec(
        "error", "Bitte --out DATENSATZ angeben.", "Please give --out DATASET_DIR.",
        hint_de="Oder --suggest-mapping zuordnung.xlsx für einen Entwurf der Zuordnung.",
        hint_en="Or --suggest-mapping zuordnung.xlsx for a draft mapping."),
    "is_dataset": MessageSpec(
        "info", "'{path}' ist ein Datensatz von baustein-eval ({respondents} Befragte, {responses} Antworten, "
                "{municipalities} Kommunen); geprüft: {verdict}.",
        "'{path}' is a baustein-eval dataset ({respondents} respondents, {responses} answers, "
        "{municipalities} municipalities); checked: {verdict}."),
    "dataset_inconsistent": MessageSpec(
        "error", "Datensatz '{path}': {problem_de}.", "Dataset '{path}': {problem_en}.",
        hint_de="Den Datensatz mit baustein import neu erzeugen.", hint_en="Recreate the dataset with baustein import."),
    "own_output_not_input": MessageSpec(
        "error", "'{path}' ist {kind_de} von baustein-eval und keine Eingabe.",
        "'{path}' is {kind_en} of baustein-eval, not an input.",
        hint_de="Die gelieferten Antwortdateien angeben (z. B. den Ordner eingang/); "
                "einen Datensatz prüft baustein validate DATENSATZ.",
        hint_en="Give the delivered response files (e.g. the folder eingang/); "
                "baustein validate DATASET_DIR checks a dataset."),
    "same_finding_rows": MessageSpec(
        "info", "(dieselbe Meldung in {n} Zeilen: {rows})", "(the same finding in {n} rows: {rows})"),
    "more_findings": MessageSpec(
        "info", "… und {n} weitere Meldungen (siehe rejections.xlsx)", "… and {n} more findings (see rejections.xlsx)"),
})

_ARGPARSE_DE = (
    (r"the following arguments are required: (.*)", "Diese Angaben fehlen: {0}"),
    (r"unrecognized arguments: (.*)", "Unbekannte Angaben: {0}"),
    (r"argument (.*?): invalid choice: (.*?) \(choose from (.*)\)", "Angabe {0}: ungültige Auswahl {1} (möglich: {2})"),
    (r"argument (.*?): expected one argument", "Angabe {0}: erwartet einen Wert"),
    (r"argument (.*?): expected at least one argument", "Angabe {0}: erwartet mindestens einen Wert"),
    (r"argument (.*?): invalid (\w+) value: (.*)", "Angabe {0}: ungültiger Wert {2} (erwartet: {1})"),
    (r"argument (.*?): not allowed with argument (.*)", "Angabe {0}: nicht zusammen mit {1} erlaubt"),
    (r"ambiguous option: (.*?) could match (.*)", "Mehrdeutige Angabe {0}: passt zu {1}"),
)


def usage_error(message: str, command: str = "baustein") -> tuple[str, str]:
    """German and English text of an argparse error message.

    >>> usage_error("the following arguments are required: --out", "baustein import")[0]
    'Aufruf fehlerhaft: Diese Angaben fehlen: --out Hilfe: baustein import --help'
    """
    de = message
    for pattern, template in _ARGPARSE_DE:
        m = re.fullmatch(pattern, message.strip())
        if m:
            de = template.format(*m.groups())
            break
    p = CLI_MESSAGES.problem("usage", de=de, en=message, help=f"{command or 'baustein'} --help")
    return p.line("de"), p.line("en")
