"""Natural sort order of labels: "W9" before "W10", "2025" before "2027" (waves, groups).

>>> sorted(["W10", "W9", "W1"], key=natural_key)
['W1', 'W9', 'W10']
"""

from __future__ import annotations

import re

__all__ = ["natural_key"]


def natural_key(label: object) -> tuple:
    """Sort key comparing digit runs as numbers and text as text (digits before letters)."""
    return tuple((0, int(t), "") if t.isdigit() else (1, 0, t) for t in re.split(r"(\d+)", str(label)) if t)
