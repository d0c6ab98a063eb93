"""The roster's exports, each read back with a library that reads that format."""

from __future__ import annotations

import csv
import dataclasses
import io
import re
import shutil
import subprocess
import zipfile
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import docx
import openpyxl  # type: ignore[import-untyped]
import pytest
from docx.oxml.ns import qn

from nimeamiset.domain.roster import Gender, Roster, RosterPerson, RosterSeat, SeatStatus
from nimeamiset.domain.timefmt import HELSINKI
from nimeamiset.exports import CSV_HEADER, FILE_SUFFIXES, FORMATS, MEDIA_TYPES, export, pdffile
from nimeamiset.exports.content import percent
from tests.conftest import IN_CI

W, M = Gender.WOMAN, Gender.MAN
NAMED = SeatStatus.NAMED
FORMULA_NAME = '=HYPERLINK("http://x","y")'
MARKUP_NAME = "<b>Ö'Brien & Co</b>"
BODY = "Päijät-Hämeen maahanmuutto-ohjelman ohjausryhmä"
MEETING = "Ensimmäinen kokous: 18.4.2024 klo 9–11, Päijät-Hämeen liitto, Hämeenkatu 9 A, Lahti"
DEPUTY_FLAG = "HUOM: varajäsenistä naisia alle 40 % (tasa-arvolaki 4 a §)."
JOINT = "Heinola, Hollola, Orimattila"  # one seat shared by three municipalities
MEMBERS_OK = "Naisia ja miehiä kumpiakin vähintään 40 %."


def person(
    name: str, title: str = "", gender: Gender | None = None, **contact: str
) -> RosterPerson:
    return RosterPerson(name=name, title=title, gender=gender, **contact)


def make_roster(**changes: object) -> Roster:
    """Like the seed memo: Lahti with two seats, a seat shared by three municipalities,
    one organisation that has not answered and one that names nobody. Members 3 women and
    2 men; deputies 1 woman, 3 men and one whose gender is not known: under 40 % women."""
    roster = Roster(
        round_id="round-1",
        body=BODY,
        meeting_start=datetime(2024, 4, 18, 9, tzinfo=HELSINKI),
        meeting_end=datetime(2024, 4, 18, 11, tzinfo=HELSINKI),
        meeting_place="Päijät-Hämeen liitto, Hämeenkatu 9 A, Lahti",
        version=2,
        assembled_at=datetime(2024, 4, 15, 10, 30, tzinfo=UTC),
        seats=(
            RosterSeat(
                ("Päijät-Hämeen liitto",),
                1,
                NAMED,
                person(
                    "Saila Juntunen",
                    "hyvinvointipäällikkö",
                    W,
                    email="saila.juntunen@example.fi",
                    phone="044 1234567",
                ),
                person("Tarja Parviainen", "kuntayhteistyöpäällikkö", W),
            ),
            RosterSeat(
                ("Lahti",),
                1,
                NAMED,
                person("Timo Mäntynen", "kaupunginvaltuutettu", M),
                person("Pasi Salmi", "opetuksen suunnittelija", M),
            ),
            RosterSeat(
                ("Lahti",),
                2,
                NAMED,
                person("Åsa O'Brien-Mäkelä", "-vapaa-aikapäällikkö", W),
                person(FORMULA_NAME, "kaupunginvaltuutettu", M),
            ),
            RosterSeat(
                ("Heinola", "Hollola", "Orimattila"),
                1,
                NAMED,
                person("Marianna Kemppi", "valmisteluryhmän jäsen", W),
                person("Jöns Öhman", "hyvinvointikoordinaattori", M),
            ),
            RosterSeat(("Myrskylä",), 1, SeatStatus.NOT_NAMED),
            RosterSeat(("Päijät-Hämeen yrittäjät",), 1, SeatStatus.DECLINED),
            RosterSeat(
                ("Hämeen ELY-keskus",),
                1,
                NAMED,
                person("Janne Rinne", "työllisyyspalveluvastaava", M),
                person(MARKUP_NAME, "@suunnittelija", None),
            ),
        ),
    )
    return dataclasses.replace(roster, **changes)  # type: ignore[arg-type]


