"""When reminders are due: slots from the deadline, moved onto Finnish business days, sent only
in working hours. Pure: every time comes in as an argument."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

from nimeamiset.domain.timefmt import HELSINKI, local
from nimeamiset.domain.workdays import is_business_day, next_business_day, previous_business_day

DEFAULT_OFFSETS = (7, 2, -1)


@dataclass(frozen=True)
class Slot:
    """One reminder: ``offset`` days before (+) or after (-) the deadline; ``index`` is its
    place in time order and its identity (a slot once sent stays sent)."""

    index: int
    offset: int
    day: date
    due: datetime  # aware UTC


@dataclass(frozen=True)
class Hours:
    """From ``due_hour`` on its day a reminder is due; nothing goes out in the quiet hours."""

    due_hour: int = 9
    quiet_from: int = 18
    quiet_until: int = 8


def effective_deadline(round_deadline: date, own: date | None) -> date:
    """An organisation's own extension counts when it is later than the round's deadline."""
    return max(round_deadline, own) if own is not None else round_deadline


DEFAULT_HOURS = Hours()


def parse_offsets(text: str) -> tuple[int, ...]:
    return tuple(int(part) for part in text.split(",") if part.strip())


def format_offsets(offsets: Sequence[int]) -> str:
    return ",".join(str(o) for o in sorted(set(offsets), reverse=True))


def reminder_day(deadline: date, offset: int) -> date:
    """Before the deadline a weekend or holiday moves back; on or after it, forward."""
    day = deadline - timedelta(days=offset)
    return previous_business_day(day) if day < deadline else next_business_day(day)


def schedule(deadline: date, offsets: Sequence[int], hours: Hours = DEFAULT_HOURS) -> list[Slot]:
    slots = []
    for index, offset in enumerate(sorted(set(offsets), reverse=True)):
        day = reminder_day(deadline, offset)
        due = datetime.combine(day, time(hours.due_hour), tzinfo=HELSINKI).astimezone(UTC)
        slots.append(Slot(index, offset, day, due))
    return slots


def is_quiet(moment: datetime, hours: Hours = DEFAULT_HOURS) -> bool:
    """Outside working hours, or not a business day: nothing is sent."""
    moment = local(moment)
    hour = moment.hour
    in_quiet = (
        hours.quiet_from <= hour or hour < hours.quiet_until
        if hours.quiet_from > hours.quiet_until
        else hours.quiet_from <= hour < hours.quiet_until
    )
    return in_quiet or not is_business_day(moment.date())


def latest_due(slots: Sequence[Slot], now: datetime, after: int) -> Slot | None:
    """The latest slot due by ``now`` not yet sent: after an outage, one reminder, not a burst."""
    due = [slot for slot in slots if slot.index > after and slot.due <= now]
    return due[-1] if due else None


def next_due(slots: Sequence[Slot], after: int) -> datetime | None:
    """When the sweep should next look at this request."""
    later = [slot.due for slot in slots if slot.index > after]
    return later[0] if later else None


def passed_before(slots: Sequence[Slot], moment: datetime) -> int:
    """Index of the last slot already due at ``moment`` (-1 if none): at launch those are
    skipped, since the invitation itself has just gone out."""
    passed = [slot.index for slot in slots if slot.due <= moment]
    return passed[-1] if passed else -1


def summary_due(deadline: date, hours: Hours = DEFAULT_HOURS) -> datetime:
    """The staff summary: the first business day after the deadline, at the due hour."""
    day = next_business_day(deadline + timedelta(days=1))
    return datetime.combine(day, time(hours.due_hour), tzinfo=HELSINKI).astimezone(UTC)
