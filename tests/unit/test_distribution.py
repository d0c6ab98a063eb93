"""Reading a distribution list from pasted rows, CSV (as Finnish Excel saves it, and UTF-8 with
or without BOM) and XLSX: Finnish or English headers, joint seats, and every bad row refused
with its row number in Finnish."""

from __future__ import annotations

import io

import pytest
import yaml
from openpyxl import Workbook  # type: ignore[import-untyped]

from nimeamiset.domain import distribution
from nimeamiset.domain.distribution import DistributionError
from nimeamiset.domain.roundfile import RoundSpec
from tests.conftest import FIXTURES

FINNISH_EXCEL = (
    "Organisaatio;Sähköposti;Kieli;Paikat\r\n"
    "Hämeenkoski;kirjaamo@hameenkoski.example.fi;fi;1\r\n"
    "Pääkallio;kirjaamo@paakallio.example.fi;;2\r\n"
    "Svenska Folkskolans Vänner;kansli@sfv.example.fi;sv;\r\n"
)


def problems_of(call: object, *args: object) -> list[str]:
    with pytest.raises(DistributionError) as caught:
        call(*args)  # type: ignore[operator]
    return caught.value.problems


def test_a_csv_saved_by_finnish_excel_is_read() -> None:
    items = distribution.from_csv(FINNISH_EXCEL.encode("cp1252"))
    assert items == [
        {
            "name": "Hämeenkoski",
            "email": "kirjaamo@hameenkoski.example.fi",
            "language": "fi",
            "seats": 1,
        },
        {
            "name": "Pääkallio",
            "email": "kirjaamo@paakallio.example.fi",
            "language": "fi",
            "seats": 2,
        },
        {
            "name": "Svenska Folkskolans Vänner",
            "email": "kansli@sfv.example.fi",
            "language": "sv",
            "seats": 1,
        },
    ]


def test_utf8_with_and_without_bom_read_alike() -> None:
    plain = distribution.from_csv(FINNISH_EXCEL.encode("utf-8"))
    with_bom = distribution.from_csv(FINNISH_EXCEL.encode("utf-8-sig"))
    assert plain == with_bom == distribution.from_csv(FINNISH_EXCEL.encode("cp1252"))


def test_comma_separated_with_english_headers_and_quoted_names() -> None:
    text = (
        "Name,Email,Language,Seats\n"
        '"Kela, Päijät-Hämeen palveluryhmä",kirjaamo@kela.example.fi,English,3\n'
        "Lahti,kirjaamo@lahti.example.fi,suomi,\n"
    )
    items = distribution.from_csv(text.encode("utf-8"))
    assert [(i["name"], i["language"], i["seats"]) for i in items] == [
        ("Kela, Päijät-Hämeen palveluryhmä", "en", 3),
        ("Lahti", "fi", 1),
    ]


def test_rows_pasted_from_excel_are_tab_separated_and_may_lack_a_header() -> None:
    text = (
        "Asikkala\tkirjaamo@asikkala.example.fi\n\nHartola\tkirjaamo@hartola.example.fi\truotsi\n"
    )
    items = distribution.from_text(text)
    assert [(i["name"], i["language"]) for i in items] == [("Asikkala", "fi"), ("Hartola", "sv")]


def test_kirjaamo_is_an_email_header_and_header_case_does_not_matter() -> None:
    items = distribution.from_text("NIMI;KIRJAAMO\nAsikkala;KIRJAAMO@asikkala.example.fi\n")
    assert items[0]["email"] == "KIRJAAMO@asikkala.example.fi"


def test_an_xlsx_workbook_is_read_from_its_first_sheet() -> None:
    book = Workbook()
    sheet = book.active
    sheet.append(["nimi", "sähköposti", "kieli", "paikat", "yhteinen"])
    sheet.append(["Hämeen ELY-keskus", "kirjaamo@ely.example.fi", "fi", 2, None])
    sheet.append(["LUT", "kirjaamo@lut.example.fi", None, None, "korkeakoulut"])
    sheet.append(["LAB", "kirjaamo@lab.example.fi", "en", None, "korkeakoulut"])
    out = io.BytesIO()
    book.save(out)
    items = distribution.from_upload("jakelu.xlsx", out.getvalue())
    assert items == [
        {
            "name": "Hämeen ELY-keskus",
            "email": "kirjaamo@ely.example.fi",
            "language": "fi",
            "seats": 2,
        },
        {
            "joint": [
                {"name": "LUT", "email": "kirjaamo@lut.example.fi", "language": "fi"},
                {"name": "LAB", "email": "kirjaamo@lab.example.fi", "language": "en"},
            ]
        },
    ]


