"""The roster as an Excel workbook: a title block above a filterable table with its header row
frozen, and the gender balance on a second sheet."""

from __future__ import annotations

import io
from zipfile import ZIP_DEFLATED, ZipFile

from openpyxl import Workbook  # type: ignore[import-untyped]
from openpyxl.styles import Alignment, Font, PatternFill  # type: ignore[import-untyped]
from openpyxl.utils import get_column_letter  # type: ignore[import-untyped]
from openpyxl.worksheet.worksheet import Worksheet  # type: ignore[import-untyped]
from openpyxl.writer.excel import ExcelWriter  # type: ignore[import-untyped]

from nimeamiset.domain.roster import Roster
from nimeamiset.exports.content import (
    BALANCE_HEADING,
    BALANCE_NOTE,
    CREATOR,
    balance_texts,
    document_date,
    document_title,
    lines,
    meeting_line,
    printable,
    version_line,
)
from nimeamiset.exports.csvfile import CSV_HEADER
from nimeamiset.exports.ziputil import normalise_zip

XLSX_HEADER = (*CSV_HEADER, "sukupuoli")
ROSTER_SHEET = "Kokoonpano"
BALANCE_SHEET = BALANCE_HEADING
HEADER_ROW = 5  # below the title block: body, meeting, version, an empty row

_FORMULA_START = ("=", "+", "-", "@")
_BOLD = Font(bold=True)
_HEADER_FILL = PatternFill("solid", start_color="D9D9D9", end_color="D9D9D9")
_TOP = Alignment(vertical="top", wrap_text=True)
_MIN_WIDTH, _MAX_WIDTH = 10, 50


def put_text(sheet: Worksheet, row: int, column: int, text: str) -> None:
    """A cell that holds ``text`` as text, whatever it begins with.

    openpyxl stores a string beginning with ``=`` as a formula; forcing the type to a string keeps
    it text, and the quote prefix keeps Excel from turning it into one when someone edits the
    cell. The text itself stays as typed, so a name reads the same as in the other formats.
    """
    cell = sheet.cell(row=row, column=column)
    text = printable(text)
    if not text:
        return  # a blank cell, not an empty string: Excel's filter then offers "(tyhjät)"
    cell.value = text
    cell.data_type = "s"
    if cell.value.startswith(_FORMULA_START):
        cell.quotePrefix = True


def _roster_sheet(sheet: Worksheet, roster: Roster) -> None:
    sheet.title = ROSTER_SHEET
    put_text(sheet, 1, 1, roster.body)
    sheet.cell(row=1, column=1).font = Font(bold=True, size=14)
    put_text(sheet, 2, 1, meeting_line(roster))
    put_text(sheet, 3, 1, version_line(roster))

    for column, heading in enumerate(XLSX_HEADER, start=1):
        put_text(sheet, HEADER_ROW, column, heading)
        cell = sheet.cell(row=HEADER_ROW, column=column)
        cell.font = _BOLD
        cell.fill = _HEADER_FILL
    widths = [len(heading) for heading in XLSX_HEADER]
    row = HEADER_ROW
    for row, line in enumerate(lines(roster), start=HEADER_ROW + 1):
        values = (
            line.organisation,
            line.role,
            line.name,
            line.title,
            line.email,
            line.phone,
            line.gender,
        )
        for column, value in enumerate(values, start=1):
            put_text(sheet, row, column, value)
            sheet.cell(row=row, column=column).alignment = _TOP
            widths[column - 1] = max(widths[column - 1], len(value))
    for column, width in enumerate(widths, start=1):
        letter = get_column_letter(column)
        sheet.column_dimensions[letter].width = min(max(width + 2, _MIN_WIDTH), _MAX_WIDTH)

    last_column = get_column_letter(len(XLSX_HEADER))
    sheet.freeze_panes = f"A{HEADER_ROW + 1}"
    sheet.auto_filter.ref = f"A{HEADER_ROW}:{last_column}{row}"
    sheet.print_title_rows = f"{HEADER_ROW}:{HEADER_ROW}"
    sheet.page_setup.paperSize = sheet.PAPERSIZE_A4
    sheet.page_setup.orientation = "landscape"
    sheet.page_setup.fitToWidth = 1
    sheet.page_setup.fitToHeight = 0
    sheet.sheet_properties.pageSetUpPr.fitToPage = True


BALANCE_HEADER = (
    "ryhmä",
    "naisia",
    "miehiä",
    "muunsukupuolisia",
    "sukupuoli ei tiedossa",
    "naisten osuus",
    "miesten osuus",
    "huomio",
)


def _balance_sheet(sheet: Worksheet, roster: Roster) -> None:
    """Counts as numbers, shares as percentages of those whose gender is known, and the flag."""
    put_text(sheet, 1, 1, f"{BALANCE_HEADING}: {printable(roster.body)}")
    sheet.cell(row=1, column=1).font = Font(bold=True, size=14)
    put_text(sheet, 2, 1, version_line(roster))
    for column, heading in enumerate(BALANCE_HEADER, start=1):
        put_text(sheet, 4, column, heading)
        sheet.cell(row=4, column=column).font = _BOLD
        sheet.cell(row=4, column=column).fill = _HEADER_FILL
    for row, text in enumerate(balance_texts(roster), start=5):
        balance = text.balance
        put_text(sheet, row, 1, text.group)
        for column, count in enumerate(
            (balance.women, balance.men, balance.other, balance.unknown), start=2
        ):
            sheet.cell(row=row, column=column, value=count)
        for column, count in ((6, balance.women), (7, balance.men)):
            cell = sheet.cell(row=row, column=column)
            if balance.counted:
                cell.value = count / balance.counted
                cell.number_format = "0.0 %"
        put_text(sheet, row, 8, text.verdict)
        if text.flags:
            sheet.cell(row=row, column=8).font = Font(bold=True, color="C00000")
    put_text(sheet, 8, 1, BALANCE_NOTE)
    for column, width in enumerate((20, 10, 10, 18, 22, 15, 15, 70), start=1):
        sheet.column_dimensions[get_column_letter(column)].width = width


def export_xlsx(roster: Roster) -> bytes:
    workbook = Workbook()
    _roster_sheet(workbook.active, roster)
    _balance_sheet(workbook.create_sheet(BALANCE_SHEET), roster)
    workbook.active = 0

    when = document_date(roster).replace(tzinfo=None)  # openpyxl writes naive times as UTC
    properties = workbook.properties
    properties.title = document_title(roster)
    properties.creator = CREATOR
    properties.lastModifiedBy = CREATOR
    properties.created = when
    properties.modified = when
    properties.language = "fi-FI"

    # ExcelWriter rather than save_workbook, which stamps the modification time with the clock.
    buffer = io.BytesIO()
    with ZipFile(buffer, "w", ZIP_DEFLATED, allowZip64=True) as archive:
        ExcelWriter(workbook, archive).save()
    return normalise_zip(buffer.getvalue())
