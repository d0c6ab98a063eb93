"""Checking a round against its schema, every problem in Finnish next to its field.

``check_round(data)`` is the one entry point for the round file, the browser form and the copy
of a round: a plain mapping in, a :class:`RoundSpec` out, or :class:`RoundFileError` listing
every :class:`Problem`. A problem's ``key`` is the dotted path of its field as the round file
spells it (``deadline``, ``first_meeting.start``, ``organisations.3.email``,
``organisations.2.joint.1.name``; list positions from 0, ``(file)`` for the round as a whole),
``line`` is 0 (the file reader fills it in) and ``message`` is Finnish, naming the field and
quoting what was written: ``Määräaika: päivämäärä ei kelpaa (30.2.2025). Muoto on 31.3.2025.``,
``Organisaatio 4: sähköposti puuttuu.`` (positions counted from 1, as people count).
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from pydantic import BaseModel, ValidationError

from nimeamiset.domain.roundspec import (
    LANGUAGES,
    MAX_SEATS,
    PROBLEM,
    REMINDER_DAYS,
    TAGS,
    ContactSpec,
    JointMemberSpec,
    JointSeatSpec,
    MeetingSpec,
    OrganisationSpec,
    RoundSpec,
    SenderSpec,
    paren,
)
from nimeamiset.domain.timefmt import format_date

Path = tuple[str | int, ...]

FIELD_FI: dict[str, str] = {
    "id": "Tunnus",
    "body": "Toimielin",
    "subject": "Viestin otsikko",
    "letter": "Nimeämispyynnön teksti",
    "deadline": "Määräaika",
    "first_meeting": "Ensimmäinen kokous",
    "first_meeting.start": "Ensimmäisen kokouksen alkamisaika",
    "first_meeting.end": "Ensimmäisen kokouksen päättymisaika",
    "first_meeting.place": "Ensimmäisen kokouksen paikka",
    "sender": "Allekirjoittaja",
    "sender.name": "Allekirjoittajan nimi",
    "sender.title": "Allekirjoittajan tehtävänimike",
    "sender.organisation": "Allekirjoittajan organisaatio",
    "contact": "Yhteyshenkilö",
    "contact.name": "Yhteyshenkilön nimi",
    "contact.title": "Yhteyshenkilön tehtävänimike",
    "contact.email": "Yhteyshenkilön sähköposti",
    "contact.phone": "Yhteyshenkilön puhelinnumero",
    "organisations": "Jakelulista",
    "organisations.*": "Organisaatio {}",
    "organisations.*.name": "nimi",
    "organisations.*.email": "sähköposti",
    "organisations.*.language": "kieli",
    "organisations.*.seats": "paikat",
    "organisations.*.joint": "Yhteinen paikka {}",
    "organisations.*.joint.*": "Yhteinen paikka {}, organisaatio {}",
    "organisations.*.joint.*.name": "nimi",
    "organisations.*.joint.*.email": "sähköposti",
    "organisations.*.joint.*.language": "kieli",
    "gender_balance": "Sukupuolten tasapaino",
    "assemble_days_before": "Kokoonpanon kokoaminen (päivää ennen kokousta)",
    "invite_to_meeting": "Kokouskutsu kokoamisen jälkeen",
    "reminders": "Muistutukset",
    "reminders.*": "Muistutus {}",
}
"""Finnish names of the fields, keyed by dotted path with ``*`` for a list position. A name with
``{}`` stands alone and gets the positions, counted from 1; a name without, under a ``*``, is
the field's word inside its list item (``Organisaatio 4: sähköposti``)."""

ROOT = "(file)"
_MODELS: dict[str, tuple[type[BaseModel], ...]] = {
    "": (RoundSpec,),
    "first_meeting": (MeetingSpec,),
    "sender": (SenderSpec,),
    "contact": (ContactSpec,),
    "organisations.*": (OrganisationSpec, JointSeatSpec),
    "organisations.*.joint.*": (JointMemberSpec,),
}


@dataclass(frozen=True)
class Problem:
    line: int
    key: str
    message: str

    def format(self, filename: str) -> str:
        return f"{filename}:{self.line}: {self.key}: {self.message}"


class RoundFileError(ValueError):
    """The round was refused; ``problems`` says why, field by field, in Finnish."""

    def __init__(self, problems: list[Problem]) -> None:
        super().__init__("; ".join(f"{p.key}: {p.message}" for p in problems))
        self.problems = problems


def key_of(path: Sequence[str | int]) -> str:
    """``("organisations", 3, "email")`` → ``organisations.3.email``; ``()`` → ``(file)``."""
    return ".".join(str(part) for part in path) or ROOT


def path_of(key: str) -> Path:
    if key == ROOT:
        return ()
    return tuple(int(part) if part.isdigit() else part for part in key.split("."))


def _pattern(path: Sequence[str | int]) -> str:
    return ".".join("*" if isinstance(part, int) else str(part) for part in path)


