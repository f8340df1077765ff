"""Read a Baustein document (.txt, .md, .docx, .pdf) and draft a survey instrument from it.

The Bausteine of the "Sorgende Gemeinschaften" series share one structure::

    BAUSTEIN: <Titel>
    Kurzbeschreibung                       (prose)
    Warum ist … wichtig?                   (optional lead-in line, then bullets)
    Empfehlungen für die Praxis
        Für die Zivilgesellschaft          (bullets)
        Für die Kommune                    (bullets)
    Reflexion & Erfahrungen                (bullets)
    Ergebnis                               (prose)

:func:`read_document` turns a file into plain text, :func:`parse_baustein` finds the sections and
their statements, and :func:`draft_from_document` builds a draft :class:`~surveys.instrument.Instrument`
(one construct per statement section, one item per statement) for a reviewer to edit in Excel.

Example
-------
>>> from surveys.baustein_reader import parse_baustein
>>> doc = parse_baustein('''BAUSTEIN: Beispiel
... Reflexion & Erfahrungen
... • Vertrauen wächst durch gemein-
... Seite 2 von 2
... same Erfolge.
... ''')
>>> doc.title, doc.kinds, doc.sections[0].statements, doc.dropped
('Beispiel', ('reflexion',), ('Vertrauen wächst durch gemeinsame Erfolge.',), ('Seite 2 von 2',))

Parsing rules
-------------
The text usually comes out of a PDF, so the parser is line based and treats blank lines as noise.

* **Normalisation.** Unicode NFC, ligatures (ﬁ, ﬂ …) expanded, soft hyphens and zero-width spaces
  removed, non-breaking spaces and tabs become spaces, runs of spaces collapse. In Markdown,
  ``**bold**``/``__bold__``/``*italic*`` markers (not a gender star "Bürger*innen") and link
  targets (``[text](url)``) are removed; a line that is entirely bold counts as a heading.
* **Page-break artefacts** are dropped (and listed in :attr:`BausteinDocument.dropped`): form feeds,
  page numbers on a line of their own (``3``, ``- 3 -``, ``Seite 3``, ``Seite 3 von 5``, ``3/5``,
  ``Page 3 of 5``), and running headers/footers, i.e. lines that repeat (digits ignored) and either
  stand next to a page break / page number / document edge, name a page ("… Seite 2"), or occur
  three or more times, and do not end in punctuation. A line starting with "BAUSTEIN:" (or
  "Baustein – ") is the title and is kept once.
* **Headings** are recognised by their wording, ignoring case, Markdown ``#``/``**``, a leading
  section number ("2.", "3.1"), a trailing colon and "und" vs "&": ``Kurzbeschreibung``;
  ``Warum …?`` (the question mark may be missing only for an explicit heading or with a colon; a
  question wrapped over two lines is joined); ``(Handlungs-)Empfehlungen (für die Praxis)``;
  ``Für (die) Zivilgesellschaft``; ``Für (die) Kommune(n)``; inside *Empfehlungen* any other short
  ``Für …`` line directly followed by a bullet (another audience, kind ``empfehlungen_andere``);
  ``Reflexion(en) (& Erfahrungen)`` / ``Erfahrungen & Reflexion``; ``Ergebnis(se)``. Other headings
  are recognised when they are explicit (Markdown ``#``, a line that is entirely bold, or a Word
  heading style) or, in plain text, when a short capitalised line without final punctuation stands
  between a finished statement/sentence and a bullet starting with a capital ("Praxisbeispiel");
  they give sections of kind ``other``, whose bullets are kept but not drafted as items.
* **Bullets** start with ``•``, ``·``, ``▪``, ``●``, ``◦``, ``-``, ``–``, ``—``, ``*``, ``+`` or a
  number/letter: ``1.``, ``2)``, ``(3)``, ``a)``. A number or letter counts only as the first of a
  list (1 / a) or the successor of the previous one, so a wrapped line "3. Oktober …" is not a
  bullet. In prose (Kurzbeschreibung, Ergebnis, after a list) a dash line after a long line
  (≥ 50 characters, not ending in ":") continues it ("… nicht allein" / "– sondern …" wrapped);
  before the first bullet of a statement section it is a bullet after a lead-in. A marker alone
  on a line (PDF bullets often come out so, sometimes as "\\x7f") takes the next line as its text.
* **Wrapped lines.** A line that is not a heading or bullet continues the current bullet. It
  starts new prose after the list instead only if the bullet already ends a sentence (".", "!",
  "?", not an abbreviation such as "z.B.") *and* the line starts with a capital letter or digit.
* **Dehyphenation** when two lines are joined: a line ending in letter + "-" followed by a line
  starting with a lowercase letter is a word split by the typesetter; the hyphen is removed
  ("Ver-" + "antwortung" → "Verantwortung"). Followed by an uppercase letter or digit the hyphen is
  a real one and kept without space ("Baden-" + "Württemberg" → "Baden-Württemberg", "E-" + "Mail"
  → "E-Mail"). Followed by "und", "oder", "bzw.", "sowie" it is a suspended compound and kept with
  a space ("Kranken-" + "und Altenpflege" → "Kranken- und Altenpflege"). Hyphens inside a line
  ("Bürgermeister/in", "Baden-Württemberg") are never touched. A line ending in "/" is joined
  without space ("Bürger/" + "innen").
* **Statements** are the bullets of a section, verbatim apart from the above: marker removed,
  whitespace collapsed, dehyphenated, trailing punctuation ("," or ".") kept as found.
* **Intro and outro.** Prose before the first bullet is the section's ``intro`` (paragraphs split
  after a line ending in ".", "!", "?" or ":"); an unfinished last sentence of it (e.g.
  "Kommunale Unterstützung") is the ``lead_in`` that completes each bullet starting in lowercase.
  Prose after the list is the ``outro``.
* **Prose sections.** *Ergebnis* and *Reflexion* without bullets get their statements from the
  prose by :func:`split_claims`: one claim per sentence, and a sentence of the form "<Nebensatz>,
  <Verb> A, B und C." (a subordinate clause first, then an enumeration of three or more) gives one
  claim per member, "<Nebensatz>, <Verb> A." etc. — each part verbatim. All other sentences stay
  whole; nothing else is split.
"""

