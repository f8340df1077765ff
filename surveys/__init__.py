"""Survey side of baustein-eval: instruments, Excel/CSV import and export, validation."""

from __future__ import annotations

from .errors import (
    BausteinError,
    DatasetError,
    InputFileError,
    InstrumentError,
    XLSFormError,
)
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

__all__ = [
    "BausteinError",
    "Choice",
    "Construct",
    "DatasetError",
    "Field",
    "InputFileError",
    "Instrument",
    "InstrumentError",
    "Item",
    "ResponseOption",
    "Scale",
    "XLSFormError",
    "__version__",
    "available_instruments",
]