def _parts(path: Path) -> tuple[str, str | None]:
    """The field's name, split into its item's label and its own word inside that item."""
    if not path:
        return "Kierros", None
    pattern = _pattern(path)
    label = FIELD_FI.get(pattern)
    if label is None:
        return field_label(path[:-1]), f'kenttä "{path[-1]}"'
    if "{}" in label or "*" not in pattern:
        return label.format(*(part + 1 for part in path if isinstance(part, int))), None
    last = max(i for i, part in enumerate(path) if isinstance(part, int))
    return field_label(path[: last + 1]), label


def field_label(path: str | Sequence[str | int]) -> str:
    """The Finnish name of a field for a form or a message: ``contact.email`` →
    ``Yhteyshenkilön sähköposti``, ``organisations.3.email`` → ``Organisaatio 4: sähköposti``."""
    head, word = _parts(path_of(path) if isinstance(path, str) else tuple(path))
    return f"{head}: {word}" if word else head


def message_for(path: Sequence[str | int], text: str) -> str:
    """``text`` (what is wrong, starting with the field's word if any) under the field's name."""
    return _sentence(f"{_parts(tuple(path))[0]}: {text}")


def _sentence(text: str) -> str:
    return text if text.endswith((".", "?", "!")) else f"{text}."


def _unknown_key(parent: Path, key: str) -> str:
    known = {name for model in _MODELS.get(_pattern(parent), ()) for name in model.model_fields}
    text = f'tuntematon kenttä "{key}" – tarkista kirjoitusasu'
    close = difflib.get_close_matches(key, sorted(known), n=1, cutoff=0.7)
    if key in known:  # an organisation's own key in a joint seat
        text = f'kenttä "{key}" ei kuulu yhteiseen paikkaan: kirjoita se joint-luettelon kohtiin'
    elif close:
        text += f'. Tarkoititko "{close[0]}"?'
    if not parent:
        return _sentence(text[0].upper() + text[1:])
    return _sentence(f"{field_label(parent)}: {text}")


def _required_fields(pattern: str) -> str:
    names = [
        name
        for model in _MODELS.get(pattern, ())[:1]
        for name, info in model.model_fields.items()
        if info.is_required()
    ]
    return ", ".join(names[:-1]) + f" ja {names[-1]}" if len(names) > 1 else "".join(names)


_BOUNDS = {
    "greater_than_equal": ("pienin sallittu arvo on", "ge"),
    "greater_than": ("arvon pitää olla suurempi kuin", "gt"),
    "less_than_equal": ("suurin sallittu arvo on", "le"),
    "less_than": ("arvon pitää olla pienempi kuin", "lt"),
}


def _what(error: Mapping[str, Any], path: Path, word: str | None) -> str:
    """What is wrong, in Finnish, by the pydantic error type; ``word`` is the field's word
    inside its list item, if it is in one."""
    kind, value = str(error["type"]), error.get("input")
    ctx: Mapping[str, Any] = error.get("ctx") or {}
    pattern = _pattern(path)
    it = f"{word} " if word else ""
    q = paren(value)

    def bad(fix: str) -> str:
        return f"{it}ei kelpaa{q}: {fix}" if q else f"{it}{fix}"

    if kind == PROBLEM:
        if ctx.get("whole"):
            return str(ctx["rest"])
        return f"{word or ctx['subject']} {ctx['rest']}".strip()
    if kind == "missing" or value is None:
        return f"{it}puuttuu"
    if pattern.endswith("seats") and (kind.startswith("int_") or "than" in kind):
        return f'paikkoja "{value}" ei kelpaa: kirjoita luku 1–{MAX_SEATS}'
    if pattern == "reminders.*" and (kind.startswith("int_") or "than" in kind):
        low, high = REMINDER_DAYS
        return (
            f"päivä ei kelpaa{q}: kirjoita luku {low}…{high}, päivää ennen määräaikaa "
            "(0 = määräpäivänä, -1 = päivä sen jälkeen)"
        )
    if kind == "literal_error" and pattern.endswith("language"):
        allowed = f"{', '.join(LANGUAGES[:-1])} tai {LANGUAGES[-1]}"
        return f'{word or "kieli"} "{value}" ei kelpaa ({allowed})'
    if kind == "too_short" and pattern == "organisations":
        return "lista on tyhjä – siinä ei ole yhtään organisaatiota"
    if kind == "too_short" and pattern == "organisations.*.joint":
        return f"tarvitsee vähintään kaksi organisaatiota (nyt {ctx.get('actual_length')})"
    if kind in {"model_type", "model_attributes_type", "dict_type", "mapping_type"}:
        if pattern == "organisations.*":
            return bad(
                "kirjoita nimi ja sähköposti, esimerkiksi {name: Asikkala, "
                "email: kirjaamo@asikkala.fi}, tai yhteinen paikka (joint)"
            )
        return bad(f"pitäisi olla kentät {_required_fields(pattern)}")
    if kind == "string_too_short":
        if ctx.get("min_length") == 1:
            return f"{it}puuttuu"
        return f"{word or 'teksti'} on liian lyhyt (vähintään {ctx.get('min_length')} merkkiä)"
    if kind == "string_too_long":
        return f"{word or 'teksti'} on liian pitkä (enintään {ctx.get('max_length')} merkkiä)"
    if kind == "string_type":
        return bad("pitäisi olla tekstiä")
    if kind == "too_short":
        return f"{it}liian vähän kohtia ({ctx.get('actual_length')}, vähintään {ctx['min_length']})"
    if kind == "too_long":
        return f"{it}liian monta kohtaa ({ctx.get('actual_length')}, enintään {ctx['max_length']})"
    if kind in {"list_type", "tuple_type", "set_type", "iterable_type"}:
        return bad("pitäisi olla luettelo, jonka jokainen kohta alkaa viivalla (-)")
    if kind.startswith(("int_", "float_")):
        return bad("pitäisi olla kokonaisluku")
    if kind in _BOUNDS:
        words, limit = _BOUNDS[kind]
        return bad(f"{words} {ctx.get(limit)}")
    if kind.startswith("bool_"):
        return bad("kirjoita true (kyllä) tai false (ei)")
    if kind in {"literal_error", "enum"}:
        choices = re.findall(r"'([^']*)'", str(ctx.get("expected", "")))
        return bad(f"vaihtoehdot ovat {', '.join(choices)}") if choices else f"{it}ei kelpaa{q}"
    if kind.startswith("date_"):
        return f"{word or 'päivämäärä'} ei kelpaa{q}. Muoto on 31.3.2025"
    if kind.startswith(("datetime_", "time_")):
        return f"{word or 'aika'} ei kelpaa{q}. Muoto on 18.4.2024 klo 9.00"
    return f"{word or 'arvo'} ei kelpaa{q}"


