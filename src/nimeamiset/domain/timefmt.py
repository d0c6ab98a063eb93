"""Finnish-style dates and times, and the deadline arithmetic. Pure: time comes in as arguments.

Dates are written ``27.3.2024``, times ``klo 9–11`` or ``klo 12.30–14.54``, in Europe/Helsinki.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

HELSINKI = ZoneInfo("Europe/Helsinki")

LANGUAGES = ("fi", "sv", "en")

_WEEKDAY_ON = {
    # Finnish essive ("torstaina") as in the seed letter; Swedish and English plain.
    "fi": (
        "maanantaina",
        "tiistaina",
        "keskiviikkona",
        "torstaina",
        "perjantaina",
        "lauantaina",
        "sunnuntaina",
    ),
    "sv": ("måndag", "tisdag", "onsdag", "torsdag", "fredag", "lördag", "söndag"),
    "en": ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"),
}
_AT = {"fi": "klo", "sv": "kl.", "en": "at"}


def local(moment: datetime) -> datetime:
    if moment.utcoffset() is None:
        raise ValueError("naive datetime: say which time zone it is in")
    return moment.astimezone(HELSINKI)


def format_date(day: date | datetime) -> str:
    if isinstance(day, datetime):
        day = local(day).date()
    return f"{day.day}.{day.month}.{day.year}"


def format_clock(moment: time) -> str:
    """``9`` for a whole hour, ``12.30`` otherwise (Finnish writes a dot, not a colon)."""
    return f"{moment.hour}" if moment.minute == 0 else f"{moment.hour}.{moment.minute:02d}"


def format_datetime(moment: datetime, lang: str = "fi") -> str:
    moment = local(moment)
    return f"{format_date(moment.date())} {_AT[lang]} {format_clock(moment.time())}"


def format_meeting(start: datetime, end: datetime, lang: str = "fi", weekday: bool = False) -> str:
    """``18.4.2024 klo 9–11``; across midnight both ends carry their date."""
    start, end = local(start), local(end)
    prefix = f"{_WEEKDAY_ON[lang][start.weekday()]} " if weekday else ""
    if start.date() == end.date():
        return (
            f"{prefix}{format_date(start.date())} {_AT[lang]} "
            f"{format_clock(start.time())}–{format_clock(end.time())}"
        )
    return f"{prefix}{format_datetime(start, lang)} – {format_datetime(end, lang)}"


def deadline_instant(deadline: date) -> datetime:
    """Replies are due by the end of the deadline day in Helsinki: the next midnight, in UTC."""
    next_midnight = datetime.combine(deadline + timedelta(days=1), time(0), tzinfo=HELSINKI)
    return next_midnight.astimezone(UTC)


def is_late(deadline: date, moment: datetime) -> bool:
    return moment >= deadline_instant(deadline)


def days_left(deadline: date, now: datetime) -> int:
    """Whole calendar days from today (Helsinki) to the deadline day; negative once past."""
    return (deadline - local(now).date()).days


def as_helsinki(moment: datetime) -> datetime:
    """A naive wall-clock time read as Helsinki time; an aware one kept as it is."""
    if moment.utcoffset() is None:
        return moment.replace(tzinfo=HELSINKI)
    return moment
