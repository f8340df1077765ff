"""Output folders are ours or empty, and only one run writes a folder at a time.

Every command that writes a folder (``import``, ``validate``, ``report``, ``export``, ``demo``,
``generate``) goes through :func:`claim_output` -- directly, or through
:class:`core.atomic.atomic_output_dir`, which claims the folder it replaces:

* **Ownership.** A folder is replaced only if it does not exist, is empty, or carries our marker
  :data:`MARKER` (written into every folder we create, listing the files we wrote) and holds no
  other file. Folders written before markers existed are recognised by their layout
  (:attr:`OutputKind.legacy_required`, :attr:`OutputKind.legacy_allowed`). Anything else -- a
  folder with the user's ``notes.txt``, the delivered workbooks, a dataset where a report should
  go -- is refused with a German/English message (exit code 2): no command deletes a file it did
  not write.
* **Inputs.** An output equal to an input, inside one, or holding one is refused (``import
  eingang --out eingang`` would otherwise replace the delivered workbooks).
* **Names.** ``--out x/..``, ``--out .``, the file-system root and the folder the command runs in
  (or one above it) are refused as user errors.
* **Lock.** ``.<name>.lock`` beside the folder holds a POSIX record lock while a run writes it; a
  second writer is refused with a message naming the running process (or waits, ``wait=True``,
  ``--wait``). The kernel drops the lock when its process dies, so a lock left by a killed run is
  taken over with a note. The lock is re-entrant within a process: a command claims its folder
  once at the start (and is refused at once, not after an hour of work); the atomic write inside
  it claims the same folder again.

Single files (``baustein export --out FILE``) are replaced only if we wrote them and they have not
changed since (:func:`claim_output_file`, :func:`record_output_file`; hashes in
:data:`FILES_RECORD` beside them).

Example
-------
>>> with claim_output("daten/welle2025", kind="dataset", inputs=["eingang"], command="import"):  # doctest: +SKIP
...     write_import(result, "daten/welle2025")
"""

from __future__ import annotations

import contextlib
import datetime as _dt
import errno
import hashlib
import json
import os
import socket
import sys
import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from fnmatch import fnmatch
from pathlib import Path
from typing import Any

from .errors import BausteinError
from .problems import Catalogue, MessageSpec, Problem, quote_input
from .processes import pid_alive

try:  # POSIX record locks: dropped by the kernel when the holder dies, not inherited by fork
    import fcntl
except ImportError:  # pragma: no cover - Windows
    fcntl = None  # type: ignore[assignment]

__all__ = [
    "FILES_RECORD",
    "KINDS",
    "MARKER",
    "MESSAGES",
    "OutputFolderError",
    "OutputKind",
    "add_wait_option",
    "check_replaceable",
    "claim_output",
    "claim_output_file",
    "claimed_kind",
    "output_kind",
    "own_output_files",
    "record_output_file",
    "write_marker",
]

#: Marker file in every folder baustein-eval writes (JSON: tool, kind, files written).
MARKER = ".baustein-output.json"
#: Hashes of single files baustein-eval wrote into a folder that is not its own.
FILES_RECORD = ".baustein-files.json"
_TOOL = "baustein-eval"
#: Files an operating system's file browser puts into folders it shows; never the user's work.
_OS_JUNK = (".DS_Store", "Thumbs.db", "desktop.ini", "._*")
_POLL_SECONDS = 0.5


class OutputFolderError(BausteinError):
    """An output folder or file cannot be written without losing something (exit code 2)."""


