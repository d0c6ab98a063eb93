"""The roster as a Word document, laid out like the table of invited members in a meeting memo:
the body's name, the first meeting, then organisation / role / name / title, a seat's member and
deputy together under one organisation cell, and the gender balance below.

Contact details stay out: this is the page staff print and hand round at a meeting; addresses
and phone numbers are in the CSV and the workbook.
"""

from __future__ import annotations

import io

from docx import Document
from docx.document import Document as DocumentObject
from docx.enum.section import WD_ORIENT
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.opc.constants import RELATIONSHIP_TYPE as RT
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Mm, Pt, RGBColor
from docx.table import _Cell, _Row

from nimeamiset.domain.roster import Roster
from nimeamiset.exports.content import (
    BALANCE_HEADING,
    BALANCE_NOTE,
    CREATOR,
    Line,
    balance_texts,
    document_date,
    document_title,
    lines,
    meeting_line,
    printable,
    version_line,
)
from nimeamiset.exports.ziputil import normalise_zip

PRINT_HEADER = ("Organisaatio", "Rooli", "Nimi", "Tehtävänimike")
COLUMN_WIDTHS_MM = (44, 30, 48, 48)  # 170 mm: A4 less 20 mm margins
NOT_NAMED_COLOUR = RGBColor(0x59, 0x59, 0x59)
FLAG_COLOUR = RGBColor(0xC0, 0x00, 0x00)


def _a4_portrait(document: DocumentObject) -> None:
    for section in document.sections:
        section.orientation = WD_ORIENT.PORTRAIT
        section.page_width = Mm(210)
        section.page_height = Mm(297)
        section.top_margin = section.bottom_margin = Mm(20)
        section.left_margin = section.right_margin = Mm(20)


def _finnish_text(document: DocumentObject) -> None:
    """Text in Finnish (the template says US English), so that spelling and hyphenation work on
    it; 10 pt."""
    for language in document.styles.element.xpath("w:docDefaults/w:rPrDefault/w:rPr/w:lang"):
        language.set(qn("w:val"), "fi-FI")
    document.styles["Normal"].font.size = Pt(10)


def _drop_template_thumbnail(document: DocumentObject) -> None:
    """python-docx's template brings its own preview picture; a file browser would show it."""
    package = document.part.package
    if package is None:
        return
    for rel_id, relationship in list(package.rels.items()):
        if relationship.reltype == RT.THUMBNAIL:
            del package.rels[rel_id]


def _row_flag(row: _Row, tag: str) -> None:
    """Set an on/off row property: ``w:tblHeader`` (repeat on each page), ``w:cantSplit``."""
    properties = row._tr.get_or_add_trPr()
    properties.append(OxmlElement(tag))


def _write(cell: _Cell, text: str, *, bold: bool = False, muted: bool = False) -> None:
    paragraph = cell.paragraphs[0]
    paragraph.paragraph_format.space_after = Pt(0)
    run = paragraph.add_run(printable(text))
    if bold:
        run.bold = True
    if muted:
        run.italic = True
        run.font.color.rgb = NOT_NAMED_COLOUR


def _keep_with_next(row: _Row) -> None:
    """Keep a member's row on the same page as the deputy's row below it."""
    for cell in row.cells:
        for paragraph in cell.paragraphs:
            paragraph.paragraph_format.keep_with_next = True


def _table(document: DocumentObject, roster_lines: list[Line]) -> None:
    table = document.add_table(rows=1 + len(roster_lines), cols=len(PRINT_HEADER))
    table.style = document.styles["Table Grid"]
    table.alignment = WD_TABLE_ALIGNMENT.LEFT
    table.autofit = False
    for column, width in zip(table.columns, COLUMN_WIDTHS_MM, strict=True):
        column.width = Mm(width)
    # Each row and its cells read once: python-docx builds the whole list again for every
    # table.rows[i] or table.cell(i, j), which made a 200-organisation roster take seconds.
    rows = list(table.rows)
    cells = [list(row.cells) for row in rows]
    for row, row_cells in zip(rows, cells, strict=True):
        _row_flag(row, "w:cantSplit")
        for cell, width in zip(row_cells, COLUMN_WIDTHS_MM, strict=True):
            cell.width = Mm(width)

    _row_flag(rows[0], "w:tblHeader")
    for cell, heading in zip(cells[0], PRINT_HEADER, strict=True):
        _write(cell, heading, bold=True)

    for index, line in enumerate(roster_lines, start=1):
        row_cells = cells[index]
        if line.first_of_seat:
            _write(row_cells[0], line.seat_heading)
        _write(row_cells[1], line.base_role, muted=not line.named)
        if line.named:
            _write(row_cells[2], line.name or "ei nimetty", muted=not line.name)
            _write(row_cells[3], line.title)
        if line.first_of_seat and line.seat_rows > 1:
            _keep_with_next(rows[index])
    # Merge each seat's organisation cell over its rows, once everything is written.
    for index, line in enumerate(roster_lines, start=1):
        if line.first_of_seat and line.seat_rows > 1:
            cells[index][0].merge(cells[index + line.seat_rows - 1][0])


def _balance(document: DocumentObject, roster: Roster) -> None:
    document.add_heading(BALANCE_HEADING, level=2)
    for text in balance_texts(roster):
        paragraph = document.add_paragraph()
        paragraph.add_run(f"{text.group}: ").bold = True
        paragraph.add_run(f"{text.counts}. ")
        verdict = paragraph.add_run(text.verdict)
        if text.flags:
            verdict.bold = True
            verdict.font.color.rgb = FLAG_COLOUR
    note = document.add_paragraph(BALANCE_NOTE)
    note.runs[0].font.size = Pt(8)


def export_docx(roster: Roster) -> bytes:
    document = Document()
    _a4_portrait(document)
    _finnish_text(document)
    _drop_template_thumbnail(document)

    document.add_heading(printable(roster.body), level=1)
    document.add_paragraph(meeting_line(roster))
    document.add_paragraph(version_line(roster))
    _table(document, lines(roster))
    _balance(document, roster)

    when = document_date(roster)
    properties = document.core_properties
    properties.title = document_title(roster)
    properties.author = CREATOR
    properties.last_modified_by = CREATOR
    properties.comments = ""
    properties.language = "fi-FI"
    properties.created = when
    properties.modified = when
    properties.revision = 1

    buffer = io.BytesIO()
    document.save(buffer)
    return normalise_zip(buffer.getvalue())
