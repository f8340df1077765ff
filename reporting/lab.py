"""JupyterLab settings for the report notebooks: a ``.py`` notebook opens as a notebook, appears once,
and starts its kernel without asking.

The notebooks are jupytext percent files. Three settings make them behave like notebooks:

* JupyterLab opens Python files with the *Jupytext Notebook* viewer (:data:`LAB_SETTINGS`,
  written as the environment's ``overrides.json`` by :func:`write_overrides`, or as user settings
  into any folder by :func:`write_user_settings`);
* ``[tool.jupytext] formats = ".nb//ipynb,py:percent"`` (``pyproject.toml``) pairs
  ``notebooks/x.py`` with ``notebooks/.nb/x.ipynb``: outputs are kept, but the folder is hidden,
  so the file browser lists each notebook once;
* every notebook names its kernel in a jupytext header (``kernelspec: python3``) and JupyterLab
  starts the preferred kernel without asking (no "Select Kernel" dialog).

``python -m reporting.lab`` writes the overrides into the running environment (``make lab`` does).
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

__all__ = ["LAB_SETTINGS", "write_overrides", "write_user_settings"]

#: JupyterLab settings: open Python files as notebooks (jupytext's viewer), start the notebook's kernel
#: without asking, and no news pop-up over the notebook.
LAB_SETTINGS: dict[str, Any] = {
    "@jupyterlab/docmanager-extension:plugin": {"defaultViewers": {"python": "Jupytext Notebook"}},
    "@jupyterlab/notebook-extension:tracker": {"autoStartDefaultKernel": True},
    "@jupyterlab/apputils-extension:notification": {"fetchNews": "false"},
}


def write_overrides(prefix: str | Path = sys.prefix) -> Path:
    """Merge :data:`LAB_SETTINGS` into ``<prefix>/share/jupyter/lab/settings/overrides.json``."""
    path = Path(prefix) / "share" / "jupyter" / "lab" / "settings" / "overrides.json"
    current: dict[str, Any] = {}
    if path.exists():
        current = json.loads(path.read_text(encoding="utf-8") or "{}")
    for plugin, values in LAB_SETTINGS.items():
        merged = current.setdefault(plugin, {})
        for key, value in values.items():
            merged[key] = {**merged.get(key, {}), **value} if isinstance(value, dict) else value
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(current, indent=2) + "\n", encoding="utf-8")
    return path


def write_user_settings(folder: str | Path) -> list[Path]:
    """Write :data:`LAB_SETTINGS` as JupyterLab user settings into ``folder``
    (use it as ``JUPYTERLAB_SETTINGS_DIR``)."""
    paths = []
    for plugin, values in LAB_SETTINGS.items():
        package, name = plugin.split(":")
        path = Path(folder) / package / f"{name}.jupyterlab-settings"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(values, indent=2) + "\n", encoding="utf-8")
        paths.append(path)
    return paths


if __name__ == "__main__":  # pragma: no cover
    print(f"JupyterLab: Python-Dateien öffnen als Notebook / .py files open as notebooks: {write_overrides()}")
