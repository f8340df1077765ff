"""Pseudonymisation (keyed hash, key file) and free-text handling."""

from __future__ import annotations

import hashlib
import hmac
import os
import stat
from pathlib import Path

import pandas as pd
import pytest

from surveys import Instrument
from surveys.pseudonyms import (
    KeyFileError,
    default_key_path,
    drop_free_text,
    free_text_columns,
    load_or_create_key,
    pseudonymize,
)

KEY = bytes(range(32))


# ----------------------------------------------------------------------------- pseudonyms
def test_pseudonym_is_the_documented_hmac_sha256_prefix() -> None:
    expected = hmac.new(KEY, b"baustein-eval/respondent/v1\x00" + b"17", hashlib.sha256).hexdigest()[:16]
    assert pseudonymize(["17"], KEY).tolist() == ["R-" + expected]


@pytest.mark.parametrize("key", [KEY, b"k" * 16, bytes(range(64)), bytes(range(200)) + b"long key > block"])
def test_pseudonyms_equal_the_stdlib_hmac_for_every_key_length(key: bytes) -> None:
    # the precomputed inner/outer hash states (RFC 2104) against hmac.digest, keys shorter than,
    # equal to and longer than SHA-256's 64-byte block; identifiers ASCII, umlauts, long
    ids = ["1", "Fragebogen 17", "uuid:0f3c-Ä-ß", "x" * 300, *(f"p{i:016x}" for i in range(50))]
    want = ["R-" + hmac.digest(key, b"baustein-eval/respondent/v1\x00" + i.encode("utf-8"), "sha256").hex()[:16]
            for i in ids]
    assert pseudonymize(ids, key).tolist() == want


def test_same_respondent_written_differently_gets_the_same_pseudonym() -> None:
    out = pseudonymize([17, 17.0, " 17 ", "17"], KEY)
    assert out.nunique() == 1


def test_different_keys_and_different_ids_give_different_pseudonyms() -> None:
    a = pseudonymize(["1", "2"], KEY)
    b = pseudonymize(["1"], bytes(32))
    assert a[0] != a[1] and a[0] != b[0]


def test_missing_ids_stay_missing_and_index_is_kept() -> None:
    s = pd.Series(["a", None, float("nan"), ""], index=[10, 11, 12, 13])
    out = pseudonymize(s, KEY)
    assert list(out.index) == [10, 11, 12, 13]
    assert out.isna().tolist() == [False, True, True, True]


def test_short_key_is_refused() -> None:
    with pytest.raises(ValueError, match="key too short"):
        pseudonymize(["1"], b"short")


# ----------------------------------------------------------------------------- key file
def test_key_file_is_created_private_and_reused(tmp_path: Path) -> None:
    path = tmp_path / "cfg" / "pseudonym.key"
    key = load_or_create_key(path)
    assert len(key) == 32
    if os.name == "posix":
        assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert load_or_create_key(path) == key


def test_key_file_location_follows_environment(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("BAUSTEIN_KEY_FILE", str(tmp_path / "k.key"))
    assert default_key_path() == tmp_path / "k.key"
    monkeypatch.delenv("BAUSTEIN_KEY_FILE")
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "xdg"))
    assert default_key_path() == tmp_path / "xdg" / "baustein-eval" / "pseudonym.key"


def test_key_inside_an_output_folder_is_refused(tmp_path: Path) -> None:
    with pytest.raises(KeyFileError, match="output folder"):
        load_or_create_key(tmp_path / "report" / "pseudonym.key", forbidden_dirs=[tmp_path / "report"])


@pytest.mark.skipif(os.name != "posix", reason="POSIX permissions")
def test_key_readable_by_others_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "pseudonym.key"
    load_or_create_key(path)
    path.chmod(0o644)
    with pytest.raises(KeyFileError, match="chmod 600"):
        load_or_create_key(path)


def test_malformed_key_file_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "pseudonym.key"
    fd = os.open(path, os.O_WRONLY | os.O_CREAT, 0o600)
    os.write(fd, b"not hex at all")
    os.close(fd)
    with pytest.raises(KeyFileError, match="malformed"):
        load_or_create_key(path)


# ----------------------------------------------------------------------------- free text
def test_free_text_columns_come_from_the_instrument(instrument: Instrument) -> None:
    cols = free_text_columns(instrument)
    assert cols == [f.name for f in instrument.fields if f.free_text]
    assert "comment" in cols


def test_free_text_is_dropped_unless_kept(instrument: Instrument) -> None:
    df = pd.DataFrame({"respondent_id": ["R-1"], "KOM01": [3], "comment": ["Frau M. aus der Hauptstr."]})
    assert list(drop_free_text(df, instrument).columns) == ["respondent_id", "KOM01"]
    assert "comment" in drop_free_text(df, instrument, keep=True).columns


