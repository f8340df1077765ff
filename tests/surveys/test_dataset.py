"""The dataset folder: atomic replacement, recovery after a kill between the two renames."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from core.atomic import atomic_output_dir


def _write(target: Path, text: str, extra: bool = False) -> None:
    with atomic_output_dir(target) as tmp:
        (tmp / "data.txt").write_text(text)
        if extra:
            (tmp / "extra.txt").write_text(f"from {text}")


def test_successful_write_replaces_the_previous_folder_whole(tmp_path: Path) -> None:
    target = tmp_path / "out"
    _write(target, "v1", extra=True)
    _write(target, "v2")
    assert (target / "data.txt").read_text() == "v2"
    assert not (target / "extra.txt").exists()
    assert [p.name for p in tmp_path.iterdir()] == ["out"]


def test_failed_write_leaves_the_previous_folder_untouched(tmp_path: Path) -> None:
    target = tmp_path / "out"
    _write(target, "v1")
    with pytest.raises(RuntimeError), atomic_output_dir(target) as tmp:
        (tmp / "data.txt").write_text("half")
        raise RuntimeError("disk full")
    assert (target / "data.txt").read_text() == "v1"
    assert [p.name for p in tmp_path.iterdir()] == ["out"]


def test_kill_between_the_two_renames_is_recovered_by_the_next_run(tmp_path: Path) -> None:
    target = tmp_path / "out"
    _write(target, "v1")
    # simulate a kill right after the first rename (target moved aside, new folder not yet in place)
    os.replace(target, tmp_path / ".out.old-abc123")
    (tmp_path / ".out.tmp-xyz").mkdir()
    with pytest.raises(RuntimeError), atomic_output_dir(target):
        assert (target / "data.txt").read_text() == "v1"  # previous output is back before anything else
        raise RuntimeError("this run fails too")
    assert (target / "data.txt").read_text() == "v1"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out"]
