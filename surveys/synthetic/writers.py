"""Writers for simulated programme data, one per export format (naming: :mod:`surveys.formats`).

Each writer takes a :class:`surveys.synthetic.SimulatedProgramme` and writes files in the style of
one survey tool into a folder, together with ``ground_truth.json``, ``ground_truth_scores.json``
and, for formats without a ``Kommunen`` sheet, ``kommunen.csv``:

=============  ==============================================================================
format         files
=============  ==============================================================================
template       one workbook per municipality, ``<AGS>_<Name>.xlsx`` (:func:`surveys.template.write_template`)
kobo           ``<form>.xlsx``: KoboToolbox "XML values and headers" export, one sheet named after the form
limesurvey     ``results-survey<id>.csv``: UTF-8 with BOM, every field quoted, CRLF, trailing empty line
sosci          ``data_<form>.xlsx``: SoSci variables, optional second header row with variable labels
forms          ``<form> (Antworten).xlsx``: Google Forms, ``Zeitstempel`` + question texts + answer texts
=============  ==============================================================================

Missing answers per format (raw code in ``SimulatedProgramme.wide`` -> cell):

=============  ==========  ==============  ======================  ===========
format         1..5        -1 weiß nicht   -9 keine Angabe         NaN (blank)
=============  ==========  ==============  ======================  ===========
template       label       "weiß nicht"    "keine Angabe"          empty
kobo           "1".."5"    "dk"            "na"                    empty
limesurvey     1..5        -1              "N/A"                   "N/A"
sosci          1..5        -1              -9                      -9
forms          label       "weiß nicht"    "keine Angabe"          empty
=============  ==========  ==============  ======================  ===========

LimeSurvey and SoSci cannot tell "keine Angabe" from a skipped question: an importer that maps
blank cells to ``no_answer`` gets the same dataset from all five formats.

All outputs are deterministic: xlsxwriter with a fixed creation date (its zip entries carry fixed
timestamps), CSV and JSON written with fixed formatting. The folder is written atomically.
"""

from __future__ import annotations

import json
import re
import unicodedata
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from core.atomic import atomic_output_dir
from core.errors import GeneratorError
from surveys.formats import (
    KOBO_META_COLUMNS,
    LIMESURVEY_META_COLUMNS,
    SOSCI_FIELD_VARIABLES,
    SOSCI_META_COLUMNS,
    SOSCI_VARIABLE_LABELS,
    TEMPLATE_MUNICIPALITY_HEADERS,
    forms_field_header,
    forms_header,
    kobo_column,
    limesurvey_column,
    sosci_variable,
)
from surveys.instrument import Instrument

if TYPE_CHECKING:
    from .model import SimulatedProgramme

__all__ = [
    "FORMATS",
    "FORMS_SHEET",
    "SOSCI_EXTRA_COLUMNS",
    "GeneratedFiles",
    "safe_filename",
    "write_format",
    "write_forms",
    "write_kobo",
    "write_limesurvey",
    "write_sosci",
    "write_template_files",
]

FORMATS = ("template", "kobo", "limesurvey", "sosci", "forms")
#: Fixed document creation date of every generated workbook (byte-identical output).
FIXED_CREATED = datetime(2025, 1, 1, 0, 0, 0)
FORMS_SHEET = "Formularantworten 1"
LIMESURVEY_SURVEY_ID = 482915
#: SoSci Survey's trailing system variables (written after the questionnaire variables).
SOSCI_EXTRA_COLUMNS = (
    "TIME_SUM", "MAILSENT", "LASTDATA", "FINISHED", "Q_VIEWER", "LASTPAGE", "MAXPAGE", "MISSING",
    "MISSREL", "TIME_RSI", "DEG_TIME",
)
_SOSCI_LABELS = SOSCI_VARIABLE_LABELS
_EXCEL_EPOCH = np.datetime64("1899-12-30T00:00:00", "ms")


@dataclass(frozen=True)
class GeneratedFiles:
    """What :func:`write_format` wrote.

    Attributes
    ----------
    format : str
        The export format.
    folder : Path
        The output folder.
    data_files : tuple of Path
        The response files (one per municipality for ``template``).
    extra_files : tuple of Path
        ``ground_truth.json``, ``ground_truth_scores.json`` and ``kommunen.csv`` (if written).
    n_rows : int
        Respondent rows written.
    """

    format: str
    folder: Path
    data_files: tuple[Path, ...]
    extra_files: tuple[Path, ...]
    n_rows: int

    @property
    def ground_truth(self) -> Path:
        return self.folder / "ground_truth.json"