_DO_NEW = "Bitte einen neuen oder leeren Ordner angeben"
_DO_NEW_EN = "Please give a new or empty folder"
MESSAGES = Catalogue("output", {
    "out_bad_name": MessageSpec(
        "error",
        "'{path}' ist kein möglicher Ausgabeordner ({why_de}).",
        "'{path}' cannot be an output folder ({why_en}).",
        hint_de=f"{_DO_NEW}, z. B. --out ergebnisse/welle2025.",
        hint_en=f"{_DO_NEW_EN}, e.g. --out results/wave2025.",
    ),
    "out_is_file": MessageSpec(
        "error",
        "'{path}' ist eine Datei, kein Ordner; sie wird nicht ersetzt.",
        "'{path}' is a file, not a folder; it is not replaced.",
        hint_de=f"{_DO_NEW}.", hint_en=f"{_DO_NEW_EN}.",
    ),
    "out_not_ours": MessageSpec(
        "error",
        "Der Ordner '{path}' enthält Dateien, die nicht von baustein-eval stammen ({examples}); er wird nicht "
        "überschrieben, damit nichts verloren geht.",
        "Folder '{path}' holds files that baustein-eval did not write ({examples}); it is not replaced so "
        "that nothing is lost.",
        hint_de=f"{_DO_NEW} (er wird angelegt).", hint_en=f"{_DO_NEW_EN} (it is created).",
    ),
    "out_extra_files": MessageSpec(
        "error",
        "Der Ordner '{path}' wurde von baustein-eval geschrieben, enthält inzwischen aber weitere Dateien "
        "({examples}); er wird nicht überschrieben, damit sie nicht verloren gehen.",
        "Folder '{path}' was written by baustein-eval but now also holds other files ({examples}); it is "
        "not replaced so that they are not lost.",
        hint_de="Diese Dateien an einen anderen Ort verschieben oder einen neuen Ordner angeben.",
        hint_en="Move these files elsewhere or give a new folder.",
    ),
    "out_other_kind": MessageSpec(
        "error",
        "Der Ordner '{path}' enthält {other_de}, nicht {kind_de}; er wird nicht ersetzt.",
        "Folder '{path}' holds {other_en}, not {kind_en}; it is not replaced.",
        hint_de="Bitte einen anderen Ordner angeben (Verwechslung von Datensatz- und Berichtsordner?).",
        hint_en="Please give another folder (dataset and report folder mixed up?).",
    ),
    "out_input_overlap": MessageSpec(
        "error",
        "Der Ausgabeordner '{path}' {relation_de} Eingabe '{input}'; Ein- und Ausgaben müssen getrennt "
        "bleiben, damit keine Eingabe verloren geht.",
        "Output folder '{path}' {relation_en} input '{input}'; inputs and outputs must stay apart so that no "
        "input is lost.",
        hint_de="Bitte einen Ausgabeordner außerhalb der Eingaben angeben.",
        hint_en="Please give an output folder outside the inputs.",
    ),
    "out_locked": MessageSpec(
        "error",
        "Der Ordner '{path}' wird gerade von einem anderen Lauf geschrieben ({holder}).",
        "Folder '{path}' is being written by another run ({holder}).",
        hint_de="Warten, bis dieser fertig ist, oder mit --wait starten, um danach zu schreiben.",
        hint_en="Wait until it has finished, or start with --wait to write afterwards.",
    ),
    "out_waiting": MessageSpec(
        "info",
        "Warte auf den Lauf, der '{path}' gerade schreibt ({holder}) …",
        "Waiting for the run that is writing '{path}' ({holder}) …",
    ),
    "out_lock_stale": MessageSpec(
        "info",
        "Die Sperre eines abgebrochenen Laufs ({holder}, läuft nicht mehr) wurde übernommen; seine "
        "Zwischenstände werden aufgeräumt.",
        "The lock of an interrupted run ({holder}, no longer running) was taken over; its leftovers are "
        "cleaned up.",
    ),
    "out_file_not_ours": MessageSpec(
        "error",
        "Die Datei '{path}' gibt es schon, und sie stammt nicht (oder nicht unverändert) von baustein-eval; "
        "sie wird nicht überschrieben.",
        "File '{path}' exists and was not written by baustein-eval (or was changed since); it is not "
        "overwritten.",
        hint_de="Bitte einen anderen Dateinamen angeben oder die Datei selbst verschieben.",
        hint_en="Please give another file name or move the file yourself.",
    ),
})


@dataclass(frozen=True)
class OutputKind:
    """What a kind of output folder is, for messages and for recognising older folders.

    Attributes
    ----------
    name : str
        Key in :data:`KINDS` (``dataset``, ``report`` ...), recorded in the marker.
    de, en : str
        The kind with an article, for messages ("einen Datensatz" / "a dataset").
    derived : tuple of str
        Subfolders other commands may add later (the results cache and exports of a dataset).
    legacy_required, legacy_allowed : tuple of str
        Glob patterns (relative paths) identifying a folder of this kind written before markers
        existed: all of ``legacy_required`` present and every file matching ``legacy_allowed``.
    readable_input : bool
        Whether a folder of this kind may be an input of an import (generated example data).
    """

    name: str
    de: str
    en: str
    derived: tuple[str, ...] = ()
    legacy_required: tuple[str, ...] = ()
    legacy_allowed: tuple[str, ...] = ()
    readable_input: bool = False


