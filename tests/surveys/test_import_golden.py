"""Golden outputs of the importer: the datasets it writes stay byte-for-byte the same data.

Recorded with the importer as it was before the columnar rewrite (issue 15) and kept since: for
every generated format (the committed examples and files written in code), the real exports in
``../shared/formats`` with their mappings (hand-written where there is one, else the unedited
suggestion), our questionnaire rebuilt in six tools' export styles, the hostile corpus and the
hostile deliveries. Each case is imported and written like ``baustein import`` does, then hashed:

* ``respondents``, ``responses``, ``municipalities``: the Parquet file's schema and content, and
  the same tables in memory (dtypes and values) as :func:`read_responses` returns them;
* ``rejections.csv`` and ``rejections.xlsx``: their bytes; the rejection report in memory;
* ``manifest.json`` without its run section (timestamp, seconds, processes).

Inputs are copied into a temporary folder and imported by relative path, so no hash depends on
where the repository lies. Some corpus files are written with a timestamp (openpyxl, odfpy,
msoffcrypto), so their SHA-256 differs from build to build: the normalisation replaces each
input's SHA-256 by its file name and each respondent ID the importer derived from it
(``p`` + 16 hex digits) by its file, sheet and row before hashing. Re-record only for an intended
change (and say which in the commit): ``BAUSTEIN_RECORD_GOLDEN=1 pytest tests/surveys/test_import_golden.py``.
"""

from __future__ import annotations

import hashlib
import io
import json
import os
import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pandas as pd
import pyarrow as pa
import pyarrow.csv as pacsv
import pyarrow.parquet as pq
import pytest

from core.errors import BausteinError
from surveys import Instrument
from surveys.importing import read_responses, suggest_mapping, write_import
from surveys.importing.pipeline import ImportResult
from tests.data.bad.corpus import EXPECTED as CORPUS_EXPECTED
from tests.data.bad.corpus import build_corpus
from tests.data.bad.scenarios import SCENARIOS, build_scenario
from tests.data.byo.fixtures import build_all as build_byo
from tests.surveys.test_import_real_exports import SHARED
from tests.surveys.test_import_writers import SUFFIX, WRITERS, small_wide, write_sosci

ROOT = Path(__file__).resolve().parents[2]
EXAMPLES = ROOT / "data" / "examples"
REAL = ROOT / "tests" / "data" / "real_exports"
GOLDEN = Path(__file__).with_name("golden") / "import_golden.json"
RECORD = os.environ.get("BAUSTEIN_RECORD_GOLDEN") == "1"
#: A fixed pseudonymisation key: the pseudonyms are part of the golden output.
KEY = bytes(range(32))


# ---------------------------------------------------------------- cases
# Each case copies or writes its inputs below ``inp`` and returns (inputs, read_responses options).
Case = Callable[[Path, Instrument], tuple[list[str], dict[str, Any]]]


def _copy(src: Path, inp: Path) -> str:
    inp.mkdir(parents=True, exist_ok=True)
    dst = inp / src.name
    if src.is_dir():
        shutil.copytree(src, dst)
    else:
        shutil.copy2(src, dst)
    return os.path.relpath(dst)  # the case runs in its work folder


def _example(fmt: str, jobs: int = 1) -> Case:
    def case(inp: Path, inst: Instrument) -> tuple[list[str], dict[str, Any]]:
        folder = EXAMPLES / fmt
        data = [p for p in sorted(folder.iterdir()) if p.suffix in {".xlsx", ".csv"} and p.name != "kommunen.csv"]
        opts: dict[str, Any] = {"jobs": jobs}
        if (folder / "kommunen.csv").exists():
            opts["municipalities"] = _copy(folder / "kommunen.csv", inp / "master")
        return [_copy(p, inp) for p in data], opts

    return case


