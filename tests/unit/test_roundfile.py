"""Bad round files are refused with the key and the line; good ones parse completely."""

from __future__ import annotations

from datetime import date

import pytest

from nimeamiset.domain.roundfile import (
    RESERVED_IDS,
    RoundFileError,
    field_label,
    parse_round_file,
    slugify,
)
from tests.conftest import ROUND_FILE

GOOD = ROUND_FILE.read_text(encoding="utf-8")


def problems(text: str) -> list[tuple[int, str, str]]:
    with pytest.raises(RoundFileError) as caught:
        parse_round_file(text)
    return [(p.line, p.key, p.message) for p in caught.value.problems]


def line_of(text: str, needle: str) -> int:
    return next(n for n, line in enumerate(text.splitlines(), 1) if needle in line)


def test_the_test_cast_parses() -> None:
    spec = parse_round_file(GOOD)
    assert spec.id == "testiryhma"
    assert spec.deadline == date(2024, 3, 27)
    assert spec.first_meeting.start.isoformat() == "2024-04-18T09:00:00+03:00"
    assert [o.name for o in spec.invitees()][:2] == ["Asikkala", "Hartola"]
    assert spec.invitees()[4].language == "sv"
    assert spec.contact.phone == "044 077 3431"
    assert len(spec.paragraphs()) == 2


def test_missing_key_names_the_key() -> None:
    text = GOOD.replace("deadline: 2024-03-27\n", "")
    assert problems(text) == [(line_of(text, "id:"), "deadline", "Määräaika: puuttuu.")]


def test_bad_date_names_key_and_line() -> None:
    text = GOOD.replace("deadline: 2024-03-27", "deadline: 2024-02-30")
    assert problems(text) == [
        (
            line_of(text, "deadline:"),
            "deadline",
            "Määräaika: päivämäärä ei kelpaa (2024-02-30). Muoto on 31.3.2025.",
        )
    ]


def test_bad_address_names_the_organisation_item() -> None:
    text = GOOD.replace("kirjaamo@hartola.example.fi", "kirjaamo(at)hartola")
    assert problems(text) == [
        (
            line_of(text, "Hartola"),
            "organisations.1.email",
            "Organisaatio 2: sähköposti ei kelpaa (kirjaamo(at)hartola): @-merkki puuttuu.",
        )
    ]


def test_duplicate_organisation_is_refused() -> None:
    text = GOOD.replace("name: Hartola", "name: asikkala")
    assert problems(text) == [
        (
            line_of(text, "name: asikkala"),
            "organisations.1.name",
            'Organisaatio 2: organisaatio "asikkala" on listassa jo (organisaatio 1).',
        )
    ]


def test_unknown_key_is_refused() -> None:
    text = GOOD.replace("body:", "bodi: x\nbody:")
    assert problems(text) == [
        (
            line_of(text, "bodi:"),
            "bodi",
            'Tuntematon kenttä "bodi" – tarkista kirjoitusasu. Tarkoititko "body"?',
        )
    ]


def test_unknown_nested_key_is_refused() -> None:
    text = GOOD.replace("language: sv", "langauge: sv")
    assert problems(text) == [
        (
            line_of(text, "langauge"),
            "organisations.4.langauge",
            'Organisaatio 5: tuntematon kenttä "langauge" – tarkista kirjoitusasu. '
            'Tarkoititko "language"?',
        )
    ]


def test_duplicate_key_is_refused() -> None:
    text = GOOD + "deadline: 2024-03-28\n"
    assert problems(text) == [
        (len(text.splitlines()), "deadline", "Määräaika: kirjoitettu kahdesti – jätä vain yksi.")
    ]


def test_meeting_must_end_after_it_starts_and_after_the_deadline() -> None:
    text = GOOD.replace("end: 2024-04-18T11:00", "end: 2024-04-18T08:00")
    assert problems(text) == [
        (
            line_of(text, "first_meeting:"),
            "first_meeting.end",
            "Ensimmäisen kokouksen päättymisaika: 18.4.2024 klo 8 ei ole alkamisajan "
            "(18.4.2024 klo 9) jälkeen.",
        )
    ]
    text = GOOD.replace("deadline: 2024-03-27", "deadline: 2024-04-19")
    assert problems(text) == [
        (
            line_of(text, "deadline:"),
            "deadline",
            "Määräaika: 19.4.2024 ei ole ennen ensimmäistä kokousta (18.4.2024).",
        )
    ]