from __future__ import annotations

import re
import unicodedata
from collections import Counter
from dataclasses import dataclass
from dataclasses import field as dataclass_field
from pathlib import Path

from core.errors import InstrumentError

from .instrument import Construct, Instrument, Item

__all__ = [
    "EN_PLACEHOLDER",
    "REQUIRED_KINDS",
    "SECTION_KINDS",
    "SECTION_ROLES",
    "STATEMENT_KINDS",
    "BausteinDocument",
    "BausteinDocumentError",
    "BausteinSection",
    "BausteinStructureError",
    "clean_item_wording",
    "draft_from_document",
    "draft_instrument",
    "parse_baustein",
    "read_document",
    "split_claims",
]

#: Section kinds, in the order of the series.
SECTION_KINDS = (
    "kurzbeschreibung",
    "warum",
    "empfehlungen",
    "empfehlungen_zivilgesellschaft",
    "empfehlungen_kommune",
    "empfehlungen_andere",
    "reflexion",
    "ergebnis",
    "other",
)
#: Kinds whose statements become items of the draft instrument.
STATEMENT_KINDS = (
    "warum",
    "empfehlungen",
    "empfehlungen_zivilgesellschaft",
    "empfehlungen_kommune",
    "empfehlungen_andere",
    "reflexion",
    "ergebnis",
)
#: Kinds :func:`draft_from_document` insists on by default (the structure of the series).
REQUIRED_KINDS = ("warum", "empfehlungen_zivilgesellschaft", "empfehlungen_kommune", "reflexion", "ergebnis")
#: Prefix of English labels still to be translated by the reviewer (the draft has no translations).
EN_PLACEHOLDER = "[EN: to translate] "

SUPPORTED_SUFFIXES = (".txt", ".md", ".markdown", ".docx", ".pdf")
MAX_FILE_BYTES = 50 * 1024 * 1024

_KIND_NAMES = {
    "kurzbeschreibung": "Kurzbeschreibung",
    "warum": "Warum …?",
    "empfehlungen": "Empfehlungen für die Praxis",
    "empfehlungen_zivilgesellschaft": "Für die Zivilgesellschaft",
    "empfehlungen_kommune": "Für die Kommune",
    "empfehlungen_andere": "Für … (weitere Zielgruppe)",
    "reflexion": "Reflexion & Erfahrungen",
    "ergebnis": "Ergebnis",
    "other": "(anderer Abschnitt)",
}


# ====================================================================== errors
class BausteinDocumentError(InstrumentError):
    """A Baustein document cannot be read (missing, unsupported format, damaged, no text)."""

    def __init__(self, message: str, path: str | None = None):
        super().__init__(message)
        self.path = path


class BausteinStructureError(InstrumentError):
    """A Baustein document lacks expected sections or statements.

    ``missing`` lists the missing section names, ``found`` the headings that were found.
    """

    def __init__(self, message: str, missing: tuple[str, ...] = (), found: tuple[str, ...] = ()):
        super().__init__(message)
        self.missing = missing
        self.found = found


# ====================================================================== model
@dataclass(frozen=True)
class BausteinSection:
    """One section of a Baustein.

    Attributes
    ----------
    heading : str
        The heading as found (markers, numbering and trailing colon removed).
    kind : str
        One of :data:`SECTION_KINDS`.
    intro : str
        Prose before the first bullet; paragraphs separated by ``"\\n"``.
    statements : tuple of str
        The bullets, verbatim (dehyphenated, joined, marker removed); for a prose *Ergebnis* or
        *Reflexion* the claims of its intro (see :func:`split_claims`).
    parent : str
        Heading of the enclosing section (``"Empfehlungen für die Praxis"`` for the audiences).
    outro : str
        Prose after the bullets.
    """

    heading: str
    kind: str
    intro: str = ""
    statements: tuple[str, ...] = ()
    parent: str = ""
    outro: str = ""

    @property
    def source_section(self) -> str:
        """Section name for traceability, e.g. ``"Empfehlungen für die Praxis — Für die Kommune"``."""
        return f"{self.parent} — {self.heading}" if self.parent else self.heading

    @property
    def lead_in(self) -> str:
        """The unfinished last sentence of the intro that each lowercase bullet completes, or ``""``.

        ``"Kommunale Unterstützung"`` + ``"schafft Verbindlichkeit …"``. A trailing colon is
        dropped; an intro whose last sentence is finished (".", "!", "?") has no lead-in.
        """
        if not self.intro or re.search(r"[.!?]$", self.intro):
            return ""
        last = self.intro.split("\n")[-1]
        parts = re.split(r"(?<=[.!?])\s+(?=[A-ZÄÖÜ])", last)
        return parts[-1].rstrip(" :").strip()


