from __future__ import annotations

from datetime import UTC, date, datetime, time

import pytest

from nimeamiset.domain.timefmt import (
    HELSINKI,
    days_left,
    deadline_instant,
    format_clock,
    format_date,
    format_datetime,
    format_meeting,
    is_late,
)


def helsinki(*args: int) -> datetime:
    return datetime(*args, tzinfo=HELSINKI)  # type: ignore[misc]


def test_dates_are_written_the_finnish_way() -> None:
    assert format_date(date(2024, 3, 27)) == "27.3.2024"
    assert format_date(date(2024, 12, 6)) == "6.12.2024"


def test_clock_shows_minutes_only_when_there_are_some() -> None:
    assert format_clock(time(9)) == "9"
    assert format_clock(time(12, 30)) == "12.30"
    assert format_clock(time(14, 5)) == "14.05"


def test_meeting_reads_like_the_seed_letter() -> None:
    start, end = helsinki(2024, 4, 18, 9), helsinki(2024, 4, 18, 11)
    assert format_meeting(start, end) == "18.4.2024 klo 9–11"
    assert format_meeting(start, end, weekday=True) == "torstaina 18.4.2024 klo 9–11"
    assert format_meeting(start, end, "sv", weekday=True) == "torsdag 18.4.2024 kl. 9–11"
    assert format_meeting(helsinki(2023, 6, 5, 12, 30), helsinki(2023, 6, 5, 14, 54)) == (
        "5.6.2023 klo 12.30–14.54"
    )


def test_meeting_across_midnight_dates_both_ends() -> None:
    start, end = helsinki(2024, 4, 18, 22), helsinki(2024, 4, 19, 1)
    assert format_meeting(start, end) == "18.4.2024 klo 22 – 19.4.2024 klo 1"


def test_utc_times_are_shown_in_helsinki() -> None:
    summer = datetime(2024, 6, 1, 6, 0, tzinfo=UTC)
    winter = datetime(2024, 1, 1, 6, 0, tzinfo=UTC)
    assert format_datetime(summer) == "1.6.2024 klo 9"
    assert format_datetime(winter) == "1.1.2024 klo 8"


def test_naive_times_are_refused() -> None:
    with pytest.raises(ValueError, match="naive"):
        format_datetime(datetime(2024, 1, 1))


def test_deadline_is_the_end_of_the_day_in_helsinki() -> None:
    # 27.3.2024 is winter time (UTC+2); 28.3. 00:00 Helsinki is 27.3. 22:00 UTC.
    assert deadline_instant(date(2024, 3, 27)) == datetime(2024, 3, 27, 22, tzinfo=UTC)
    # Daylight saving starts 31.3.2024: the next midnight is UTC+3.
    assert deadline_instant(date(2024, 3, 31)) == datetime(2024, 3, 31, 21, tzinfo=UTC)


def test_late_means_after_the_deadline_day() -> None:
    deadline = date(2024, 3, 27)
    assert not is_late(deadline, helsinki(2024, 3, 27, 23, 59, 59))
    assert is_late(deadline, helsinki(2024, 3, 28, 0, 0, 0))


def test_days_left_counts_helsinki_calendar_days() -> None:
    deadline = date(2024, 3, 27)
    assert days_left(deadline, helsinki(2024, 3, 20, 23, 30)) == 7
    assert days_left(deadline, datetime(2024, 3, 26, 22, 30, tzinfo=UTC)) == 0  # 00.30 local
    assert days_left(deadline, helsinki(2024, 3, 29, 9)) == -2
