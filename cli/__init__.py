"""The ``baustein`` command line.

Each sub-command lives in its own module of this package and exposes ``register(subparsers)``;
:func:`main` collects them. User errors (:class:`core.errors.BausteinError`) are printed as a
plain message (exit code 2; an explained internal error, :class:`core.errors.InternalError`, exit
code 3); an unexpected error prints a short notice instead of a traceback
(exit code 3) unless ``--debug`` or ``BAUSTEIN_DEBUG=1`` is given. Usage errors are printed in
German and English (exit code 2). Exit codes: :mod:`cli.messages`.
"""

from __future__ import annotations

import argparse
import importlib
import os
import sys
from collections.abc import Sequence
from typing import NoReturn

from core.errors import BausteinError

from .messages import EXIT_INTERNAL, EXIT_USER

#: Sub-command modules, in the order they appear in ``baustein --help``.
COMMAND_MODULES = ("instrument", "generate", "importing", "analyse", "report", "audit", "demo")


class BilingualParser(argparse.ArgumentParser):
    """An argument parser whose usage errors are German and English (exit code 2)."""

    def error(self, message: str) -> NoReturn:  # type: ignore[override]
        from .messages import EXIT_USER, usage_error

        de, en = usage_error(message, self.prog)
        self.print_usage(sys.stderr)
        self.exit(EXIT_USER, f"{self.prog}: {de}\n{self.prog}: {en}\n")


def build_parser() -> argparse.ArgumentParser:
    from surveys import __version__

    parser = BilingualParser(
        prog="baustein",
        description="baustein-eval: Befragungen zu Sorgenden Gemeinschaften auswerten "
        "(evaluate caring-community surveys).",
    )
    parser.add_argument("--version", action="version", version=f"baustein-eval {__version__}")
    parser.add_argument("--debug", action="store_true", help="show tracebacks of unexpected errors")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    for name in COMMAND_MODULES:
        importlib.import_module(f"{__name__}.{name}").register(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if not getattr(args, "func", None):
        parser.print_help()
        return EXIT_USER
    debug = args.debug or os.environ.get("BAUSTEIN_DEBUG") == "1"
    try:
        result = args.func(args)
    except BausteinError as exc:
        code = getattr(exc, "exit_code", EXIT_USER)
        prefix = "Interner Fehler / internal error" if code == EXIT_INTERNAL else "Fehler / error"
        print(f"{prefix}: {exc}", file=sys.stderr)
        return code
    except KeyboardInterrupt:
        print("Abgebrochen / interrupted.", file=sys.stderr)
        return 130
    except Exception as exc:
        if debug:
            raise
        print(
            f"Interner Fehler / internal error: {type(exc).__name__}: {exc}\n"
            "Das ist ein Fehler in baustein-eval, nicht in Ihren Daten. Bitte mit --debug erneut "
            "ausführen und die Ausgabe melden. / This is a bug; rerun with --debug and report it.",
            file=sys.stderr,
        )
        return EXIT_INTERNAL
    return int(result or 0)


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