# ====================================================================== helpers
def safe_filename(text: str, max_len: int = 40) -> str:
    """ASCII file-name part: umlauts transliterated (ä -> ae, ß -> ss), others stripped, spaces -> _."""
    for a, b in (("ä", "ae"), ("ö", "oe"), ("ü", "ue"), ("Ä", "Ae"), ("Ö", "Oe"), ("Ü", "Ue"), ("ß", "ss")):
        text = text.replace(a, b)
    text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")
    text = re.sub(r"[^A-Za-z0-9._-]+", "_", text).strip("._-")
    return text[:max_len] or "Kommune"


def _rng(programme: SimulatedProgramme, fmt: str) -> np.random.Generator:
    return np.random.default_rng([programme.seed, FORMATS.index(fmt) + 1, 7])


def _excel_serial(values: Any) -> np.ndarray:
    """Excel date serials (1900 system) of naive datetimes; NaN for NaT."""
    arr = np.asarray(pd.to_datetime(pd.Series(values)).astype("datetime64[ms]").to_numpy())
    out = (arr - _EXCEL_EPOCH) / np.timedelta64(1, "D")
    return np.where(np.isnat(arr), np.nan, out)


def _fmt_datetime(values: Any, fmt: str) -> list[str | None]:
    s = pd.to_datetime(pd.Series(values))
    return [None if v is None or (isinstance(v, float) and np.isnan(v)) else v
            for v in s.dt.strftime(fmt).where(s.notna(), None).tolist()]


def _column(values: Any) -> list[Any]:
    """Python list with None for missing values (NaN, NA, NaT)."""
    s = pd.Series(values)
    return s.astype(object).where(s.notna(), None).tolist()


def _codes_to(values: np.ndarray, mapping: dict[int, Any], blank: Any = None) -> list[Any]:
    """Map raw codes (float with NaN) to cell values via ``mapping``; NaN -> ``blank``."""
    out = np.full(values.shape, blank, dtype=object)
    ok = ~np.isnan(values)
    iv = np.zeros(values.shape, dtype=np.int64)
    iv[ok] = values[ok].astype(np.int64)
    for code, cell in mapping.items():
        out[ok & (iv == code)] = cell
    return out.tolist()


def _write_xlsx(
    path: Path,
    sheet: str,
    headers: Sequence[str],
    columns: Sequence[list[Any]],
    kinds: Sequence[str],
    label_row: Sequence[str] | None = None,
    title: str = "",
) -> None:
    """Write one sheet row by row (xlsxwriter constant-memory mode).

    ``kinds`` per column: ``"str"`` (text cell), ``"num"`` (number), ``"datetime"`` (Excel serial
    with a date-time format), ``"auto"`` (number if int/float, else text). ``None`` leaves a cell
    empty.
    """
    import xlsxwriter

    wb = xlsxwriter.Workbook(
        str(path),
        {"constant_memory": True, "strings_to_numbers": False, "strings_to_formulas": False,
         "strings_to_urls": False},
    )
    wb.set_properties({"title": title, "author": "baustein-eval generate", "created": FIXED_CREATED})
    ws = wb.add_worksheet(sheet[:31])
    f_dt = wb.add_format({"num_format": "yyyy-mm-dd hh:mm:ss"})
    for c, h in enumerate(headers):
        ws.write_string(0, c, h)
    first = 1
    if label_row is not None:
        for c, h in enumerate(label_row):
            ws.write_string(1, c, h)
        first = 2
    writers: list[Callable[[int, int, Any], Any]] = []
    for kind in kinds:
        if kind == "str":
            writers.append(ws.write_string)
        elif kind == "num":
            writers.append(ws.write_number)
        elif kind == "datetime":
            writers.append(lambda r, c, v: ws.write_number(r, c, v, f_dt))
        else:
            writers.append(ws.write)
    n = len(columns[0]) if columns else 0
    rows = zip(*columns, strict=True)
    ncol = len(columns)
    for r, row in zip(range(first, first + n), rows, strict=True):
        for c in range(ncol):
            v = row[c]
            if v is not None:
                writers[c](r, c, v)
    ws.freeze_panes(first, 0)
    wb.close()


def _yes_no(v: Any) -> Any:
    if v is None or (isinstance(v, float) and np.isnan(v)) or v is pd.NA:
        return None
    return "ja" if bool(v) else "nein"


