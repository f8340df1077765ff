"""The catalogue of report messages: errors that stop a report build and notes on what it left out.

Each entry is a :class:`core.problems.MessageSpec` (German and English text, a hint what to do);
errors are raised as :class:`core.errors.ReportError` carrying the located problem
(:func:`report_error`), notes are rendered in the report language (:func:`note`).

>>> str(report_error("unknown_ags", ags="01234567", known="08111000"))[:30]
'Unbekannte AGS: 01234567. Beka'
"""

from __future__ import annotations

from typing import Any

from core.errors import InternalError, ReportError
from core.problems import Catalogue, Location, MessageSpec

__all__ = ["MESSAGES", "internal_error", "note", "report_error"]

_CHROMIUM_HINT = ("Chromium installieren (Debian/Ubuntu: apt-get install chromium) oder ohne PDF bauen (--no-pdf).",
                  "Install Chromium (Debian/Ubuntu: apt-get install chromium) or build without PDF (--no-pdf).")

MESSAGES = Catalogue("report", {
    "notebooks_missing": MessageSpec(
        "error", "Notebook-Ordner nicht gefunden: {folder}.", "Notebook folder not found: {folder}.",
        hint_de="Aus dem Projektordner installieren (pip install -e .) oder BAUSTEIN_NOTEBOOKS setzen.",
        hint_en="Install from the project folder (pip install -e .) or set BAUSTEIN_NOTEBOOKS."),
    "notebook_failed": MessageSpec(
        "error", "Das Notebook {name} konnte nicht ausgeführt werden ({error}). Vollständige Meldung: {log}",
        "The notebook {name} could not be run ({error}). Full traceback: {log}",
        hint_de="Das ist ein Fehler in baustein-eval, nicht in Ihren Daten: bitte die Datei melden; "
                "der Berichtsordner bleibt unverändert.",
        hint_en="This is a bug in baustein-eval, not in your data: please report the file; the report "
                "folder is unchanged."),
    "report_failed": MessageSpec(
        "error", "Der Bericht konnte nicht erstellt werden ({error}). Vollständige Meldung: {log}",
        "The report could not be built ({error}). Full traceback: {log}",
        hint_de="Das ist ein Fehler in baustein-eval, nicht in Ihren Daten: bitte die Datei melden; "
                "der Berichtsordner bleibt unverändert.",
        hint_en="This is a bug in baustein-eval, not in your data: please report the file; the report "
                "folder is unchanged."),
    "unknown_ags": MessageSpec(
        "error", "Unbekannte AGS: {ags}. Bekannt sind z. B.: {known}.", "Unknown AGS: {ags}. Known are e.g. {known}.",
        hint_de="Die AGS (8 Ziffern) aus dem Blatt 'Kommunen' bzw. der Übersicht (index.html) nehmen.",
        hint_en="Take the AGS (8 digits) from the 'Kommunen' sheet or the overview (index.html)."),
    "no_profile": MessageSpec(
        "error", "Keine Kommune hat genügend Antworten für ein Profil (Mindestzahl {min_n}).",
        "No municipality has enough answers for a profile (minimum {min_n}).",
        hint_de="Mehr Antworten importieren oder die Mindestzahl bewusst senken (--min-n).",
        hint_en="Import more answers or lower the minimum deliberately (--min-n)."),
    "chromium_missing": MessageSpec(
        "error", "Für PDF-Dateien wird Chromium gebraucht; es ist nicht installiert.",
        "PDF files need Chromium, which is not installed.", hint_de=_CHROMIUM_HINT[0], hint_en=_CHROMIUM_HINT[1]),
    "print_failed": MessageSpec(
        "error", "Die Seite {page} konnte nicht als PDF gedruckt werden: {detail}",
        "The page {page} could not be printed to PDF: {detail}",
        hint_de="Prüfen, ob die Seite im Browser öffnet; mit --no-pdf ohne PDF bauen.",
        hint_en="Check that the page opens in a browser; build without PDF with --no-pdf."),
    "charts_no_chromium": MessageSpec(
        "info", "Ohne Chromium keine Grafiken als Bild (PNG/PDF) und keine Grafiken in den Word-Dateien.",
        "Without Chromium no charts as images (PNG/PDF) and no charts in the Word files.",
        hint_de=_CHROMIUM_HINT[0], hint_en=_CHROMIUM_HINT[1]),
    "charts_failed": MessageSpec(
        "warning", "Grafiken als Bild wurden nicht erzeugt: {detail}", "Charts as images were not made: {detail}",
        hint_de="Die HTML-Berichte sind vollständig; für Bilder Chromium prüfen.",
        hint_en="The HTML reports are complete; check Chromium for images."),
    "charts_made": MessageSpec(
        "info", "PNG (für Word/PowerPoint) und PDF, erzeugt mit kaleido und Chromium.",
        "PNG (for Word/PowerPoint) and PDF, made with kaleido and Chromium."),
})


def report_error(code: str, **params: Any) -> ReportError:
    """A :class:`ReportError` with the catalogue entry ``code`` (raise it)."""
    return ReportError(problem=MESSAGES.problem(code, Location(), **params))


def internal_error(code: str, **params: Any) -> InternalError:
    """An :class:`InternalError` (exit code 3) with the catalogue entry ``code`` (raise it)."""
    return InternalError(problem=MESSAGES.problem(code, Location(), **params))


def note(code: str, lang: str = "de", **params: Any) -> str:
    """The text of a note in ``lang``, with its hint."""
    p = MESSAGES.problem(code, **params)
    return " ".join(t for t in (p.message(lang), p.hint(lang)) if t)
