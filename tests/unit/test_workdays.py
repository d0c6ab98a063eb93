from __future__ import annotations

from datetime import date

import pytest

from nimeamiset.demo import example_round_text
from nimeamiset.domain.roundfile import parse_round_file
from nimeamiset.domain.workdays import is_business_day, next_business_day, previous_business_day


@pytest.mark.parametrize(
    "holiday",
    [
        date(2024, 3, 29),  # Good Friday
        date(2024, 4, 1),  # Easter Monday
        date(2024, 5, 1),  # May Day
        date(2024, 5, 9),  # Ascension Day
        date(2024, 6, 21),  # Midsummer Eve (juhannusaatto)
        date(2024, 12, 6),  # Independence Day
        date(2024, 12, 24),  # Christmas Eve
        date(2024, 12, 25),
        date(2024, 12, 26),
    ],
)
def test_finnish_holidays_are_not_business_days(holiday: date) -> None:
    assert not is_business_day(holiday)


def test_weekends_are_not_business_days_and_weekdays_are() -> None:
    assert not is_business_day(date(2024, 3, 23))  # Saturday
    assert not is_business_day(date(2024, 3, 24))  # Sunday
    assert is_business_day(date(2024, 3, 27))  # Wednesday


def test_moving_over_easter() -> None:
    assert next_business_day(date(2024, 3, 29)) == date(2024, 4, 2)
    assert previous_business_day(date(2024, 4, 1)) == date(2024, 3, 28)
    assert next_business_day(date(2024, 3, 27)) == date(2024, 3, 27)


@pytest.mark.parametrize("today", [date(2026, 11, 22), date(2024, 12, 10), date(2025, 6, 6)])
def test_demo_round_lands_on_business_days(today: date) -> None:
    spec = parse_round_file(example_round_text(today))
    assert is_business_day(spec.deadline) and spec.deadline > today
    meeting = spec.first_meeting.start.date()
    assert meeting.weekday() == 3 and is_business_day(meeting)
    assert not ((meeting.month, meeting.day) >= (12, 20) or (meeting.month, meeting.day) <= (1, 6))
    assert len(spec.invitees()) == 23