def problem_of(error: Mapping[str, Any]) -> Problem:
    """One pydantic error as a Finnish problem with the field's dotted key."""
    path: Path = tuple(part for part in error["loc"] if part not in TAGS)
    ctx: Mapping[str, Any] = error.get("ctx") or {}
    if error["type"] == PROBLEM and ctx.get("field"):
        path = (*path, str(ctx["field"]))
    if error["type"] == "extra_forbidden":
        return Problem(0, key_of(path), _unknown_key(path[:-1], str(path[-1])))
    head, word = _parts(path)
    return Problem(0, key_of(path), _sentence(f"{head}: {_what(error, path, word)}"))


def _named(data: Mapping[str, Any]) -> list[tuple[tuple[str | int, ...], str]]:
    """Every organisation's path and name as written, joint seats' members included; read
    from the plain values, so duplicates are found together with every other problem."""
    items = data.get("organisations")
    out: list[tuple[tuple[str | int, ...], str]] = []
    if not isinstance(items, list):
        return out
    for i, item in enumerate(items):
        if not isinstance(item, Mapping):
            continue
        members = item.get("joint")
        if isinstance(members, list):
            for j, member in enumerate(members):
                if isinstance(member, Mapping) and isinstance(member.get("name"), str):
                    out.append((("organisations", i, "joint", j), member["name"].strip()))
        elif isinstance(item.get("name"), str):
            out.append((("organisations", i), item["name"].strip()))
    return out


def _duplicates(data: Mapping[str, Any]) -> list[Problem]:
    problems: list[Problem] = []
    seen: dict[str, tuple[str | int, ...]] = {}
    for path, name in _named(data):
        key = name.casefold()
        if key and key in seen:
            problems.append(
                Problem(
                    0,
                    key_of((*path, "name")),
                    message_for(
                        path,
                        f'organisaatio "{name}" on listassa jo ({field_label(seen[key]).lower()})',
                    ),
                )
            )
        seen.setdefault(key, path)
    return problems


def id_in_use(round_id: str) -> Problem:
    """Found when storing: another round has the id."""
    text = f"kierros {round_id} on jo olemassa – valitse toinen tunnus tai jätä tunnus pois"
    return Problem(0, "id", message_for(("id",), text))


def deadline_passed(deadline: date) -> Problem:
    """Found when storing: the deadline day is over in Helsinki."""
    return Problem(
        0, "deadline", message_for(("deadline",), f"{format_date(deadline)} on jo mennyt")
    )


def check_round(data: Mapping[str, Any]) -> RoundSpec:
    """Check a round given as plain values (text, numbers, lists, mappings); raise
    RoundFileError listing every problem in Finnish, each with its field's dotted key."""
    duplicates = _duplicates(data) if isinstance(data, Mapping) else []
    try:
        spec = RoundSpec.model_validate(dict(data) if isinstance(data, Mapping) else data)
    except ValidationError as exc:
        problems = [problem_of(e) for e in exc.errors(include_url=False)]
        raise RoundFileError(problems + duplicates) from None
    if duplicates:
        raise RoundFileError(duplicates)
    return spec
