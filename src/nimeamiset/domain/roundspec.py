"""The schema of a round: one for the round file, the browser form and the copy of a round.

Knows nothing of YAML or HTML. Values may be written as a coordinator writes them: days as
``27.3.2024`` or ``2024-03-27``, meeting times as ``18.4.2024 klo 9.00``, ``18.4.2024 9:00`` or
ISO (``2024-04-18T09:00``; Europe/Helsinki unless an offset is given), phone numbers as text or
numbers. What the validators refuse they refuse with :func:`refuse`, in Finnish; turning
pydantic's own errors into Finnish is :mod:`nimeamiset.domain.roundcheck`'s work.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from datetime import date, datetime, time
from typing import Annotated, Any, Literal, Self

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Discriminator,
    Field,
    Tag,
    field_validator,
    model_validator,
)
from pydantic_core import PydanticCustomError

from nimeamiset.domain.people import normalise_email, normalise_phone
from nimeamiset.domain.reminders import DEFAULT_OFFSETS
from nimeamiset.domain.timefmt import as_helsinki, format_date, format_datetime, local

PROBLEM = "round_problem"
"""The pydantic error type of every refusal below; its context carries the Finnish words."""


def refuse(subject: str, rest: str, *, field: str = "", whole: bool = False) -> PydanticCustomError:
    """A problem in Finnish: ``subject rest`` (``osoite`` ``ei kelpaa (x)``).

    Inside an item of a list the item's own word for the field replaces ``subject``
    (``Organisaatio 4: sähköposti ei kelpaa (x)``) unless ``whole``. ``field`` moves a
    model-wide problem onto one of the model's fields (``deadline``)."""
    context = {"subject": subject, "rest": rest, "field": field, "whole": whole}
    return PydanticCustomError(PROBLEM, "{subject} {rest}", context)


def shown(value: Any, limit: int = 60) -> str:
    """A value as it was written, short enough to quote in a message."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, datetime):
        return format_datetime(as_helsinki(value))
    if isinstance(value, date):
        return format_date(value)
    if not isinstance(value, str | int | float):
        return ""
    text = " ".join(str(value).split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


def paren(value: Any) -> str:
    """`` (value)`` to follow a word, or nothing when the value cannot be shown."""
    text = shown(value)
    return f" ({text})" if text else ""


# --- days and times, the Finnish way or ISO ----------------------------------------------------

DAY_EXAMPLE = "31.3.2025"
MOMENT_EXAMPLE = "18.4.2024 klo 9.00"
_FI_DAY = re.compile(r"(\d{1,2})\.(\d{1,2})\.(\d{4})")
_ISO_DAY = re.compile(r"\d{4}-\d{2}-\d{2}")
_FI_CLOCK = re.compile(r"(?:(?:klo|kello)\s*)?(\d{1,2})(?:[.:](\d{2}))?", re.IGNORECASE)


def read_day(text: str) -> date:
    """``27.3.2024``, ``27.03.2024`` or ``2024-03-27``; ValueError otherwise."""
    text = text.strip()
    if found := _FI_DAY.fullmatch(text):
        return date(int(found[3]), int(found[2]), int(found[1]))
    if _ISO_DAY.fullmatch(text):
        return date.fromisoformat(text)
    raise ValueError(text)


def read_moment(text: str) -> datetime:
    """``18.4.2024 klo 9.00``, ``18.4.2024 9:00``, ``18.4.2024 klo 9`` or ISO 8601 with a time,
    naive as written; ValueError otherwise (a day alone included)."""
    text = " ".join(text.split())
    day_text, _, clock_text = text.partition(" ")
    if _FI_DAY.fullmatch(day_text):
        clock = _FI_CLOCK.fullmatch(clock_text)
        if clock is None:
            raise ValueError(text)
        return datetime.combine(read_day(day_text), time(int(clock[1]), int(clock[2] or 0)))
    if _ISO_DAY.fullmatch(text):
        raise ValueError(text)
    return datetime.fromisoformat(text)


def _readable(text: str, reader: Any) -> bool:
    try:
        reader(text)
    except ValueError:
        return False
    return True


def _day(value: Any) -> date:
    if value is None or value == "":
        raise refuse("", "puuttuu")
    if isinstance(value, datetime) or (isinstance(value, str) and _readable(value, read_moment)):
        raise refuse(
            "", f"anna pelkkä päivä ilman kellonaikaa{paren(value)}, esimerkiksi {DAY_EXAMPLE}"
        )
    if isinstance(value, date):
        return value
    if isinstance(value, str) and _readable(value, read_day):
        return read_day(value)
    raise refuse("päivämäärä", f"ei kelpaa{paren(value)}. Muoto on {DAY_EXAMPLE}")


def _moment(value: Any) -> datetime:
    if value is None or value == "":
        raise refuse("", "puuttuu")
    if isinstance(value, datetime):
        return as_helsinki(value)
    if isinstance(value, date) or (isinstance(value, str) and _readable(value, read_day)):
        raise refuse("", f"anna myös kellonaika{paren(value)}, esimerkiksi {MOMENT_EXAMPLE}")
    if isinstance(value, str) and _readable(value, read_moment):
        return as_helsinki(read_moment(value))
    raise refuse("aika", f"ei kelpaa{paren(value)}. Muoto on {MOMENT_EXAMPLE}")


# --- text, addresses, phone numbers ------------------------------------------------------------


def _email(value: str) -> str:
    if not value:
        raise refuse("", "puuttuu")
    try:
        return normalise_email(value)
    except ValueError:
        pass
    hint = ""
    if "@" not in value:
        hint = ": @-merkki puuttuu"
    elif any(ch.isspace() for ch in value):
        hint = ": osoitteessa on välilyönti"
    elif not value.isascii():
        hint = ": osoitteessa on ääkkösiä tai muita erikoismerkkejä"
    raise refuse("osoite", f"ei kelpaa{paren(value)}{hint}")


def _phone_text(value: Any) -> Any:
    """A number as YAML or a form gives it; the round file keeps the digits as written."""
    if value is None:
        return ""
    return str(value) if isinstance(value, int) and not isinstance(value, bool) else value


def _phone(value: str) -> str:
    """Checked, but kept as staff wrote it: the council's own number in its own style."""
    if value:
        try:
            normalise_phone(value)
        except ValueError:
            raise refuse(
                "numero", f"ei kelpaa{paren(value)}. Kirjoita esimerkiksi 044 123 4567"
            ) from None
    return " ".join(value.split())