# organisation, role (as in CSV and the workbook), name, title, in the roster's order
EXPECTED_ROWS = [
    ("Päijät-Hämeen liitto", "varsinainen jäsen", "Saila Juntunen", "hyvinvointipäällikkö"),
    ("Päijät-Hämeen liitto", "varajäsen", "Tarja Parviainen", "kuntayhteistyöpäällikkö"),
    ("Lahti", "varsinainen jäsen (paikka 1)", "Timo Mäntynen", "kaupunginvaltuutettu"),
    ("Lahti", "varajäsen (paikka 1)", "Pasi Salmi", "opetuksen suunnittelija"),
    ("Lahti", "varsinainen jäsen (paikka 2)", "Åsa O'Brien-Mäkelä", "-vapaa-aikapäällikkö"),
    ("Lahti", "varajäsen (paikka 2)", FORMULA_NAME, "kaupunginvaltuutettu"),
    (
        "Heinola, Hollola, Orimattila",
        "varsinainen jäsen",
        "Marianna Kemppi",
        "valmisteluryhmän jäsen",
    ),
    ("Heinola, Hollola, Orimattila", "varajäsen", "Jöns Öhman", "hyvinvointikoordinaattori"),
    ("Myrskylä", "ei nimetty", "", ""),
    ("Päijät-Hämeen yrittäjät", "ei nimeä", "", ""),
    ("Hämeen ELY-keskus", "varsinainen jäsen", "Janne Rinne", "työllisyyspalveluvastaava"),
    ("Hämeen ELY-keskus", "varajäsen", MARKUP_NAME, "@suunnittelija"),
]

# The printed tables (docx, pdf) keep a seat's rows under one organisation cell, which carries
# the seat number; the role is then the plain role.
EXPECTED_PRINTED_ROWS = [
    ("Päijät-Hämeen liitto", "varsinainen jäsen", "Saila Juntunen", "hyvinvointipäällikkö"),
    ("Päijät-Hämeen liitto", "varajäsen", "Tarja Parviainen", "kuntayhteistyöpäällikkö"),
    ("Lahti (paikka 1)", "varsinainen jäsen", "Timo Mäntynen", "kaupunginvaltuutettu"),
    ("Lahti (paikka 1)", "varajäsen", "Pasi Salmi", "opetuksen suunnittelija"),
    ("Lahti (paikka 2)", "varsinainen jäsen", "Åsa O'Brien-Mäkelä", "-vapaa-aikapäällikkö"),
    ("Lahti (paikka 2)", "varajäsen", FORMULA_NAME, "kaupunginvaltuutettu"),
    (
        "Heinola, Hollola, Orimattila",
        "varsinainen jäsen",
        "Marianna Kemppi",
        "valmisteluryhmän jäsen",
    ),
    ("Heinola, Hollola, Orimattila", "varajäsen", "Jöns Öhman", "hyvinvointikoordinaattori"),
    ("Myrskylä", "ei nimetty", "", ""),
    ("Päijät-Hämeen yrittäjät", "ei nimeä", "", ""),
    ("Hämeen ELY-keskus", "varsinainen jäsen", "Janne Rinne", "työllisyyspalveluvastaava"),
    ("Hämeen ELY-keskus", "varajäsen", MARKUP_NAME, "@suunnittelija"),
]


# --- the package's interface -----------------------------------------------------------------


def test_every_format_has_a_media_type_and_a_suffix() -> None:
    assert FORMATS == ("csv", "xlsx", "docx", "pdf")
    assert set(MEDIA_TYPES) == set(FILE_SUFFIXES) == set(FORMATS)
    assert FILE_SUFFIXES["xlsx"] == ".xlsx"
    assert MEDIA_TYPES["pdf"] == "application/pdf"


def test_an_unknown_format_is_refused() -> None:
    with pytest.raises(ValueError, match="odt"):
        export(make_roster(), "odt")


@pytest.mark.parametrize("fmt", FORMATS)
def test_the_same_roster_gives_the_same_bytes(fmt: str) -> None:
    assert export(make_roster(), fmt) == export(make_roster(), fmt)


@pytest.mark.parametrize("fmt", FORMATS)
def test_an_empty_live_roster_still_exports(fmt: str) -> None:
    assert export(make_roster(seats=(), version=0, assembled_at=None), fmt)