def test_not_yaml_names_the_line() -> None:
    text = GOOD.replace("body: Päijät", "body: [Päijät")
    [(line, key, message)] = problems(text)
    assert (line, key) == (line_of(text, "subject:"), "(file)")
    assert message == "Tiedosto ei ole kelvollista YAMLia: hakasulkeelle [ ei löydy paria ]."


def test_every_problem_is_reported_at_once() -> None:
    text = GOOD.replace("deadline: 2024-03-27", "deadline: huomenna").replace(
        "kirjaamo@ely.example.fi", "ely"
    )
    assert [k for _, k, _ in problems(text)] == ["deadline", "organisations.2.email"]


def test_ids_are_made_from_the_body() -> None:
    assert slugify("Päijät-Hämeen työllisyyden ohjausryhmä") == (
        "paijat-hameen-tyollisyyden-ohjausryhma"
    )
    assert slugify("!!!") == "kierros"


SHAPES = (
    GOOD.replace(
        "  - {name: Hartola, email: kirjaamo@hartola.example.fi}\n",
        "  - {name: Lahti, email: kirjaamo@lahti.example.fi, seats: 2}\n"
        "  - joint:\n"
        "      - {name: Heinola, email: kirjaamo@heinola.example.fi}\n"
        "      - {name: Hollola, email: kirjaamo@hollola.example.fi}\n"
        "      - {name: Orimattila, email: kirjaamo@orimattila.example.fi, language: sv}\n",
    )
    + "gender_balance: true\n"
)


def test_seats_and_joint_seats_flatten_in_list_order() -> None:
    spec = parse_round_file(SHAPES)
    invitees = spec.invitees()
    assert [(i.name, i.seats, i.joint_group) for i in invitees[:5]] == [
        ("Asikkala", 1, None),
        ("Lahti", 2, None),
        ("Heinola", 1, "j2"),
        ("Hollola", 1, "j2"),
        ("Orimattila", 1, "j2"),
    ]
    assert invitees[4].language == "sv"
    assert spec.gender_balance is True and spec.assemble_days_before == 7


def test_bad_joint_member_names_its_line() -> None:
    text = SHAPES.replace("kirjaamo@hollola.example.fi", "hollola")
    assert problems(text) == [
        (
            line_of(text, "Hollola"),
            "organisations.2.joint.1.email",
            "Yhteinen paikka 3, organisaatio 2: sähköposti ei kelpaa (hollola): @-merkki puuttuu.",
        )
    ]


def test_joint_member_already_on_the_list_is_refused() -> None:
    text = SHAPES.replace("name: Hollola", "name: Asikkala")
    [(line, key, message)] = problems(text)
    assert key == "organisations.2.joint.1.name"
    assert message == (
        'Yhteinen paikka 3, organisaatio 2: organisaatio "Asikkala" on listassa jo '
        "(organisaatio 1)."
    )
    assert line == line_of(text, "name: Asikkala, email: kirjaamo@hollola")


def test_seat_counts_and_joint_sizes_are_checked() -> None:
    assert [(k, m) for _, k, m in problems(SHAPES.replace("seats: 2", "seats: 0"))] == [
        ("organisations.1.seats", 'Organisaatio 2: paikkoja "0" ei kelpaa: kirjoita luku 1–20.')
    ]
    lonely = SHAPES.replace(
        "      - {name: Hollola, email: kirjaamo@hollola.example.fi}\n", ""
    ).replace(
        "      - {name: Orimattila, email: kirjaamo@orimattila.example.fi, language: sv}\n", ""
    )
    assert [(k, m) for _, k, m in problems(lonely)] == [
        (
            "organisations.2.joint",
            "Yhteinen paikka 3: tarvitsee vähintään kaksi organisaatiota (nyt 1).",
        )
    ]


def test_a_bad_contact_phone_is_refused() -> None:
    text = GOOD.replace('phone: "044 077 3431"', 'phone: "12"')
    assert problems(text) == [
        (
            line_of(text, "contact:"),
            "contact.phone",
            "Yhteyshenkilön puhelinnumero: numero ei kelpaa (12). Kirjoita esimerkiksi "
            "044 123 4567.",
        )
    ]


@pytest.mark.parametrize("reserved", sorted(RESERVED_IDS))
def test_ids_of_staff_pages_are_refused_and_never_made(reserved: str) -> None:
    text = GOOD.replace("id: testiryhma", f"id: {reserved}", 1)
    with pytest.raises(RoundFileError) as caught:
        parse_round_file(text)
    assert [p.key for p in caught.value.problems] == ["id"]
    assert caught.value.problems[0].message == (
        f"Tunnus: {reserved} on varattu henkilökunnan sivuille – valitse toinen tunnus."
    )
    assert slugify(reserved) not in RESERVED_IDS