def _example_template_folder(jobs: int) -> Case:
    def case(inp: Path, inst: Instrument) -> tuple[list[str], dict[str, Any]]:
        folder = inp / "template"
        folder.mkdir(parents=True)
        for p in sorted((EXAMPLES / "template").glob("*.xlsx")):
            shutil.copy2(p, folder / p.name)
        return [str(folder.relative_to(inp.parent))], {"jobs": jobs}

    return case


def _written(fmt: str, **kw: Any) -> Case:
    def case(inp: Path, inst: Instrument) -> tuple[list[str], dict[str, Any]]:
        inp.mkdir(parents=True)
        wide = small_wide(inst, n=12, seed=3)
        path = (write_sosci if kw else WRITERS[fmt])(inst, wide, inp / f"data{SUFFIX[fmt]}", **kw)
        return [str(Path(path).relative_to(inp.parent))], {}

    return case


def _written_generated(fmt: str) -> Case:
    """The synthetic generator's own writer (the benchmark inputs), 6 municipalities x 15."""

    def case(inp: Path, inst: Instrument) -> tuple[list[str], dict[str, Any]]:
        from surveys.synthetic import simulate, write_format

        prog = simulate(6, 15, seed=11, instrument=inst)
        data = [Path(p) for p in write_format(prog, fmt, inp / fmt).data_files]
        opts: dict[str, Any] = {}
        master = inp / fmt / "kommunen.csv"
        if master.exists():
            opts["municipalities"] = str(master.relative_to(inp.parent))
        return [str(p.relative_to(inp.parent)) for p in sorted(data)], opts

    return case


def _suggested(path: Path | str, inst: Instrument, items: bool = False) -> Any:
    """The unedited suggestion, with a municipality and wave where the export has none (as a user
    sets them in the sheet Vorgaben), so that rows are accepted. ``items``: the columns of the
    export's answer groups are mapped onto the instrument's items in order (the real exports ask
    none of our items), so that their answers and scales go through the import."""
    suggestion = suggest_mapping(path, inst)
    mapping = suggestion.mapping()
    if items:
        codes = iter(inst.item_codes)
        for group in suggestion.groups:
            for header in group.columns:
                code = next(codes, None)
                if code is not None and mapping.columns.get(header) in (None, "ignore"):
                    mapping.columns[header] = code
    defaults = dict(mapping.defaults)
    defaults.setdefault("ags", "08111000")
    defaults.setdefault("wave", "2025")
    mapping.defaults = defaults
    return mapping


def _real(rel: str, mapping: str | None = None, instrument: str | None = None) -> Case:
    def case(inp: Path, inst: Instrument) -> tuple[list[str], dict[str, Any]]:
        path = _copy(SHARED / rel, inp)
        if mapping is None:
            return [path], {"mapping": _suggested(path, inst, items=True)}
        return [path], {"mapping": _copy(REAL / mapping, inp / "map"),
                        "instrument": Instrument.load(REAL / instrument) if instrument else inst}

    return case


def _byo(name: str) -> Case:
    def case(inp: Path, inst: Instrument) -> tuple[list[str], dict[str, Any]]:
        fixtures = {fx.name: fx for fx in build_byo(inp, inst, n=30)}
        fx = fixtures[name]
        path = Path(fx.path)
        return [os.path.relpath(path)], {"mapping": _suggested(path, inst)}

    return case


def _corpus(inp: Path, inst: Instrument) -> tuple[list[str], dict[str, Any]]:
    files = build_corpus(inp)
    names = sorted(n for n in files if n in CORPUS_EXPECTED)
    return [os.path.relpath(files[n]) for n in names], {"wave": "2025"}


def _scenario(name: str) -> Case:
    def case(inp: Path, inst: Instrument) -> tuple[list[str], dict[str, Any]]:
        folder = build_scenario(name, inp)
        args = SCENARIOS[name].args
        opts = {"wave": args[args.index("--wave") + 1]} if "--wave" in args else {}
        return [str(Path(folder).relative_to(inp.parent))], opts

    return case