@dataclass(frozen=True)
class BausteinDocument:
    """A parsed Baustein: title, sections in document order, and what was dropped as artefact."""

    title: str
    sections: tuple[BausteinSection, ...]
    preamble: str = ""
    dropped: tuple[str, ...] = ()

    @property
    def kinds(self) -> tuple[str, ...]:
        return tuple(s.kind for s in self.sections)

    @property
    def statement_sections(self) -> tuple[BausteinSection, ...]:
        """Sections whose statements become items (kinds in :data:`STATEMENT_KINDS`, non-empty)."""
        return tuple(s for s in self.sections if s.kind in STATEMENT_KINDS and s.statements)

    def section(self, kind: str) -> BausteinSection:
        """The first section of ``kind``; :class:`BausteinStructureError` if there is none."""
        for s in self.sections:
            if s.kind == kind:
                return s
        self.require((kind,))
        raise AssertionError("unreachable")  # pragma: no cover

    def statements(self, kind: str) -> tuple[str, ...]:
        """Statements of the first section of ``kind``."""
        return self.section(kind).statements

    def require(self, kinds: tuple[str, ...] = REQUIRED_KINDS) -> None:
        """Raise :class:`BausteinStructureError` unless every kind is present and has statements."""
        found = tuple(s.source_section for s in self.sections)
        found_txt = "; ".join(found) if found else "keine / none"
        missing = tuple(_KIND_NAMES.get(k, k) for k in kinds if k not in self.kinds)
        if missing:
            names = ", ".join(f"'{m}'" for m in missing)
            raise BausteinStructureError(
                f"Abschnitt {names} nicht gefunden / no section {names} found; "
                f"gefundene Abschnitte / sections found: {found_txt}",
                missing=missing,
                found=found,
            )
        empty = tuple(s.source_section for s in self.sections if s.kind in kinds and not s.statements)
        if empty:
            names = ", ".join(f"'{m}'" for m in empty)
            raise BausteinStructureError(
                f"Abschnitt {names} enthält keine Aussagen (keine Aufzählungspunkte gefunden) / "
                f"section {names} has no statements (no bullets found); "
                f"gefundene Abschnitte / sections found: {found_txt}",
                missing=empty,
                found=found,
            )


# ====================================================================== reading files
def read_document(path: str | Path) -> str:
    """Return the text of a Baustein document.

    Parameters
    ----------
    path : str or Path
        A ``.txt``/``.md`` file (UTF-8, or Windows-1252 as a fallback), a Word ``.docx`` or a
        ``.pdf`` with a text layer.

    Returns
    -------
    str
        Plain text, one line per line (PDF) or paragraph (Word). Word headings come out as
        Markdown headings (``"## Für die Kommune"``) and list paragraphs (list styles such as
        "List Bullet"/"Listenabsatz", or Word numbering) as ``"• …"`` bullets; PDF pages are
        separated by form feeds. Pass the result to :func:`parse_baustein`.

    Raises
    ------
    BausteinDocumentError
        If the file is missing, too large, of an unsupported type, damaged or has no text.
    """
    p = Path(path)
    if not p.is_file():
        raise BausteinDocumentError(f"Datei nicht gefunden / file not found: {p}", str(p))
    suffix = p.suffix.lower()
    if suffix not in SUPPORTED_SUFFIXES:
        hint = (
            " Bitte in Word als .docx oder als PDF speichern / please save it as .docx or PDF."
            if suffix in {".doc", ".odt", ".rtf", ".pages"}
            else ""
        )
        raise BausteinDocumentError(
            f"Dateityp '{suffix or '(keiner)'}' wird nicht unterstützt; möglich sind "
            f"{', '.join(SUPPORTED_SUFFIXES)} / unsupported file type '{suffix}': {p.name}.{hint}",
            str(p),
        )
    if p.stat().st_size > MAX_FILE_BYTES:
        raise BausteinDocumentError(
            f"Datei zu groß (> {MAX_FILE_BYTES // 2**20} MB) / file too large: {p.name}", str(p)
        )
    if suffix == ".docx":
        text = _read_docx(p)
    elif suffix == ".pdf":
        text = _read_pdf(p)
    else:
        raw = p.read_bytes()
        try:
            text = raw.decode("utf-8-sig")
        except UnicodeDecodeError:
            text = raw.decode("cp1252", errors="replace")
    if not text.strip():
        raise BausteinDocumentError(
            f"Die Datei enthält keinen Text / the file contains no text: {p.name}", str(p)
        )
    return text


def _read_docx(p: Path) -> str:
    try:
        import docx
        from docx.table import Table
        from docx.text.paragraph import Paragraph
    except ImportError as exc:  # pragma: no cover - dependency of the package
        raise BausteinDocumentError("python-docx ist nicht installiert / is not installed") from exc
    try:
        document = docx.Document(str(p))
    except Exception as exc:  # python-docx raises several unrelated types for damaged files
        raise BausteinDocumentError(
            f"Word-Datei nicht lesbar (beschädigt oder kein .docx?) / cannot read Word file "
            f"(damaged or not a .docx?): {p.name}: {exc}",
            str(p),
        ) from exc

    lines: list[str] = []

    def emit(par: Paragraph) -> None:
        text = par.text.strip()
        if not text:
            return
        style = (par.style.name if par.style is not None else "") or ""
        low = style.lower()
        level = re.search(r"(?:heading|überschrift)\s*(\d)", low)
        if level or low in {"title", "titel"}:
            hashes = "#" * (int(level.group(1)) if level else 1)
            lines.append(f"{hashes} {' '.join(text.split())}")
            return
        ppr = par._p.pPr
        is_list = low.startswith(("list", "liste", "aufzählung")) or (
            ppr is not None and ppr.numPr is not None
        )
        if is_list:
            lines.append("• " + " ".join(text.split()))  # one list paragraph = one bullet
        else:
            lines.extend(text.split("\n"))

    body = document.element.body
    for child in body.iterchildren():
        tag = child.tag.rsplit("}", 1)[-1]
        if tag == "p":
            emit(Paragraph(child, document))
        elif tag == "tbl":
            for row in Table(child, document).rows:
                for cell in row.cells:
                    for par in cell.paragraphs:
                        emit(par)
    return "\n".join(lines)