@pytest.mark.parametrize(
    ("deadline", "start", "end"),
    [
        ("27.3.2024", "18.4.2024 klo 9.00", "18.4.2024 klo 11.00"),
        ("27.03.2024", "18.04.2024 9:00", "18.04.2024 11:00"),
        ("2024-03-27", "18.4.2024 klo 9", "18.4.2024 kello 11"),
        ("'27.3.2024'", "2024-04-18 09:00", "2024-04-18T08:00:00Z"),
    ],
)
def test_days_and_times_may_be_written_the_finnish_way(deadline: str, start: str, end: str) -> None:
    text = GOOD.replace("deadline: 2024-03-27", f"deadline: {deadline}").replace(
        "{start: 2024-04-18T09:00, end: 2024-04-18T11:00,",
        f'{{start: "{start}", end: "{end}",',
    )
    spec = parse_round_file(text)
    assert spec.deadline == date(2024, 3, 27)
    assert spec.first_meeting.start.isoformat() == "2024-04-18T09:00:00+03:00"
    assert spec.first_meeting.end.isoformat() in (
        "2024-04-18T11:00:00+03:00",
        "2024-04-18T08:00:00+00:00",
    )


@pytest.mark.parametrize("phone", ["0447773431", "0501234568", "044 777 3431", "+358447773431"])
def test_an_unquoted_phone_number_is_kept_as_written(phone: str) -> None:
    """YAML reads 0447773431 as an octal number; the digits written are what counts."""
    text = GOOD.replace('phone: "044 077 3431"', f"phone: {phone}")
    assert parse_round_file(text).contact.phone == phone