@pytest.mark.parametrize("fmt", ["xlsx", "docx", "pdf"])
def test_control_characters_in_what_people_typed_do_not_break_a_document(fmt: str) -> None:
    seat = RosterSeat(("Sysmä\x00",), 1, NAMED, person("Bell\x07 Name\r\nX"), None)
    assert export(make_roster(seats=(seat,)), fmt)


def test_shares_are_rounded_to_a_tenth_the_finnish_way() -> None:
    assert percent(2, 5) == "40 %"
    assert percent(1, 3) == "33,3 %"
    assert percent(2, 3) == "66,7 %"
    assert percent(0, 4) == "0 %"


# --- CSV -------------------------------------------------------------------------------------


def read_csv(data: bytes) -> list[list[str]]:
    return list(csv.reader(io.StringIO(data.decode("utf-8-sig"), newline=""), delimiter=";"))


def test_csv_is_excel_friendly_utf8_with_bom_semicolons_and_crlf() -> None:
    data = export(make_roster(), "csv")
    header = "organisaatio;rooli;nimi;tehtävänimike;sähköposti;puhelin\r\n"
    assert data.startswith(b"\xef\xbb\xbf" + header.encode())
    assert data.count(b"\r\n") == len(EXPECTED_ROWS) + 1
    assert b"\n" not in data.replace(b"\r\n", b"")
    assert tuple(read_csv(data)[0]) == CSV_HEADER


def test_csv_lists_each_seats_member_then_deputy_in_roster_order() -> None:
    rows = read_csv(export(make_roster(), "csv"))[1:]
    neutral = [(o, r, n.removeprefix("'"), t.removeprefix("'")) for o, r, n, t, _, _ in rows]
    assert neutral == EXPECTED_ROWS
    assert rows[0][4:] == ["saila.juntunen@example.fi", "044 1234567"]


def test_csv_neutralises_cells_a_spreadsheet_would_run() -> None:
    rows = read_csv(export(make_roster(), "csv"))[1:]
    by_name = {row[2]: row for row in rows}
    assert "'" + FORMULA_NAME in by_name
    assert by_name["Åsa O'Brien-Mäkelä"][3] == "'-vapaa-aikapäällikkö"
    assert by_name[MARKUP_NAME][3] == "'@suunnittelija"
    assert not any(cell.startswith(("=", "+", "-", "@")) for row in rows for cell in row)


def test_csv_has_one_row_for_a_seat_without_a_nomination() -> None:
    rows = read_csv(export(make_roster(), "csv"))[1:]
    assert ["Myrskylä", "ei nimetty", "", "", "", ""] in rows
    assert ["Päijät-Hämeen yrittäjät", "ei nimeä", "", "", "", ""] in rows
    assert [row[0] for row in rows].count("Myrskylä") == 1


def test_csv_numbers_seats_only_where_an_organisation_has_several() -> None:
    roles = {(row[0], row[1]) for row in read_csv(export(make_roster(), "csv"))[1:]}
    assert ("Lahti", "varsinainen jäsen (paikka 2)") in roles
    assert ("Päijät-Hämeen liitto", "varsinainen jäsen") in roles


def test_csv_leaves_a_missing_deputy_row_empty() -> None:
    seat = RosterSeat(("Sysmä",), 1, NAMED, person("Janne Rinne", gender=M), None)
    rows = read_csv(export(make_roster(seats=(seat,)), "csv"))[1:]
    assert rows == [
        ["Sysmä", "varsinainen jäsen", "Janne Rinne", "", "", ""],
        ["Sysmä", "varajäsen", "", "", "", ""],
    ]


# --- xlsx ------------------------------------------------------------------------------------


def load_xlsx(roster: Roster | None = None) -> openpyxl.Workbook:
    return openpyxl.load_workbook(io.BytesIO(export(roster or make_roster(), "xlsx")))


def test_xlsx_has_a_title_block_above_the_table() -> None:
    sheet = load_xlsx().worksheets[0]
    assert sheet.title == "Kokoonpano"
    assert sheet["A1"].value == BODY
    assert sheet["A2"].value == MEETING
    assert sheet["A3"].value == "Kokoonpano: versio 2, koottu 15.4.2024"