CASES: dict[str, Case] = {
    **{f"examples-{fmt}": _example(fmt) for fmt in ("kobo", "limesurvey", "sosci", "forms")},
    "examples-template-folder-j1": _example_template_folder(1),
    "examples-template-folder-j2": _example_template_folder(2),
    "examples-template-files-master": _example("template"),
    **{f"written-{fmt}": _written(fmt) for fmt in WRITERS},
    "written-sosci-no-label-row": _written("sosci", label_row=False),
    **{f"generated-{fmt}": _written_generated(fmt) for fmt in ("template", "kobo", "limesurvey", "sosci", "forms")},
    "real-sosci-hand-mapping": _real("sosci/hybridearbeit2024_rdata_2024-07-11_17-10.csv",
                                     "hybridarbeit_mapping.yaml", "hybridarbeit.yaml"),
    "real-forms-hand-mapping": _real("googleforms/pretask-questionnaire-antworten.csv",
                                     "ortskenntnis_mapping.yaml", "ortskenntnis.yaml"),
    "real-sosci-suggested": _real("sosci/hybridearbeit2024_rdata_2024-07-11_17-10.csv"),
    "real-forms-suggested": _real("googleforms/pretask-questionnaire-antworten.csv"),
    "real-lime-statistik-suggested": _real("limesurvey/statistik-umfrage_results-survey397474.csv"),
    "real-lime-artifact-suggested": _real("limesurvey/artifact-survey_results-survey54231.xlsx"),
    "real-lime-kwkm-suggested": _real("limesurvey/kwkm-seminar_results-survey374736.csv"),
    **{f"real-kobo-{n}-suggested": _real(f"kobo/{n}.xlsx")
       for n in ("demo-with-repeat", "google-forms-demo", "group", "nested-groups", "rank-groups", "repeat-group")},
    **{f"byo-{n}": _byo(n) for n in ("limesurvey_csv", "limesurvey_xlsx_codes", "sosci_label_row", "kobo_labels",
                                     "forms_csv", "msforms_english")},
    "hostile-corpus": _corpus,
    **{f"hostile-{n}": _scenario(n) for n in SCENARIOS},
}
NEEDS_SHARED = {name for name in CASES if name.startswith("real-")}
#: Inputs written with the same bytes on every run: these are also written pseudonymised (fixed key).
DETERMINISTIC = {name for name in CASES if name.startswith(("examples-", "real-"))}


# ---------------------------------------------------------------- hashing
def _sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _frame_digest(df: pd.DataFrame) -> str:
    """dtypes and values of an in-memory table (object cells by type and repr)."""
    buf = io.StringIO()
    buf.write(repr([(str(c), str(t)) for c, t in df.dtypes.items()]))
    buf.write(repr(df.index))
    for c in df.columns:
        col = df[c]
        if col.dtype == object:
            buf.write(repr([(type(v).__name__, v if not isinstance(v, float) or v == v else "nan")
                            for v in col.tolist()]))
        else:
            buf.write(repr(col.astype(object).where(col.notna(), None).tolist()))
    return _sha(buf.getvalue().encode())


def _table_digest(path: Path) -> str:
    """Schema and content of a Parquet file (not its bytes: the writer's version is in them)."""
    table = pq.read_table(path)
    sink = pa.BufferOutputStream()
    pacsv.write_csv(table, sink)
    return _sha(table.schema.to_string(show_schema_metadata=False).encode() + sink.getvalue().to_pybytes())


def _normaliser(result: ImportResult) -> tuple[Callable[[str], str], dict[str, str]]:
    """Replace each input's SHA-256 and the respondent IDs derived from it (see module docstring)."""
    subs: dict[str, str] = {}
    shas = {m["path"]: m["sha256"] for m in result.manifest["inputs"] if m.get("sha256")}
    for path, sha in shas.items():
        subs[sha] = f"<sha256 of {path}>"
    resp = result.dataset.respondents
    for f, s, r, rid in zip(resp["source_file"], resp["source_sheet"], resp["source_row"], resp["respondent_id"],
                            strict=True):
        sha = shas.get(f)
        if sha is None or not isinstance(rid, str):
            continue
        base = rid.split("~")[0]
        if base == "p" + hashlib.sha256(f"{sha}:{s}:{r}".encode()).hexdigest()[:16]:
            subs[base] = f"<id {f}:{s}:{r}>"

    def norm(text: str) -> str:
        for old, new in subs.items():
            text = text.replace(old, new)
        return text

    return norm, subs


