"""Keep spreadsheet programs from running what people typed."""

from __future__ import annotations

_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def neutralise_cell(value: str) -> str:
    """Prefix a cell that a spreadsheet would read as a formula with an apostrophe."""
    if value.startswith(_FORMULA_START):
        return "'" + value
    return value
