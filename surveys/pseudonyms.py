"""Pseudonymous respondent IDs and free-text handling (privacy by default on the survey side).

* :func:`pseudonymize` replaces respondent identifiers (questionnaire numbers, Kobo ``_uuid``,
  LimeSurvey tokens) by a keyed hash: ``R-`` + the first 16 hex digits of
  HMAC-SHA256(key, value). The same respondent gets the same pseudonym in every run and wave (so
  waves can be linked), but without the key nobody can go back from pseudonym to identifier, nor
  confirm a guess (a plain hash of "Fragebogen 17" could be recomputed by anyone).
* :func:`load_or_create_key` keeps the key in a local file **outside** every output folder
  (default ``~/.config/baustein-eval/pseudonym.key``, or ``$BAUSTEIN_KEY_FILE``), created with
  permissions 0600. Losing the key only means new pseudonyms next time; leaking it allows
  re-identification by anyone holding the original identifiers.
* :func:`free_text_columns` / :func:`drop_free_text`: free-text answers never reach an output
  unless explicitly kept.

The audit of outputs before publication lives in :mod:`reporting.audit`.
"""

from __future__ import annotations

import hashlib
import hmac
import math
import os
import re
import secrets
import stat
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from core.errors import BausteinError

if TYPE_CHECKING:
    from .instrument import Instrument

__all__ = [
    "KEY_ENV_VAR",
    "PSEUDONYM_PREFIX",
    "PSEUDONYM_RE",
    "KeyFileError",
    "default_key_path",
    "drop_free_text",
    "free_text_columns",
    "load_or_create_key",
    "pseudonymize",
]

DEFAULT_MIN_N = 5
KEY_ENV_VAR = "BAUSTEIN_KEY_FILE"
PSEUDONYM_PREFIX = "R-"
PSEUDONYM_HEX = 16  # 64 bits: collision chance ~3e-8 for a million respondents
PSEUDONYM_RE = re.compile(r"\bR-[0-9a-f]{16}\b")
_KEY_BYTES = 32
_DOMAIN = b"baustein-eval/respondent/v1\x00"


class KeyFileError(BausteinError):
    """The pseudonymisation key file is unusable (unsafe permissions, malformed, inside outputs)."""


# ----------------------------------------------------------------------------- pseudonyms
def _canonical(value: Any) -> str:
    """Identifier as text: trimmed; 17.0 -> "17" (Excel turns numbers into floats)."""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def pseudonymize(
    values: Iterable[Any] | pd.Series, key: bytes, prefix: str = PSEUDONYM_PREFIX
) -> pd.Series:
    """Keyed pseudonyms for respondent identifiers.

    ``pseudonym = prefix + hex(HMAC-SHA256(key, "baustein-eval/respondent/v1\\0" + id))[:16]``

    Parameters
    ----------
    values : iterable or pandas.Series
        Identifiers (text or numbers; ``17``, ``17.0`` and ``" 17 "`` are the same respondent).
        Missing values stay missing.
    key : bytes
        Secret key, at least 16 bytes (:func:`load_or_create_key`).
    prefix : str, default "R-"
        Marks the value as a pseudonym (and lets :func:`audit_outputs` find leaked IDs).

    Returns
    -------
    pandas.Series
        Pseudonyms (dtype object), same index as ``values`` when it is a Series.

    Raises
    ------
    ValueError
        Key too short, or two different identifiers got the same pseudonym (never expected: 64 bits).

    References
    ----------
    RFC 2104 (HMAC); Article 4(5) GDPR/DSGVO defines pseudonymisation as processing such that data
    can no longer be attributed to a person "without the use of additional information", kept
    separately - here the key.
    """
    if not isinstance(key, bytes | bytearray) or len(key) < 16:
        raise ValueError("Schlüssel zu kurz (mind. 16 Bytes) / key too short (at least 16 bytes)")
    series = values if isinstance(values, pd.Series) else pd.Series(list(values), dtype=object)
    seen: dict[str, str] = {}
    key_bytes = bytes(key)

    def one(v: Any) -> Any:
        if v is None or (isinstance(v, float) and math.isnan(v)) or v is pd.NA or v is pd.NaT:
            return pd.NA
        ident = _canonical(v)
        if ident == "":
            return pd.NA
        digest = hmac.digest(key_bytes, _DOMAIN + ident.encode("utf-8"), "sha256").hex()
        pseudo = prefix + digest[:PSEUDONYM_HEX]
        other = seen.setdefault(pseudo, ident)
        if other != ident:  # pragma: no cover - 2^-64 per pair
            raise ValueError(f"Pseudonym collision for two identifiers: {pseudo}")
        return pseudo

    # one HMAC per distinct text identifier (a dict over the unique values, no per-row Python);
    # other values (numbers, missing) keep the general path
    vals = series.to_numpy(dtype=object)
    out = np.empty(len(vals), dtype=object)
    is_str = np.fromiter((type(v) is str for v in vals), dtype=bool, count=len(vals))
    if is_str.any():
        codes, uniques = pd.factorize(vals[is_str])
        pseudos = _text_pseudonyms(list(uniques), key_bytes, prefix, seen)
        out[is_str] = np.array([*pseudos, pd.NA], dtype=object)[codes]
    for i in np.flatnonzero(~is_str):
        out[i] = one(vals[i])
    return pd.Series(out, index=series.index, name=series.name, dtype=object)