def _write_kommunen_csv(programme: SimulatedProgramme, path: Path) -> None:
    """Municipality master list with the German headers of the template's ``Kommunen`` sheet."""
    m = programme.municipalities
    out = pd.DataFrame()
    for key, header in TEMPLATE_MUNICIPALITY_HEADERS.items():
        s = m[key]
        if key in ("council_resolution", "mayor_involved", "named_contact", "rooms"):
            out[header] = [_yes_no(v) for v in s.tolist()]
        elif key == "council_resolution_date":
            out[header] = pd.to_datetime(s).dt.strftime("%Y-%m-%d")
        else:
            out[header] = s
    out.to_csv(path, index=False, encoding="utf-8", lineterminator="\n")


def _write_truth(programme: SimulatedProgramme, folder: Path) -> list[Path]:
    gt = folder / "ground_truth.json"
    gt.write_text(json.dumps(programme.ground_truth, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    # JSON, not CSV: importers scan folders for CSV/xlsx data files
    sc = folder / "ground_truth_scores.json"
    sc.write_text(programme.scores.to_json(orient="split", index=False, double_precision=6) + "\n",
                  encoding="utf-8")
    return [gt, sc]


def _items(instrument: Instrument) -> list[Any]:
    return list(instrument.items)


def _durations(rng: np.random.Generator, n: int) -> np.ndarray:
    """Seconds spent on the questionnaire (log-normal around 9 minutes)."""
    return np.clip(np.round(np.exp(rng.normal(np.log(540), 0.45, n))), 90, 5400).astype(np.int64)


# ====================================================================== template
def write_template_files(programme: SimulatedProgramme, folder: Path) -> list[Path]:
    """One filled-in template workbook per municipality: ``<AGS>_<Name>.xlsx``."""
    from surveys.template import write_template

    wide = programme.wide
    muni = programme.municipalities
    files = []
    groups = {a: idx for a, idx in wide.groupby("ags", sort=False).indices.items()}
    for pos in range(len(muni)):
        row = muni.iloc[[pos]].reset_index(drop=True)
        ags = str(row.at[0, "ags"])
        path = folder / f"{ags}_{safe_filename(str(row.at[0, 'name']))}.xlsx"
        idx = groups.get(ags, np.array([], dtype=np.int64))
        write_template(programme.instrument, path, responses=wide.iloc[idx].reset_index(drop=True),
                       municipalities=row)
        files.append(path)
    return files


# ====================================================================== kobo
def write_kobo(programme: SimulatedProgramme, folder: Path) -> list[Path]:
    """KoboToolbox xlsx export ("XML values and headers"), one sheet named after the form.

    Columns: ``start``, ``end`` (local time, Excel dates), ``ags``, ``role`` (choice names),
    ``wave``, ``<construct>/<item>`` (choice names "1".."5", "dk", "na"; blank = skipped),
    ``comment``, then :data:`~surveys.formats.KOBO_META_COLUMNS` (``_submission_time`` in UTC).
    """
    inst, wide = programme.instrument, programme.wide
    rng = _rng(programme, "kobo")
    n = len(wide)
    end = pd.to_datetime(wide["submitted_at"]).astype("datetime64[ms]")
    ms = rng.integers(0, 1000, n).astype("timedelta64[ms]")
    end_ms = end.to_numpy() + ms
    start_ms = end_ms - (_durations(rng, n) * 1000).astype("timedelta64[ms]")
    sub = (pd.Series(end_ms).dt.tz_localize("Europe/Berlin", ambiguous=False, nonexistent="shift_forward").dt.tz_convert("UTC").dt.tz_localize(None)
           + pd.to_timedelta(rng.integers(1, 40, n), unit="s")).dt.floor("s")
    headers = ["start", "end", "ags", "role", "wave"]
    cols: list[list[Any]] = [
        _excel_serial(start_ms).tolist(),
        _excel_serial(end_ms).tolist(),
        _column(wide["ags"]),
        _column(wide["role"]),
        _column(wide["wave"]),
    ]
    kinds = ["datetime", "datetime", "str", "str", "str"]
    for it in _items(inst):
        scale = inst.scales[it.scale]
        mapping = {o.code: o.name for o in scale.options}
        headers.append(kobo_column(it))
        cols.append(_codes_to(wide[it.code].to_numpy(float), mapping))
        kinds.append("str")
    headers.append("comment")
    cols.append(_column(wide["comment"]))
    kinds.append("str")
    ids = 400_000_000 + np.cumsum(rng.integers(1, 60, n))
    uuids = [str(uuid.UUID(bytes=bytes(b), version=4)) for b in rng.integers(0, 256, (n, 16), dtype=np.uint8)]
    version = "v" + "".join(rng.choice(list("ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz23456789"), 21))
    validation = np.where(rng.random(n) < 0.05, "Approved", None).tolist()
    meta: dict[str, tuple[list[Any], str]] = {
        "_id": (ids.astype(float).tolist(), "num"),
        "_uuid": (uuids, "str"),
        "_submission_time": (_excel_serial(sub).tolist(), "datetime"),
        "_validation_status": (validation, "str"),
        "_notes": ([None] * n, "str"),
        "_status": (["submitted_via_web"] * n, "str"),
        "_submitted_by": ([None] * n, "str"),
        "__version__": ([version] * n, "str"),
        "_tags": ([None] * n, "str"),
        "_index": (np.arange(1, n + 1, dtype=float).tolist(), "num"),
    }
    for name in KOBO_META_COLUMNS:
        values, kind = meta[name]
        headers.append(name)
        cols.append(values)
        kinds.append(kind)
    path = folder / f"{inst.name}.xlsx"
    _write_xlsx(path, inst.name, headers, cols, kinds, title=inst.title_de)
    return [path]


# ====================================================================== limesurvey
def _csv_quote(value: Any) -> str:
    if value is None:
        return '""'
    text = str(value).replace("\r\n", "\n").replace("\r", "\n")
    return '"' + text.replace('"', '""') + '"'


def write_limesurvey(
    programme: SimulatedProgramme,
    folder: Path,
    answers: str = "codes",
    spaced_headers: bool = False,
    sep: str = ",",
) -> list[Path]:
    """LimeSurvey CSV export (``results-survey<id>.csv``), as LimeSurvey's CsvWriter writes it.

    UTF-8 with byte-order mark, every field in double quotes, CRLF line ends, an empty line at the
    end. Columns: :data:`~surveys.formats.LIMESURVEY_META_COLUMNS`, ``ags``, ``role``, ``wave``,
    ``<construct>[<item>]`` (or ``<construct> [<item>]`` with ``spaced_headers``), ``comment``.

    Parameters
    ----------
    answers : {"codes", "text"}
        Answer codes (1..5, -1; role as choice name) or full answer texts (German labels).
        "keine Angabe" and skipped answers are ``N/A`` either way.
    spaced_headers : bool
        Write ``kommunal [KOM01]`` instead of ``kommunal[KOM01]``.
    sep : str
        Field separator (LimeSurvey's export dialog offers "," and ";").
    """
    if answers not in {"codes", "text"}:
        raise ValueError("answers must be 'codes' or 'text'")
    inst, wide = programme.instrument, programme.wide
    rng = _rng(programme, "limesurvey")
    n = len(wide)
    headers = [*LIMESURVEY_META_COLUMNS, "ags", "role", "wave"]
    role_labels = {c.name: c.label_de for c in inst.field("role").choices}
    roles = _column(wide["role"])
    if answers == "text":
        roles = [role_labels.get(r, r) for r in roles]
    cols: list[list[Any]] = [
        list(range(1, n + 1)),
        _fmt_datetime(wide["submitted_at"], "%Y-%m-%d %H:%M:%S"),
        [len(inst.constructs) + 2] * n,
        ["de"] * n,
        rng.integers(10_000_000, 2_000_000_000, n).tolist(),
        [None] * n,
        _column(wide["ags"]),
        roles,
        _column(wide["wave"]),
    ]
    for it in _items(inst):
        scale = inst.scales[it.scale]
        mapping: dict[int, Any] = {}
        for o in scale.options:
            if o.missing == "no_answer":
                mapping[o.code] = "N/A"
            elif answers == "text":
                mapping[o.code] = o.label_de
            else:
                mapping[o.code] = str(o.code)
        headers.append(limesurvey_column(it, spaced=spaced_headers))
        cols.append(_codes_to(wide[it.code].to_numpy(float), mapping, blank="N/A"))
    headers.append("comment")
    cols.append(_column(wide["comment"]))
    lines = [sep.join(_csv_quote(h) for h in headers)]
    lines.extend(sep.join(_csv_quote(v) for v in row) for row in zip(*cols, strict=True))
    path = folder / f"results-survey{LIMESURVEY_SURVEY_ID}.csv"
    path.write_bytes(b"\xef\xbb\xbf" + ("\r\n".join(lines) + "\r\n\r\n").encode("utf-8"))
    return [path]


# ====================================================================== sosci
def write_sosci(programme: SimulatedProgramme, folder: Path, label_row: bool = True) -> list[Path]:
    """SoSci Survey Excel export (``data_<form>.xlsx``).

    Columns: :data:`~surveys.formats.SOSCI_META_COLUMNS`, ``SD01_01`` (AGS, text), ``SD02`` (role
    coded 1..7 in choice order), ``SD03_01`` (wave, text), one variable per item
    (:func:`~surveys.formats.sosci_variable`; 1..5, -1 weiß nicht, -9 not answered), ``SD04_01``
    (comment), then :data:`SOSCI_EXTRA_COLUMNS`. ``STARTED``/``LASTDATA`` are text
    ``"2025-03-01 12:00:00"``. With ``label_row`` a second header row carries variable labels.
    """
    inst, wide = programme.instrument, programme.wide
    rng = _rng(programme, "sosci")
    n = len(wide)
    fv = SOSCI_FIELD_VARIABLES
    role_codes = {c.name: i + 1 for i, c in enumerate(inst.field("role").choices)}
    dur = _durations(rng, n)
    started = pd.to_datetime(wide["submitted_at"]) - pd.to_timedelta(dur, unit="s")
    headers = [*SOSCI_META_COLUMNS, fv["ags"], fv["role"], fv["wave"]]
    labels = [_SOSCI_LABELS[h] for h in SOSCI_META_COLUMNS] + [
        f"{inst.field('ags').label_de}: [01]",
        inst.field("role").label_de,
        f"{inst.field('wave').label_de}: [01]",
    ]
    cols: list[list[Any]] = [
        list(range(1, n + 1)),
        [None] * n,
        [None] * n,
        ["base"] * n,
        ["interview"] * n,
        _fmt_datetime(started, "%Y-%m-%d %H:%M:%S"),
        _column(wide["ags"]),
        [role_codes.get(r) for r in _column(wide["role"])],
        _column(wide["wave"]),
    ]
    kinds = ["num", "str", "str", "str", "str", "str", "str", "num", "str"]
    item_block = []
    for it in _items(inst):
        scale = inst.scales[it.scale]
        mapping = {o.code: (-9 if o.missing == "no_answer" else o.code) for o in scale.options}
        values = wide[it.code].to_numpy(float)
        item_block.append(values)
        headers.append(sosci_variable(inst, it))
        labels.append(f"{inst.construct(it.construct).label_de}: {it.label_de}")
        cols.append(_codes_to(values, mapping, blank=-9))
        kinds.append("num")
    headers.append(fv["comment"])
    labels.append(f"{inst.field('comment').label_de}: [01]")
    cols.append(_column(wide["comment"]))
    kinds.append("str")
    block = np.column_stack(item_block)
    missing_pct = np.round(100 * (np.isnan(block) | (block < 0)).mean(axis=1)).astype(int)
    pages = len(inst.constructs) + 2
    extra: dict[str, tuple[list[Any], str]] = {
        "TIME_SUM": (dur.tolist(), "num"),
        "MAILSENT": ([None] * n, "str"),
        "LASTDATA": (_fmt_datetime(wide["submitted_at"], "%Y-%m-%d %H:%M:%S"), "str"),
        "FINISHED": ([1] * n, "num"),
        "Q_VIEWER": ([0] * n, "num"),
        "LASTPAGE": ([pages] * n, "num"),
        "MAXPAGE": ([pages] * n, "num"),
        "MISSING": (missing_pct.tolist(), "num"),
        "MISSREL": (np.round(missing_pct * 0.8).astype(int).tolist(), "num"),
        "TIME_RSI": (np.round(rng.lognormal(0, 0.3, n), 2).tolist(), "num"),
        "DEG_TIME": (np.clip(rng.poisson(4, n), 0, 100).tolist(), "num"),
    }
    for name in SOSCI_EXTRA_COLUMNS:
        values, kind = extra[name]
        headers.append(name)
        labels.append(_SOSCI_LABELS[name])
        cols.append(values)
        kinds.append(kind)
    path = folder / f"data_{inst.name}.xlsx"
    _write_xlsx(path, "Daten", headers, cols, kinds, label_row=labels if label_row else None,
                title=inst.title_de)
    return [path]


# ====================================================================== forms
def write_forms(programme: SimulatedProgramme, folder: Path) -> list[Path]:
    """Google Forms response sheet (``<form> (Antworten).xlsx``, sheet ``Formularantworten 1``).

    ``Zeitstempel`` as German text ``"01.03.2025 12:00:00"``, then the question texts
    (:func:`~surveys.formats.forms_field_header` for AGS, role, wave, comment;
    :func:`~surveys.formats.forms_header` per item) with answer texts in the cells. As in a
    Google Sheets export, the AGS and the wave arrive as *numbers* (``08115001`` -> 8115001).
    """
    inst, wide = programme.instrument, programme.wide
    n = len(wide)
    role_labels = {c.name: c.label_de for c in inst.field("role").choices}
    headers = ["Zeitstempel", forms_field_header(inst, "ags"), forms_field_header(inst, "role"),
               forms_field_header(inst, "wave")]
    ags = [int(a) if a is not None and str(a).isdigit() else a for a in _column(wide["ags"])]
    waves = [int(w) if w is not None and str(w).isdigit() else w for w in _column(wide["wave"])]
    cols: list[list[Any]] = [
        _fmt_datetime(wide["submitted_at"], "%d.%m.%Y %H:%M:%S"),
        ags,
        [role_labels.get(r, r) for r in _column(wide["role"])],
        waves,
    ]
    kinds = ["str", "auto", "str", "auto"]
    for it in _items(inst):
        scale = inst.scales[it.scale]
        mapping = {o.code: o.label_de for o in scale.options}
        headers.append(forms_header(inst, it))
        cols.append(_codes_to(wide[it.code].to_numpy(float), mapping))
        kinds.append("str")
    headers.append(forms_field_header(inst, "comment"))
    cols.append(_column(wide["comment"]))
    kinds.append("str")
    del n
    path = folder / f"{safe_filename(inst.name)} (Antworten).xlsx"
    _write_xlsx(path, FORMS_SHEET, headers, cols, kinds, title=inst.title_de)
    return [path]


# ====================================================================== dispatcher
_WRITERS: dict[str, Callable[..., list[Path]]] = {
    "template": write_template_files,
    "kobo": write_kobo,
    "limesurvey": write_limesurvey,
    "sosci": write_sosci,
    "forms": write_forms,
}


def write_format(programme: SimulatedProgramme, fmt: str, out: str | Path, **options: Any) -> GeneratedFiles:
    """Write ``programme`` as export format ``fmt`` into folder ``out`` (atomically replaced).

    Parameters
    ----------
    programme : SimulatedProgramme
        Output of :func:`surveys.synthetic.simulate`.
    fmt : {"template", "kobo", "limesurvey", "sosci", "forms"}
        Export format.
    out : str or Path
        Output folder. An existing folder is replaced only if it is empty or holds a previous
        generator output (a ``ground_truth.json``); anything else is refused.
    **options
        Passed to the writer (``answers``, ``spaced_headers``, ``sep`` for limesurvey;
        ``label_row`` for sosci).

    Returns
    -------
    GeneratedFiles

    Raises
    ------
    GeneratorError
        For an unknown format or an output folder that holds other files.
    """
    if fmt not in _WRITERS:
        raise GeneratorError(
            f"Unbekanntes Format '{fmt}'. Möglich: {', '.join(FORMATS)} / unknown format '{fmt}'."
        )
    out = Path(out)
    if out.exists():
        if not out.is_dir():
            raise GeneratorError(f"'{out}' ist eine Datei, kein Ordner / is a file, not a folder.")
        if any(out.iterdir()) and not (out / "ground_truth.json").exists():
            raise GeneratorError(
                f"Der Ordner '{out}' enthält andere Dateien und wird nicht überschrieben. Bitte einen "
                f"leeren oder neuen Ordner angeben. / '{out}' holds other files; choose an empty folder."
            )
    with atomic_output_dir(out, kind="generated") as tmp:
        data = _WRITERS[fmt](programme, tmp, **options)
        extra = _write_truth(programme, tmp)
        if fmt != "template":
            kp = tmp / "kommunen.csv"
            _write_kommunen_csv(programme, kp)
            extra.append(kp)
    return GeneratedFiles(
        format=fmt,
        folder=out,
        data_files=tuple(out / p.name for p in data),
        extra_files=tuple(out / p.name for p in extra),
        n_rows=len(programme.wide),
    )
