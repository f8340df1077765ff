"""The README's Python example runs as printed (on the example workbooks)."""

from __future__ import annotations

import os
import re
import warnings
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


def test_readme_python_api_example_runs(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    code = re.search(r"## Python API.*?```python\n(.*?)```", text, re.S).group(1)
    (tmp_path / "eingang").symlink_to(ROOT / "data" / "examples" / "template", target_is_directory=True)
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("BAUSTEIN_KEY_FILE", str(tmp_path / "key" / "pseudonym.key"))
    os.makedirs(tmp_path / "key", mode=0o700, exist_ok=True)
    namespace: dict[str, object] = {}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        exec(compile(code, "README.md", "exec"), namespace)
    results = namespace["results"]
    assert "hypothesen" in results.tables  # type: ignore[attr-defined]
    assert (tmp_path / "daten" / "datensatz" / "responses.parquet").is_file()


def test_readme_quick_start_is_exactly_the_two_make_commands() -> None:
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    block = re.search(r"## Quick start.*?```bash\n(.*?)```", text, re.S).group(1)
    commands = [line.split("#")[0].strip() for line in block.splitlines() if line.strip()]
    assert commands == ["make demo", "make test"]
    ci = (ROOT / ".ci" / "run").read_text()
    assert "make test" in ci
