"""The roster as a PDF on A4: the same content as the Word document, with the table's header row
repeated on every page and a footer ``sivu 1/2`` with the roster's version."""

from __future__ import annotations

import io
from collections.abc import Callable
from datetime import datetime
from functools import cache, partial
from pathlib import Path
from typing import Any
from xml.sax.saxutils import escape

from reportlab.lib import colors  # type: ignore[import-untyped]
from reportlab.lib.pagesizes import A4  # type: ignore[import-untyped]
from reportlab.lib.styles import ParagraphStyle  # type: ignore[import-untyped]
from reportlab.lib.units import mm  # type: ignore[import-untyped]
from reportlab.pdfbase import pdfmetrics  # type: ignore[import-untyped]
from reportlab.pdfbase.ttfonts import TTFont  # type: ignore[import-untyped]
from reportlab.pdfgen.canvas import Canvas  # type: ignore[import-untyped]
from reportlab.platypus import (  # type: ignore[import-untyped]
    Paragraph,
    SimpleDocTemplate,
    Spacer,
    Table,
    TableStyle,
)

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
    version_text,
)

PRINT_HEADER = ("Organisaatio", "Rooli", "Nimi", "Tehtävänimike")
MARGIN = 20 * mm
COLUMN_WIDTHS = tuple(width * mm for width in (44, 30, 48, 48))  # 170 mm: A4 less margins
FAMILY = "NimeamisetSans"

# Fonts from Debian packages, tried in order: Liberation Sans (fonts-liberation) has Arial's
# proportions, DejaVu Sans (fonts-dejavu-core) the widest coverage. Either has ä, ö, å and also
# Č, Ł, Ş and Cyrillic, which the built-in Helvetica (WinAnsi: ä, ö, å only) lacks; it is the
# fallback when neither package is installed.
FONT_CANDIDATES = (
    (
        "/usr/share/fonts/truetype/liberation",
        (
            "LiberationSans-Regular.ttf",
            "LiberationSans-Bold.ttf",
            "LiberationSans-Italic.ttf",
            "LiberationSans-BoldItalic.ttf",
        ),
    ),
    (
        "/usr/share/fonts/truetype/dejavu",
        (
            "DejaVuSans.ttf",
            "DejaVuSans-Bold.ttf",
            "DejaVuSans-Oblique.ttf",
            "DejaVuSans-BoldOblique.ttf",
        ),
    ),
)
HELVETICA = ("Helvetica", "Helvetica-Bold", "Helvetica-Oblique", "Helvetica-BoldOblique")


@cache
def fonts() -> tuple[str, str, str, str]:
    """Names of the regular, bold, italic and bold italic fonts, registered with reportlab."""
    for folder, files in FONT_CANDIDATES:
        paths = [Path(folder) / name for name in files]
        if not all(path.is_file() for path in paths):
            continue
        names = (FAMILY, f"{FAMILY}-Bold", f"{FAMILY}-Italic", f"{FAMILY}-BoldItalic")
        try:
            for name, path in zip(names, paths, strict=True):
                pdfmetrics.registerFont(TTFont(name, str(path)))
        except Exception:  # noqa: S112 - an unreadable font: try the next, then Helvetica
            continue
        pdfmetrics.registerFontFamily(
            FAMILY, normal=names[0], bold=names[1], italic=names[2], boldItalic=names[3]
        )
        return names
    return HELVETICA


def markup(text: str) -> str:
    """People's text for a Paragraph, which reads its input as markup: printed as typed."""
    return escape(printable(text))


def _styles() -> dict[str, Any]:
    regular, bold, italic, _ = fonts()
    base = ParagraphStyle("cell", fontName=regular, fontSize=9, leading=11)
    return {
        "title": ParagraphStyle("title", base, fontName=bold, fontSize=16, leading=20),
        "line": ParagraphStyle("line", base, fontSize=10, leading=13),
        "heading": ParagraphStyle(
            "heading", base, fontName=bold, fontSize=12, leading=15, spaceBefore=10, spaceAfter=4
        ),
        "cell": base,
        "header": ParagraphStyle("header", base, fontName=bold),
        "muted": ParagraphStyle(
            "muted", base, fontName=italic, textColor=colors.HexColor("#595959")
        ),
        "body": ParagraphStyle("body", base, fontSize=10, leading=13, spaceAfter=4),
        "note": ParagraphStyle("note", base, fontSize=8, leading=10, spaceBefore=4),
    }