def _read_pdf(p: Path) -> str:
    try:
        from pypdf import PdfReader
        from pypdf.errors import PdfReadError
    except ImportError as exc:  # pragma: no cover - dependency of the package
        raise BausteinDocumentError("pypdf ist nicht installiert / is not installed") from exc
    try:
        reader = PdfReader(str(p))
        if reader.is_encrypted and not reader.decrypt(""):
            raise BausteinDocumentError(
                f"PDF ist passwortgeschützt / PDF is password-protected: {p.name}", str(p)
            )
        pages = [page.extract_text() or "" for page in reader.pages]
    except BausteinDocumentError:
        raise
    except (PdfReadError, OSError, ValueError, KeyError) as exc:
        raise BausteinDocumentError(
            f"PDF nicht lesbar (beschädigt?) / cannot read PDF (damaged?): {p.name}: {exc}", str(p)
        ) from exc
    if not any(t.strip() for t in pages):
        raise BausteinDocumentError(
            f"Das PDF enthält keinen Text (eingescannt? Bitte Texterkennung/OCR verwenden) / "
            f"the PDF has no text layer (scanned? please run OCR first): {p.name}",
            str(p),
        )
    return "\n\f\n".join(pages)


# ====================================================================== text clean-up
_LIGATURES = {"ﬀ": "ff", "ﬁ": "fi", "ﬂ": "fl", "ﬃ": "ffi", "ﬄ": "ffl", "ﬅ": "st", "ﬆ": "st"}
_PAGE_NUMBER = re.compile(
    r"^(?:[-–—]\s*)?(?:(?:seite|page|s\.)\s*)?\d{1,3}(?:\s*(?:von|of|/)\s*\d{1,3})?(?:\s*[-–—])?$",
    re.IGNORECASE,
)
_NAMES_PAGE = re.compile(r"\b(?:seite|page)\s*\d{1,3}(?:\s*(?:von|of|/)\s*\d{1,3})?\s*$", re.IGNORECASE)
_TITLE = re.compile(r"^#*\s*baustein\s*(?::|\s[–—-])\s*", re.IGNORECASE)
_PAGE = "\f"  # marker of a page break in the cleaned line list


def _normalise(text: str) -> str:
    text = unicodedata.normalize("NFC", text)
    for lig, rep in _LIGATURES.items():
        text = text.replace(lig, rep)
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    text = re.sub(r"[\u00ad\u200b\u200c\u200d\ufeff]", "", text)  # soft hyphen, zero-width
    text = re.sub(r"[\u00a0\u2007\u202f\t\v]", " ", text)
    return text.replace("\u2010", "-").replace("\u2011", "-")


def _clean_markup(line: str) -> str:
    line = re.sub(r"\[([^\]]+)\]\([^)]*\)", r"\1", line)  # [text](url) -> text
    if m := re.fullmatch(r"\s*(\*\*|__)([^*_].*?)\1\s*", line):  # a bold line is a heading
        line = "# " + m.group(2)
    line = re.sub(r"(\*\*|__)(.+?)\1", r"\2", line)  # **bold** -> bold
    line = re.sub(
        r"(?<![\w*])\*(?![\s*])(.+?)(?<![\s*])\*(?![\w*])", r"\1", line
    )  # *italic*, not Bürger*innen
    return " ".join(line.split())


def _is_page_number(line: str) -> bool:
    return bool(_PAGE_NUMBER.match(line))


def _clean_lines(text: str) -> tuple[list[str], list[str], int | None]:
    """Content lines (no blanks, no artefacts), dropped artefacts, index of the title line."""
    raw: list[str] = []
    for line in _normalise(text).split("\n"):
        parts = line.split("\f")
        for k, part in enumerate(parts):
            if k:
                raw.append(_PAGE)
            if re.fullmatch(r"\s*([-*_]\s*){3,}", part):  # Markdown rule, not content
                continue
            part = _clean_markup(part)
            if part:
                raw.append(part)

    dropped: list[str] = []
    lines: list[str] = []  # content lines and _PAGE markers
    for line in raw:
        if line == _PAGE:
            lines.append(_PAGE)
        elif _is_page_number(line):
            dropped.append(line)
            lines.append(_PAGE)
        else:
            lines.append(line)

    content_idx = [i for i, ln in enumerate(lines) if ln != _PAGE]
    title_idx = next(
        (i for i in content_idx[:10] if _TITLE.match(lines[i])),
        None,
    )

    def key(line: str) -> str:
        return re.sub(r"\d+", "#", line.casefold())

    counts = Counter(key(lines[i]) for i in content_idx)
    near_break: set[str] = set()
    for pos, i in enumerate(content_idx):
        before = content_idx[pos - 2 : pos] if pos >= 2 else content_idx[:pos]
        window_lo = before[0] if before else -1
        after = content_idx[pos + 1 : pos + 3]
        window_hi = after[-1] if after else len(lines)
        edge = pos < 2 or pos >= len(content_idx) - 2
        if edge or any(lines[j] == _PAGE for j in range(window_lo + 1, window_hi)):
            near_break.add(key(lines[i]))

    def is_header(line: str) -> bool:
        k = key(line)
        if counts[k] < 2 or _bullet(line) is not None or _heading_kind(line, in_empfehlungen=False):
            return False
        if re.search(r"[.,;:!?-]$", line):  # a running header is no sentence or wrapped line
            return False
        return (
            k in near_break or bool(_NAMES_PAGE.search(line)) or (counts[k] >= 3 and len(line.split()) >= 2)
        )

    out: list[str] = []
    new_title: int | None = None
    for i, line in enumerate(lines):
        if line == _PAGE:
            continue
        if i != title_idx and is_header(line):
            dropped.append(line)
            continue
        if i == title_idx:
            new_title = len(out)
        out.append(line)
    return out, dropped, new_title


# ====================================================================== headings and bullets
def _heading_parts(line: str) -> tuple[str, bool, bool]:
    """(cleaned heading text, explicit marker?, had colon?)."""
    explicit = line.startswith("#")
    text = line.lstrip("#").strip()
    text = re.sub(r"^\d+(?:\.\d+)*\.?\s+(?=[A-Za-zÄÖÜäöü])", "", text)
    colon = text.endswith(":")
    return text.rstrip(":").strip(), explicit, colon


