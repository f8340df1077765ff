"""The collector every section uses: tables with their catalogue docs, and notes from failed parts."""

from __future__ import annotations

import warnings
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import pandas as pd

from core.errors import AnalysisError
from core.problems import Location, Problem

from ..notes import NOTES, AnalysisWarning, located
from ..results import TableDoc
from ..table_catalogue import TABLES

if TYPE_CHECKING:
    from .context import AnalysisContext

__all__ = ["Section", "SectionResult"]


@dataclass
class SectionResult:
    """What one section returns: its tables, their docs, its notes and fitted models."""

    tables: dict[str, pd.DataFrame] = field(default_factory=dict)
    docs: dict[str, TableDoc] = field(default_factory=dict)
    notes: list[Problem] = field(default_factory=list)
    models: dict[str, Any] = field(default_factory=dict)


class Section:
    """Collects the tables and notes of one section.

    Parameters
    ----------
    name : str
        Section name as it appears in the notes (``reliabilitaet``, ``engagement`` ...).
    ctx : AnalysisContext
    strict : bool
        Re-raise unexpected exceptions (programming errors) instead of turning them into a
        ``part_failed`` note; the tests run with ``strict=True``.
    """

    def __init__(self, name: str, ctx: AnalysisContext, *, strict: bool = False) -> None:
        self.name = name
        self.ctx = ctx
        self.strict = strict
        self.result = SectionResult()

    def add(self, table: str, frame: pd.DataFrame, **doc_params: Any) -> None:
        """Add result table ``table`` (documented in :data:`TABLES`); one-wave tables get ``wave``, ``wave_n``."""
        spec = TABLES[table]
        frame = frame.reset_index(drop=True)
        if spec.one_wave and self.ctx.wave is not None:
            if "wave" not in frame.columns:
                frame["wave"] = self.ctx.wave
            frame["wave_n"] = len(self.ctx.data)
        self.result.tables[table] = frame
        self.result.docs[table] = spec.doc(**{**self.ctx.doc_params, **doc_params})

    def note(self, code: str, scope: str = "", *, severity: str | None = None, **params: Any) -> None:
        """Add a note ``code`` of :data:`analysis.notes.NOTES` for ``scope``.

        Every note of a section, including those of failed parts and warnings, names constructs,
        respondent roles and municipality facts by their display names (``ctx.display``).
        """
        self._keep(NOTES.problem(code, Location(section=self.name, scope=scope), severity=severity, **params))

    def _keep(self, problem: Problem) -> None:
        self.result.notes.append(self.ctx.display.apply(problem))

    @contextmanager
    def part(self, scope: str = "") -> Iterator[None]:
        """Run one part of the section: its warnings become notes, its failure a note, never an exception."""
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            try:
                yield
            except AnalysisError as exc:
                problem = exc.problem or NOTES.problem("part_failed", detail=str(exc))
                self._keep(located(problem, self.name, scope))
            except Exception as exc:  # a bug, not a property of the data: say so, keep the rest
                if self.strict:
                    raise
                detail = f"{type(exc).__name__}: {exc}"
                self._keep(located(NOTES.problem("part_failed", detail=detail), self.name, scope))
            finally:
                for w in caught:
                    if isinstance(w.message, AnalysisWarning):
                        self._keep(located(w.message.problem, self.name, scope))
