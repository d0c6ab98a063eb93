"""The Equality Act's 40 %: members and deputies counted apart, exactly at the boundary."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from nimeamiset.domain.roster import (
    Balance,
    Gender,
    Roster,
    RosterPerson,
    RosterSeat,
    SeatStatus,
    balance_of,
)

W, M, X = Gender.WOMAN, Gender.MAN, Gender.OTHER


def people(*genders: Gender | None) -> list[RosterPerson | None]:
    return [RosterPerson(f"P{i}", gender=g) for i, g in enumerate(genders)]


@pytest.mark.parametrize(
    ("genders", "flagged"),
    [
        ((W, W, M, M, M), []),  # 2 of 5 = 40 %: enough
        ((W, M, M, M, M), [W]),  # 1 of 5 = 20 %
        ((W, W, W, M, M), []),
        ((W, W, W, W, M), [M]),
        ((W, W, M, M), []),  # 50 %
        ((W, M, M), [W]),  # 33.3 %
        ((W, W, M, M, M, M), [W]),  # 2 of 6 = 33.3 %
        ((W, W, W, W, M, M, M, M, M, M), []),  # 4 of 10 = 40 %
        ((W, W, W, M, M, M, M, M, M, M), [W]),  # 3 of 10 = 30 %
        ((W, W, M, M, X), []),  # other counts in the whole, 2 of 5 each
        ((), []),
    ],
)
def test_share_under_40_percent_is_flagged(genders: tuple[Gender, ...], flagged: list) -> None:
    assert balance_of(people(*genders)).below_minimum == flagged


def test_unknown_gender_is_counted_apart() -> None:
    balance = balance_of(people(W, M, None, None))
    assert balance == Balance(women=1, men=1, other=0, unknown=2)
    assert balance.share(W) == 50.0 and balance.below_minimum == []
    assert balance_of(people(None)).share(W) is None


def test_members_and_deputies_are_counted_apart() -> None:
    seats = tuple(
        RosterSeat(
            ("Org",),
            n,
            SeatStatus.NAMED,
            RosterPerson("m", gender=mg),
            RosterPerson("d", gender=dg),
        )
        for n, (mg, dg) in enumerate([(W, M), (W, M), (M, M), (M, W), (M, M)], start=1)
    )
    roster = Roster(
        "r",
        "Body",
        datetime(2024, 4, 18, 6, tzinfo=UTC),
        datetime(2024, 4, 18, 8, tzinfo=UTC),
        "Lahti",
        seats=seats,
    )
    assert (roster.members.women, roster.members.men) == (2, 3)
    assert roster.members.below_minimum == []
    assert (roster.deputies.women, roster.deputies.men) == (1, 4)
    assert roster.deputies.below_minimum == [W]


def test_empty_seats_are_not_counted_and_are_missing() -> None:
    seats = (
        RosterSeat(
            ("A",), 1, SeatStatus.NAMED, RosterPerson("m", gender=W), RosterPerson("d", gender=M)
        ),
        RosterSeat(("B", "C"), 1, SeatStatus.NOT_NAMED),
        RosterSeat(("D",), 1, SeatStatus.DECLINED),
    )
    roster = Roster(
        "r",
        "Body",
        datetime(2024, 4, 18, 6, tzinfo=UTC),
        datetime(2024, 4, 18, 8, tzinfo=UTC),
        "Lahti",
        seats=seats,
    )
    assert roster.members.counted == 1
    assert roster.missing == ["B, C"]
