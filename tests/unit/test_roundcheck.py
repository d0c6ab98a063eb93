"""A round given as plain values, as the browser form gives it: the same check and the same
Finnish messages as the round file, each under its field's dotted key."""

from __future__ import annotations

import copy
from datetime import date
from typing import Any

import pytest
from pydantic import BaseModel

from nimeamiset.domain.roundfile import (
    FIELD_FI,
    ContactSpec,
    JointMemberSpec,
    JointSeatSpec,
    MeetingSpec,
    OrganisationSpec,
    RoundFileError,
    RoundSpec,
    SenderSpec,
    check_round,
    deadline_passed,
    field_label,
    id_in_use,
    key_of,
    parse_round_file,
    path_of,
)
from tests.conftest import ROUND_FILE

GOOD = ROUND_FILE.read_text(encoding="utf-8")

FORM: dict[str, Any] = {
    "id": "testiryhma",
    "body": "Päijät-Hämeen testiohjelman ohjausryhmä",
    "subject": "Edustajan nimeäminen Päijät-Hämeen testiohjelman ohjausryhmään",
    "letter": "Päijät-Hämeen liitto valmistelee testiohjelmaa.\r\n\r\nKokous on torstaina.",
    "deadline": "27.3.2024",
    "first_meeting": {
        "start": "18.4.2024 klo 9.00",
        "end": "18.4.2024 11:00",
        "place": "Hämeenkatu 9 A, Lahti",
    },
    "sender": {
        "name": "Niina Pautola-Mol",
        "title": "maakuntajohtaja",
        "organisation": "Päijät-Hämeen liitto",
    },
    "contact": {
        "name": "Tarja Parviainen",
        "title": "kuntayhteistyöpäällikkö",
        "email": "tarja.parviainen@example.fi",
        "phone": "0440773431",
    },
    "organisations": [
        {"name": "Asikkala", "email": "kirjaamo@asikkala.example.fi"},
        {"name": "Hartola", "email": "kirjaamo@hartola.example.fi", "seats": "2"},
        {"name": "Hämeen ELY-keskus", "email": "kirjaamo@ely.example.fi"},
        {"name": "Kela / Päijät-Hämeen palveluryhmä", "email": "kirjaamo@kela.example.fi"},
        {"name": "Svenska Folkskolans Vänner", "email": "kansli@sfv.example.fi", "language": "sv"},
    ],
    "gender_balance": "kyllä",
    "reminders": ["7", "2", "-1"],
}


def changed(path: tuple[str | int, ...], value: Any) -> dict[str, Any]:
    data = copy.deepcopy(FORM)
    *parents, last = path
    target: Any = data
    for part in parents:
        target = target[part]
    if value is None:
        del target[last]
    else:
        target[last] = value
    return data


def refused(data: dict[str, Any]) -> list[tuple[int, str, str]]:
    with pytest.raises(RoundFileError) as caught:
        check_round(data)
    return [(p.line, p.key, p.message) for p in caught.value.problems]


def test_a_form_of_plain_text_is_a_round() -> None:
    spec = check_round(FORM)
    assert spec.deadline == date(2024, 3, 27)
    assert spec.first_meeting.start.isoformat() == "2024-04-18T09:00:00+03:00"
    assert spec.first_meeting.end.isoformat() == "2024-04-18T11:00:00+03:00"
    assert spec.contact.phone == "0440773431"
    assert spec.invitees()[1].seats == 2 and spec.gender_balance is True
    assert spec.reminders == [7, 2, -1] and len(spec.paragraphs()) == 2


CASES = {
    "bad day": (("deadline",), "30.2.2025", ("deadline: 2024-03-27", "deadline: 30.2.2025")),
    "no deadline": (("deadline",), None, ("deadline: 2024-03-27\n", "")),
    "bad time": (
        ("first_meeting", "start"),
        "18.4.2024 klo 25",
        ("start: 2024-04-18T09:00", "start: 18.4.2024 klo 25"),
    ),
    "bad address": (
        ("contact", "email"),
        "tarja(at)example.fi",
        ("tarja.parviainen@example.fi", "tarja(at)example.fi"),
    ),
    "bad phone": (("contact", "phone"), "12", ('phone: "044 077 3431"', "phone: 12")),
    "no address": (
        ("organisations", 3, "email"),
        "",
        ("kirjaamo@kela.example.fi", '""'),
    ),
    "bad language": (
        ("organisations", 2, "language"),
        "de",
        ("kirjaamo@ely.example.fi}", "kirjaamo@ely.example.fi, language: de}"),
    ),
    "same name": (("organisations", 1, "name"), "ASIKKALA", ("name: Hartola", "name: ASIKKALA")),
    "reserved id": (("id",), "uusi", ("id: testiryhma", "id: uusi")),
    "unknown key": (("dedline",), "27.3.2024", ("body:", "dedline: 27.3.2024\nbody:")),
}


