"""Reading the fields of the staff actions' forms: days, clock times, the channel of a
recorded reply, the chosen organisations. Each reader returns the value or a Finnish message
for the field; what was typed goes back to the form as it was. The nominee fields are read by
:mod:`nimeamiset.web.forms`, the same way as on the organisations' own form."""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from datetime import date, datetime, time

from nimeamiset.domain.people import FieldError, normalise_email
from nimeamiset.domain.timefmt import HELSINKI, format_date, local
from nimeamiset.web.texts import translate

MAX_TYPED = 1000  # what is kept of a field to show it again
MAX_REASON = 2000
MAX_PLACE = 200


CHANNELS = {"email": "Sähköposti", "phone": "Puhelin", "letter": "Kirje"}
"""How a reply that staff record came in, in the order the form offers them."""

ROLE_LABELS = {"member": "Varsinainen jäsen", "deputy": "Varajäsen"}

_DAY = re.compile(r"(\d{1,2})\.(\d{1,2})\.(\d{4})")
_CLOCK = re.compile(r"(\d{1,2})(?:[.:,](\d{2}))?")


def typed(data: Mapping[str, str], key: str) -> str:
    return data.get(key, "")[:MAX_TYPED]


def read_day(text: str) -> date | None:
    """``5.4.2024`` (as Finns write it) or ``2024-04-05`` (as a date picker sends it)."""
    text = text.strip()
    try:
        found = _DAY.fullmatch(text)
        if found:
            day, month, year = (int(part) for part in found.groups())
            return date(year, month, day)
        return date.fromisoformat(text) if len(text) == 10 else None
    except ValueError:
        return None


def read_clock(text: str) -> time | None:
    """``9``, ``9.30``, ``09:30``, ``9,30`` (a Finnish phone's number pad has a comma)."""
    found = _CLOCK.fullmatch(text.strip())
    if not found:
        return None
    hour, minute = int(found.group(1)), int(found.group(2) or 0)
    return time(hour, minute) if hour < 24 and minute < 60 else None


def day_value(moment: date | datetime) -> str:
    """A day as the forms show it: ``5.4.2024``."""
    return format_date(moment)


def clock_value(moment: datetime) -> str:
    return f"{local(moment):%H.%M}"


def day_error(text: str) -> tuple[date | None, str]:
    if not text.strip():
        return None, "Kirjoita päivämäärä."
    day = read_day(text)
    if day is None:
        return None, "Päivämäärä ei kelpaa. Kirjoita se muodossa 5.4.2024."
    return day, ""


def received_day(text: str, *, today: date) -> tuple[date | None, str]:
    """The day a reply recorded by staff came, if given: not after today."""
    if not text.strip():
        return None, ""
    day, error = day_error(text)
    if day is not None and day > today:
        return None, "Vastaus ei voi saapua tämän päivän jälkeen."
    return day, error


def new_deadline(
    text: str, *, today: date, current: date, meeting_day: date
) -> tuple[date | None, str]:
    """The new deadline, or why it cannot be: it must not have passed, must differ from the
    present one, and must come before the first meeting's day."""
    day, error = day_error(text)
    if day is None:
        return None, error
    if day < today:
        return None, f"Päivä on jo mennyt. Valitse {day_value(today)} tai myöhempi päivä."
    if day >= meeting_day:
        return None, (f"Määräajan on oltava ennen ensimmäistä kokousta ({day_value(meeting_day)}).")
    if day == current:
        return None, f"Määräaika on jo {day_value(current)}. Valitse toinen päivä."
    return day, ""


def registry_address(text: str, *, current: str) -> tuple[str | None, str]:
    cleaned = text.strip()
    if not cleaned:
        return None, "Kirjoita sähköpostiosoite."
    try:
        address = normalise_email(cleaned)
    except ValueError:
        return None, translate("fi")["err_email"]
    if address.lower() == current.lower():
        return None, (
            "Osoite on sama kuin nyt. Jos haluat lähettää pyynnön uudelleen samaan osoitteeseen, "
            "käytä toimintoa Lähetä pyyntö uudelleen."
        )
    return address, ""


def channel(text: str) -> tuple[str | None, str]:
    if text in CHANNELS:
        return text, ""
    return None, "Valitse, miten vastaus tuli."


def decline_reason(text: str) -> tuple[str | None, str]:
    cleaned = text.strip()
    if not cleaned:
        return None, "Kirjoita perustelu."
    if len(cleaned) > MAX_REASON:
        return None, f"Perustelu on liian pitkä: enintään {MAX_REASON} merkkiä."
    return cleaned, ""


def chosen_requests(values: Iterable[str], allowed: Iterable[int]) -> list[int]:
    """The organisations ticked on the form, among those that may be chosen."""
    open_ids = set(allowed)
    return sorted({int(v) for v in values if v.isdigit() and len(v) < 10} & open_ids)


def meeting_time(
    data: Mapping[str, str], *, today: date, deadline: date
) -> tuple[tuple[datetime, datetime, str] | None, dict[str, str]]:
    """The moved meeting from the fields ``day``, ``start``, ``end`` and ``place``: its start
    and end in Helsinki and its place, or a message per field."""
    errors: dict[str, str] = {}
    day, error = day_error(data.get("day", ""))
    if error:
        errors["day"] = error
    elif day is not None and day <= deadline:
        errors["day"] = f"Kokouksen on oltava määräajan ({day_value(deadline)}) jälkeen."
    elif day is not None and day < today:
        errors["day"] = "Päivä on jo mennyt."
    clocks: dict[str, time] = {}
    for key in ("start", "end"):
        text = data.get(key, "")
        found = read_clock(text) if text.strip() else None
        if not text.strip():
            errors[key] = "Kirjoita kellonaika."
        elif found is None:
            errors[key] = "Kellonaika ei kelpaa. Kirjoita se muodossa 9.00 tai 13.30."
        else:
            clocks[key] = found
    if len(clocks) == 2 and clocks["end"] <= clocks["start"]:
        errors["end"] = "Kokouksen on päätyttävä alkamisen jälkeen."
    place = " ".join(data.get("place", "").split())
    if not place:
        errors["place"] = "Kirjoita paikka."
    elif len(place) > MAX_PLACE:
        errors["place"] = f"Paikka on liian pitkä: enintään {MAX_PLACE} merkkiä."
    if errors or day is None:
        return None, errors
    start = datetime.combine(day, clocks["start"], tzinfo=HELSINKI)
    end = datetime.combine(day, clocks["end"], tzinfo=HELSINKI)
    return (start, end, place), {}


def person_error_labels(errors: Mapping[str, FieldError], seat_count: int) -> dict[str, str]:
    """For the error summary: ``Varajäsen (paikka 2)`` for ``seat2_deputy_email``."""
    labels = {}
    for key in errors:
        seat, role, _ = key.split("_", 2)
        where = f" (paikka {seat.removeprefix('seat')})" if seat_count > 1 else ""
        labels[key] = f"{ROLE_LABELS.get(role, role)}{where}"
    return labels
