"""Output folders are ours or empty; one writer at a time (core.output_folders, core.atomic)."""

from __future__ import annotations

import json
import multiprocessing as mp
import os
import time
from pathlib import Path

import pytest

from core.atomic import atomic_file, atomic_output_dir
from core.output_folders import (
    FILES_RECORD,
    MARKER,
    OutputFolderError,
    check_replaceable,
    claim_output,
    claim_output_file,
    output_kind,
    record_output_file,
)


def _write(target: Path, files: dict[str, str], kind: str | None = "dataset") -> None:
    with atomic_output_dir(target, kind=kind) as tmp:
        for name, text in files.items():
            (tmp / name).parent.mkdir(parents=True, exist_ok=True)
            (tmp / name).write_text(text)


def test_written_folder_carries_a_marker_listing_exactly_its_files(tmp_path: Path) -> None:
    target = tmp_path / "out"
    _write(target, {"a.parquet": "1", "sub/b.json": "2"})
    marker = json.loads((target / MARKER).read_text())
    assert marker == {"tool": "baustein-eval", "kind": "dataset", "files": ["a.parquet", "sub/b.json"]}
    assert output_kind(target).name == "dataset"


def test_own_folder_is_replaced_whole_and_lock_and_temp_folders_are_gone(tmp_path: Path) -> None:
    target = tmp_path / "out"
    _write(target, {"old.txt": "1"})
    _write(target, {"new.txt": "2"})
    assert sorted(p.name for p in target.iterdir()) == [MARKER, "new.txt"]
    assert [p.name for p in tmp_path.iterdir()] == ["out"]  # no lock, no .out.tmp-*, no .out.old-*


def test_folder_with_a_file_of_the_user_is_refused_and_kept(tmp_path: Path) -> None:
    target = tmp_path / "v"
    target.mkdir()
    (target / "notes.txt").write_text("mine")
    with pytest.raises(OutputFolderError, match=r"notes\.txt") as err:
        _write(target, {"a.txt": "x"})
    assert "nicht überschrieben" in str(err.value) and "not replaced" in str(err.value)
    assert (target / "notes.txt").read_text() == "mine"
    assert [p.name for p in tmp_path.iterdir()] == ["v"]


def test_own_folder_with_a_file_added_later_is_refused(tmp_path: Path) -> None:
    target = tmp_path / "out"
    _write(target, {"a.txt": "1"})
    (target / "README.txt").write_text("added by the user")
    with pytest.raises(OutputFolderError, match=r"README\.txt"):
        _write(target, {"a.txt": "2"})
    assert (target / "a.txt").read_text() == "1" and (target / "README.txt").exists()


def test_file_browser_junk_and_derived_areas_do_not_block_a_rewrite(tmp_path: Path) -> None:
    target = tmp_path / "out"
    _write(target, {"a.txt": "1"})
    (target / ".DS_Store").write_text("finder")
    (target / ".cache").mkdir()
    (target / ".cache" / "results.json").write_text("{}")  # the results cache of a dataset
    _write(target, {"a.txt": "2"})
    assert (target / "a.txt").read_text() == "2" and not (target / ".cache").exists()


def test_folder_of_another_kind_is_refused(tmp_path: Path) -> None:
    target = tmp_path / "daten"
    _write(target, {"respondents.parquet": "x"}, kind="dataset")
    with pytest.raises(OutputFolderError, match="Datensatz"):
        _write(target, {"index.html": "x"}, kind="report")


def test_folder_written_before_markers_is_recognised_by_its_layout(tmp_path: Path) -> None:
    legacy = tmp_path / "alt"
    legacy.mkdir()
    for name in ("manifest.json", "respondents.parquet", "responses.parquet", "rejections.csv"):
        (legacy / name).write_text("x")
    check_replaceable(legacy, "dataset")  # no error
    (legacy / "notes.txt").write_text("x")
    with pytest.raises(OutputFolderError):
        check_replaceable(legacy, "dataset")


@pytest.mark.parametrize("given", ["x/..", ".", "/"])
def test_output_path_without_a_folder_name_is_a_user_error(given: str, tmp_path: Path,
                                                           monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "x").mkdir()
    with pytest.raises(OutputFolderError, match="Ausgabeordner"), claim_output(given):
        pass


@pytest.mark.parametrize("relation", ["same", "inside", "holds"])
def test_output_overlapping_an_input_is_refused(relation: str, tmp_path: Path) -> None:
    inputs = tmp_path / "eingang"
    inputs.mkdir()
    target = {"same": inputs, "inside": inputs / "ds", "holds": tmp_path}[relation]
    given = inputs / "a.xlsx" if relation == "holds" else inputs
    with pytest.raises(OutputFolderError, match="Eingabe"), claim_output(target, inputs=[given]):
        pass


def _hold(target: str, ready: mp.synchronize.Event, release: mp.synchronize.Event) -> None:
    with claim_output(target, command="baustein import"):
        ready.set()
        release.wait(30)