def _heading_kind(line: str, in_empfehlungen: bool, next_is_bullet: bool = False) -> str | None:
    """The kind of a heading line, or None if the line is no heading."""
    text, explicit, colon = _heading_parts(line)
    if not text:
        return None
    k = " ".join(text.casefold().replace("&", " und ").split())
    words = k.split()
    if re.fullmatch(r"kurzbeschreibung(?: des bausteins)?", k):
        return "kurzbeschreibung"
    if words[0] == "warum" and len(words) <= 14 and (k.endswith("?") or explicit or colon):
        return "warum"
    if re.fullmatch(r"(?:handlungs)?empfehlungen(?: für (?:die )?praxis)?", k):
        return "empfehlungen"
    if re.fullmatch(r"für (?:die )?zivilgesellschaft(?: \(.*\))?", k):
        return "empfehlungen_zivilgesellschaft"
    if re.fullmatch(r"für (?:die )?kommunen?(?: \(.*\))?", k):
        return "empfehlungen_kommune"
    if re.fullmatch(r"reflexion(?:en)?(?: und erfahrungen)?|erfahrungen und reflexion(?:en)?", k):
        return "reflexion"
    if re.fullmatch(r"ergebnis(?:se)?", k):
        return "ergebnis"
    if (
        in_empfehlungen
        and words[0] == "für"
        and 2 <= len(words) <= 5
        and (next_is_bullet or explicit)
        and not re.search(r"[.,;!?]$", k)
    ):
        return "empfehlungen_andere"
    if explicit:
        return "other"
    return None


# "\x7f"/"\x95" and private-use glyphs (Symbol/Wingdings fonts) are what PDF text extraction
# returns for the bullet of some fonts.
_SYMBOL_BULLET = re.compile(r"^([•·▪●◦○■□➢➤►‣⁃∙\x7f\x95\uf0a7\uf0b7\uf076\uf0d8\uf0fc])\s*(.*)$")
_DASH_BULLET = re.compile(r"^([-–—*+])(?:\s+(.*)|$)")
_NUMBER_BULLET = re.compile(r"^\(?(\d{1,2})[.)](?:\s+(.*)|$)")
_LETTER_BULLET = re.compile(r"^\(?([a-z])\)(?:\s+(.*)|$)")


def _bullet(line: str) -> tuple[str, str, int | None] | None:
    """(marker type, text, ordinal) if the line starts with a bullet marker."""
    if m := _SYMBOL_BULLET.match(line):
        return "symbol", m.group(2) or "", None
    if m := _DASH_BULLET.match(line):
        return ("dash" if m.group(1) in "-–—" else "symbol"), m.group(2) or "", None
    if m := _NUMBER_BULLET.match(line):
        return "number", m.group(2) or "", int(m.group(1))
    if m := _LETTER_BULLET.match(line):
        return "letter", m.group(2) or "", ord(m.group(1)) - ord("a") + 1
    return None


_ABBREVIATIONS = {
    "z.b.", "b.", "bzw.", "u.a.", "a.", "d.h.", "h.", "ca.", "vgl.", "ggf.", "usw.", "etc.",
    "evtl.", "inkl.", "nr.", "s.", "u.", "o.ä.", "ä.", "dr.", "bspw.", "z.t.", "t.", "sog.",
}  # fmt: skip


def _ends_sentence(text: str) -> bool:
    if not re.search(r"[.!?][\"“”»«)]?$", text):
        return False
    last = text.split()[-1].casefold() if text.split() else ""
    # not after "z.B.", "bzw.", a single letter ("z. B.") or an ordinal ("3.")
    return last not in _ABBREVIATIONS and not re.fullmatch(r"\(?(\d+|[^\W\d_])\.", last)


def _join(left: str, right: str) -> str:
    """Join two lines of one paragraph/bullet, dehyphenating (see module docstring)."""
    if not left:
        return right
    if re.search(r"[A-Za-zÄÖÜäöüß]-$", left):
        first = right.split()[0] if right.split() else ""
        if first in {"und", "oder", "bzw.", "sowie"}:
            return f"{left} {right}"
        if right[:1].islower():
            return left[:-1] + right
        return left + right
    if left.endswith("/"):
        return left + right
    return f"{left} {right}"


# ====================================================================== parsing
@dataclass
class _Builder:
    heading: str
    kind: str
    parent: str = ""
    intro: list[str] = dataclass_field(default_factory=list)
    bullets: list[str] = dataclass_field(default_factory=list)
    outro: list[str] = dataclass_field(default_factory=list)
    last_ordinal: tuple[str, int] | None = None
    in_outro: bool = False

    def build(self) -> BausteinSection:
        intro = _paragraphs(self.intro)
        statements = tuple(b for b in self.bullets if b)
        if not statements and self.kind in {"ergebnis", "reflexion"} and intro:
            statements = split_claims(intro)
        return BausteinSection(
            heading=self.heading,
            kind=self.kind,
            intro=intro,
            statements=statements,
            parent=self.parent,
            outro=_paragraphs(self.outro),
        )


def _paragraphs(lines: list[str]) -> str:
    paras: list[str] = []
    cur = ""
    for line in lines:
        cur = _join(cur, line)
        if _ends_sentence(cur) or cur.endswith(":"):
            paras.append(cur)
            cur = ""
    if cur:
        paras.append(cur)
    return "\n".join(paras)


