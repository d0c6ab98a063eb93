"""The first meeting as an iCalendar (RFC 5545) meeting request, attached to each member's and
deputy's invitation so that it lands in their calendar. Pure: everything comes in as arguments.

One request per attendee (iMIP, RFC 6047): the UID is stable for a person in a round, so when
the time changes a request with a bigger SEQUENCE updates the same calendar entry, and a
``CANCEL`` with the same UID removes it.

Times are written as Helsinki wall-clock times (``DTSTART;TZID=Europe/Helsinki:20240418T090000``)
with the zone described in a VTIMEZONE. The zone is written as yearly rules, the form Outlook,
Google and Thunderbird themselves write (Outlook ignores the RDATE lists ``icalendar`` generates),
as long as the tz database agrees with the EU rules for the years around the meeting; otherwise
it is generated from the tz database by ``icalendar``.
"""

from __future__ import annotations

import hashlib
import re
from datetime import UTC, date, datetime, timedelta, tzinfo
from typing import Final

from icalendar import Calendar, Event, Timezone, TimezoneDaylight, TimezoneStandard, vCalAddress

from nimeamiset.domain.timefmt import HELSINKI

PRODID: Final = "-//nimeamiset//Nimeamiset//FI"
TZID: Final = "Europe/Helsinki"
METHODS: Final = ("REQUEST", "CANCEL")

_EET = timedelta(hours=2)
_EEST = timedelta(hours=3)
_ADDRESS = re.compile(r"[^\s@<>()\[\],;:\\\"]+@[^\s@<>()\[\],;:\\\"]+\.[^\s@<>()\[\],;:\\\"]+")
_DOMAIN = re.compile(r"[A-Za-z0-9](?:[A-Za-z0-9.-]*[A-Za-z0-9])?")
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def meeting_uid(round_id: str, email: str, domain: str) -> str:
    """A UID that stays the same for one person in one round and says nothing about them.

    The address is normalised (trimmed, lower case) and hashed together with the round, so the
    UID neither contains the address nor links one person's entries across rounds.
    """
    if not round_id.strip():
        raise ValueError("round_id is empty")
    if not _DOMAIN.fullmatch(domain):
        raise ValueError(f"not a domain name: {domain!r}")
    address = _address(email).lower()
    digest = hashlib.sha256(f"nimeamiset\0{round_id}\0{address}".encode()).hexdigest()[:32]
    return f"{round_id}-{digest}@{domain.lower()}"


def meeting_request(
    *,
    uid: str,
    sequence: int,
    start: datetime,
    end: datetime,
    summary: str,
    location: str,
    description: str,
    organizer_name: str,
    organizer_email: str,
    attendee_name: str,
    attendee_email: str,
    stamp: datetime,
    method: str = "REQUEST",
    optional: bool = False,
) -> bytes:
    """A VCALENDAR with one VEVENT: ``METHOD:REQUEST`` invites (or, with a bigger ``sequence``,
    updates the entry already in the calendar); ``METHOD:CANCEL`` takes it out of the calendar.

    ``uid`` comes from :func:`meeting_uid`; ``sequence`` is 0 for the first request and grows
    by one each time the meeting's time or place changes; ``stamp`` is when the request was made.
    ``optional`` marks the attendee an optional participant (a personal deputy, who attends
    when the member cannot).
    """
    if method not in METHODS:
        raise ValueError(f"method must be one of {', '.join(METHODS)}, not {method!r}")
    if not uid.strip() or any(ord(c) < 32 or c == "\x7f" for c in uid):
        raise ValueError("uid is empty or has control characters")
    if isinstance(sequence, bool) or not isinstance(sequence, int) or sequence < 0:
        raise ValueError("sequence must be a whole number, 0 or more")
    for name, moment in (("start", start), ("end", end), ("stamp", stamp)):
        if not isinstance(moment, datetime) or moment.utcoffset() is None:
            raise ValueError(f"{name} must be a datetime with a time zone")
    if end <= start:
        raise ValueError("the meeting must end after it starts")
    if not summary.strip():
        raise ValueError("summary is empty")
    cancel = method == "CANCEL"

    event = Event()
    event.add("UID", uid)
    event.add("SEQUENCE", sequence)
    event.add("DTSTAMP", stamp.astimezone(UTC).replace(microsecond=0))
    event.add("DTSTART", _wall_clock(start))
    event.add("DTEND", _wall_clock(end))
    event.add("SUMMARY", _text(summary))
    if location.strip():
        event.add("LOCATION", _text(location))
    if description.strip():
        event.add("DESCRIPTION", _text(description))
    event.add("ORGANIZER", _address_property(organizer_email, organizer_name, {}))
    event.add(
        "ATTENDEE",
        _address_property(
            attendee_email,
            attendee_name,
            {
                "CUTYPE": "INDIVIDUAL",
                "ROLE": "OPT-PARTICIPANT" if optional else "REQ-PARTICIPANT",
                "PARTSTAT": "NEEDS-ACTION",
                "RSVP": "FALSE" if cancel else "TRUE",
            },
        ),
    )
    event.add("STATUS", "CANCELLED" if cancel else "CONFIRMED")
    event.add("TRANSP", "OPAQUE")
    event.add("CLASS", "PUBLIC")

    calendar = Calendar()
    calendar.add("PRODID", PRODID)
    calendar.add("VERSION", "2.0")
    calendar.add("CALSCALE", "GREGORIAN")
    calendar.add("METHOD", method)
    calendar.add_component(helsinki_timezone(_local_date(start), _local_date(end)))
    calendar.add_component(event)
    return bytes(calendar.to_ical())


