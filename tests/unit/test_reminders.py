"""The reminder schedule across Finnish holidays and both daylight-saving changes."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from nimeamiset.domain.reminders import (
    Hours,
    is_quiet,
    latest_due,
    next_due,
    parse_offsets,
    passed_before,
    reminder_day,
    schedule,
    summary_due,
)
from nimeamiset.domain.timefmt import HELSINKI


def helsinki(*args: int) -> datetime:
    return datetime(*args, tzinfo=HELSINKI)  # type: ignore[misc]


def days(deadline: date, offsets: tuple[int, ...] = (7, 2, -1)) -> list[date]:
    return [slot.day for slot in schedule(deadline, offsets)]


def test_plain_weeks_need_no_moving() -> None:
    # Deadline Wednesday 27.3.2024: a week before, two days before, the day after.
    assert days(date(2024, 3, 27)) == [date(2024, 3, 20), date(2024, 3, 25), date(2024, 3, 28)]


def test_easter_moves_reminders_off_the_holidays() -> None:
    # Deadline Thursday 28.3.2024. Day after = Good Friday 29.3. -> next business day is
    # Tuesday 2.4. (Easter Monday 1.4. is a holiday too).
    assert days(date(2024, 3, 28)) == [date(2024, 3, 21), date(2024, 3, 26), date(2024, 4, 2)]
    # Deadline Wednesday 3.4.2024: two days before is Easter Monday 1.4. -> back to
    # Thursday 28.3. (Good Friday and the weekend in between).
    assert reminder_day(date(2024, 4, 3), 2) == date(2024, 3, 28)


def test_may_day_midsummer_independence_day_and_christmas() -> None:
    assert reminder_day(date(2024, 5, 3), 2) == date(2024, 4, 30)  # 1.5. Wednesday
    assert reminder_day(date(2024, 6, 20), -1) == date(2024, 6, 24)  # Midsummer Eve 21.6.
    assert reminder_day(date(2024, 12, 5), -1) == date(2024, 12, 9)  # 6.12. Friday
    assert reminder_day(date(2024, 12, 27), 2) == date(2024, 12, 23)  # 25.12. Wednesday
    assert reminder_day(date(2024, 12, 23), -1) == date(2024, 12, 27)  # 24.-26.12.


def test_on_the_deadline_day_moves_forward() -> None:
    assert reminder_day(date(2024, 3, 30), 0) == date(2024, 4, 2)  # Saturday of Easter


def test_due_at_nine_helsinki_across_daylight_saving() -> None:
    winter, summer = schedule(date(2024, 4, 3), (7, -1))  # DST starts 31.3.2024
    assert winter.due == datetime(2024, 3, 27, 7, tzinfo=UTC)  # 9.00 at UTC+2
    assert summer.due == datetime(2024, 4, 4, 6, tzinfo=UTC)  # 9.00 at UTC+3
    before, after = schedule(date(2024, 10, 30), (7, -1))  # DST ends 27.10.2024
    assert before.due == datetime(2024, 10, 23, 6, tzinfo=UTC)
    assert after.due == datetime(2024, 10, 31, 7, tzinfo=UTC)


def test_due_hour_is_a_setting() -> None:
    [slot] = schedule(date(2024, 3, 27), (0,), Hours(due_hour=13))
    assert slot.due == helsinki(2024, 3, 27, 13)


def test_quiet_hours_and_days() -> None:
    assert not is_quiet(helsinki(2024, 3, 20, 8))
    assert not is_quiet(helsinki(2024, 3, 20, 17, 59))
    assert is_quiet(helsinki(2024, 3, 20, 18))
    assert is_quiet(helsinki(2024, 3, 20, 7, 59))
    assert is_quiet(helsinki(2024, 3, 23, 12))  # Saturday
    assert is_quiet(helsinki(2024, 12, 6, 12))  # Independence Day


def test_after_an_outage_only_the_latest_due_slot() -> None:
    slots = schedule(date(2024, 3, 27), (7, 2, -1))
    assert latest_due(slots, helsinki(2024, 3, 20, 8, 59), after=-1) is None
    assert latest_due(slots, helsinki(2024, 3, 20, 9), after=-1) == slots[0]
    late = latest_due(slots, helsinki(2024, 3, 26, 10), after=-1)
    assert late == slots[1]  # slot 0 is passed over, not sent in a burst
    assert latest_due(slots, helsinki(2024, 3, 26, 10), after=1) is None
    assert next_due(slots, after=1) == slots[2].due
    assert next_due(slots, after=2) is None


def test_slots_past_at_launch_are_skipped() -> None:
    slots = schedule(date(2024, 3, 27), (7, 2, -1))
    assert passed_before(slots, helsinki(2024, 3, 12, 10)) == -1
    assert passed_before(slots, helsinki(2024, 3, 25, 10)) == 1


def test_offsets_read_and_deduplicated() -> None:
    assert parse_offsets("7,2,-1") == (7, 2, -1)
    assert [s.offset for s in schedule(date(2024, 3, 27), (2, 7, 2, -1))] == [7, 2, -1]


@pytest.mark.parametrize(
    ("deadline", "expected"),
    [
        (date(2024, 3, 27), helsinki(2024, 3, 28, 9)),
        (date(2024, 3, 28), helsinki(2024, 4, 2, 9)),  # over Easter
        (date(2024, 12, 5), helsinki(2024, 12, 9, 9)),
    ],
)
def test_summary_on_the_first_business_day_after_the_deadline(
    deadline: date, expected: datetime
) -> None:
    assert summary_due(deadline) == expected