def _table(roster_lines: list[Line], styles: dict[str, Any]) -> Table:
    data: list[list[Any]] = [[Paragraph(h, styles["header"]) for h in PRINT_HEADER]]
    commands: list[tuple[Any, ...]] = [
        ("GRID", (0, 0), (-1, -1), 0.5, colors.HexColor("#808080")),
        ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#D9D9D9")),
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
        ("TOPPADDING", (0, 0), (-1, -1), 3),
        ("BOTTOMPADDING", (0, 0), (-1, -1), 3),
    ]
    for row, line in enumerate(roster_lines, start=1):
        if line.named:
            name = (
                Paragraph(markup(line.name), styles["cell"])
                if line.name
                else Paragraph("ei nimetty", styles["muted"])
            )
            role = Paragraph(markup(line.base_role), styles["cell"])
            title = Paragraph(markup(line.title), styles["cell"])
        else:
            role = Paragraph(markup(line.base_role), styles["muted"])
            name = title = ""
        organisation = (
            Paragraph(markup(line.seat_heading), styles["cell"]) if line.first_of_seat else ""
        )
        data.append([organisation, role, name, title])
        if line.first_of_seat and line.seat_rows > 1:
            commands.append(("SPAN", (0, row), (0, row + line.seat_rows - 1)))
    return Table(
        data,
        colWidths=COLUMN_WIDTHS,
        repeatRows=1,
        style=TableStyle(commands),
        hAlign="LEFT",
    )


def _footer_text(roster: Roster, regular: str, room: float) -> str:
    """``Hallitus – kokoonpano: versio 2, koottu 15.4.2024``, shortened to fit ``room``."""
    tail = f" – kokoonpano: {version_text(roster)}"
    body = printable(roster.body)
    text, cut = body + tail, len(body)
    while cut > 0 and pdfmetrics.stringWidth(text, regular, 8) > room:
        cut -= 1
        text = body[:cut].rstrip() + "…" + tail
    return text


class _NumberedCanvas(Canvas):  # type: ignore[misc]
    """Holds the pages back until the end, to write ``sivu n/N`` on each with N known."""

    def __init__(self, *args: Any, footer: str, created: datetime, **kwargs: Any) -> None:
        kwargs["invariant"] = 1  # no clock and no random document id in the file
        super().__init__(*args, **kwargs)
        self._footer = footer
        self._pages: list[dict[str, Any]] = []
        _stamp(self, created)

    def showPage(self) -> None:  # reportlab's name
        self._pages.append(dict(self.__dict__))
        self._startPage()

    def save(self) -> None:
        total = len(self._pages)
        for number, state in enumerate(self._pages, start=1):
            self.__dict__.update(state)
            self._draw_footer(number, total)
            super().showPage()
        super().save()

    def _draw_footer(self, number: int, total: int) -> None:
        regular = fonts()[0]
        width, _ = A4
        self.saveState()
        self.setFont(regular, 8)
        self.setFillColor(colors.HexColor("#404040"))
        self.drawString(MARGIN, 12 * mm, self._footer)
        self.drawRightString(width - MARGIN, 12 * mm, f"sivu {number}/{total}")
        self.restoreState()


def _stamp(canvas: Any, created: datetime) -> None:
    """Date the file's metadata with the roster's assembly instead of reportlab's invariant
    1.1.2000. Reaches into reportlab; if that ever changes, the invariant date stays."""
    try:
        stamp = canvas._doc._timeStamp
        stamp.YMDhms = created.timetuple()[:6]
        stamp.dhh = stamp.dmm = 0
    except AttributeError:  # pragma: no cover - a reportlab without these internals
        pass


def export_pdf(roster: Roster) -> bytes:
    styles = _styles()
    regular = fonts()[0]
    buffer = io.BytesIO()
    document = SimpleDocTemplate(
        buffer,
        pagesize=A4,
        leftMargin=MARGIN,
        rightMargin=MARGIN,
        topMargin=MARGIN,
        bottomMargin=MARGIN,
        title=document_title(roster),
        author=CREATOR,
        creator=CREATOR,
        subject=meeting_line(roster),
        lang="fi-FI",
        invariant=1,
    )
    story: list[Any] = [
        Paragraph(markup(roster.body), styles["title"]),
        Paragraph(markup(meeting_line(roster)), styles["line"]),
        Paragraph(markup(version_line(roster)), styles["line"]),
        Spacer(1, 6 * mm),
        _table(lines(roster), styles),
        Paragraph(BALANCE_HEADING, styles["heading"]),
    ]
    for text in balance_texts(roster):
        verdict = markup(text.verdict)
        if text.flags:
            verdict = f'<font color="#C00000"><b>{verdict}</b></font>'
        story.append(
            Paragraph(
                f"<b>{markup(text.group)}:</b> {markup(text.counts)}. {verdict}", styles["body"]
            )
        )
    story.append(Paragraph(markup(BALANCE_NOTE), styles["note"]))

    footer = _footer_text(roster, regular, A4[0] - 2 * MARGIN - 25 * mm)
    maker: Callable[..., Canvas] = partial(
        _NumberedCanvas, footer=footer, created=document_date(roster)
    )
    document.build(story, canvasmaker=maker)
    return buffer.getvalue()