BROKEN = {
    "missing deadline": ("deadline: 2024-03-27\n", ""),
    "impossible day": ("deadline: 2024-03-27", "deadline: 30.2.2025"),
    "month 13": ("deadline: 2024-03-27", "deadline: 2024-13-01"),
    "a word for a day": ("deadline: 2024-03-27", "deadline: huomenna"),
    "a number for a day": ("deadline: 2024-03-27", "deadline: 27.3"),
    "deadline with a time": ("deadline: 2024-03-27", "deadline: 27.3.2024 klo 16"),
    "empty deadline": ("deadline: 2024-03-27", "deadline:"),
    "deadline after meeting": ("deadline: 2024-03-27", "deadline: 2024-05-01"),
    "meeting as text": ("first_meeting: {start", "first_meeting: torstaina\nx: {start"),
    "meeting without time": ("start: 2024-04-18T09:00", "start: 18.4.2024"),
    "meeting bad hour": ("start: 2024-04-18T09:00", "start: 18.4.2024 klo 25"),
    "meeting ends first": ("end: 2024-04-18T11:00", "end: 2024-04-18T08:00"),
    "meeting nonsense": ("end: 2024-04-18T11:00", "end: [1, 2]"),
    "meeting unknown key": ("place: ", "paikka: x, place: "),
    "no place": (', place: "Hämeenkatu 9 A, Lahti"', ""),
    "sender as list": ("sender: {", "sender: [1]\nx: {"),
    "sender name empty": ("name: Niina Pautola-Mol", 'name: ""'),
    "title too long": ("title: maakuntajohtaja", "title: " + "x" * 301),
    "subject on two lines": ("subject: Edustajan", "subject: |\n  rivi\n  Edustajan"),
    "subject as list": ("subject: Edustajan", "subject: [Edustajan"),
    "letter missing": ("letter: |", "kirje: |"),
    "letter as number": ("deadline:", "letter2: 1\ndeadline:"),
    "contact email": ("tarja.parviainen@example.fi", "tarja(at)example.fi"),
    "contact email space": ("tarja.parviainen@example.fi", "tarja parviainen@example.fi"),
    "contact email umlaut": ("tarja.parviainen@example.fi", "tärjä@example.fi"),
    "contact phone": ('phone: "044 077 3431"', "phone: 12"),
    "contact phone list": ('phone: "044 077 3431"', "phone: [1]"),
    "contact missing email": (", email: tarja.parviainen@example.fi", ""),
    "bad id": ("id: testiryhma", "id: Testi Ryhmä"),
    "reserved id": ("id: testiryhma", "id: uusi"),
    "unknown top key": ("body:", "dedline: 2024-03-27\nbody:"),
    "organisation language": ("language: sv", "language: de"),
    "organisation seats": ("language: sv", "seats: kaksi"),
    "organisation seats high": ("language: sv", "seats: 21"),
    "organisation as text": ("  - {name: Hartola", "  - Hartola\n  - {name: Hartola2"),
    "organisation empty email": ("kirjaamo@ely.example.fi", '""'),
    "organisation no email": (", email: kirjaamo@ely.example.fi", ""),
    "organisation no name": ("name: Hartola, ", ""),
    "organisation duplicate": ("name: Hartola", "name: ASIKKALA"),
    "organisations empty": ("organisations:\n", "organisations: []\nx:\n"),
    "organisations as text": ("organisations:\n", "organisations: kaikki\nx:\n"),
    "joint too small": ("  - {name: Hartola, email: kirjaamo@hartola.example.fi}", "  - joint: []"),
    "joint as text": ("  - {name: Hartola, email: kirjaamo@hartola.example.fi}", "  - joint: x"),
    "joint with name": (
        "  - {name: Hartola, email: kirjaamo@hartola.example.fi}",
        "  - {name: H, joint: [{name: A1, email: a@b.fi}, {name: B1, email: b@b.fi}]}",
    ),
    "joint member bad": (
        "  - {name: Hartola, email: kirjaamo@hartola.example.fi}",
        "  - {joint: [{name: A1, email: a@b.fi, language: ru}, {name: B1, emial: b@b.fi}]}",
    ),
    "reminders bad": ("deadline:", "reminders: [7, 500, x]\ndeadline:"),
    "reminders as text": ("deadline:", "reminders: viikkoa ennen\ndeadline:"),
    "too many reminders": (
        "deadline:",
        "reminders: [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11]\ndeadline:",
    ),
    "gender balance": ("deadline:", "gender_balance: ehkä\ndeadline:"),
    "invite": ("deadline:", "invite_to_meeting: [x]\ndeadline:"),
    "assemble negative": ("deadline:", "assemble_days_before: -1\ndeadline:"),
    "assemble text": ("deadline:", "assemble_days_before: viikko\ndeadline:"),
    "twice": ("deadline:", "body: toinen\ndeadline:"),
    "yaml bracket": ("body: Päijät", "body: [Päijät"),
    "yaml colon": ("body: Päijät", "body: Päijät: x"),
    "yaml tab": ("body: Päijät", "\tbody: Päijät"),
    "yaml quote": ("body: Päijät", 'body: "Päijät'),
    "yaml indent": ("  - {name: Hartola", " - {name: Hartola"),
    "not a mapping": (GOOD, "- 1\n- 2\n"),
}
ENGLISH = (
    "Input should",
    "Field required",
    "Extra inputs",
    "Value error",
    "should",
    "must",
    "valid",
    "required",
    "missing",
    "expected",
    "not allowed",
    "found",
    "the ",
)


@pytest.mark.parametrize("change", BROKEN.values(), ids=BROKEN.keys())
def test_every_problem_is_told_in_finnish_under_the_fields_finnish_name(
    change: tuple[str, str],
) -> None:
    assert change[0] in GOOD
    found = problems(GOOD.replace(*change))
    assert found
    for line, key, message in found:
        assert line >= 1 and key
        assert not [word for word in ENGLISH if word in message], message
        assert message.endswith((".", "?")), message
        assert message.startswith(("Tiedosto", "Tuntematon", field_label(key).split(":")[0])), (
            key,
            message,
        )


def test_a_bad_day_is_quoted_with_the_form_to_use() -> None:
    text = GOOD.replace("deadline: 2024-03-27", "deadline: 30.2.2025")
    assert [m for _, _, m in problems(text)] == [
        "Määräaika: päivämäärä ei kelpaa (30.2.2025). Muoto on 31.3.2025."
    ]
    text = GOOD.replace("start: 2024-04-18T09:00", "start: 18.4.2024")
    assert [m for _, _, m in problems(text)] == [
        "Ensimmäisen kokouksen alkamisaika: anna myös kellonaika (18.4.2024), "
        "esimerkiksi 18.4.2024 klo 9.00."
    ]


def test_yaml_mistakes_are_told_in_finnish_with_their_line() -> None:
    text = GOOD.replace("body: Päijät", "body: Päijät: x")
    assert problems(text) == [
        (
            line_of(text, "body:"),
            "(file)",
            "Tiedosto ei ole kelvollista YAMLia: kaksoispiste väärässä kohdassa (jos arvossa on "
            "kaksoispiste, kirjoita arvo lainausmerkkeihin).",
        )
    ]