def _hmac_hex(key: bytes, domain: bytes) -> Callable[[bytes], str]:
    """``msg -> HMAC-SHA256(key, domain + msg).hexdigest()`` with the keyed states computed once.

    RFC 2104: ``H((K ^ opad) || H((K ^ ipad) || m))``; the hash states after ``K ^ ipad`` (plus the
    domain) and after ``K ^ opad`` are copied per message instead of hashing the key blocks again
    (about 3x faster than :func:`hmac.digest` per identifier, the same digest).

    >>> _hmac_hex(b"k" * 16, b"d")(b"m") == hmac.new(b"k" * 16, b"dm", "sha256").hexdigest()
    True
    """
    block = hashlib.sha256().block_size
    k = hashlib.sha256(key).digest() if len(key) > block else key
    k = k.ljust(block, b"\0")
    inner = hashlib.sha256(bytes(b ^ 0x36 for b in k))
    inner.update(domain)
    outer = hashlib.sha256(bytes(b ^ 0x5C for b in k))

    def one(msg: bytes) -> str:
        i = inner.copy()
        i.update(msg)
        o = outer.copy()
        o.update(i.digest())
        return o.hexdigest()

    return one


def _text_pseudonyms(texts: list[str], key: bytes, prefix: str, seen: dict[str, str]) -> list[Any]:
    """The pseudonym of each distinct text identifier (``pseudonymize``'s rule, one HMAC each); the
    pairs go into ``seen`` (pseudonym -> identifier), a collision raises ``ValueError``."""
    n = PSEUDONYM_HEX
    idents = [t.strip() for t in texts]
    hmac_hex = _hmac_hex(key, _DOMAIN)
    out: list[Any] = [prefix + hmac_hex(i.encode("utf-8"))[:n] if i else pd.NA for i in idents]
    filled = [i for i in idents if i]
    if len(set(out)) - (len(filled) != len(idents)) != len(set(filled)) or seen:
        for p, i in zip(out, idents, strict=True):  # a collision (2^-64 per pair), or earlier pairs
            if i and seen.setdefault(p, i) != i:
                raise ValueError(f"Pseudonym collision for two identifiers: {p}")
    else:
        seen.update((p, i) for p, i in zip(out, idents, strict=True) if i)
    return out


# ----------------------------------------------------------------------------- key file
def default_key_path() -> Path:
    """``$BAUSTEIN_KEY_FILE``, else ``$XDG_CONFIG_HOME/baustein-eval/pseudonym.key`` (``~/.config``)."""
    env = os.environ.get(KEY_ENV_VAR)
    if env:
        return Path(env).expanduser()
    base = os.environ.get("XDG_CONFIG_HOME") or str(Path.home() / ".config")
    return Path(base) / "baustein-eval" / "pseudonym.key"


def _inside(path: Path, folder: Path) -> bool:
    try:
        path.resolve().relative_to(folder.resolve())
    except ValueError:
        return False
    return True


def load_or_create_key(
    path: str | os.PathLike[str] | None = None, forbidden_dirs: Sequence[str | os.PathLike[str]] = ()
) -> bytes:
    """Read the pseudonymisation key, creating a new random one (0600) on first use.

    Parameters
    ----------
    path : path-like, optional
        Key file; default :func:`default_key_path`.
    forbidden_dirs : sequence of path-like
        Output folders (datasets, reports) the key must not live in: a key published next to the
        pseudonyms would undo them.

    Returns
    -------
    bytes
        The 32-byte key.

    Raises
    ------
    KeyFileError
        The file is inside an output folder, readable by other users (POSIX), or malformed.
    """
    p = Path(path).expanduser() if path is not None else default_key_path()
    for folder in forbidden_dirs:
        if _inside(p, Path(folder)):
            raise KeyFileError(
                f"Die Schlüsseldatei {p} liegt im Ausgabeordner {folder}; sie darf nie mit den Ergebnissen "
                f"weitergegeben werden. Bitte einen Ort außerhalb wählen ({KEY_ENV_VAR}).\n"
                f"The key file {p} is inside the output folder {folder}; it must never be shared with the "
                f"results. Please choose a place outside ({KEY_ENV_VAR})."
            )
    if not p.exists():
        p.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        key = secrets.token_bytes(_KEY_BYTES)
        try:
            fd = os.open(p, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except FileExistsError:  # created concurrently: read that one
            return load_or_create_key(p)
        with os.fdopen(fd, "w", encoding="ascii") as f:
            f.write(key.hex() + "\n")
        return key
    if os.name == "posix":
        mode = stat.S_IMODE(p.stat().st_mode)
        if mode & 0o077:
            raise KeyFileError(
                f"Die Schlüsseldatei {p} ist für andere Benutzer lesbar (Rechte {mode:o}). Bitte mit "
                f"'chmod 600 {p}' schützen.\nThe key file {p} is readable by other users (mode {mode:o}). "
                f"Please protect it: 'chmod 600 {p}'."
            )
    text = p.read_text(encoding="ascii", errors="replace").strip()
    try:
        key = bytes.fromhex(text)
    except ValueError:
        key = b""
    if len(key) < 16:
        raise KeyFileError(
            f"Die Schlüsseldatei {p} ist beschädigt (erwartet: 64 Hex-Zeichen). Ohne den alten Schlüssel "
            "ändern sich alle Pseudonyme; Datei nur löschen, wenn das in Ordnung ist.\n"
            f"The key file {p} is malformed (expected 64 hex characters). Without the old key all "
            "pseudonyms change; delete the file only if that is acceptable."
        )
    return key


# ----------------------------------------------------------------------------- free text
def free_text_columns(instrument: Instrument) -> list[str]:
    """Names of the instrument's free-text fields (``free_text: true`` in the YAML)."""
    return [f.name for f in instrument.fields if f.free_text]


def drop_free_text(frame: pd.DataFrame, instrument: Instrument, keep: bool = False) -> pd.DataFrame:
    """``frame`` without the instrument's free-text columns (unchanged copy when ``keep``)."""
    if keep:
        return frame.copy()
    return frame.drop(columns=[c for c in free_text_columns(instrument) if c in frame.columns])