def test_xlsx_table_has_the_csv_columns_and_gender_in_roster_order() -> None:
    sheet = load_xlsx().worksheets[0]
    rows = [
        tuple(cell or "" for cell in row) for row in sheet.iter_rows(min_row=5, values_only=True)
    ]
    assert rows[0] == (*CSV_HEADER, "sukupuoli")
    assert [row[:4] for row in rows[1:]] == EXPECTED_ROWS
    assert rows[1][4:] == ("saila.juntunen@example.fi", "044 1234567", "nainen")
    genders = [row[6] for row in rows[1:]]
    assert genders[:4] == ["nainen", "nainen", "mies", "mies"]
    assert genders[-1] == ""  # not known


def test_xlsx_header_is_bold_frozen_and_filterable() -> None:
    sheet = load_xlsx().worksheets[0]
    assert all(cell.font.b for cell in sheet[5])
    assert sheet.freeze_panes == "A6"
    assert sheet.auto_filter.ref == f"A5:G{5 + len(EXPECTED_ROWS)}"
    widths = [sheet.column_dimensions[letter].width for letter in "ABCDEFG"]
    assert all(10 <= width <= 50 for width in widths)


def test_xlsx_stores_formula_like_text_as_text() -> None:
    sheet = load_xlsx().worksheets[0]
    cells = {cell.value: cell for row in sheet.iter_rows(min_row=6) for cell in row}
    for text in (FORMULA_NAME, "-vapaa-aikapäällikkö", "@suunnittelija"):
        cell = cells[text]  # the text as typed, not a formula and not an apostrophe in front
        assert cell.data_type == "s"
        assert cell.quotePrefix  # and Excel keeps it text when someone edits the cell
    assert all(cell.data_type != "f" for cell in cells.values())
    with zipfile.ZipFile(io.BytesIO(export(make_roster(), "xlsx"))) as archive:
        assert "<f>" not in archive.read("xl/worksheets/sheet1.xml").decode()


def test_xlsx_balance_sheet_counts_members_and_deputies_apart_and_flags() -> None:
    sheet = load_xlsx()["Sukupuolijakauma"]
    rows = {row[0]: row for row in sheet.iter_rows(min_row=5, max_row=6, values_only=True)}
    members, deputies = rows["Varsinaiset jäsenet"], rows["Varajäsenet"]
    assert members[1:5] == (3, 2, 0, 0)
    assert members[5] == pytest.approx(0.6)
    assert members[7] == MEMBERS_OK
    assert deputies[1:5] == (1, 3, 0, 1)
    assert deputies[5] == pytest.approx(0.25)
    assert deputies[7] == DEPUTY_FLAG


def test_xlsx_carries_title_creator_and_assembly_date() -> None:
    properties = load_xlsx().properties
    assert properties.title == f"{BODY} – kokoonpano"
    assert properties.creator == "nimeamiset"
    assert properties.created == properties.modified == datetime(2024, 4, 15, 10, 30)


# --- docx ------------------------------------------------------------------------------------


def load_docx(roster: Roster | None = None) -> docx.document.Document:
    return docx.Document(io.BytesIO(export(roster or make_roster(), "docx")))


def test_docx_opens_with_the_body_and_the_first_meeting() -> None:
    paragraphs = [p for p in load_docx().paragraphs if p.text]
    assert paragraphs[0].text == BODY
    assert paragraphs[0].style is not None and paragraphs[0].style.name == "Heading 1"
    assert paragraphs[1].text == MEETING
    assert paragraphs[2].text == "Kokoonpano: versio 2, koottu 15.4.2024"


def test_docx_table_lists_seats_like_the_memo() -> None:
    table = load_docx().tables[0]
    rows = [tuple(cell.text for cell in row.cells) for row in table.rows]
    assert rows[0] == ("Organisaatio", "Rooli", "Nimi", "Tehtävänimike")
    assert rows[1:] == EXPECTED_PRINTED_ROWS
    assert table.style is not None and table.style.name == "Table Grid"