def _walk(obj: Any, norm: Callable[[str], str]) -> Any:
    if isinstance(obj, dict):
        return {norm(k): _walk(v, norm) for k, v in obj.items()}
    if isinstance(obj, list):
        return [_walk(v, norm) for v in obj]
    return norm(obj) if isinstance(obj, str) else obj


def _digest(result: ImportResult, out: Path | None, stable_bytes: bool) -> dict[str, str]:
    norm, subs = _normaliser(result)

    def manifest_of(doc: dict[str, Any]) -> str:
        doc = _walk(doc, norm)
        doc.pop("run", None)
        if not stable_bytes:  # the size of a file written with a timestamp varies by a byte or two
            for entry in doc.get("inputs", []):
                entry.pop("size", None)
        return _sha(json.dumps(doc, sort_keys=True, ensure_ascii=False).encode())

    ds = result.dataset
    got: dict[str, str] = {}

    def frame(df: pd.DataFrame) -> pd.DataFrame:
        if not subs:
            return df
        df = df.copy()
        for c in df.columns:
            if df[c].dtype == object:
                df[c] = df[c].map(lambda v: norm(v) if isinstance(v, str) else v)
        return df

    for name in ("respondents", "responses", "municipalities"):
        got[f"memory/{name}"] = _frame_digest(frame(getattr(ds, name)))
    got["memory/rejections"] = _frame_digest(frame(result.rejections))
    got["memory/manifest"] = manifest_of(json.loads(json.dumps(result.manifest, default=str)))
    if out is None:
        return got
    for name in ("respondents", "responses", "municipalities"):
        path = out / f"{name}.parquet"
        if subs:
            table = pq.read_table(path).to_pandas()
            got[f"file/{name}.parquet"] = _frame_digest(frame(table)) + "/" + _sha(
                pq.read_schema(path).to_string(show_schema_metadata=False).encode())
        else:
            got[f"file/{name}.parquet"] = _table_digest(path)
    got["file/rejections.csv"] = _sha(norm((out / "rejections.csv").read_bytes().decode("utf-8")).encode())
    if not subs:
        got["file/rejections.xlsx"] = _sha((out / "rejections.xlsx").read_bytes())
    got["file/manifest.json"] = manifest_of(json.loads((out / "manifest.json").read_text(encoding="utf-8")))
    return got


def run_case(name: str, tmp: Path, inst: Instrument, pseudonymized: bool = False) -> dict[str, str]:
    """Import one case like ``baustein import`` and hash what it wrote."""
    work = tmp / name
    inp = work / "in"
    inp.parent.mkdir(parents=True, exist_ok=True)
    cwd = os.getcwd()
    os.chdir(work)
    try:
        paths, opts = CASES[name](inp, inst)
        opts = dict(opts)
        instrument = opts.pop("instrument", inst)
        opts.setdefault("progress", False)
        try:
            result = read_responses(paths, instrument, **opts)
        except BausteinError as exc:  # a refused delivery: its message is the golden output
            return {"error": _sha(f"{type(exc).__name__}: {exc}".encode())}
        out = Path("out")
        if result.manifest["totals"]["rows_accepted"] == 0:
            return _digest(result, None, name in DETERMINISTIC)
        if pseudonymized:
            key = work / "key" / "pseudonym.key"
            key.parent.mkdir(mode=0o700)
            key.write_bytes(KEY.hex().encode())
            key.chmod(0o600)
            write_import(result, out, key_file=key)
        else:
            write_import(result, out, pseudonymize=False)
        return _digest(result, out, name in DETERMINISTIC)
    finally:
        os.chdir(cwd)


