"""Statistics on tidy survey tables: scoring, reliability, aggregation, comparisons, models.

Every public function takes a tidy :class:`pandas.DataFrame` plus column names and returns a tidy
DataFrame or a small frozen dataclass. No function here reads or writes files.
"""

from __future__ import annotations

__all__: list[str] = []
