"""The catalogue of import findings and a vectorised collector for them.

Every problem the importer notices becomes one row of the rejection report: severity, file, sheet,
Excel row number as the user sees it, column letter and header, the value found, a stable finding
``code`` and a message in German and English that says what is wrong and what to do (pyxform style:
stable codes, message templates).

Severities and what happens to the data (``action``):

* ``error``   -- the cell (``cell_rejected``), the row (``row_rejected``) or the file
  (``file_rejected``) is not taken over into the clean data;
* ``warning`` -- the data is kept (``kept``), but somebody should look at it;
* ``info``    -- a note (e.g. a repeat-group sheet that was skipped).

The catalogue is a :class:`core.problems.Catalogue` (the located-problem model shared with analysis
notes, XLSForm problems and the audit). Templates use the placeholders ``{value}``, ``{header}``
and ``{detail}``; they are filled column-wise (:func:`core.problems.fill_templates`, no Python loop
over rows), so a report with 200,000 findings costs milliseconds.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd

from core.problems import Catalogue, MessageSpec, fill_templates, quote_input

__all__ = ["ACTION_WORDS", "CODES", "REJECTION_COLUMNS", "REJECTION_HEADERS", "SEVERITY_WORDS", "FindingCollector",
           "readable_rejections"]

#: Columns of the rejection report, in order.
REJECTION_COLUMNS = (
    "severity",
    "file",
    "sheet",
    "row",
    "column",
    "header",
    "value",
    "code",
    "action",
    "message_de",
    "message_en",
)


#: Headers of the rejection report as a reader sees them in ``rejections.xlsx``: (German, English).
#: ``rejections.csv`` keeps the column names for programs. The report labels
#: (:mod:`reporting.labels`) take these, so that each header is written once.
REJECTION_HEADERS: dict[str, tuple[str, str]] = {
    "severity": ("Schwere", "Severity"),
    "file": ("Datei", "File"),
    "sheet": ("Blatt", "Sheet"),
    "row": ("Zeile (Excel)", "Row (Excel)"),
    "column": ("Spalte", "Column"),
    "header": ("Spaltenüberschrift", "Header"),
    "value": ("Gefundener Wert", "Value found"),
    "code": ("Regel (Code)", "Rule (code)"),
    "action": ("Folge", "Action"),
    "message_de": ("Meldung", "Message (German)"),
    "message_en": ("Meldung (englisch)", "Message"),
}
#: Severities and actions in words: (German, English).
SEVERITY_WORDS: dict[str, tuple[str, str]] = {"error": ("Fehler", "error"), "warning": ("Warnung", "warning"),
                                              "info": ("Hinweis", "note")}
ACTION_WORDS: dict[str, tuple[str, str]] = {
    "cell_rejected": ("Zelle nicht übernommen", "cell not taken over"),
    "row_rejected": ("Zeile nicht übernommen", "row not taken over"),
    "file_rejected": ("Datei nicht übernommen", "file not taken over"),
    "column_rejected": ("Spalte nicht übernommen", "column not taken over"),
    "kept": ("übernommen", "kept"),
}


def readable_rejections(rejections: pd.DataFrame, lang: str = "de") -> tuple[pd.DataFrame, list[str]]:
    """The rejection report as ``rejections.xlsx`` shows it: severity and action in words, and the headers.

    Parameters
    ----------
    rejections : DataFrame
        The report with the columns of :data:`REJECTION_COLUMNS`.
    lang : {"de", "en"}

    Returns
    -------
    (DataFrame, list of str)
        The table (same columns, codes of ``severity`` and ``action`` turned into words) and its
        visible headers.
    """
    j = 0 if lang == "de" else 1
    out = rejections.copy()
    for col, words in (("severity", SEVERITY_WORDS), ("action", ACTION_WORDS)):
        if col in out.columns:
            out[col] = out[col].map(lambda v, w=words: w[v][j] if v in w else v)
    return out, [REJECTION_HEADERS.get(c, (c, c))[j] for c in out.columns]


CODES = Catalogue("import", {
    # ---------------------------------------------------------------- file level
    "file_unreadable": MessageSpec(
                           "error",
                           "Datei kann nicht gelesen werden: {detail}",
                           "File cannot be read: {detail}",
                           action="file_rejected",
                       ),
    "file_duplicate": MessageSpec(
                          "error",
                          "Diese Datei ist inhaltsgleich (SHA-256) mit '{detail}' und wurde übersprungen, damit keine "
        "Antwort doppelt zählt. Nichts zu tun, falls sie versehentlich doppelt geliefert wurde.",
                          "This file has the same content (SHA-256) as '{detail}' and was skipped so that no answer "
        "counts twice. Nothing to do if it was delivered twice by mistake.",
                          action="row_rejected",
                      ),
    "file_strict": MessageSpec(
                       "error",
                       "Die Datei enthält Fehler und wurde wegen --strict vollständig abgelehnt. Bitte die anderen "
        "Meldungen zu dieser Datei beheben.",
                       "The file contains errors and was rejected as a whole because of --strict. Please fix the "
        "other findings of this file.",
                       action="row_rejected",
                   ),
    "no_data_sheet": MessageSpec(
                         "error",
                         "Kein Tabellenblatt mit Antworten gefunden ({detail}).",
                         "No sheet with answers found ({detail}).",
                         action="file_rejected",
                     ),
    "format_unknown": MessageSpec(
                          "warning",
                          "Format nicht erkannt; die Datei wird als einfache Tabelle gelesen ({detail}).",
                          "Format not recognised; the file is read as a plain table ({detail}).",
                          action="kept",
                      ),
    "file_note": MessageSpec(
                     "info",
                     "Hinweis zur Datei: {detail}",
                     "Note on the file: {detail}",
                     action="kept",
                 ),
    "no_data_rows": MessageSpec(
                        "warning",
                        "Das Blatt hat eine Kopfzeile, aber keine einzige Antwortzeile; aus dieser Datei wird nichts "
        "übernommen. Ist es die richtige Datei (oder nur die leere Vorlage)?",
                        "The sheet has a header row but not a single answer row; nothing is taken over from this "
        "file. Is it the right file (or just the empty template)?",
                        action="kept",
                    ),
    "sheet_skipped": MessageSpec(
                         "info",
                         "Tabellenblatt übersprungen: {detail}",
                         "Sheet skipped: {detail}",
                         action="kept",
                     ),
    "label_row_skipped": MessageSpec(
                             "info",
                             "Zweite Kopfzeile mit Variablenbeschriftungen erkannt und übersprungen.",
                             "Second header row with variable labels detected and skipped.",
                             action="kept",
                         ),
    # ---------------------------------------------------------------- columns
    "unknown_column": MessageSpec(
                          "warning",
                          "Spalte '{header}' gehört zu keinem Item des Instruments und wird ignoriert.{detail}",
                          "Column '{header}' belongs to no item of the instrument and is ignored.{detail}",
                          action="kept",
                      ),
    "missing_item_column": MessageSpec(
                               "warning",
                               "Die Spalte für Item {value} fehlt; alle Antworten dazu gelten als 'nicht gezeigt'. "
        "Falls die Spalte anders heißt, sie in der Zuordnung (--mapping, Blatt »Spalten«) diesem Item zuordnen.",
                               "The column for item {value} is missing; all its answers count as 'not shown'. If the "
        "column has another name, map it to this item in the mapping (--mapping, sheet 'Spalten').",
                               action="kept",
                           ),
    "no_item_columns": MessageSpec(
                           "error",
                           "Keine einzige Item-Spalte erkannt; keine der {detail} Zeilen wird übernommen. Falls es "
        "Antworten sind: mit 'baustein import --suggest-mapping' eine Zuordnungsdatei erstellen, "
        "prüfen und mit --mapping angeben.",
                           "Not a single item column recognised; none of the {detail} rows is taken over. If these are "
        "answers: draft a mapping file with 'baustein import --suggest-mapping', check it and pass "
        "it with --mapping.",
                           action="file_rejected",
                       ),
    "duplicate_column": MessageSpec(
                            "warning",
                            "Spalte '{header}' ist ein zweites Mal dem Feld/Item {detail} zugeordnet und wird ignoriert.",
                            "Column '{header}' is a second column for field/item {detail} and is ignored.",
                            action="kept",
                        ),
    # ---------------------------------------------------------------- cells
    "value_out_of_scale": MessageSpec(
                              "error",
                              "Wert '{value}' liegt außerhalb der Antwortskala ({detail}). Die Zelle wird als ungültig "
        "(fehlend) übernommen; bitte den Wert prüfen.",
                              "Value '{value}' is outside the answer scale ({detail}). The cell is taken over as invalid "
        "(missing); please check the value.",
                              action="cell_rejected",
                          ),
    "value_unknown_label": MessageSpec(
                               "error",
                               "Antwort '{value}' ist keine Antwortmöglichkeit ({detail}). Die Zelle wird als ungültig "
        "(fehlend) übernommen; ggf. in der Zuordnungsdatei unter 'values' ergänzen.",
                               "Answer '{value}' is not an answer option ({detail}). The cell is taken over as invalid "
        "(missing); add it under 'values' in a mapping file if it is a valid label.",
                               action="cell_rejected",
                           ),
    "cell_error": MessageSpec(
                      "error",
                      "Die Zelle enthält den Excel-Fehlerwert '{value}' statt einer Antwort (z. B. Division durch 0 in "
        "einer Formel); sie wird als ungültig (fehlend) übernommen. Bitte Formel oder Wert in der Datei "
        "korrigieren.",
                      "The cell holds the Excel error value '{value}' instead of an answer (e.g. a division by 0 in a "
        "formula); it is taken over as invalid (missing). Please correct the formula or value in the file.",
                      action="cell_rejected",
                  ),
    "formula_no_value": MessageSpec(
                            "warning",
                            "Die Zelle enthält eine Formel ({value}) ohne gespeichertes Ergebnis (die Datei wurde von einem "
        "Programm ohne Rechenfunktion erzeugt); Formeln werden nie ausgeführt, der Wert fehlt daher. Bitte "
        "die Datei in Excel oder LibreOffice öffnen, neu berechnen (Strg+Alt+F9) und speichern.",
                            "The cell holds a formula ({value}) without a stored result (the file was written by a program "
        "that does not calculate); formulas are never run, so the value is missing. Please open the file "
        "in Excel or LibreOffice, recalculate (Ctrl+Alt+F9) and save it.",
                            action="kept",
                        ),
    "role_unknown": MessageSpec(
                        "warning",
                        "Rolle '{value}' ist nicht vorgesehen ({detail}); die Rolle bleibt leer.",
                        "Role '{value}' is not one of the choices ({detail}); the role is left empty.",
                        action="kept",
                    ),
    "date_invalid": MessageSpec(
                        "warning",
                        "Datum '{value}' ist nicht lesbar (erwartet z. B. 01.03.2025 12:00 oder 2025-03-01); es bleibt leer.",
                        "Date '{value}' cannot be read (expected e.g. 01.03.2025 12:00 or 2025-03-01); it is left empty.",
                        action="kept",
                    ),
    # ---------------------------------------------------------------- rows
    "no_answers": MessageSpec(
                      "error",
                      "Die Zeile enthält keine einzige Antwort auf ein Item und wird nicht übernommen.",
                      "The row contains no answer to any item and is not taken over.",
                      action="row_rejected",
                  ),
    "ags_missing": MessageSpec(
                       "error",
                       "Der Gemeindeschlüssel (AGS) fehlt. Bitte den 8-stelligen AGS der Kommune eintragen.",
                       "The municipality key (AGS) is missing. Please enter the municipality's 8-digit AGS.",
                       action="row_rejected",
                   ),
    "ags_invalid": MessageSpec(
                       "error",
                       "'{value}' ist kein gültiger Gemeindeschlüssel (AGS: 8 Ziffern, Land 01–16, z. B. 08111000).",
                       "'{value}' is not a valid municipality key (AGS: 8 digits, state 01–16, e.g. 08111000).",
                       action="row_rejected",
                   ),
    "ags_unknown": MessageSpec(
                       "error",
                       "Gemeindeschlüssel {value} steht nicht in der Kommunen-Tabelle. Bitte AGS prüfen oder die "
        "Kommune in der Kommunen-Tabelle ergänzen.",
                       "Municipality key {value} is not in the municipalities table. Please check the AGS or add "
        "the municipality to the table.",
                       action="row_rejected",
                   ),
    "wave_label_rare": MessageSpec(
                           "warning",
                           "Die Wellenbezeichnung '{value}' kommt nur einmal vor ({detail}). Tippfehler? Bitte "
        "vereinheitlichen oder beim Import mit --wave setzen; sonst wird sie als eigene Welle ausgewertet.",
                           "The wave label '{value}' occurs only once ({detail}). A typo? Please make the labels "
        "consistent or set them with --wave on import; otherwise it is analysed as a wave of its own.",
                           action="kept",
                       ),
    "wave_missing": MessageSpec(
                        "error",
                        "Die Befragungswelle fehlt. Bitte in der Spalte eintragen oder beim Import mit --wave angeben.",
                        "The survey wave is missing. Please fill it in or pass it with --wave when importing.",
                        action="row_rejected",
                    ),
    "duplicate_id": MessageSpec(
                        "error",
                        "Fragebogen-Nr. '{value}' kommt in dieser Datei mehrfach vor (zuerst in Zeile {detail}); "
        "die Wiederholung wird nicht übernommen.",
                        "Respondent ID '{value}' occurs more than once in this file (first in row {detail}); the "
        "repetition is not taken over.",
                        action="row_rejected",
                    ),
    "duplicate_id_across_files": MessageSpec(
                                     "warning",
                                     "Fragebogen-Nr. '{value}' kommt auch in '{detail}' vor. Die Zeile bleibt erhalten und "
        "erhält eine eindeutige Kennung.",
                                     "Respondent ID '{value}' also occurs in '{detail}'. The row is kept and given a unique ID.",
                                     action="kept",
                                 ),
    # ---------------------------------------------------------------- municipalities
    "municipality_conflict": MessageSpec(
                                 "warning",
                                 "Widersprüchliche Angabe zur Kommune: '{header}' ist hier '{value}', anderswo {detail}. "
        "Der zuerst gelesene Wert wird verwendet; bitte klären.",
                                 "Contradictory municipality fact: '{header}' is '{value}' here but {detail} elsewhere. The "
        "value read first is used; please clarify.",
                                 action="kept",
                             ),
    "municipality_invalid": MessageSpec(
                                "error",
                                "Kommunen-Zeile ohne gültigen AGS ('{value}') wird nicht übernommen.",
                                "Municipality row without a valid AGS ('{value}') is not taken over.",
                                action="row_rejected",
                            ),
    "municipality_value_invalid": MessageSpec(
                                      "warning",
                                      "Wert '{value}' in '{header}' ist nicht lesbar ({detail}); er bleibt leer.",
                                      "Value '{value}' in '{header}' cannot be read ({detail}); it is left empty.",
                                      action="kept",
                                  ),
    # ---------------------------------------------------------------- own exports (mapping)
    "multi_select_refused": MessageSpec(
        "error",
        "Spalte '{header}' enthält Antworten mit Mehrfachauswahl (Optionen und Anzahl: {detail}) und kann nicht "
        "als {value} gelesen werden; ihre Antworten werden nicht übernommen. Bitte in der Zuordnung auf 'ignore' "
        "setzen oder die richtige Spalte zuordnen.",
        "Column '{header}' holds multiple-choice answers (options and count: {detail}) and cannot be read as "
        "{value}; its answers are not taken over. Please set it to 'ignore' in the mapping or map the right column.",
        action="column_rejected",
    ),
    "free_text_dropped": MessageSpec(
        "info",
        "Spalte '{header}' ist Freitext ({value} Antworten) und wird zum Schutz der Befragten nicht übernommen; "
        "mit --keep-free-text bleibt sie erhalten.",
        "Column '{header}' is free text ({value} answers) and is not taken over to protect respondents; "
        "--keep-free-text keeps it.",
        action="kept",
    ),
    "scale_rescaled": MessageSpec(
        "info",
        "Spalte '{header}' ({value}) hat eine eigene Skala und wird nach der POMP-Regel auf die Skala des "
        "Instruments umgerechnet und auf ganze Codes gerundet: {detail}.",
        "Column '{header}' ({value}) has a scale of its own and is rescaled onto the instrument's scale by the "
        "POMP rule, rounded to whole codes: {detail}.",
        action="kept",
    ),
    "value_close_label": MessageSpec(
        "error",
        "Antwort '{value}' ist keine Antwortmöglichkeit. Meinten Sie '{detail}'? Die Zelle wird als ungültig "
        "(fehlend) übernommen; falls ja, in der Zuordnung (Blatt Antworten oder 'values') eintragen.",
        "Answer '{value}' is not an answer option. Did you mean '{detail}'? The cell is taken over as invalid "
        "(missing); if so, add it to the mapping (sheet Antworten or 'values').",
        action="cell_rejected",
    ),
    "no_valid_answers": MessageSpec(
        "warning",
        "Die Zeile enthält keine gültige Antwort (nur 'weiß nicht', 'keine Angabe' oder ungültige Werte). Sie "
        "wird übernommen und zählt als Teilnahme, geht aber in keinen Mittelwert ein.",
        "The row holds no valid answer (only 'don't know', 'no answer' or invalid values). It is kept and counts "
        "as a participation but enters no mean.",
        action="kept",
    ),
    # ---------------------------------------------------------------- odd inputs (issue 13)
    "input_hidden": MessageSpec(
        "warning",
        "Versteckte Datei (ihr Name oder Ordner beginnt mit einem Punkt) wird nicht gelesen. Falls sie Antworten "
        "enthält: ohne Punkt am Anfang umbenennen und erneut importieren.",
        "Hidden file (its name or folder starts with a dot) is not read. If it holds answers: rename it without "
        "the leading dot and import again.",
        action="file_rejected",
    ),
    "input_symlink": MessageSpec(
        "warning",
        "Verknüpfung (Symlink), die aus dem Eingabeordner hinaus oder ins Leere zeigt, wird nicht gelesen (ihr "
        "Ziel wird nicht geöffnet). Falls die Datei dazugehört: sie selbst in den Ordner kopieren.",
        "Link (symlink) pointing out of the input folder or nowhere is not read (its target is not opened). If "
        "the file belongs to the delivery: copy the file itself into the folder.",
        action="file_rejected",
    ),
    "input_output_folder": MessageSpec(
        "info",
        "Der Ordner ist eine Ausgabe von baustein-eval ({detail}) und wird nicht als Eingabe gelesen.",
        "The folder is an output of baustein-eval ({detail}) and is not read as input.",
        action="kept",
    ),
    "hidden_sheet_data": MessageSpec(
        "warning",
        "Ausgeblendetes Tabellenblatt mit {value} gefüllten Zeilen, aber ohne Antwortspalten; es wird nicht "
        "gelesen. Bitte prüfen, ob dort Daten stehen, die dazugehören (in Excel: Blatt einblenden).",
        "Hidden sheet with {value} filled rows but no answer columns; it is not read. Please check whether it "
        "holds data that belongs to the delivery (in Excel: unhide the sheet).",
        action="kept",
    ),
    "answer_sheet_not_read": MessageSpec(
        "error",
        "Diese Antwortzeile steht in einem weiteren Blatt; gelesen wird nur das Antwortblatt '{detail}'. Sie wird "
        "nicht übernommen (aber gezählt). Falls es eigene Antworten sind: das Blatt als eigene Datei liefern.",
        "This answer row is on a further sheet; only the answer sheet '{detail}' is read. It is not taken over "
        "(but counted). If these are separate answers: deliver the sheet as a file of its own.",
        action="row_rejected",
    ),
    "ags_normalised": MessageSpec(
        "warning",
        "Der Gemeindeschlüssel '{value}' enthielt andere Ziffern oder unsichtbare Zeichen (z. B. breite oder "
        "arabisch-indische Ziffern, ein Null-Breiten-Leerzeichen) und wurde als {detail} gelesen. Bitte in der "
        "Datei korrigieren.",
        "Municipality key '{value}' contained other digits or invisible characters (e.g. fullwidth or "
        "Arabic-Indic digits, a zero-width space) and was read as {detail}. Please correct it in the file.",
        action="kept",
    ),
    "wave_invalid": MessageSpec(
        "error",
        "'{value}' ist keine gültige Befragungswelle (erlaubt z. B.: {detail}); die Zeile wird nicht übernommen. "
        "Bitte die Welle in der Datei korrigieren.",
        "'{value}' is not a valid survey wave (allowed e.g.: {detail}); the row is not taken over. Please "
        "correct the wave in the file.",
        action="row_rejected",
    ),
    "wave_option_invalid": MessageSpec(
        "error",
        "--wave '{value}' ist keine gültige Befragungswelle (erlaubt z. B.: {detail}).",
        "--wave '{value}' is not a valid survey wave (allowed e.g.: {detail}).",
        hint_de="Bitte eine Welle in dieser Form angeben.", hint_en="Please give a wave of this form.",
    ),
    "content_duplicate": MessageSpec(
        "error",
        "Die Zeile hat denselben Inhalt wie Zeile {value} in '{detail}' (z. B. eine erneut gespeicherte Kopie "
        "der Datei) und zählt nur einmal. Nichts zu tun, falls sie doppelt geliefert wurde; sonst bitte prüfen.",
        "The row has the same content as row {value} in '{detail}' (e.g. a re-saved copy of the file) and "
        "counts once. Nothing to do if it was delivered twice; otherwise please check.",
        action="row_rejected",
    ),
    "encoding_line": MessageSpec(
        "warning",
        "Diese Zeile ist nicht UTF-8-kodiert (der Rest der Datei schon) und wurde als Windows-1252 gelesen; "
        "bitte Umlaute und Sonderzeichen in dieser Zeile prüfen.",
        "This line is not UTF-8 encoded (the rest of the file is) and was read as Windows-1252; please check "
        "umlauts and special characters on this line.",
        action="kept",
    ),
    "nul_removed": MessageSpec(
        "warning",
        "Die Zeile enthielt {value} Null-Byte(s) (NUL), die entfernt wurden; der Rest der Datei ist Text. Bitte "
        "prüfen, ob die Zeile vollständig ist.",
        "The line contained {value} null byte(s) (NUL), which were removed; the rest of the file is text. "
        "Please check that the line is complete.",
        action="kept",
    ),
})

#: One call of :meth:`FindingCollector.add`: the number of findings and each column's value, a
#: scalar (the same for all) or an array of that length.
Chunk = tuple[int, dict[str, Any]]


class FindingCollector:
    """Collects findings in column chunks; :meth:`finish` gives the rejection report.

    Every argument of :meth:`add` may be a scalar or an array of the length of ``rows``. A chunk
    is kept as plain arrays (cheap to add and to ship between processes); the table is built
    once, by :meth:`raw`.
    """

    def __init__(self) -> None:
        self._chunks: list[Chunk] = []

    def add(
        self,
        code: str,
        *,
        file: str,
        sheet: str = "",
        rows: Any = None,
        column: Any = "",
        header: Any = "",
        value: Any = "",
        detail: Any = "",
        severity: str | None = None,
        action: str | None = None,
    ) -> None:
        """Record findings of one code (one per element of ``rows``; ``rows=None`` -> one finding)."""
        spec = CODES[code]
        row = None if rows is None else np.asarray(rows, dtype="int64").reshape(-1)
        n = 1 if row is None else len(row)
        if n == 0:
            return
        self._chunks.append((n, {
            "severity": str(severity or spec.severity),
            "file": str(file),
            "sheet": str(sheet),
            "row": row,
            "column": _as_text(column, n),
            "header": _as_text(header, n),
            "value": _as_text(value, n),
            "code": code,
            "action": str(action or spec.action),
            "detail": _as_text(detail, n),
        }))

    def copy(self) -> FindingCollector:
        """A collector holding the same findings (added later to either one only)."""
        other = FindingCollector()
        other._chunks = list(self._chunks)
        return other

    def chunks(self) -> list[Chunk]:
        """The findings as recorded (raw chunks without messages; cheap to ship between processes)."""
        return list(self._chunks)

    def extend(self, chunks: Sequence[Chunk]) -> None:
        """Add the chunks of another collector (e.g. from a worker process)."""
        self._chunks.extend(c for c in chunks if c[0])

    def raw(self) -> pd.DataFrame:
        """Findings without messages: severity, file, sheet, row, column, header, value, code, action, detail."""
        if not self._chunks:
            return pd.DataFrame(columns=[*REJECTION_COLUMNS[:9], "detail"])
        data: dict[str, Any] = {}
        for name in ("severity", "file", "sheet", "row", "column", "header", "value", "code", "action", "detail"):
            if name == "row":
                vals = np.concatenate([c["row"] if c["row"] is not None else np.zeros(1, dtype=np.int64)
                                       for _, c in self._chunks])
                mask = np.concatenate([np.full(n, c["row"] is None) for n, c in self._chunks])
                data[name] = pd.arrays.IntegerArray(vals, mask)
            else:
                parts = [np.full(n, c[name], dtype=object) if isinstance(c[name], str) else c[name]
                         for n, c in self._chunks]
                data[name] = pd.Series(np.concatenate(parts), dtype="str")
        return pd.DataFrame(data)

    @staticmethod
    def finish(raw: pd.DataFrame) -> pd.DataFrame:
        """Turn raw findings into the rejection report (messages filled, sorted deterministically)."""
        if raw.empty:
            out = pd.DataFrame({c: pd.Series(dtype=object) for c in REJECTION_COLUMNS})
            out["row"] = out["row"].astype("Int64")
            return out
        raw = raw.reset_index(drop=True)
        de = pd.Series("", index=raw.index, dtype=object)
        en = pd.Series("", index=raw.index, dtype=object)
        params = raw[["value", "header", "detail"]].fillna("")
        for col, limit in (("value", 120), ("header", 120), ("detail", 4000)):  # input text: shown, never obeyed
            params[col] = _quoted(params[col], limit)
        for col in ("file", "sheet", "value", "header"):  # the report's columns: control characters visible
            raw[col] = _quoted(raw[col].fillna(""), 1 << 20)
        for code, idx in raw.groupby("code", sort=True).groups.items():
            spec = CODES[str(code)]
            de.loc[idx] = fill_templates(spec.de, params.loc[idx]).to_numpy()
            en.loc[idx] = fill_templates(spec.en, params.loc[idx]).to_numpy()
        out = raw.assign(message_de=de, message_en=en)[list(REJECTION_COLUMNS)]
        sev_order = out["severity"].map({"error": 0, "warning": 1, "info": 2}).fillna(3)
        out = (
            out.assign(_sev=sev_order, _row=out["row"].fillna(-1))
            .sort_values(["file", "sheet", "_row", "column", "code", "_sev"], kind="stable")
            .drop(columns=["_sev", "_row"])
            .reset_index(drop=True)
        )
        return out


def _quoted(col: pd.Series, limit: int) -> np.ndarray:
    """:func:`core.problems.quote_input` of every cell, computed once per distinct value."""
    codes, uniques = pd.factorize(col.astype(str))
    quoted = np.array([quote_input(u, limit) for u in uniques], dtype=object)
    return quoted[codes] if len(uniques) else col.to_numpy(dtype=object)


def _as_text(value: Any, n: int) -> Any:
    if isinstance(value, (pd.Series, np.ndarray, list, tuple, pd.Index, pd.api.extensions.ExtensionArray)):
        s = pd.Series(value, dtype=object).reset_index(drop=True)
        return s.where(s.notna(), "").astype(str).to_numpy(dtype=object)
    return "" if value is None else str(value)
