"""Read the nomination forms (an organisation's reply, and staff recording one): what was
typed is kept as it was, errors are keyed by field id."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from nimeamiset.domain.people import PERSON_FIELDS, FieldError, Role, parse_person
from nimeamiset.services.replies import Seat
from nimeamiset.web.deps import FormDep as FormDep  # read there, for every form
from nimeamiset.web.deps import form_fields as form_fields
from nimeamiset.web.texts import translate

ROLES = (Role.MEMBER, Role.DEPUTY)


def field_id(seat: int, role: str, name: str) -> str:
    return f"seat{seat}_{role}_{name}"


@dataclass
class ParsedForm:
    values: dict[str, str] = field(default_factory=dict)
    errors: dict[str, FieldError] = field(default_factory=dict)
    seats: list[Seat] = field(default_factory=list)


def parse_nomination(
    data: Mapping[str, str], seat_count: int, *, gender_required: bool = False
) -> ParsedForm:
    parsed = ParsedForm()
    for seat in range(1, seat_count + 1):
        people = {}
        for role in ROLES:
            raw = {
                name: data.get(field_id(seat, role, name), "")
                for name in (*PERSON_FIELDS, "gender")
            }
            parsed.values.update({field_id(seat, role, k): v[:1000] for k, v in raw.items()})
            person, errors = parse_person(raw, gender_required=gender_required)
            parsed.errors.update({field_id(seat, role, k): e for k, e in errors.items()})
            people[role] = person
        member, deputy = people[Role.MEMBER], people[Role.DEPUTY]
        if member is not None and deputy is not None:
            parsed.seats.append(Seat(member=member, deputy=deputy))
    return parsed


def error_texts(errors: Mapping[str, FieldError], lang: str) -> dict[str, str]:
    """The message shown next to each field; keys end in the person field's name."""
    t = translate(lang)
    out = {}
    for key, error in errors.items():
        name = key.rsplit("_", 1)[1]
        if name == "gender":
            out[key] = t["err_choice"]
        else:
            out[key] = t[f"err_{error}"].format(field=t[name].lower())
    return out


def values_from_reply(seats: list[dict[str, dict[str, str]]]) -> dict[str, str]:
    values: dict[str, str] = {}
    for number, seat in enumerate(seats, start=1):
        for role, person in seat.items():
            values.update({field_id(number, role, k): v for k, v in person.items()})
    return values