def test_second_writer_is_refused_naming_the_running_process_or_waits(tmp_path: Path) -> None:
    target = tmp_path / "out"
    ctx = mp.get_context("fork")
    ready, release = ctx.Event(), ctx.Event()
    holder = ctx.Process(target=_hold, args=(str(target), ready, release))
    holder.start()
    try:
        assert ready.wait(30)
        with pytest.raises(OutputFolderError) as err, claim_output(target):
            pass
        assert f"PID {holder.pid}" in str(err.value) and "baustein import" in str(err.value)
        assert "--wait" in str(err.value)
        notes: list[str] = []
        t0 = time.monotonic()
        ctx_release = ctx.Process(target=_release_after, args=(release, 1.0))
        ctx_release.start()
        with claim_output(target, wait=True, notify=lambda p: notes.append(p.code)):
            waited = time.monotonic() - t0
        ctx_release.join(10)
        assert notes == ["out_waiting"] and waited > 0.5
    finally:
        release.set()
        holder.join(10)


def _release_after(release: mp.synchronize.Event, seconds: float) -> None:
    time.sleep(seconds)
    release.set()


def test_lock_of_a_killed_run_is_taken_over_with_a_note(tmp_path: Path) -> None:
    target = tmp_path / "out"
    (tmp_path / ".out.lock").write_text(json.dumps({"pid": 999_999_999, "command": "baustein import",
                                                    "started": "2025-01-01T00:00:00"}))
    notes = []
    with claim_output(target, notify=notes.append):
        pass
    assert [n.code for n in notes] == ["out_lock_stale"] and "999999999" in notes[0].message("de")
    assert not (tmp_path / ".out.lock").exists()


def test_claim_is_reentrant_and_inner_writes_keep_the_claimed_kind(tmp_path: Path) -> None:
    target = tmp_path / "gen"
    with claim_output(target, kind="generated"), atomic_output_dir(target) as tmp:
        (tmp / "ground_truth.json").write_text("{}")
    assert output_kind(target).name == "generated"


def test_stale_temp_folder_of_a_killed_run_is_removed_by_the_next_write(tmp_path: Path) -> None:
    target = tmp_path / "out"
    _write(target, {"a.txt": "1"})
    stale = tmp_path / ".out.tmp-killed"
    stale.mkdir()
    (stale / "half.parquet").write_text("x")
    _write(target, {"a.txt": "2"})
    assert not stale.exists()


def test_single_file_is_replaced_only_when_we_wrote_it_and_it_is_unchanged(tmp_path: Path) -> None:
    user = tmp_path / "daten.csv"
    user.write_text("the user's own table")
    with pytest.raises(OutputFolderError, match=r"daten\.csv"), atomic_file(user, guard=True) as tmp:
        tmp.write_text("export")
    assert user.read_text() == "the user's own table"
    ours = tmp_path / "export.csv"
    for text in ("v1", "v2"):
        with atomic_file(ours, guard=True) as tmp:
            tmp.write_text(text)
    assert ours.read_text() == "v2" and (tmp_path / FILES_RECORD).exists()
    ours.write_text("edited by hand")
    with pytest.raises(OutputFolderError):
        claim_output_file(ours)


def test_temp_file_of_a_dead_process_is_removed_by_the_next_write(tmp_path: Path) -> None:
    target = tmp_path / "codebuch.md"
    stale = tmp_path / ".codebuch.md.999999999.abcd1234.tmp"
    stale.write_text("half")
    alive = tmp_path / f".codebuch.md.{os.getpid()}.efgh5678.tmp"
    alive.write_text("another writer of this process")
    with atomic_file(target) as tmp:
        tmp.write_text("ok")
    assert not stale.exists() and alive.exists() and target.read_text() == "ok"


def test_record_inside_an_own_folder_is_not_needed(tmp_path: Path) -> None:
    target = tmp_path / "ds"
    _write(target, {"a.txt": "1"})
    inner = target / "export" / "x.csv"
    inner.parent.mkdir()
    inner.write_text("old export")
    claim_output_file(inner)  # inside our dataset folder: ours
    record_output_file(inner)
    assert not (inner.parent / FILES_RECORD).exists()


def test_outputs_get_the_modes_of_the_users_umask_not_private_temp_modes(tmp_path: Path) -> None:
    """A dataset or report on a shared drive is readable as far as the user's umask allows."""
    old = os.umask(0o027)
    try:
        with atomic_output_dir(tmp_path / "bericht", kind="report") as tmp:
            (tmp / "index.html").write_text("x", encoding="utf-8")
        with atomic_file(tmp_path / "results.xlsx") as f:
            f.write_bytes(b"x")
    finally:
        os.umask(old)
    assert (tmp_path / "bericht").stat().st_mode & 0o777 == 0o750
    assert (tmp_path / "results.xlsx").stat().st_mode & 0o777 == 0o640
