"""Bad round files are refused with the key and the line; good ones parse completely."""

from __future__ import annotations

from datetime import date

import pytest

from nimeamiset.domain.roundfile import RESERVED_IDS, RoundFileError, parse_round_file, slugify
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
    assert problems(text) == [(line_of(text, "id:"), "deadline", "is required but missing")]


def test_bad_date_names_key_and_line() -> None:
    text = GOOD.replace("deadline: 2024-03-27", "deadline: 2024-02-30")
    [(line, key, message)] = problems(text)
    assert (line, key) == (line_of(text, "deadline:"), "deadline")
    assert "date" in message


def test_bad_address_names_the_organisation_item() -> None:
    text = GOOD.replace("kirjaamo@hartola.example.fi", "kirjaamo(at)hartola")
    [(line, key, _)] = problems(text)
    assert (line, key) == (line_of(text, "Hartola"), "organisations[1].email")


def test_duplicate_organisation_is_refused() -> None:
    text = GOOD.replace("name: Hartola", "name: asikkala")
    [(line, key, message)] = problems(text)
    assert (line, key) == (line_of(text, "name: asikkala"), "organisations[1].name")
    assert "already on the list" in message


def test_unknown_key_is_refused() -> None:
    text = GOOD.replace("body:", "bodi: x\nbody:")
    assert problems(text) == [
        (
            line_of(text, "bodi:"),
            "bodi",
            "is not a known key (see the README for the round file's keys)",
        )
    ]


def test_unknown_nested_key_is_refused() -> None:
    text = GOOD.replace("language: sv", "langauge: sv")
    [(line, key, _)] = problems(text)
    assert (line, key) == (line_of(text, "langauge"), "organisations[4].langauge")


def test_duplicate_key_is_refused() -> None:
    text = GOOD + "deadline: 2024-03-28\n"
    assert problems(text) == [(len(text.splitlines()), "deadline", "appears twice")]


def test_meeting_must_end_after_it_starts_and_after_the_deadline() -> None:
    text = GOOD.replace("end: 2024-04-18T11:00", "end: 2024-04-18T08:00")
    assert [k for _, k, _ in problems(text)] == ["first_meeting"]
    text = GOOD.replace("deadline: 2024-03-27", "deadline: 2024-04-19")
    assert [k for _, k, _ in problems(text)] == ["(file)"]


def test_not_yaml_names_the_line() -> None:
    text = GOOD.replace("body: Päijät", "body: [Päijät")
    [(line, key, message)] = problems(text)
    assert key == "(file)" and "not valid YAML" in message and line > 1


def test_every_problem_is_reported_at_once() -> None:
    text = GOOD.replace("deadline: 2024-03-27", "deadline: huomenna").replace(
        "kirjaamo@ely.example.fi", "ely"
    )
    assert [k for _, k, _ in problems(text)] == ["deadline", "organisations[2].email"]


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
    [(line, key, _)] = problems(text)
    assert (line, key) == (line_of(text, "Hollola"), "organisations[2].joint[1].email")


def test_joint_member_already_on_the_list_is_refused() -> None:
    text = SHAPES.replace("name: Hollola", "name: Asikkala")
    [(line, key, message)] = problems(text)
    assert key == "organisations[2].joint[1].name" and "organisations[0]" in message
    assert line == line_of(text, "name: Asikkala, email: kirjaamo@hollola")


def test_seat_counts_and_joint_sizes_are_checked() -> None:
    assert [k for _, k, _ in problems(SHAPES.replace("seats: 2", "seats: 0"))] == [
        "organisations[1].seats"
    ]
    lonely = SHAPES.replace(
        "      - {name: Hollola, email: kirjaamo@hollola.example.fi}\n", ""
    ).replace(
        "      - {name: Orimattila, email: kirjaamo@orimattila.example.fi, language: sv}\n", ""
    )
    assert [k for _, k, _ in problems(lonely)] == ["organisations[2].joint"]


def test_a_bad_contact_phone_is_refused() -> None:
    text = GOOD.replace('phone: "044 077 3431"', 'phone: "12"')
    [(line, key, _)] = problems(text)
    assert (line, key) == (line_of(text, "contact:"), "contact.phone")


@pytest.mark.parametrize("reserved", sorted(RESERVED_IDS))
def test_ids_of_staff_pages_are_refused_and_never_made(reserved: str) -> None:
    text = GOOD.replace("id: testiryhma", f"id: {reserved}", 1)
    with pytest.raises(RoundFileError) as caught:
        parse_round_file(text)
    assert [p.key for p in caught.value.problems] == ["id"]
    assert "reserved" in caught.value.problems[0].message
    assert slugify(reserved) not in RESERVED_IDS