def test_docx_merges_a_seats_organisation_cell_over_member_and_deputy() -> None:
    table = load_docx().tables[0]
    member, deputy = table.rows[5], table.rows[6]  # Lahti, seat 2
    assert member.cells[0]._tc is deputy.cells[0]._tc
    assert member.cells[2]._tc is not deputy.cells[2]._tc
    not_named, declined = table.rows[9], table.rows[10]
    assert not_named.cells[0]._tc is not declined.cells[0]._tc


def test_docx_header_row_repeats_on_every_page() -> None:
    header = load_docx().tables[0].rows[0]._tr
    assert header.trPr is not None and header.trPr.find(qn("w:tblHeader")) is not None


def test_docx_prints_on_a4_portrait() -> None:
    section = load_docx().sections[0]
    assert section.page_width is not None and section.page_height is not None
    assert section.page_width.mm == pytest.approx(210, abs=0.5)
    assert section.page_height.mm == pytest.approx(297, abs=0.5)
    assert section.left_margin is not None and section.left_margin.mm == pytest.approx(20, abs=0.5)


def test_docx_states_the_gender_balance_with_the_flag() -> None:
    texts = [p.text for p in load_docx().paragraphs]
    heading = texts.index("Sukupuolijakauma")
    members, deputies = texts[heading + 1], texts[heading + 2]
    assert members == ("Varsinaiset jäsenet: naisia 3 (60 %), miehiä 2 (40 %). " + MEMBERS_OK)
    assert deputies == (
        "Varajäsenet: naisia 1 (25 %), miehiä 3 (75 %), sukupuoli ei tiedossa 1. " + DEPUTY_FLAG
    )


def test_docx_marks_a_missing_deputy_as_not_named() -> None:
    seat = RosterSeat(("Sysmä",), 1, NAMED, person("Janne Rinne", gender=M), None)
    rows = [
        [c.text for c in row.cells] for row in load_docx(make_roster(seats=(seat,))).tables[0].rows
    ]
    assert rows[2] == ["Sysmä", "varajäsen", "ei nimetty", ""]


def test_docx_carries_its_title() -> None:
    properties = load_docx().core_properties
    assert properties.title == f"{BODY} – kokoonpano"
    assert properties.author == "nimeamiset"
    assert properties.created == datetime(2024, 4, 15, 10, 30, tzinfo=UTC)


# --- pdf -------------------------------------------------------------------------------------


def poppler(tool: str) -> str:
    path = shutil.which(tool) or (f"/usr/bin/{tool}" if Path(f"/usr/bin/{tool}").exists() else None)
    if path is None:
        if IN_CI:
            pytest.fail(f"{tool} (Debian package poppler-utils) is required in CI")
        pytest.skip(f"{tool} is not installed (Debian package poppler-utils)")
    return path


def pdf_text(data: bytes, tmp_path: Path, *pages: int) -> str:
    path = tmp_path / "roster.pdf"
    path.write_bytes(data)
    span = ["-f", str(pages[0]), "-l", str(pages[-1])] if pages else []
    result = subprocess.run(
        [poppler("pdftotext"), "-layout", *span, str(path), "-"],
        capture_output=True,
        check=True,
        text=True,
    )
    return result.stdout


def pdf_info(data: bytes, tmp_path: Path) -> dict[str, str]:
    path = tmp_path / "info.pdf"
    path.write_bytes(data)
    result = subprocess.run(
        [poppler("pdfinfo"), str(path)], capture_output=True, check=True, text=True
    )
    return dict(
        (key.strip(), value.strip())
        for key, _, value in (line.partition(":") for line in result.stdout.splitlines())
    )


def squeeze(text: str) -> str:
    return re.sub(r"\s+", " ", text)


def test_pdf_opens_with_the_body_and_the_first_meeting(tmp_path: Path) -> None:
    lines = [line.strip() for line in pdf_text(export(make_roster(), "pdf"), tmp_path).splitlines()]
    lines = [line for line in lines if line]
    assert lines[:3] == [BODY, MEETING, "Kokoonpano: versio 2, koottu 15.4.2024"]
    assert re.split(r"\s{2,}", lines[3]) == ["Organisaatio", "Rooli", "Nimi", "Tehtävänimike"]