def _load() -> dict[str, Any]:
    return json.loads(GOLDEN.read_text(encoding="utf-8")) if GOLDEN.exists() else {}


def _store(key: str, got: dict[str, str]) -> None:
    data = _load()
    data[key] = got
    GOLDEN.parent.mkdir(exist_ok=True)
    GOLDEN.write_text(json.dumps(data, indent=1, sort_keys=True) + "\n", encoding="utf-8")


def _check(key: str, got: dict[str, str]) -> None:
    if RECORD:
        _store(key, got)
        return
    want = _load().get(key)
    assert want is not None, f"no golden output recorded for {key}"
    diff = {k: (want.get(k), got.get(k)) for k in sorted(set(want) | set(got)) if want.get(k) != got.get(k)}
    assert not diff, f"{key}: outputs differ from the golden ones: {sorted(diff)}"


@pytest.mark.parametrize("name", list(CASES))
def test_import_writes_the_golden_dataset(name: str, tmp_path: Path, instrument: Instrument) -> None:
    if name in NEEDS_SHARED and not SHARED.is_dir():
        pytest.skip("../shared/formats not present")
    _check(name, run_case(name, tmp_path, instrument))


@pytest.mark.parametrize("name", sorted(DETERMINISTIC))
def test_import_writes_the_golden_pseudonymised_dataset(name: str, tmp_path: Path, instrument: Instrument) -> None:
    if name in NEEDS_SHARED and not SHARED.is_dir():
        pytest.skip("../shared/formats not present")
    _check(name + "+pseudonymized", run_case(name, tmp_path, instrument, pseudonymized=True))


def test_golden_file_covers_every_case_with_findings_and_rows() -> None:
    """The record is complete, and the cases exercise what they are meant to (not all empty)."""
    data = _load()
    if RECORD:
        pytest.skip("recording")
    assert set(CASES) <= set(data)
    assert {n + "+pseudonymized" for n in DETERMINISTIC} <= set(data)
    with_files = [n for n in CASES if "file/responses.parquet" in data[n]]
    assert len(with_files) >= len(CASES) - 4, sorted(set(CASES) - set(with_files))
    # one process and a pool of two write the same dataset
    assert data["examples-template-folder-j1"] == data["examples-template-folder-j2"]


#: Single-file cases also imported with the file's rows split over processes (issue 15: one big
#: file read once, its rows normalised in parts); the thresholds are lowered so these small files split.
SPLIT_CASES = ["examples-kobo", "written-kobo", "written-sosci", "written-csv", "byo-limesurvey_csv",
               "byo-sosci_label_row", "real-sosci-hand-mapping", "real-lime-statistik-suggested"]


@pytest.mark.parametrize("name", SPLIT_CASES)
def test_rows_of_one_file_split_over_processes_give_the_golden_dataset(
    name: str, tmp_path: Path, instrument: Instrument, monkeypatch: pytest.MonkeyPatch
) -> None:
    import surveys.importing.parallel as parallel

    if name in NEEDS_SHARED and not SHARED.is_dir():
        pytest.skip("../shared/formats not present")
    monkeypatch.setattr(parallel, "BIG_FILE_BYTES", 1)
    monkeypatch.setattr(parallel, "SPLIT_ROWS", 2)
    case = CASES[name]

    def with_two_jobs(inp: Path, inst: Instrument) -> tuple[list[str], dict[str, Any]]:
        paths, opts = case(inp, inst)
        return paths, {**opts, "jobs": 2}

    monkeypatch.setitem(CASES, name, with_two_jobs)
    if RECORD:
        pytest.skip("recording")
    split = parallel.Rows.split
    parts: list[int] = []

    def counted(self: Any, n: int) -> Any:
        out = split(self, n)
        parts.append(len(out))
        return out

    monkeypatch.setattr(parallel.Rows, "split", counted)
    _check(name, run_case(name, tmp_path, instrument))
    assert parts == [2]  # the rows were split, half normalised in a worker