def _merge_wrapped_questions(lines: list[str]) -> list[str]:
    out: list[str] = []
    i = 0
    while i < len(lines):
        line = lines[i]
        if (
            i + 1 < len(lines)
            and re.match(r"^(#+\s*)?(\d+(\.\d+)*\.?\s+)?warum\b", line, re.IGNORECASE)
            and not line.rstrip(":").endswith("?")
            and lines[i + 1].endswith("?")
            and _bullet(lines[i + 1]) is None
            and len(lines[i + 1].split()) <= 8
        ):
            out.append(_join(line, lines[i + 1].lstrip("# ")))
            i += 2
            continue
        out.append(line)
        i += 1
    return out


def _implicit_heading(line: str, prev: str, nxt: str, last_kind: str) -> bool:
    """A plain-text heading of an unknown section ("Praxisbeispiel", "Kontakt").

    A short line (at most 6 words, capitalised, no final punctuation) between a finished
    statement or sentence and a bullet that starts with a capital letter. A lead-in is not
    mistaken for one: its bullets start in lowercase, and it follows a heading.
    """
    nxt_bullet = _bullet(nxt)
    if last_kind == "heading" or nxt_bullet is None or _bullet(line) is not None:
        return False
    if not (1 <= len(line.split()) <= 6 and line[:1].isupper() and not re.search(r"[.,;:!?]$", line)):
        return False
    finished = bool(re.search(r"[.,;!?]$", prev)) if last_kind == "bullet" else _ends_sentence(prev)
    follower = nxt_bullet[1][:1]
    return finished and (follower.isupper() or follower.isdigit())


def parse_baustein(text: str) -> BausteinDocument:
    """Find title, sections and statements in the text of a Baustein.

    Parameters
    ----------
    text : str
        Text from :func:`read_document` (or any string in that form).

    Returns
    -------
    BausteinDocument
        Title (without the "BAUSTEIN:" prefix), the sections in document order, the text between
        title and first section (``preamble``) and the lines dropped as page artefacts. Missing
        sections are not an error here; see :meth:`BausteinDocument.require`.

    Notes
    -----
    The rules (headings, bullets, wrapped lines, dehyphenation, artefacts, prose claims) are
    listed in the module docstring.
    """
    lines, dropped, title_idx = _clean_lines(text)
    pre_title: list[str] = []
    if title_idx is not None:
        title_line = lines[title_idx]
        pre_title, lines = lines[:title_idx], lines[title_idx + 1 :]
    else:
        title_line = ""
        first = lines[0] if lines else ""
        if first.startswith("#") and _heading_kind(first, False) in {None, "other"}:
            title_line, lines = first, lines[1:]
    title = _TITLE.sub("", title_line).lstrip("# ").strip()
    lines = _merge_wrapped_questions(lines)

    sections: list[_Builder] = []
    preamble: list[str] = list(pre_title)
    cur: _Builder | None = None
    empfehlungen_parent = ""
    last_kind = ""  # "bullet" | "prose" | "heading"
    last_prose_line = ""

    for idx, line in enumerate(lines):
        nxt = lines[idx + 1] if idx + 1 < len(lines) else ""
        kind = _heading_kind(line, bool(empfehlungen_parent), _bullet(nxt) is not None)
        if kind is None and cur is not None and _implicit_heading(line, lines[idx - 1], nxt, last_kind):
            kind = "other"
        if kind is not None:
            heading = _heading_parts(line)[0]
            if kind.startswith("empfehlungen_"):
                parent = empfehlungen_parent
            else:
                parent = ""
                empfehlungen_parent = heading if kind == "empfehlungen" else ""
            cur = _Builder(heading=heading, kind=kind, parent=parent)
            sections.append(cur)
            last_kind = "heading"
            continue

        bullet = _bullet(line)
        if bullet is not None and cur is not None:
            mtype, _, ordinal = bullet
            if mtype in {"number", "letter"}:
                prev = cur.last_ordinal
                ok = ordinal == 1 or (prev is not None and prev == (mtype, ordinal - 1))
                if not ok:
                    bullet = None
                else:
                    cur.last_ordinal = (mtype, ordinal or 0)
            elif (
                mtype == "dash"
                and last_kind == "prose"
                and len(last_prose_line) >= 50
                and not last_prose_line.endswith(":")
                and (cur.bullets or cur.kind in {"kurzbeschreibung", "ergebnis", "other"})
            ):
                bullet = None  # a wrapped dash: "… nicht allein" / "– sondern …"
        if bullet is not None and cur is not None:
            cur.bullets.append(bullet[1])
            cur.in_outro = False
            last_kind = "bullet"
            continue

        # prose or continuation
        if cur is None:
            preamble.append(line)
            continue
        if last_kind == "bullet" and not cur.in_outro:
            prev = cur.bullets[-1]
            starts_new = _ends_sentence(prev) and (line[:1].isupper() or line[:1].isdigit())
            if not prev or not starts_new:
                cur.bullets[-1] = _join(prev, line)
                continue
            cur.in_outro = True
        if cur.bullets:
            cur.in_outro = True
            cur.outro.append(line)
        else:
            cur.intro.append(line)
        last_kind = "prose"
        last_prose_line = line

    return BausteinDocument(
        title=title,
        sections=tuple(b.build() for b in sections),
        preamble=_paragraphs(preamble),
        dropped=tuple(dropped),
    )


# ====================================================================== claims from prose
_SUBORDINATORS = {
    "wo", "wenn", "weil", "da", "sobald", "indem", "sofern", "falls", "soweit", "nachdem",
    "während", "wie", "dort", "überall", "wer", "damit", "sodass", "obwohl", "als",
}  # fmt: skip


def _split_sentences(text: str) -> list[str]:
    flat = " ".join(text.split())
    sentences: list[str] = []
    start = 0
    for m in re.finditer(r"[.!?][\"“”»«)]?\s+(?=[A-ZÄÖÜ„\"(])", flat):
        candidate = flat[start : m.end()].strip()
        if _ends_sentence(candidate):
            sentences.append(candidate)
            start = m.end()
    rest = flat[start:].strip()
    if rest:
        sentences.append(rest)
    return sentences


