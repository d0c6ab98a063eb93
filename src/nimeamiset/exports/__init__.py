"""The roster as files: CSV for machines, a workbook, a Word document and a PDF for people.

Pure: a ``Roster`` in, bytes out; no database, no clock. The same roster gives the same bytes
(the files carry the roster's assembly date, or a constant, never the time of the export).
"""

from __future__ import annotations

from collections.abc import Callable

from nimeamiset.domain.roster import Roster
from nimeamiset.exports.csvfile import CSV_HEADER, export_csv
from nimeamiset.exports.docxfile import export_docx
from nimeamiset.exports.pdffile import export_pdf
from nimeamiset.exports.xlsxfile import export_xlsx

FORMATS: tuple[str, ...] = ("csv", "xlsx", "docx", "pdf")

MEDIA_TYPES: dict[str, str] = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "pdf": "application/pdf",
}

FILE_SUFFIXES: dict[str, str] = {fmt: f".{fmt}" for fmt in FORMATS}

_EXPORTERS: dict[str, Callable[[Roster], bytes]] = {
    "csv": export_csv,
    "xlsx": export_xlsx,
    "docx": export_docx,
    "pdf": export_pdf,
}


def export(roster: Roster, fmt: str) -> bytes:
    """The roster in format ``fmt``, one of ``FORMATS``; ValueError for any other."""
    try:
        exporter = _EXPORTERS[fmt]
    except KeyError:
        raise ValueError(f"unknown export format {fmt!r}; one of {', '.join(FORMATS)}") from None
    return exporter(roster)


__all__ = ["CSV_HEADER", "FILE_SUFFIXES", "FORMATS", "MEDIA_TYPES", "export"]