KINDS: dict[str, OutputKind] = {k.name: k for k in (
    OutputKind("dataset", "einen Datensatz", "a dataset", derived=(".cache", "export"),
               legacy_required=("manifest.json", "respondents.parquet"),
               legacy_allowed=("*.parquet", "instrument.yaml", "manifest.json", "rejections.csv", "rejections.xlsx")),
    OutputKind("import_report", "einen Prüfbericht", "an import report",
               legacy_required=("manifest.json", "rejections.csv"),
               legacy_allowed=("manifest.json", "rejections.csv", "rejections.xlsx")),
    OutputKind("report", "Berichte", "reports", legacy_required=("index.html", "build.json"),
               legacy_allowed=("*.html", "build.json", "results.xlsx", "results.json", "assets/*", "notebooks/*",
                               "profile/*", "images/*")),
    OutputKind("generated", "erzeugte Beispieldaten", "generated example data", readable_input=True,
               legacy_required=("ground_truth.json",),
               legacy_allowed=("*.xlsx", "*.csv", "*.sav", "*.json")),
    OutputKind("instrument", "Instrument-Dateien", "instrument files", readable_input=True,
               legacy_required=("*_codebuch.md",),
               legacy_allowed=("*_xlsform.xlsx", "*_vorlage.xlsx", "*_codebuch.xlsx", "*_codebuch.md")),
    OutputKind("output", "eine Ausgabe von baustein-eval", "an output of baustein-eval"),
)}


def add_wait_option(parser: Any) -> None:
    """Add ``--wait`` (wait for another run writing the same folder instead of refusing)."""
    parser.add_argument(
        "--wait", action="store_true",
        help="warten, falls ein anderer Lauf denselben Ausgabeordner schreibt (Standard: ablehnen) / "
        "wait for another run writing the same output folder (default: refuse)",
    )


def _error(code: str, **params: Any) -> OutputFolderError:
    return OutputFolderError(problem=MESSAGES.problem(code, **params))


def _say(problem: Problem) -> None:
    print(f"Hinweis / note: {problem.line('de')} / {problem.line('en')}", file=sys.stderr)


# ----------------------------------------------------------------------------- names and inputs
def _resolve(path: str | os.PathLike[str]) -> Path:
    """The output path as the user means it: absolute, symlinks resolved; bad names refused."""
    given = Path(path)
    shown = quote_input(os.fspath(path))
    if given.name in ("", ".."):
        raise _error("out_bad_name", path=shown, why_de="er muss mit einem Ordnernamen enden, nicht mit '.' "
                     "oder '..'", why_en="it must end with a folder name, not '.' or '..'")
    target = given.expanduser().resolve()
    cwd = Path.cwd().resolve()
    if target == Path(target.anchor) or target == cwd or target in cwd.parents:
        raise _error("out_bad_name", path=shown, why_de="das ist das aktuelle Verzeichnis, ein übergeordnetes "
                     "oder das Wurzelverzeichnis", why_en="it is the current folder, one above it or the root")
    return target


def _check_inputs(target: Path, inputs: Iterable[str | os.PathLike[str]]) -> None:
    for inp in inputs:
        src = Path(inp).expanduser().resolve()
        if src == target:
            rel = ("ist gleich der", "is the same as")
        elif src in target.parents:
            rel = ("liegt in der", "lies inside")
        elif target in src.parents:
            rel = ("enthält die", "contains")
        else:
            continue
        raise _error("out_input_overlap", path=quote_input(target), input=quote_input(inp),
                     relation_de=rel[0], relation_en=rel[1])