def helsinki_timezone(first: date, last: date) -> Timezone:
    """The VTIMEZONE for Europe/Helsinki, right at least from ``first`` to ``last``."""
    years = range(first.year - 1, last.year + 2)
    if follows_eu_rules(years):
        return _rule_timezone()
    return Timezone.from_tzinfo(HELSINKI, TZID, date(years[0], 1, 1), date(years[-1] + 1, 1, 1))


def follows_eu_rules(years: range, zone: tzinfo = HELSINKI) -> bool:
    """Whether ``zone`` is UTC+2 with summer time (UTC+3) from 01:00 UTC on the last Sunday of
    March to 01:00 UTC on the last Sunday of October in each of ``years``."""
    for year in years:
        spring = datetime.combine(_last_sunday(year, 3), datetime.min.time(), UTC)
        autumn = datetime.combine(_last_sunday(year, 10), datetime.min.time(), UTC)
        spring, autumn = spring + timedelta(hours=1), autumn + timedelta(hours=1)
        second = timedelta(seconds=1)
        expected = (
            (datetime(year, 1, 15, tzinfo=UTC), _EET),
            (spring - second, _EET),
            (spring, _EEST),
            (datetime(year, 7, 15, tzinfo=UTC), _EEST),
            (autumn - second, _EEST),
            (autumn, _EET),
            (datetime(year, 12, 15, tzinfo=UTC), _EET),
        )
        for moment, offset in expected:
            if moment.astimezone(zone).utcoffset() != offset:
                return False
    return True


def _rule_timezone() -> Timezone:
    timezone = Timezone()
    timezone.add("TZID", TZID)
    daylight = TimezoneDaylight()
    daylight.add("TZOFFSETFROM", _EET)
    daylight.add("TZOFFSETTO", _EEST)
    daylight.add("TZNAME", "EEST")
    daylight.add("DTSTART", datetime(1970, 3, 29, 3))  # 03:00 EET, the last Sunday of March
    daylight.add("RRULE", {"FREQ": "YEARLY", "BYMONTH": 3, "BYDAY": "-1SU"})
    standard = TimezoneStandard()
    standard.add("TZOFFSETFROM", _EEST)
    standard.add("TZOFFSETTO", _EET)
    standard.add("TZNAME", "EET")
    standard.add("DTSTART", datetime(1970, 10, 25, 4))  # 04:00 EEST, the last Sunday of October
    standard.add("RRULE", {"FREQ": "YEARLY", "BYMONTH": 10, "BYDAY": "-1SU"})
    timezone.add_component(daylight)
    timezone.add_component(standard)
    return timezone


def _last_sunday(year: int, month: int) -> date:
    day = date(year + month // 12, month % 12 + 1, 1) - timedelta(days=1)
    return day - timedelta(days=(day.weekday() - 6) % 7)


def _local_date(moment: datetime) -> date:
    return moment.astimezone(HELSINKI).date()


def _wall_clock(moment: datetime) -> datetime:
    """Helsinki wall-clock time; in UTC for the second 03:00–04:00 of the night summer time
    ends, which a TZID time cannot name (RFC 5545 reads a repeated time as the first one)."""
    local = moment.astimezone(HELSINKI).replace(microsecond=0)
    if local.fold and local.replace(fold=0).utcoffset() != local.utcoffset():
        return local.astimezone(UTC)
    return local


def _text(value: str) -> str:
    """Newlines kept (as ``\\n`` in the file), other control characters dropped."""
    value = value.replace("\r\n", "\n").replace("\r", "\n")
    return _CONTROL.sub("", value).strip()


def _name(value: str) -> str:
    """A display name (CN) on one line; a double quote, which many clients cannot read in a
    parameter even escaped (RFC 6868), becomes a single one."""
    return " ".join(_CONTROL.sub("", value).split()).replace('"', "'")


def _address(email: str) -> str:
    address = email.strip()
    if not _ADDRESS.fullmatch(address):
        raise ValueError(f"not an email address: {email!r}")
    return address


def _address_property(email: str, name: str, params: dict[str, str]) -> vCalAddress:
    address = vCalAddress(f"mailto:{_address(email)}")
    display = _name(name)
    if display:
        address.params["CN"] = display
    for key, value in params.items():
        address.params[key] = value
    return address
