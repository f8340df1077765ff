"""Break a pyinstrument profile of the importer down by pipeline stage.

``python benchmarks/stages.py benchmarks/out/profile_state_W1_import_j1.pyisession [--top 20]``
``python benchmarks/stages.py --compare before=old.pyisession after=new.pyisession`` (one table, a column each)

Prints the inclusive time of each stage (a stage's time counts once even when its functions nest)
and the functions with the largest *self* time, with file and line. Only meaningful for in-process
runs (``jobs=1``): pyinstrument does not see worker processes.
"""

from __future__ import annotations

import argparse
from collections import defaultdict
from pathlib import Path
from typing import Any

#: stage -> function names (qualified by a path fragment) that start it. Order = display order.
#: Both layouts are known: the importer split into inputs/convert/parallel/assemble/writing
#: (issue 16) and the one-module ``pipeline.py`` before it, so profiles of both can be compared.
STAGES: dict[str, list[tuple[str, str]]] = {
    "collect + inspect (SHA-256, safety checks)": [("inspect_input", "importing/readers.py"),
                                                   ("scan_inputs", "importing/inputs.py"),
                                                   ("collect_inputs", "importing/pipeline.py")],
    "read (fastexcel -> Arrow text columns)": [("read_raw", "importing/readers.py")],
    "convert per file (sheets, header, columns, rows)": [("_select", "importing/convert.py"),
                                                         ("_convert", "importing/pipeline.py")],
    "  detect sheets/header/format": [("pick_sheets", "importing/convert.py"),
                                      ("_pick_sheets", "importing/pipeline.py"),
                                      ("detect_format", "importing/detect.py"),
                                      ("is_label_row", "importing/detect.py")],
    "finish many files at once (normalise, validate)": [("finish_files", "importing/convert.py"),
                                                        ("_finish_chunk", "importing/pipeline.py")],
    "  municipality sheets": [("parse_municipality_sheets", "importing/municipalities.py")],
    "  encode columns + review mapped columns": [("_prepare_rows", "importing/convert.py")],
    "  answers (map_answers)": [("map_answers_coded", "importing/normalize.py")],
    "  AGS/wave/role/dates/IDs": [("normalize_ags", "importing/normalize.py"),
                                  ("strip_numeric_text", "importing/normalize.py"),
                                  ("parse_dates", "importing/normalize.py")],
    "  findings (FindingCollector)": [("add", "importing/findings.py"), ("raw", "importing/findings.py")],
    "cross-file stage (assemble)": [("assemble", "importing/assemble.py"),
                                    ("merge_municipalities", "importing/validate.py")],
    "  tidy long table": [("tidy_tables", "importing/assemble.py"), ("_tidy_parts", "importing/assemble.py"),
                          ("_tidy_tables", "importing/pipeline.py")],
    "write (write_import)": [("write_import", "importing/writing.py"), ("write_import", "importing/pipeline.py")],
    "  pseudonymise IDs": [("pseudonymize_result", "importing/writing.py"),
                           ("pseudonymize_result", "importing/pipeline.py")],
    "  long respondent_id column (built once, on use)": [("build", "importing/assemble.py")],
    "  Parquet (Dataset.save)": [("save", "surveys/dataset.py")],
    "  rejection report xlsx/csv": [("_rejections_xlsx", "importing/"), ("_rejections_csv", "importing/")],
}


def _match(frame: Any, targets: list[tuple[str, str]]) -> bool:
    fp = (frame.file_path or "").replace("\\", "/")
    return any(frame.function == fn and frag in fp for fn, frag in targets)


def _times(session_path: Path) -> tuple[float, float | None, dict[str, float], dict[tuple[str, str], float]]:
    """Sampled seconds, CPU seconds, seconds per stage and self seconds per function of a session."""
    from pyinstrument.session import Session

    session = Session.load(str(session_path))
    root = session.root_frame()
    total = root.time if root else 0.0
    stage_time: dict[str, float] = defaultdict(float)
    self_time: dict[tuple[str, str], float] = defaultdict(float)

    def walk(frame: Any, active: frozenset[str]) -> None:
        now = set(active)
        for stage, targets in STAGES.items():
            if stage not in active and _match(frame, targets):
                stage_time[stage] += frame.time
                now.add(stage)
        kids = frame.children
        # self time lives in synthetic "[self]" leaves (pyinstrument >= 4) plus any unsampled rest
        own = frame.time - sum(c.time for c in kids) + sum(c.time for c in kids if c.is_synthetic_leaf)
        if not frame.is_synthetic_leaf:
            loc = f"{frame.file_path_short or Path(frame.file_path or '?').name}:{frame.line_no}"
            self_time[(frame.function or "?", loc)] += own
        for c in kids:
            if not c.is_synthetic_leaf:
                walk(c, frozenset(now))

    if root is not None:
        walk(root, frozenset())
    return total, getattr(session, "cpu_time", None), stage_time, self_time


def breakdown(session_path: Path, top: int = 20) -> str:
    """The stage table and the ``top`` functions by self time of one profile (Markdown)."""
    total, cpu, stage_time, self_time = _times(session_path)
    cpu_note = f", {cpu:.1f} s CPU" if cpu else ""
    lines = [f"profile {session_path.name}: {total:.1f} s sampled (wall, in-process{cpu_note})", "",
             "| stage | s | share |", "|---|---|---|"]
    for stage in STAGES:
        t = stage_time.get(stage, 0.0)
        lines.append(f"| {stage} | {t:.1f} | {100 * t / total if total else 0:.0f} % |")
    lines += ["", f"Top {top} functions by self time:", "", "| function | where | self s | share |", "|---|---|---|---|"]
    for (fn, loc), t in sorted(self_time.items(), key=lambda kv: -kv[1])[:top]:
        lines.append(f"| {fn} | {loc} | {t:.1f} | {100 * t / total if total else 0:.0f} % |")
    return "\n".join(lines)


def compare(sessions: list[tuple[str, Path]]) -> str:
    """One stage table with a column per profile (``label=path``), e.g. before and after a change."""
    times = [(label, *_times(path)) for label, path in sessions]
    head = "| stage | " + " | ".join(f"{label} s" for label, *_ in times) + " |"
    lines = [head, "|---|" + "---:|" * len(times)]
    lines.append("| **sampled in all** (wall; CPU) | " + " | ".join(
        f"**{total:.1f}**" + (f" ({cpu:.1f})" if cpu else "") for _, total, cpu, _, _ in times) + " |")
    for stage in STAGES:
        vals = [st.get(stage, 0.0) for _, _, _, st, _ in times]
        if any(v >= 0.05 for v in vals):
            lines.append(f"| {stage} | " + " | ".join(f"{v:.1f}" for v in vals) + " |")
    return "\n".join(lines)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("session", type=Path, nargs="?")
    ap.add_argument("--top", type=int, default=20)
    ap.add_argument("--compare", nargs="+", metavar="LABEL=SESSION",
                    help="one stage table, a column per profile (e.g. before=a.pyisession after=b.pyisession)")
    a = ap.parse_args()
    if a.compare:
        print(compare([(c.split("=", 1)[0], Path(c.split("=", 1)[1])) for c in a.compare]))
    else:
        if a.session is None:
            ap.error("a session, or --compare")
        print(breakdown(a.session, a.top))


if __name__ == "__main__":
    main()