def test_rows_with_the_same_joint_label_share_one_seat_where_the_first_stands() -> None:
    text = (
        "nimi;sähköposti;yhteinen\n"
        "LUT;kirjaamo@lut.example.fi;Y1\n"
        "Asikkala;kirjaamo@asikkala.example.fi;\n"
        "LAB;kirjaamo@lab.example.fi;y1\n"
    )
    items = distribution.from_text(text)
    assert [distribution.names([i]) for i in items] == [["LUT", "LAB"], ["Asikkala"]]


def test_the_list_has_the_shape_of_the_round_files_organisations() -> None:
    text = (
        "nimi;sähköposti;kieli;paikat;yhteinen\n"
        "Lahti;kirjaamo@lahti.example.fi;fi;2;\n"
        "LUT;kirjaamo@lut.example.fi;fi;;A\n"
        "LAB;kirjaamo@lab.example.fi;sv;;A\n"
    )
    data = yaml.safe_load((FIXTURES / "round.yaml").read_text(encoding="utf-8"))
    spec = RoundSpec.model_validate({**data, "organisations": distribution.from_text(text)})
    assert [(i.name, i.seats, i.joint_group is not None) for i in spec.invitees()] == [
        ("Lahti", 2, False),
        ("LUT", 1, True),
        ("LAB", 1, True),
    ]


@pytest.mark.parametrize(
    ("row", "problem"),
    [
        ("Hartola;", "Rivi 3: sähköposti puuttuu"),
        (";kirjaamo@hartola.example.fi", "Rivi 3: nimi puuttuu"),
        ("Hartola;kirjaamo(at)hartola.fi", "Rivi 3: sähköposti ei kelpaa (kirjaamo(at)hartola.fi)"),
        ("Hartola;kirjaamo@hartola.example.fi;de", 'Rivi 3: kieli "de" ei kelpaa (fi, sv tai en)'),
        ("Hartola;kirjaamo@hartola.example.fi;fi;0", 'Rivi 3: paikkoja "0" ei kelpaa'),
        ("Hartola;kirjaamo@hartola.example.fi;fi;kaksi", 'Rivi 3: paikkoja "kaksi" ei kelpaa'),
        ("Hartola;kirjaamo@hartola.example.fi;fi;21", 'Rivi 3: paikkoja "21" ei kelpaa'),
        (
            "Asikkala;kirjaamo@toinen.example.fi",
            'Rivi 3: organisaatio "Asikkala" on listassa jo rivillä 2',
        ),
        ("Hartola;kirjaamo@hartola.example.fi;fi;;Y1", 'Rivi 3: yhteinen paikka "Y1" tarvitsee'),
        (
            "Hartola;kirjaamo@hartola.example.fi;fi;2;Y1",
            'Rivi 3: yhteinen paikka "Y1" on yksi paikka',
        ),
    ],
)
def test_each_kind_of_bad_row_is_refused_with_its_row_number(row: str, problem: str) -> None:
    text = f"nimi;sähköposti;kieli;paikat;yhteinen\nAsikkala;kirjaamo@asikkala.example.fi\n{row}\n"
    found = problems_of(distribution.from_text, text)
    assert any(p.startswith(problem) for p in found), found


def test_every_problem_of_a_list_is_reported_at_once() -> None:
    text = (
        "nimi;sähköposti;kieli\n"
        "Asikkala;kirjaamo@asikkala.example.fi;fi\n"
        "Hartola;;fi\n"
        "Heinola;kirjaamo(at)heinola.fi;fi\n"
        "Orimattila;kirjaamo@orimattila.example.fi;de\n"
        "asikkala;kirjaamo@asikkala.example.fi;fi\n"
    )
    assert problems_of(distribution.from_text, text) == [
        "Rivi 3: sähköposti puuttuu",
        "Rivi 4: sähköposti ei kelpaa (kirjaamo(at)heinola.fi)",
        'Rivi 5: kieli "de" ei kelpaa (fi, sv tai en)',
        'Rivi 6: organisaatio "asikkala" on listassa jo rivillä 2',
    ]


