"""The roster (kokoonpano) as data: seats in distribution order, each a member and a personal
deputy, and the gender balance the Equality Act asks of public bodies. Pure: exports and
emails are made from this, never from the database directly."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum


class Gender(StrEnum):
    WOMAN = "woman"
    MAN = "man"
    OTHER = "other"


GENDER_FI = {Gender.WOMAN: "nainen", Gender.MAN: "mies", Gender.OTHER: "muu"}


@dataclass(frozen=True)
class RosterPerson:
    name: str
    title: str = ""
    email: str = ""
    phone: str = ""
    gender: Gender | None = None


class SeatStatus(StrEnum):
    NAMED = "named"  # a member and a deputy are named
    NOT_NAMED = "not_named"  # no reply yet
    DECLINED = "declined"  # the organisation said it names nobody


SEAT_STATUS_FI = {
    SeatStatus.NAMED: "",
    SeatStatus.NOT_NAMED: "ei nimetty",
    SeatStatus.DECLINED: "ei nimeä",
}


@dataclass(frozen=True)
class RosterSeat:
    """One seat. ``organisations`` has several names for a joint seat."""

    organisations: tuple[str, ...]
    number: int = 1  # the seat's number within its organisation(s), from 1
    status: SeatStatus = SeatStatus.NOT_NAMED
    member: RosterPerson | None = None
    deputy: RosterPerson | None = None

    @property
    def organisation(self) -> str:
        return ", ".join(self.organisations)


MIN_SHARE_PERCENT = 40  # tasa-arvolaki 4 a §


@dataclass(frozen=True)
class Balance:
    """Counts of one group (members, or deputies)."""

    women: int = 0
    men: int = 0
    other: int = 0
    unknown: int = 0

    @property
    def counted(self) -> int:
        return self.women + self.men + self.other

    def share(self, gender: Gender) -> float | None:
        """Percentage among those whose gender is known; None if nobody's is."""
        if not self.counted:
            return None
        n = {Gender.WOMAN: self.women, Gender.MAN: self.men, Gender.OTHER: self.other}[gender]
        return 100 * n / self.counted

    @property
    def below_minimum(self) -> list[Gender]:
        """Women or men under 40 %: a flag for staff (exact arithmetic, 2 of 5 is enough)."""
        if not self.counted:
            return []
        return [
            gender
            for gender, n in ((Gender.WOMAN, self.women), (Gender.MAN, self.men))
            if 100 * n < MIN_SHARE_PERCENT * self.counted
        ]


def balance_of(people: list[RosterPerson | None]) -> Balance:
    genders = [person.gender for person in people if person is not None]
    return Balance(
        women=genders.count(Gender.WOMAN),
        men=genders.count(Gender.MAN),
        other=genders.count(Gender.OTHER),
        unknown=genders.count(None),
    )


@dataclass(frozen=True)
class Roster:
    round_id: str
    body: str
    meeting_start: datetime  # aware
    meeting_end: datetime
    meeting_place: str
    version: int = 0  # 0: not yet assembled (a live view); 1, 2, ... assembled versions
    assembled_at: datetime | None = None
    seats: tuple[RosterSeat, ...] = field(default_factory=tuple)

    @property
    def members(self) -> Balance:
        return balance_of([seat.member for seat in self.seats])

    @property
    def deputies(self) -> Balance:
        return balance_of([seat.deputy for seat in self.seats])

    @property
    def missing(self) -> list[str]:
        return [seat.organisation for seat in self.seats if seat.status is SeatStatus.NOT_NAMED]