def _split_top_level(text: str, sep: str) -> list[str]:
    """Split at ``sep`` outside parentheses."""
    parts, depth, cur = [], 0, ""
    i = 0
    while i < len(text):
        ch = text[i]
        depth += ch == "("
        depth -= ch == ")"
        if depth == 0 and text.startswith(sep, i):
            parts.append(cur)
            cur = ""
            i += len(sep)
            continue
        cur += ch
        i += 1
    parts.append(cur)
    return parts


def _enumeration_claims(sentence: str) -> list[str]:
    end = sentence[-1] if sentence[-1] in ".!" else ""
    body = sentence[:-1] if end else sentence
    chunks = _split_top_level(body, ", ")
    if len(chunks) < 3:
        return [sentence]
    clause, head, *rest = chunks
    if clause.split()[0].casefold() not in _SUBORDINATORS:
        return [sentence]
    head_words = head.split()
    if len(head_words) < 2 or not head_words[0][:1].islower():
        return [sentence]
    verb, first = head_words[0], " ".join(head_words[1:])
    last = rest[-1]
    m = re.match(r"^(.*) (und|sowie) (.*)$", last)
    if not m:
        return [sentence]
    members = [first, *rest[:-1], m.group(1), m.group(3)]
    if any(
        not x or len(x.split()) > 8 or x.split()[0].casefold() in _SUBORDINATORS | {"die", "der", "das"}
        for x in members
    ):
        return [sentence]
    return [f"{clause}, {verb} {x}{end or '.'}" for x in members]


def split_claims(text: str) -> tuple[str, ...]:
    """Split prose (an *Ergebnis* paragraph) into claims that can each become an item.

    Parameters
    ----------
    text : str
        Dehyphenated prose.

    Returns
    -------
    tuple of str
        One claim per sentence (sentence ends ".", "!", "?" before a capital, not after an
        abbreviation such as "z.B." or an ordinal "3."). A sentence that opens with a subordinate
        clause and ends in an enumeration of three or more members — "<Nebensatz>, <Verb> A, B und C."
        — gives one claim per member, "<Nebensatz>, <Verb> A." …, each part verbatim. Sentences
        of any other shape are kept whole.

    Examples
    --------
    >>> split_claims("Wo alle mitwirken, entstehen Netze, Vertrauen und Ideen. Das wirkt.")
    ('Wo alle mitwirken, entstehen Netze.', 'Wo alle mitwirken, entstehen Vertrauen.', \
'Wo alle mitwirken, entstehen Ideen.', 'Das wirkt.')
    """
    claims: list[str] = []
    for sentence in _split_sentences(text):
        claims.extend(_enumeration_claims(sentence))
    return tuple(claims)


# ====================================================================== draft instrument
_STEMS: dict[str, tuple[str, str]] = {
    "warum": (
        "Wie sehr trifft Folgendes nach Ihrer Erfahrung in Ihrer Kommune zu?",
        "In your experience, how far does the following apply in your municipality?",
    ),
    "empfehlungen": (
        "Wie sehr trifft Folgendes auf Ihre Kommune zu?",
        "How far does the following apply to your municipality?",
    ),
    "empfehlungen_kommune": (
        "Wie sehr trifft Folgendes auf Ihre Kommune zu?",
        "How far does the following apply to your municipality?",
    ),
    "empfehlungen_zivilgesellschaft": (
        "Wie sehr trifft Folgendes auf die Zivilgesellschaft (Vereine, Initiativen, Engagierte) "
        "in Ihrer Kommune zu?",
        "How far does the following apply to civil society (associations, initiatives, engaged "
        "citizens) in your municipality?",
    ),
    "empfehlungen_andere": (
        "Wie sehr trifft Folgendes in Ihrer Kommune zu? (Empfehlungen {audience})",
        "How far does the following apply in your municipality? ([EN: to translate] Empfehlungen {audience})",
    ),
    "reflexion": (
        "Wie sehr stimmen Sie den folgenden Aussagen über den Prozess in Ihrer Kommune zu?",
        "How far do you agree with the following statements about the process in your municipality?",
    ),
    "ergebnis": (
        "Was ist in Ihrer Kommune bisher entstanden? Wie sehr stimmen Sie zu?",
        "What has emerged in your municipality so far? How far do you agree?",
    ),
}
_IDS = {
    "warum": ("warum", "WAR"),
    "empfehlungen": ("empfehlungen", "EMP"),
    "empfehlungen_zivilgesellschaft": ("zivilgesellschaft", "ZIV"),
    "empfehlungen_kommune": ("kommune", "KOM"),
    "reflexion": ("reflexion", "REF"),
    "ergebnis": ("ergebnis", "ERG"),
}
#: Construct role of each section kind (Für die Kommune / Für die Zivilgesellschaft / Ergebnis); every
#: other statement section is "other". The draft says so in its XLSForm column ``construct_role``.
SECTION_ROLES = {
    "empfehlungen_kommune": "municipal_commitment",
    "empfehlungen_zivilgesellschaft": "civil_commitment",
    "ergebnis": "structure",
}
_LABELS_EN = {
    "empfehlungen": "Recommendations for practice",
    "empfehlungen_zivilgesellschaft": "For civil society",
    "empfehlungen_kommune": "For the municipality",
    "reflexion": "Reflection & experience",
    "ergebnis": "Result",
}


def _slug(text: str) -> str:
    t = text.casefold()
    for a, b in (("ä", "ae"), ("ö", "oe"), ("ü", "ue"), ("ß", "ss")):
        t = t.replace(a, b)
    t = unicodedata.normalize("NFKD", t).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "_", t).strip("_")


