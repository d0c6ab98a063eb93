"""What every export says, worded once: the rows of the roster, the title block and the gender
balance. The format modules only lay these out."""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass
from datetime import UTC, datetime

from nimeamiset.domain.roster import (
    GENDER_FI,
    MIN_SHARE_PERCENT,
    SEAT_STATUS_FI,
    Balance,
    Gender,
    Roster,
    RosterPerson,
    SeatStatus,
)
from nimeamiset.domain.timefmt import format_date, format_meeting

ROLE_MEMBER = "varsinainen jäsen"
ROLE_DEPUTY = "varajäsen"
CREATOR = "nimeamiset"

# A roster not yet assembled has no date of its own; files made from it carry this one, so that
# two exports of the same data are the same bytes.
FIXED_DATE = datetime(2000, 1, 1, tzinfo=UTC)

# Characters that XML 1.0 (xlsx, docx) cannot hold; reportlab chokes on them too.
_ILLEGAL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")
_BREAKS = re.compile(r"[\t\r\n]+")


def printable(text: str) -> str:
    """Text for a document cell: control characters out, line breaks as spaces."""
    return _BREAKS.sub(" ", _ILLEGAL.sub("", text)).strip()


@dataclass(frozen=True)
class Line:
    """One row of the roster table: a member, a deputy, or a seat nobody was named to."""

    seat_index: int  # position of the seat in the roster, from 0
    organisation: str  # a joint seat's organisations joined with ", "
    base_role: str  # "varsinainen jäsen", "varajäsen", "ei nimetty" or "ei nimeä"
    seat_suffix: str  # " (paikka 2)" when the organisation has several seats, else ""
    person: RosterPerson | None  # None for a seat without a nomination, or a missing deputy
    named: bool  # False: the seat has no nomination (not named, or declined)
    seat_rows: int  # how many lines this seat has (1 or 2)
    first_of_seat: bool

    @property
    def role(self) -> str:
        """The role for a row read on its own: ``varsinainen jäsen (paikka 2)``."""
        return self.base_role + self.seat_suffix

    @property
    def seat_heading(self) -> str:
        """The organisation for a printed table, where a seat's rows share one cell:
        ``Lahti (paikka 2)``."""
        return self.organisation + self.seat_suffix

    @property
    def name(self) -> str:
        return self.person.name if self.person else ""

    @property
    def title(self) -> str:
        return self.person.title if self.person else ""

    @property
    def email(self) -> str:
        return self.person.email if self.person else ""

    @property
    def phone(self) -> str:
        return self.person.phone if self.person else ""

    @property
    def gender(self) -> str:
        if self.person is None or self.person.gender is None:
            return ""
        return GENDER_FI[self.person.gender]


def lines(roster: Roster) -> list[Line]:
    """The roster's rows in distribution order: each named seat's member, then its deputy.

    When one organisation (or one group of organisations sharing a seat) has several seats, each
    of those seats carries its number, ``(paikka 2)``: on the role in rows read one by one (CSV,
    a filtered spreadsheet), on the organisation cell in printed tables.
    """
    seats_of = Counter(seat.organisations for seat in roster.seats)
    result: list[Line] = []
    for index, seat in enumerate(roster.seats):
        suffix = f" (paikka {seat.number})" if seats_of[seat.organisations] > 1 else ""
        organisation = seat.organisation
        if seat.status is SeatStatus.NAMED:
            result.append(
                Line(index, organisation, ROLE_MEMBER, suffix, seat.member, True, 2, True)
            )
            result.append(
                Line(index, organisation, ROLE_DEPUTY, suffix, seat.deputy, True, 2, False)
            )
        else:
            status = SEAT_STATUS_FI[seat.status]
            result.append(Line(index, organisation, status, suffix, None, False, 1, True))
    return result


def document_title(roster: Roster) -> str:
    return f"{printable(roster.body)} – kokoonpano"


def meeting_line(roster: Roster) -> str:
    """``Ensimmäinen kokous: 18.4.2024 klo 9–11, Päijät-Hämeen liitto, Hämeenkatu 9 A, Lahti``"""
    when = format_meeting(roster.meeting_start, roster.meeting_end)
    place = printable(roster.meeting_place)
    return f"Ensimmäinen kokous: {when}, {place}" if place else f"Ensimmäinen kokous: {when}"