def _one_line(value: str) -> str:
    value = value.strip()
    if "\n" in value or "\r" in value:
        raise refuse("", "pitää mahtua yhdelle riville")
    return value


def _lower(value: Any) -> Any:
    return value.strip().lower() if isinstance(value, str) else value


def _yes_no(value: Any) -> Any:
    """``kyllä`` and ``ei`` besides what pydantic takes (true/false, yes/no, on/off, 1/0)."""
    words = {"kyllä": True, "ei": False}
    return words.get(value.strip().lower(), value) if isinstance(value, str) else value


Email = Annotated[str, AfterValidator(_email)]
Line = Annotated[str, Field(min_length=1, max_length=300), AfterValidator(_one_line)]
LANGUAGES = ("fi", "sv", "en")
Language = Annotated[Literal["fi", "sv", "en"], BeforeValidator(_lower)]
YesNo = Annotated[bool, BeforeValidator(_yes_no)]
MAX_SEATS = 20
REMINDER_DAYS = (-60, 180)


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True, coerce_numbers_to_str=True)


class MeetingSpec(_Strict):
    start: datetime
    end: datetime
    place: Line

    @field_validator("start", "end", mode="before")
    @classmethod
    def _helsinki(cls, value: Any) -> datetime:
        return _moment(value)

    @model_validator(mode="after")
    def _ends_after_start(self) -> Self:
        if self.end <= self.start:
            raise refuse(
                "",
                f"{format_datetime(self.end)} ei ole alkamisajan "
                f"({format_datetime(self.start)}) jälkeen",
                field="end",
            )
        return self


class SenderSpec(_Strict):
    name: Line
    title: Line
    organisation: Line


class ContactSpec(_Strict):
    name: Line
    title: Line
    email: Email
    phone: Annotated[str, BeforeValidator(_phone_text), AfterValidator(_phone)] = ""


class OrganisationSpec(_Strict):
    name: Line
    email: Email
    language: Language = "fi"
    seats: Annotated[int, Field(ge=1, le=MAX_SEATS)] = 1


class JointMemberSpec(_Strict):
    name: Line
    email: Email
    language: Language = "fi"