@pytest.mark.parametrize("case", CASES.values(), ids=CASES.keys())
def test_the_form_and_the_file_get_the_same_words_under_the_same_key(
    case: tuple[tuple[str | int, ...], Any, tuple[str, str]],
) -> None:
    path, value, change = case
    from_form = refused(changed(path, value))
    with pytest.raises(RoundFileError) as caught:
        parse_round_file(GOOD.replace(*change))
    from_file = [(p.key, p.message) for p in caught.value.problems]
    assert [(key, message) for _, key, message in from_form] == from_file
    assert [(line, key) for line, key, _ in from_form] == [(0, key_of(path))]


def test_messages_name_the_field_and_quote_what_was_written() -> None:
    assert refused(changed(("deadline",), "30.2.2025")) == [
        (0, "deadline", "Määräaika: päivämäärä ei kelpaa (30.2.2025). Muoto on 31.3.2025.")
    ]
    assert refused(changed(("organisations", 3, "email"), "")) == [
        (0, "organisations.3.email", "Organisaatio 4: sähköposti puuttuu.")
    ]
    assert refused(changed(("dedline",), "x")) == [
        (
            0,
            "dedline",
            'Tuntematon kenttä "dedline" – tarkista kirjoitusasu. Tarkoititko "deadline"?',
        )
    ]
    joint = {"joint": [{"name": "A", "email": "a@example.fi"}, {"name": "", "email": "b"}]}
    assert refused(changed(("organisations", 2), joint)) == [
        (0, "organisations.2.joint.1.name", "Yhteinen paikka 3, organisaatio 2: nimi puuttuu."),
        (
            0,
            "organisations.2.joint.1.email",
            "Yhteinen paikka 3, organisaatio 2: sähköposti ei kelpaa (b): @-merkki puuttuu.",
        ),
    ]


def test_problems_found_when_storing_use_the_same_words() -> None:
    assert id_in_use("testiryhma").message == (
        "Tunnus: kierros testiryhma on jo olemassa – valitse toinen tunnus tai jätä tunnus pois."
    )
    assert deadline_passed(date(2024, 3, 1)).key == "deadline"
    assert deadline_passed(date(2024, 3, 1)).message == "Määräaika: 1.3.2024 on jo mennyt."


def test_field_labels_for_a_form() -> None:
    assert field_label("deadline") == "Määräaika"
    assert field_label("first_meeting.start") == "Ensimmäisen kokouksen alkamisaika"
    assert field_label("contact.email") == "Yhteyshenkilön sähköposti"
    assert field_label("organisations.3.email") == "Organisaatio 4: sähköposti"
    assert field_label(("organisations", 2, "joint", 1, "name")) == (
        "Yhteinen paikka 3, organisaatio 2: nimi"
    )
    assert path_of("organisations.2.joint.1.name") == ("organisations", 2, "joint", 1, "name")
    assert key_of(()) == "(file)" and path_of("(file)") == ()


NESTED: dict[str, type[BaseModel]] = {
    "": RoundSpec,
    "first_meeting.": MeetingSpec,
    "sender.": SenderSpec,
    "contact.": ContactSpec,
    "organisations.*.": OrganisationSpec,
    "organisations.*.joint.*.": JointMemberSpec,
}


def test_every_field_of_the_schema_has_a_finnish_name() -> None:
    fields = {f"{prefix}{name}" for prefix, model in NESTED.items() for name in model.model_fields}
    fields |= {f"organisations.*.{name}" for name in JointSeatSpec.model_fields}
    assert fields - FIELD_FI.keys() == set()
