"""Exception classes with messages a non-programmer understands.

Every error the toolkit raises on purpose derives from :class:`BausteinError`. The command line
catches it and prints the message (German / English) without a traceback, exit code 2.

An error may carry a :class:`core.problems.Problem` (code, location, parameters, German/English
text from a catalogue); its message is then the problem's text, so the same catalogue entry can
be raised as an error or reported as a note:

>>> from core.problems import Catalogue, MessageSpec
>>> CAT = Catalogue("demo", {"no_groups": MessageSpec("error", "Keine Gruppe.", "No group.")})
>>> str(AnalysisError(problem=CAT.problem("no_groups")))
'Keine Gruppe. / No group.'
"""

from __future__ import annotations

from collections.abc import Sequence

from .problems import Problem

__all__ = [
    "AnalysisError",
    "BausteinError",
    "DatasetError",
    "GeneratorError",
    "InputFileError",
    "InstrumentError",
    "InternalError",
    "ReportError",
    "XLSFormError",
]


class BausteinError(Exception):
    """Base class of all user-facing errors of baustein-eval.

    Parameters
    ----------
    message : str, optional
        German / English text. May be omitted when ``problem`` is given.
    problem : core.problems.Problem, optional
        The located problem behind the error (its code, location and catalogue text).
    """

    #: Exit code of the command line when this error ends a command (2: a user error, see README).
    exit_code = 2

    def __init__(self, message: str = "", *, problem: Problem | None = None) -> None:
        if problem is not None and not message:
            message = f"{problem.line('de')} / {problem.line('en')}"
        super().__init__(message)
        self.problem = problem


class InstrumentError(BausteinError):
    """The instrument definition (YAML or XLSForm) is invalid or cannot be found."""


class XLSFormError(InstrumentError):
    """An XLSForm workbook cannot be read or has errors.

    ``problems`` lists them as :class:`core.problems.Problem` (``code``, ``location.sheet``,
    ``location.row``, ``message(lang)``); ``problem`` is the first of them. A message may be
    omitted when ``problem`` is given.
    """

    def __init__(self, message: str = "", problems: Sequence[Problem] | None = None, *,
                 problem: Problem | None = None) -> None:
        problems = list(problems or ([problem] if problem is not None else []))
        super().__init__(message, problem=problem or (problems[0] if problems else None))
        self.problems = problems


class InputFileError(BausteinError):
    """An input file cannot be read at all (encrypted, truncated, not a spreadsheet, too large...)."""

    def __init__(self, message: str, path: str | None = None):
        super().__init__(message)
        self.path = path


class DatasetError(BausteinError):
    """A clean dataset folder is missing, incomplete or of an incompatible version."""


class AnalysisError(BausteinError):
    """An analysis cannot be computed from the data given (e.g. too few groups)."""


class ReportError(BausteinError):
    """A report could not be built."""


class InternalError(BausteinError):
    """A fault inside baustein-eval (a bug, not a property of the data), already explained to the user.

    The command line prints its one-line message (which names where the details were written)
    and exits with code 3, never with a traceback.
    """

    exit_code = 3


class GeneratorError(BausteinError):
    """The generator cannot produce the requested data (bad sizes, unsupported instrument...)."""