class JointSeatSpec(_Strict):
    """One seat shared by several organisations: each is asked, the first reply fills it."""

    joint: Annotated[list[JointMemberSpec], Field(min_length=2, max_length=50)]


def _item_kind(value: Any) -> str:
    return "joint-seat" if isinstance(value, dict) and "joint" in value else "organisation"


DistributionItem = Annotated[
    Annotated[OrganisationSpec, Tag("organisation")] | Annotated[JointSeatSpec, Tag("joint-seat")],
    Discriminator(_item_kind),
]
TAGS = frozenset({"organisation", "joint-seat"})


@dataclass(frozen=True)
class Invitee:
    """An organisation on the distribution list, joint seats flattened, in list order."""

    name: str
    email: str
    language: str
    seats: int
    joint_group: str | None  # the same for every organisation sharing a seat
    path: tuple[str | int, ...]  # where it stands in the round, for messages


SLUG = re.compile(r"^[a-z0-9][a-z0-9-]{0,62}[a-z0-9]$")
RESERVED_IDS = frozenset(
    {"kirjaudu", "kirjaudu-ulos", "aseta-salasana", "kayttoloki", "uusi", "organisaatiot"}
)
"""Paths of the staff pages under /henkilosto/: a round of this id could not be reached."""


class RoundSpec(_Strict):
    id: str | None = None
    body: Line
    subject: Line
    letter: Annotated[str, Field(min_length=1, max_length=20_000)]
    deadline: date
    first_meeting: MeetingSpec
    sender: SenderSpec
    contact: ContactSpec
    organisations: Annotated[list[DistributionItem], Field(min_length=1, max_length=2000)]
    gender_balance: YesNo = False
    """Ask for both a woman and a man for each seat; the form then requires gender."""
    assemble_days_before: Annotated[int, Field(ge=0, le=90)] = 7
    invite_to_meeting: YesNo = False
    """Send the meeting invitation to every member and deputy right after assembly."""
    reminders: Annotated[
        list[Annotated[int, Field(ge=REMINDER_DAYS[0], le=REMINDER_DAYS[1])]], Field(max_length=10)
    ] = Field(default_factory=lambda: list(DEFAULT_OFFSETS))

    @field_validator("id")
    @classmethod
    def _usable_id(cls, value: str | None) -> str | None:
        if value is None or value == "":
            return None
        if not SLUG.fullmatch(value):
            raise refuse(
                "",
                f"ei kelpaa{paren(value)}: käytä 2–64 merkkiä, pieniä kirjaimia a–z, "
                "numeroita ja väliviivoja, esimerkiksi ohjausryhma-2024",
            )
        if value in RESERVED_IDS:
            raise refuse("", f"{value} on varattu henkilökunnan sivuille – valitse toinen tunnus")
        return value

    @field_validator("deadline", mode="before")
    @classmethod
    def _a_day(cls, value: Any) -> date:
        return _day(value)

    @model_validator(mode="after")
    def _deadline_before_meeting(self) -> Self:
        meeting_day = local(self.first_meeting.start).date()
        if self.deadline >= meeting_day:
            raise refuse(
                "",
                f"{format_date(self.deadline)} ei ole ennen ensimmäistä kokousta "
                f"({format_date(meeting_day)})",
                field="deadline",
            )
        return self

    def invitees(self) -> list[Invitee]:
        out = []
        for index, item in enumerate(self.organisations):
            if isinstance(item, JointSeatSpec):
                group = f"j{index}"
                out += [
                    Invitee(
                        m.name, m.email, m.language, 1, group, ("organisations", index, "joint", i)
                    )
                    for i, m in enumerate(item.joint)
                ]
            else:
                out.append(
                    Invitee(
                        item.name,
                        item.email,
                        item.language,
                        item.seats,
                        None,
                        ("organisations", index),
                    )
                )
        return out

    def paragraphs(self) -> list[str]:
        blocks = re.split(r"\n\s*\n", self.letter.strip())
        return [" ".join(block.split()) for block in blocks if block.strip()]


def slugify(text: str, max_length: int = 60) -> str:
    folded = unicodedata.normalize("NFKD", text.lower())
    ascii_only = "".join(ch for ch in folded if not unicodedata.combining(ch))
    slug = re.sub(r"[^a-z0-9]+", "-", ascii_only).strip("-")
    slug = slug[:max_length].rstrip("-") or "kierros"
    return f"{slug}-kierros" if slug in RESERVED_IDS else slug