def version_text(roster: Roster) -> str:
    """``versio 2, koottu 15.4.2024``, or a note that this is a live view."""
    if roster.version == 0:
        return "luonnos, ei koottu versio"
    if roster.assembled_at is None:
        return f"versio {roster.version}"
    return f"versio {roster.version}, koottu {format_date(roster.assembled_at)}"


def version_line(roster: Roster) -> str:
    return f"Kokoonpano: {version_text(roster)}"


def document_date(roster: Roster) -> datetime:
    """The date files carry in their properties: the assembly, else a constant. Aware, UTC."""
    return (roster.assembled_at or FIXED_DATE).astimezone(UTC)


# --- gender balance -------------------------------------------------------------------------

BALANCE_HEADING = "Sukupuolijakauma"
GROUPS = (("Varsinaiset jäsenet", "varsinaisista jäsenistä"), ("Varajäsenet", "varajäsenistä"))
_PLURAL = {Gender.WOMAN: "naisia", Gender.MAN: "miehiä", Gender.OTHER: "muunsukupuolisia"}
BALANCE_OK = f"Naisia ja miehiä kumpiakin vähintään {MIN_SHARE_PERCENT} %."
BALANCE_UNKNOWN = "Sukupuoli ei tiedossa."
LAW = "tasa-arvolaki 4 a §"


def percent(count: int, total: int) -> str:
    """``40 %``, ``33,3 %``: rounded to a tenth, half up, in integers (no float surprises)."""
    tenths = (2000 * count + total) // (2 * total)
    whole, tenth = divmod(tenths, 10)
    return f"{whole} %" if tenth == 0 else f"{whole},{tenth} %"


def flag_text(group_elative: str, gender: Gender) -> str:
    """``HUOM: varajäsenistä naisia alle 40 % (tasa-arvolaki 4 a §).``"""
    return f"HUOM: {group_elative} {_PLURAL[gender]} alle {MIN_SHARE_PERCENT} % ({LAW})."


def balance_flags(balance: Balance, group_elative: str) -> list[str]:
    return [flag_text(group_elative, gender) for gender in balance.below_minimum]


def balance_counts(balance: Balance) -> str:
    """``naisia 3 (60 %), miehiä 2 (40 %), sukupuoli ei tiedossa 1``"""
    parts = []
    for gender, count in (
        (Gender.WOMAN, balance.women),
        (Gender.MAN, balance.men),
        (Gender.OTHER, balance.other),
    ):
        if count or gender is not Gender.OTHER:
            share = f" ({percent(count, balance.counted)})" if balance.counted else ""
            parts.append(f"{_PLURAL[gender]} {count}{share}")
    if balance.unknown:
        parts.append(f"sukupuoli ei tiedossa {balance.unknown}")
    return ", ".join(parts)


@dataclass(frozen=True)
class BalanceText:
    group: str  # "Varsinaiset jäsenet"
    balance: Balance
    counts: str  # "naisia 3 (60 %), miehiä 2 (40 %)"
    flags: list[str]  # empty when both are at 40 % or more
    verdict: str  # the flags joined, or BALANCE_OK, or BALANCE_UNKNOWN

    @property
    def sentence(self) -> str:
        return f"{self.group}: {self.counts}. {self.verdict}"


def balance_texts(roster: Roster) -> list[BalanceText]:
    """Members and deputies apart, as the Equality Act counts them."""
    result = []
    for (group, elative), balance in zip(GROUPS, (roster.members, roster.deputies), strict=True):
        flags = balance_flags(balance, elative)
        if flags:
            verdict = " ".join(flags)
        elif balance.counted:
            verdict = BALANCE_OK
        else:
            verdict = BALANCE_UNKNOWN
        result.append(BalanceText(group, balance, balance_counts(balance), flags, verdict))
    return result


BALANCE_NOTE = (
    "Osuudet on laskettu niistä, joiden sukupuoli on tiedossa. Tasa-arvolain 4 a § edellyttää, "
    f"että naisia ja miehiä on kumpiakin vähintään {MIN_SHARE_PERCENT} %; varsinaiset jäsenet "
    "ja varajäsenet lasketaan erikseen."
)