def test_pdf_table_lists_the_seats_in_order_with_names_as_typed(tmp_path: Path) -> None:
    text = pdf_text(export(make_roster(), "pdf"), tmp_path)
    rows = [re.split(r"\s{2,}", line.strip()) for line in text.splitlines() if line.strip()]
    table = rows[4 : 4 + len(EXPECTED_PRINTED_ROWS)]
    for row, (organisation, role, name, title) in zip(table, EXPECTED_PRINTED_ROWS, strict=True):
        first_of_seat = role != "varajäsen"  # the deputy's row shares the organisation cell
        expected = [organisation if first_of_seat else "", role, name, title]
        assert row == [cell for cell in expected if cell]


def test_pdf_prints_markup_in_names_literally(tmp_path: Path) -> None:
    text = pdf_text(export(make_roster(), "pdf"), tmp_path)
    assert MARKUP_NAME in text
    assert "Åsa O'Brien-Mäkelä" in text and "Jöns Öhman" in text


def test_pdf_states_the_gender_balance_with_the_flag(tmp_path: Path) -> None:
    text = squeeze(pdf_text(export(make_roster(), "pdf"), tmp_path))
    assert "Sukupuolijakauma" in text
    assert "Varsinaiset jäsenet: naisia 3 (60 %), miehiä 2 (40 %). " + MEMBERS_OK in text
    assert "sukupuoli ei tiedossa 1. " + DEPUTY_FLAG in text


def test_pdf_footer_numbers_pages_and_names_the_version(tmp_path: Path) -> None:
    text = pdf_text(export(make_roster(), "pdf"), tmp_path)
    footer = text.strip().splitlines()[-1]
    assert footer.endswith("sivu 1/1")
    assert f"{BODY} – kokoonpano: versio 2, koottu 15.4.2024" in footer


def many_seats(count: int) -> tuple[RosterSeat, ...]:
    return tuple(
        RosterSeat(
            (f"Kunta {i}",),
            1,
            NAMED,
            person(f"Jäsen {i} Pitkä-Nimi-Jolla-On-Monta-Osaa Ylimääräinen", "asiantuntija", W),
            person(f"Varajäsen {i}", "suunnittelija", M),
        )
        for i in range(count)
    )


def test_pdf_repeats_the_header_row_on_every_page(tmp_path: Path) -> None:
    data = export(make_roster(seats=many_seats(60)), "pdf")
    pages = int(pdf_info(data, tmp_path)["Pages"])
    assert pages >= 2
    for page in range(1, pages + 1):
        text = pdf_text(data, tmp_path, page)
        assert re.search(r"Organisaatio\s+Rooli\s+Nimi\s+Tehtävänimike", text)
        assert text.strip().endswith(f"sivu {page}/{pages}")
    every = pdf_text(data, tmp_path)
    assert all(f"Varajäsen {i}" in every for i in range(60))


def test_pdf_is_a4_with_title_metadata(tmp_path: Path) -> None:
    data = export(make_roster(), "pdf")
    boxes = re.findall(rb"/MediaBox\s*\[\s*0 0 ([\d.]+) ([\d.]+)\s*\]", data)
    assert boxes
    for width, height in boxes:
        assert float(width) == pytest.approx(595.28, abs=0.5)
        assert float(height) == pytest.approx(841.89, abs=0.5)
    info = pdf_info(data, tmp_path)
    assert info["Title"] == f"{BODY} – kokoonpano"
    assert info["Author"] == "nimeamiset"
    assert "(A4)" in info["Page size"]


@pytest.fixture
def helvetica_only(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """As on a machine without fonts-liberation and fonts-dejavu-core."""
    monkeypatch.setattr(pdffile, "FONT_CANDIDATES", ())
    pdffile.fonts.cache_clear()
    yield
    pdffile.fonts.cache_clear()


@pytest.mark.usefixtures("helvetica_only")
def test_pdf_falls_back_to_helvetica_which_still_prints_finnish(tmp_path: Path) -> None:
    assert pdffile.fonts()[0] == "Helvetica"
    text = pdf_text(export(make_roster(), "pdf"), tmp_path)
    assert "Åsa O'Brien-Mäkelä" in text and "Jöns Öhman" in text and BODY in text