def clean_item_wording(statement: str, lead_in: str = "") -> str:
    """Item wording from a statement: lead-in prefixed, capitalised, trailing ",;:" removed, final ".".

    >>> clean_item_wording("schafft Verbindlichkeit und Rückhalt für den Prozess,", "Kommunale Unterstützung")
    'Kommunale Unterstützung schafft Verbindlichkeit und Rückhalt für den Prozess.'
    """
    text = " ".join(statement.split()).rstrip(" ,;:–-")
    if lead_in and text[:1].islower():
        text = f"{lead_in.rstrip(' :')} {text}"
    text = text[:1].upper() + text[1:]
    if not re.search(r"[.!?][\"“”»«)]?$", text):
        text += "."
    return text


def draft_instrument(
    document: BausteinDocument,
    name: str | None = None,
    version: str = "0.1.0",
    source: str = "",
    required: tuple[str, ...] = REQUIRED_KINDS,
) -> Instrument:
    """Draft an instrument from a parsed Baustein (see :func:`draft_from_document`)."""
    document.require(required)
    sections = document.statement_sections
    if not sections:
        document.require(REQUIRED_KINDS)  # names what is missing
    base = Instrument.load("sensibilisierung")
    scale = base.scales["agree5"]

    constructs: list[Construct] = []
    items: list[Item] = []
    used_ids: set[str] = set()
    used_prefixes: set[str] = set()
    for section in sections:
        if section.kind in _IDS:
            cid, prefix = _IDS[section.kind]
        else:  # another audience: "Für Pflegedienste" -> pflegedienste / PFL
            cid = _slug(re.sub(r"^für\s+(die|den|das)?\s*", "", section.heading, flags=re.I)) or "abschnitt"
            prefix = (cid.replace("_", "")[:3] or "ABS").upper()
        cid0, prefix0, n = cid, prefix, 2
        while cid in used_ids or prefix in used_prefixes:
            cid, prefix = f"{cid0}_{n}", f"{prefix0[:2]}{n}"
            n += 1
        used_ids.add(cid)
        used_prefixes.add(prefix)

        stem_de, stem_en = _STEMS[section.kind]
        audience = section.heading[:1].lower() + section.heading[1:]  # "für Pflegedienste"
        constructs.append(
            Construct(
                id=cid,
                label_de=section.heading,
                label_en=_LABELS_EN.get(section.kind, EN_PLACEHOLDER + section.heading),
                stem_de=stem_de.format(audience=audience),
                stem_en=stem_en.format(audience=audience),
                scale=scale.name,
                source_section=section.source_section,
                role=SECTION_ROLES.get(section.kind, "other"),
            )
        )
        lead_in = section.lead_in
        for pos, statement in enumerate(section.statements, start=1):
            wording = clean_item_wording(statement, lead_in)
            items.append(
                Item(
                    code=f"{prefix}{pos:02d}",
                    construct=cid,
                    label_de=wording,
                    label_en=EN_PLACEHOLDER + wording,
                    scale=scale.name,
                    reverse=False,
                    source_section=section.source_section,
                    source_statement=statement,
                )
            )

    title = document.title or "Baustein"
    inst_name = _slug(name) if name else _slug(title) or "baustein"
    if not inst_name[:1].isalpha():
        inst_name = "b_" + inst_name
    return Instrument(
        name=inst_name,
        version=version,
        title_de=title,
        title_en=EN_PLACEHOLDER + title,
        source=source or f"Baustein: {title}",
        scales={scale.name: scale},
        constructs=tuple(constructs),
        items=tuple(items),
        fields=base.fields,
    )


def draft_from_document(
    path: str | Path,
    name: str | None = None,
    version: str = "0.1.0",
    required: tuple[str, ...] = REQUIRED_KINDS,
) -> Instrument:
    """Draft a survey instrument from a Baustein document for review in Excel.

    Parameters
    ----------
    path : str or Path
        The Baustein (.txt, .md, .docx, .pdf).
    name : str, optional
        Instrument name; default: the document title as an identifier
        ("Nachbarschaftshilfe organisieren" → ``nachbarschaftshilfe_organisieren``).
    version : str
        Instrument version, ``"0.1.0"`` for a draft.
    required : tuple of str
        Section kinds that must be present with statements (default: the series structure
        :data:`REQUIRED_KINDS`); pass ``()`` to draft from whatever statement sections exist.

    Returns
    -------
    Instrument
        One construct per statement section, in document order, with ids ``warum``,
        ``zivilgesellschaft``, ``kommune``, ``reflexion``, ``ergebnis`` (``empfehlungen`` and
        the slug of another audience where present); one item per statement with code
        ``<WAR|ZIV|KOM|REF|ERG|EMP|…><position 01…>``. ``source_statement`` is the statement as
        found; the German wording is :func:`clean_item_wording` of it (lead-in prefixed); English
        labels are ``"[EN: to translate] <German>"`` (:data:`EN_PLACEHOLDER`). Each construct's
        ``role`` comes from its section (:data:`SECTION_ROLES`: *Für die Kommune* → municipal
        commitment, *Für die Zivilgesellschaft* → civil-society commitment, *Ergebnis* → structure,
        others → ``other``), so the commitment analyses work on the draft. Scale ``agree5``
        (5 points + "weiß nicht"/"keine Angabe") and the respondent fields (respondent_id, ags,
        role, wave, comment) are those of the packaged ``sensibilisierung`` instrument.

    Raises
    ------
    BausteinDocumentError
        The file cannot be read.
    BausteinStructureError
        A required section is missing or has no statements; the message names the sections found.
    """
    p = Path(path)
    document = parse_baustein(read_document(p))
    source = f"Baustein: {document.title or p.stem} ({p.name})"
    try:
        return draft_instrument(document, name=name, version=version, source=source, required=required)
    except BausteinStructureError as exc:
        raise BausteinStructureError(f"{p.name}: {exc}", exc.missing, exc.found) from exc
