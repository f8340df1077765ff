"""Excel column letters: the one place that converts between ``"AB"`` and column numbers.

Findings name cells as the user sees them in Excel (column letter + row number); the input guard
reads cell references of the sheet XML. Both use these two functions.
"""

from __future__ import annotations

__all__ = ["column_index", "column_letter"]


def column_letter(index: int | None) -> str:
    """Excel column letter of a 0-based column index (``0 -> "A"``, ``27 -> "AB"``); "" for None.

    >>> column_letter(0), column_letter(27), column_letter(16383)
    ('A', 'AB', 'XFD')
    """
    if index is None or index < 0:
        return ""
    letters = ""
    n = int(index) + 1
    while n:
        n, rem = divmod(n - 1, 26)
        letters = chr(65 + rem) + letters
    return letters


def column_index(letters: str) -> int:
    """1-based column number of Excel column letters (``"A" -> 1``, ``"XFD" -> 16384``).

    >>> column_index("A"), column_index("AA"), column_index("XFD")
    (1, 27, 16384)
    """
    n = 0
    for ch in letters.upper():
        n = n * 26 + (ord(ch) - 64)
    return n