def test_row_numbers_count_blank_rows_as_a_spreadsheet_does() -> None:
    text = "nimi;sähköposti\n\nAsikkala;kirjaamo@asikkala.example.fi\n\n\nHartola;\n"
    assert problems_of(distribution.from_text, text) == ["Rivi 6: sähköposti puuttuu"]


def test_a_header_without_an_email_column_is_refused() -> None:
    found = problems_of(distribution.from_text, "nimi;puhelin\nAsikkala;03 123\n")
    assert found == ['Rivi 1: otsikkoriviltä puuttuu sarake "sähköposti"']


@pytest.mark.parametrize("text", ["", "\n \n", "nimi;sähköposti\n"])
def test_an_empty_list_is_refused(text: str) -> None:
    assert problems_of(distribution.from_text, text)[0].startswith("Jakelulista on tyhjä")


def test_a_file_that_is_not_a_workbook_nor_text_is_refused() -> None:
    assert problems_of(distribution.from_upload, "x.xlsx", b"PK\x03\x04broken") == [
        "Excel-tiedostoa ei voitu lukea. Tallenna se muodossa .xlsx."
    ]
    assert problems_of(distribution.from_upload, "x.xls", b"\xd0\xcf\x11\xe0old excel")[
        0
    ].startswith("Tiedostoa ei voitu lukea")


def test_merging_sources_finds_an_organisation_given_twice() -> None:
    pasted = distribution.from_text("Asikkala;kirjaamo@asikkala.example.fi\n")
    picked = [{"name": "ASIKKALA", "email": "k@asikkala.example.fi", "language": "fi", "seats": 1}]
    items, problems = distribution.merge(
        [("jakelu", "liitetyissä riveissä", pasted), ("rekisteri", "rekisteristä", picked)]
    )
    assert len(items) == 2
    assert problems == {
        "rekisteri": 'Sama organisaatio kahdesti: "ASIKKALA" on jo liitetyissä riveissä.'
    }


def test_a_list_written_back_as_rows_reads_the_same() -> None:
    text = (
        "nimi;sähköposti;kieli;paikat;yhteinen\n"
        "Lahti;kirjaamo@lahti.example.fi;fi;2;\n"
        "LUT;kirjaamo@lut.example.fi;fi;;A\n"
        "LAB;kirjaamo@lab.example.fi;sv;;A\n"
    )
    items = distribution.from_text(text)
    assert distribution.from_text(distribution.as_rows(items)) == items


def test_a_bad_list_and_a_round_file_with_the_same_values_say_the_same() -> None:
    """Missing address, bad address, duplicate organisation, unknown language: refused row by
    row in a list, and in the same words when the same values are in a round file."""
    from nimeamiset.domain.roundfile import RoundFileError, parse_round_file
    from tests.conftest import ROUND_FILE

    with pytest.raises(distribution.DistributionError) as listed:
        distribution.from_text(
            "nimi;sähköposti;kieli\n"
            "Asikkala;;fi\n"
            "Hartola;kirjaamo(at)hartola.fi;fi\n"
            "Asikkala;kirjaamo@asikkala.example.fi;fi\n"
            "Kela;kirjaamo@kela.example.fi;de\n"
        )
    in_list = [problem.split(": ", 1)[1] for problem in listed.value.problems]
    good = ROUND_FILE.read_text(encoding="utf-8")
    start, end = good.index("organisations:"), good.index("  - {name: Svenska")
    bad = (
        good[:start]
        + "organisations:\n"
        + "  - {name: Asikkala}\n"
        + "  - {name: Hartola, email: kirjaamo(at)hartola.fi}\n"
        + "  - {name: Asikkala, email: kirjaamo@asikkala.example.fi}\n"
        + "  - {name: Kela, email: kirjaamo@kela.example.fi, language: de}\n"
        + good[end:]
    )
    with pytest.raises(RoundFileError) as filed:
        parse_round_file(bad)
    in_file = " ".join(problem.message for problem in filed.value.problems)
    for words in in_list:
        phrase = words.split(" rivillä")[0]  # "on listassa jo rivillä 2" / "(organisaatio 1)"
        assert phrase in in_file, (phrase, in_file)