# ----------------------------------------------------------------------------- ownership
def _read_marker(folder: Path) -> dict[str, Any] | None:
    try:
        data = json.loads((folder / MARKER).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    if not isinstance(data, dict) or data.get("tool") != _TOOL or data.get("kind") not in KINDS:
        return None
    if not isinstance(data.get("files"), list):
        return None
    return data


def output_kind(folder: str | os.PathLike[str], legacy: bool = False) -> OutputKind | None:
    """The kind of output ``folder`` is (from its marker), or None if it carries no valid marker.

    ``legacy=True`` also recognises folders written before markers existed by their layout.
    """
    data = _read_marker(Path(folder))
    if data:
        return KINDS[data["kind"]]
    return _legacy_kind(Path(folder), None) if legacy and Path(folder).is_dir() else None


def _files(folder: Path) -> list[str]:
    """Relative POSIX paths of every file (and symlink) below ``folder``; symlinked folders not followed."""
    out = []
    for root, dirs, files in os.walk(folder):
        base = Path(root)
        for name in files + [d for d in dirs if (base / d).is_symlink()]:
            out.append((base / name).relative_to(folder).as_posix())
    return sorted(out)


def _matches(rel: str, patterns: Iterable[str]) -> bool:
    return any(fnmatch(rel, p) for p in patterns)  # "*" also matches "/": "assets/*" covers subfolders


def _foreign(folder: Path, kind: OutputKind, listed: set[str] | None) -> list[str]:
    """Files in ``folder`` that are neither listed in its marker nor in a derived area nor OS junk
    (``listed=None``: a folder from before markers, judged by the kind's legacy layout)."""
    out = []
    for rel in _files(folder):
        if rel == MARKER or rel.split("/")[0] in kind.derived:
            continue
        if rel.rsplit("/", 1)[-1] in _OS_JUNK[:3] or fnmatch(rel.rsplit("/", 1)[-1], _OS_JUNK[3]):
            continue
        known = rel in listed if listed is not None else _matches(rel, kind.legacy_allowed)
        if not known:
            out.append(rel)
    return out


def _legacy_kind(folder: Path, wanted: str | None) -> OutputKind | None:
    """The kind whose pre-marker layout ``folder`` has (the wanted kind first), or None."""
    names = _files(folder)
    order = [KINDS[wanted]] if wanted in KINDS else []
    order += [k for k in KINDS.values() if k.name != wanted]
    for k in order:
        required = k.legacy_required and all(any(_matches(n, [r]) for n in names) for r in k.legacy_required)
        if required and not _foreign(folder, k, None):
            return k
    return None


def _examples(rels: list[str], limit: int = 3) -> str:
    shown = ", ".join(f"'{quote_input(r, 60)}'" for r in rels[:limit])
    return shown + (f" … (+{len(rels) - limit})" if len(rels) > limit else "")


def check_replaceable(target: str | os.PathLike[str], kind: str | None = None) -> None:
    """Raise :class:`OutputFolderError` unless ``target`` may be replaced by an output of ``kind``.

    ``kind=None`` accepts an output of any kind (library callers that do not say what they write).
    """
    folder = Path(target)
    if not folder.exists():
        return
    if not folder.is_dir():
        raise _error("out_is_file", path=quote_input(folder))
    if not any(folder.iterdir()):
        return
    marker = _read_marker(folder)
    if marker is not None:
        owner: OutputKind | None = KINDS[marker["kind"]]
        listed: set[str] | None = {str(f) for f in marker["files"]}
    else:
        owner, listed = _legacy_kind(folder, kind), None
        if owner is None:
            raise _error("out_not_ours", path=quote_input(folder), examples=_examples(_files(folder)))
    assert owner is not None
    if kind is not None and kind != "output" and owner.name not in (kind, "output"):
        want = KINDS[kind]
        raise _error("out_other_kind", path=quote_input(folder), other_de=owner.de, other_en=owner.en,
                     kind_de=want.de, kind_en=want.en)
    extra = _foreign(folder, owner, listed)
    if extra:
        raise _error("out_extra_files", path=quote_input(folder), examples=_examples(extra))


def write_marker(folder: str | os.PathLike[str], kind: str | None) -> Path:
    """Write :data:`MARKER` into ``folder`` listing every file in it (call when the folder is complete)."""
    folder = Path(folder)
    data = {"tool": _TOOL, "kind": kind or "output", "files": [f for f in _files(folder) if f != MARKER]}
    path = folder / MARKER
    path.write_text(json.dumps(data, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
    return path


# ----------------------------------------------------------------------------- locks
def _describe_holder(info: dict[str, Any]) -> str:
    """The process holding a lock, from the lock file ("baustein import, PID 123, 2025-03-01T12:00:01")."""
    cmd = quote_input(info.get("command") or "baustein", 60)
    host = info.get("host")
    where = "" if host in (None, socket.gethostname()) else f" @ {quote_input(host, 60)}"
    return f"{cmd}, PID {quote_input(info.get('pid', '?'), 12)}{where}, {quote_input(info.get('started', '?'), 30)}"


class _Lock:
    """``.<name>.lock`` beside an output folder, held with a POSIX record lock (or O_EXCL)."""

    def __init__(self, target: Path, command: str) -> None:
        self.target = target
        self.path = target.parent / f".{target.name}.lock"
        self.command = command
        self.fd: int | None = None
        self.created: list[Path] = []  # parent folders made for the lock, removed again if left empty

    def _read(self) -> dict[str, Any]:
        try:
            data = json.loads(self.path.read_text(encoding="utf-8") or "{}")
        except (OSError, ValueError):
            return {}
        return data if isinstance(data, dict) else {}

    def _try(self) -> bool:
        if fcntl is None:  # pragma: no cover - Windows: create exclusively, stale when the pid is dead
            try:
                fd = os.open(self.path, os.O_RDWR | os.O_CREAT | os.O_EXCL, 0o644)
            except FileExistsError:
                info = self._read()
                if isinstance(info.get("pid"), int) and not pid_alive(info["pid"]):
                    with contextlib.suppress(FileNotFoundError):
                        os.unlink(self.path)
                    return self._try()
                return False
            self.fd = fd
            return True
        while True:
            fd = os.open(self.path, os.O_RDWR | os.O_CREAT | getattr(os, "O_CLOEXEC", 0), 0o644)
            try:
                fcntl.lockf(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except OSError as exc:
                os.close(fd)
                if exc.errno in (errno.EACCES, errno.EAGAIN):
                    return False
                raise
            try:  # the holder may have removed the file between our open and lock: lock the current one
                same = os.stat(self.path).st_ino == os.fstat(fd).st_ino
            except FileNotFoundError:
                same = False
            if same:
                self.fd = fd
                return True
            os.close(fd)

    def acquire(self, wait: bool, notify: Callable[[Problem], None]) -> None:
        parent = self.path.parent
        self.created = [d for d in (parent, *parent.parents) if not d.exists()]
        parent.mkdir(parents=True, exist_ok=True)
        told = False
        while not self._try():
            params = {"path": quote_input(self.target), "holder": _describe_holder(self._read())}
            if not wait:
                self._remove_created()
                raise _error("out_locked", **params)
            if not told:
                notify(MESSAGES.problem("out_waiting", **params))
                told = True
            time.sleep(_POLL_SECONDS)
        assert self.fd is not None
        previous = os.read(self.fd, 1 << 16)
        if previous.strip():
            try:
                info = json.loads(previous.decode("utf-8", "replace"))
            except ValueError:
                info = {}
            notify(MESSAGES.problem("out_lock_stale", holder=_describe_holder(info if isinstance(info, dict) else {})))
        mine = {
            "pid": os.getpid(), "host": socket.gethostname(), "command": self.command,
            "started": _dt.datetime.now().isoformat(timespec="seconds"),
        }
        os.lseek(self.fd, 0, os.SEEK_SET)
        os.ftruncate(self.fd, 0)
        os.write(self.fd, json.dumps(mine).encode("utf-8"))
        os.fsync(self.fd)

    def release(self) -> None:
        if self.fd is None:
            return
        with contextlib.suppress(FileNotFoundError):
            os.unlink(self.path)  # while still locked: a waiting run then retries on a fresh file
        os.close(self.fd)
        self.fd = None
        self._remove_created()

    def _remove_created(self) -> None:
        for folder in self.created:  # deepest first; stops at the first one that holds something
            try:
                folder.rmdir()
            except OSError:
                break


#: Folders this process holds: resolved path -> [lock, depth, kind].
_HELD: dict[Path, list[Any]] = {}


@contextlib.contextmanager
def claim_output(
    target: str | os.PathLike[str],
    *,
    kind: str | None = None,
    inputs: Iterable[str | os.PathLike[str]] = (),
    wait: bool = False,
    command: str = "",
    notify: Callable[[Problem], None] | None = None,
) -> Iterator[Path]:
    """Check that ``target`` may be (re)written and hold its lock for the block; yields the resolved path.

    Parameters
    ----------
    target : path-like
        The output folder.
    kind : str, optional
        What is written (a key of :data:`KINDS`); a folder holding another kind is refused. Inside
        an outer claim of the same folder, ``None`` means the outer claim's kind.
    inputs : iterable of path-like
        Inputs of the command: an output equal to, inside or holding one of them is refused.
    wait : bool
        Wait for another run writing the same folder instead of refusing.
    command : str
        Shown to a second run that finds the folder locked (e.g. ``"baustein import"``).
    notify : callable, optional
        Receives notes (waiting, stale lock taken over); default: printed to stderr.

    Raises
    ------
    OutputFolderError
        Bad name, overlap with an input, a folder that is not ours, or locked by another run.
    """
    resolved = _resolve(target)
    _check_inputs(resolved, inputs)
    held = _HELD.get(resolved)
    if held is not None:  # re-entrant: the command claimed it already
        kind = kind or held[2]
        check_replaceable(resolved, kind)
        held[1] += 1
        try:
            yield resolved
        finally:
            held[1] -= 1
        return
    check_replaceable(resolved, kind)  # refuse before waiting for a lock that would not help
    lock = _Lock(resolved, command or _command_line())
    lock.acquire(wait, notify or _say)
    _HELD[resolved] = [lock, 1, kind]
    try:
        check_replaceable(resolved, kind)  # the previous holder may have changed it
        yield resolved
    finally:
        del _HELD[resolved]
        lock.release()


def claimed_kind(target: str | os.PathLike[str]) -> str | None:
    """The kind under which this process holds ``target`` (None if it does not hold it)."""
    held = _HELD.get(Path(target).expanduser().resolve())
    return held[2] if held else None


def _command_line() -> str:
    args = [Path(sys.argv[0]).name if sys.argv else "python", *sys.argv[1:3]]
    return " ".join(a for a in args if a)


# ----------------------------------------------------------------------------- single files
def _sha256(path: Path) -> str:
    h = hashlib.sha256()
    with path.open("rb") as fh:
        while chunk := fh.read(1 << 20):
            h.update(chunk)
    return h.hexdigest()


def _record(folder: Path) -> dict[str, str]:
    try:
        data = json.loads((folder / FILES_RECORD).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return {str(k): str(v) for k, v in data.items()} if isinstance(data, dict) else {}


def _in_our_folder(p: Path) -> bool:
    return any((parent / MARKER).exists() and _read_marker(parent) is not None for parent in p.parents)


def claim_output_file(path: str | os.PathLike[str]) -> Path:
    """Raise :class:`OutputFolderError` unless ``path`` is new or a file we wrote, unchanged since.

    A file inside one of our output folders (a dataset's ``export/``) is always ours.
    """
    p = Path(path).expanduser().resolve()
    if p.is_dir():
        raise _error("out_file_not_ours", path=quote_input(path))
    if not p.exists() or _in_our_folder(p):
        return p
    if _record(p.parent).get(p.name) != _sha256(p):
        raise _error("out_file_not_ours", path=quote_input(path))
    return p


@contextlib.contextmanager
def own_output_files(*paths: str | os.PathLike[str] | None) -> Iterator[None]:
    """Claim single output files before a command writes them and record them after it succeeded.

    Every path (``None`` is skipped) must be new or a file baustein-eval wrote and nobody changed
    since (:func:`claim_output_file`); all are checked before anything is written, so a refusal
    leaves every file as it was. A command that writes e.g. ``results.xlsx`` and ``results.json``
    wraps its writing in this, and its next run may replace them.

    >>> with own_output_files("results.xlsx", None):          # doctest: +SKIP
    ...     write_results(res, "results.xlsx")
    """
    targets = [Path(p) for p in paths if p is not None]
    for target in targets:
        claim_output_file(target)
    yield
    for target in targets:
        if target.exists():
            record_output_file(target)


def record_output_file(path: str | os.PathLike[str]) -> None:
    """Note in :data:`FILES_RECORD` beside ``path`` that we wrote it (with its hash)."""
    p = Path(path).expanduser().resolve()
    if _in_our_folder(p):
        return
    rec = _record(p.parent)
    rec[p.name] = _sha256(p)
    tmp = p.parent / f".{FILES_RECORD}.{os.getpid()}.tmp"
    tmp.write_text(json.dumps(rec, indent=1, sort_keys=True, ensure_ascii=False) + "\n", encoding="utf-8")
    os.replace(tmp, p.parent / FILES_RECORD)
