"""Survey side of baustein-eval: instruments, Excel/CSV import and export, validation."""

from __future__ import annotations

from pathlib import Path

from core.errors import BausteinError, DatasetError, InputFileError, InstrumentError, XLSFormError

from .instrument import (
    Choice,
    Construct,
    Field,
    Instrument,
    Item,
    ResponseOption,
    Scale,
    available_instruments,
)

__version__ = "0.1.0"


def load_instrument(source: str | Path | Instrument) -> Instrument:
    """An instrument from a packaged name, a YAML file or an XLSForm workbook (.xlsx/.xlsm).

    >>> load_instrument("sensibilisierung").name
    'sensibilisierung'
    """
    if isinstance(source, Instrument):
        return source
    if Path(source).suffix.lower() in {".xlsx", ".xlsm"}:
        from .xlsform import read_xlsform

        return read_xlsform(source)
    return Instrument.load(source)


_LAZY = {
    "read_responses": "importing",
    "write_import": "importing",
    "ImportResult": "importing",
    "Dataset": "dataset",
    "write_xlsform": "xlsform",
    "read_xlsform": "xlsform",
    "check_xlsform": "xlsform",
    "write_template": "template",
    "write_codebook": "codebook",
    "simulate": "synthetic",
}


def __getattr__(name: str) -> object:  # PEP 562: lazy attributes keep `import surveys` light
    if name in _LAZY:
        import importlib

        return getattr(importlib.import_module(f"{__name__}.{_LAZY[name]}"), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")

__all__ = [
    "BausteinError",
    "Choice",
    "Construct",
    "Dataset",
    "DatasetError",
    "Field",
    "ImportResult",
    "InputFileError",
    "Instrument",
    "InstrumentError",
    "Item",
    "ResponseOption",
    "Scale",
    "XLSFormError",
    "__version__",
    "available_instruments",
    "check_xlsform",
    "load_instrument",
    "read_responses",
    "read_xlsform",
    "simulate",
    "write_codebook",
    "write_import",
    "write_template",
    "write_xlsform",
]
