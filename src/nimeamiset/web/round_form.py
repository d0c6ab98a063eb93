"""The round's form (``Uusi kierros``, ``Muokkaa``) and its distribution list (``Jakelulista``):
what was posted turned into the round file's data shape, and the schema's problems put back
next to their fields.

Days are written the Finnish way (``27.3.2024``) and times as ``9.00``; they are read here into
the ISO form the round file takes, so a day that does not exist is told next to its field.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Annotated, Any

from fastapi import Depends, Request
from starlette.datastructures import UploadFile

from nimeamiset.domain import distribution
from nimeamiset.domain.roundfile import Problem, field_label
from nimeamiset.domain.text import without_controls
from nimeamiset.services.organisations import RegisterEntry
from nimeamiset.web.staff_fields import MAX_TYPED, clock_value, day_error, day_value, read_clock

# --- what was posted ----------------------------------------------------------------------------


@dataclass
class Posted:
    """A posted form: its text fields, the values of its checkbox groups, the chosen file."""

    fields: dict[str, str] = field(default_factory=dict)
    lists: dict[str, list[str]] = field(default_factory=dict)
    file_name: str = ""
    file_data: bytes | None = None  # None when no file was chosen


async def posted_form(request: Request) -> Posted:
    """Read here, asynchronously (the file too), so that the handlers stay plain functions."""
    form = await request.form()
    posted = Posted()
    for key, value in form.multi_items():
        if isinstance(value, str):
            value = without_controls(value)
            posted.fields.setdefault(key, value)
            posted.lists.setdefault(key, []).append(value)
        elif isinstance(value, UploadFile) and value.filename and key == LIST_FILE:
            posted.file_name = value.filename
            posted.file_data = await value.read(distribution.MAX_FILE_BYTES + 1)
    return posted


PostedDep = Annotated[Posted, Depends(posted_form)]

# --- the round's fields ---------------------------------------------------------------------------

TEXT_FIELDS = {
    # field id: (key path in the round file, label in the error summary)
    "id": (("id",), "Tunnus"),
    "body": (("body",), "Toimielin"),
    "subject": (("subject",), "Viestin aihe"),
    "letter": (("letter",), "Pyyntökirje"),
    "meeting_place": (("first_meeting", "place"), "Kokouksen paikka"),
    "sender_name": (("sender", "name"), "Allekirjoittajan nimi"),
    "sender_title": (("sender", "title"), "Allekirjoittajan tehtävänimike"),
    "sender_organisation": (("sender", "organisation"), "Allekirjoittajan organisaatio"),
    "contact_name": (("contact", "name"), "Yhteyshenkilön nimi"),
    "contact_title": (("contact", "title"), "Yhteyshenkilön tehtävänimike"),
    "contact_email": (("contact", "email"), "Yhteyshenkilön sähköposti"),
    "contact_phone": (("contact", "phone"), "Yhteyshenkilön puhelin"),
}
LABELS = {
    **{key: label for key, (_, label) in TEXT_FIELDS.items()},
    "deadline": "Määräaika",
    "meeting_day": "Kokouksen päivä",
    "meeting_start": "Kokous alkaa",
    "meeting_end": "Kokous päättyy",
    "reminders": "Muistutuspäivät",
    "assemble_days_before": "Kokoonpanon kokoaminen",
    "settings": "Asetukset",
}
SETTINGS = (
    ("gender_balance", "Pyydä jokaiselle paikalle sekä naista että miestä"),
    ("invite_to_meeting", "Lähetä kokouskutsu heti, kun kokoonpano on koottu"),
)
SETTINGS_HINTS = {
    "gender_balance": "(tasa-arvolaki 4 a §; sukupuoli on silloin pakollinen lomakkeella)",
    "invite_to_meeting": "(muuten kutsu lähetetään kierroksen sivulta)",
}
DATE_FIELDS = ("deadline", "meeting_day", "meeting_start", "meeting_end")
MAX_REMINDERS = 10
_REMINDER = re.compile(r"[+-]?\d{1,3}")


def _reminders(text: str) -> tuple[list[int] | None, str]:
    parts = [p for p in re.split(r"[,;\s]+", text.replace("−", "-").strip()) if p]
    if not all(_REMINDER.fullmatch(p) for p in parts):
        return None, "Kirjoita päivät kokonaislukuina pilkuilla erotettuina, esimerkiksi 7, 2, -1."
    days = [int(p) for p in parts]
    if len(days) > MAX_REMINDERS:
        return None, f"Enintään {MAX_REMINDERS} muistutusta."
    if any(not -60 <= d <= 180 for d in days):
        return None, "Päivien on oltava välillä -60 ja 180."
    return days, ""


def _days_before(text: str) -> tuple[int | None, str]:
    text = text.strip()
    if not re.fullmatch(r"\d{1,2}", text) or int(text) > 90:
        return None, "Kirjoita päivien määrä 0–90, esimerkiksi 7."
    return int(text), ""


def _moment(day: date, clock: str) -> str:
    found = read_clock(clock)
    assert found is not None
    return datetime.combine(day, found).isoformat()


def read_round(posted: Posted) -> tuple[dict[str, Any], dict[str, str]]:
    """The round file's data (without ``organisations``) from the form, and the errors found
    before the schema's check: days, times and numbers that cannot be read."""
    f = posted.fields
    data: dict[str, Any] = {"first_meeting": {}, "sender": {}, "contact": {}}
    for key, (path, _) in TEXT_FIELDS.items():
        value = f.get(key, "")
        if key == "id" and not value.strip():
            continue
        target = data
        for part in path[:-1]:
            target = target[part]
        target[path[-1]] = value
    errors: dict[str, str] = {}
    deadline, error = day_error(f.get("deadline", ""))
    if error:
        errors["deadline"] = error
    day, error = day_error(f.get("meeting_day", ""))
    if error:
        errors["meeting_day"] = error
    for key in ("meeting_start", "meeting_end"):
        text = f.get(key, "")
        if not text.strip():
            errors[key] = "Kirjoita kellonaika."
        elif read_clock(text) is None:
            errors[key] = "Kellonaika ei kelpaa. Kirjoita se muodossa 9.00 tai 13.30."
    data["deadline"] = (deadline or date(2000, 1, 1)).isoformat()
    if day is not None and "meeting_start" not in errors and "meeting_end" not in errors:
        data["first_meeting"]["start"] = _moment(day, f["meeting_start"])
        data["first_meeting"]["end"] = _moment(day, f["meeting_end"])
    else:
        data["first_meeting"].update(start="2000-01-02T09:00", end="2000-01-02T10:00")
    reminders, error = _reminders(f.get("reminders", ""))
    if error:
        errors["reminders"] = error
    data["reminders"] = reminders or []
    days_before, error = _days_before(f.get("assemble_days_before", ""))
    if error:
        errors["assemble_days_before"] = error
    data["assemble_days_before"] = days_before if days_before is not None else 7
    chosen = posted.lists.get("settings", [])
    for key, _ in SETTINGS:
        data[key] = key in chosen
    return data, errors


def typed_values(posted: Posted) -> dict[str, str]:
    keys = (*TEXT_FIELDS, *DATE_FIELDS, "reminders", "assemble_days_before", LIST_TEXT)
    values = {key: posted.fields.get(key, "")[:MAX_TYPED] for key in keys}
    values["letter"] = posted.fields.get("letter", "")[:40_000]
    values[LIST_TEXT] = posted.fields.get(LIST_TEXT, "")[:400_000]
    return values


def values_of(spec: Mapping[str, Any]) -> dict[str, str]:
    """The form's fields of a stored round (``spec_of_round``), as the form shows them."""
    values: dict[str, str] = {}
    for key, (path, _) in TEXT_FIELDS.items():
        value: Any = spec
        for part in path:
            value = value.get(part, "") if isinstance(value, Mapping) else ""
        values[key] = "" if value is None else str(value)
    start = datetime.fromisoformat(spec["first_meeting"]["start"])
    end = datetime.fromisoformat(spec["first_meeting"]["end"])
    values.update(
        deadline=day_value(date.fromisoformat(spec["deadline"])),
        meeting_day=day_value(start),
        meeting_start=_clock(start),
        meeting_end=_clock(end),
        reminders=", ".join(str(d) for d in spec["reminders"]),
        assemble_days_before=str(spec["assemble_days_before"]),
    )
    return values


def _clock(moment: datetime) -> str:
    """``9.00``, as Finns write a time (without the leading zero of ``clock_value``)."""
    return clock_value(moment).lstrip("0").rjust(4, "0")


def chosen_settings(spec: Mapping[str, Any]) -> list[str]:
    return [key for key, _ in SETTINGS if spec.get(key)]


def field_of(key: str) -> str | None:
    """The form's field for a problem's key path (``first_meeting.start`` or
    ``organisations[3].email``); None for the distribution list, ``""`` for the round as a
    whole."""
    parts = [p for p in re.split(r"[.\[\]]+", key) if p]
    if not parts or parts[0] == "(file)":
        return ""
    head = parts[0]
    if head == "organisations":
        return None
    if head == "first_meeting":
        rest = parts[1] if len(parts) > 1 else "end"
        return {"start": "meeting_day", "end": "meeting_end", "place": "meeting_place"}.get(
            rest, "meeting_end"
        )
    if head in ("reminders", "assemble_days_before"):
        return head
    if len(parts) == 1 and head in ("sender", "contact"):
        return f"{head}_name"  # the group as a whole: its first field
    if head in ("gender_balance", "invite_to_meeting"):
        return "settings"
    joined = "_".join(parts[:2])
    return joined if joined in LABELS else head if head in LABELS else ""


def _beside_field(problem: Problem) -> str:
    """The message without the field's name in front: the field's label is right there."""
    text = problem.message.removeprefix(f"{field_label(problem.key)}: ")
    return text[:1].upper() + text[1:]


@dataclass
class Found:
    """The schema's problems placed: next to the form's fields, on the list, on the round."""

    errors: dict[str, str]
    on_list: list[str] = field(default_factory=list)
    whole: list[str] = field(default_factory=list)


def problem_errors(problems: Sequence[Problem], errors: Mapping[str, str]) -> Found:
    """The schema's problems next to their fields, without hiding what the form itself found:
    when a day or time could not be read, the schema's word on the dates is left out."""
    found = Found(dict(errors))
    dates_unread = any(key in errors for key in DATE_FIELDS)
    for problem in problems:
        where = field_of(problem.key)
        if where is None:
            found.on_list.append(problem.message)
        elif not where:
            found.whole.append(problem.message)
        elif where not in found.errors and not (dates_unread and where in DATE_FIELDS):
            found.errors[where] = _beside_field(problem)
    return found


FORM_ORDER = (
    "id",
    "body",
    "subject",
    "letter",
    "deadline",
    "meeting_day",
    "meeting_start",
    "meeting_end",
    "meeting_place",
    "sender_name",
    "sender_title",
    "sender_organisation",
    "contact_name",
    "contact_title",
    "contact_email",
    "contact_phone",
    "reminders",
    "assemble_days_before",
    "settings",
)


def in_form_order(errors: Mapping[str, str]) -> dict[str, str]:
    """The error summary lists the errors in the order of the fields on the page."""
    order = {key: index for index, key in enumerate((*FORM_ORDER, *LIST_LABELS))}
    return dict(sorted(errors.items(), key=lambda item: order.get(item[0], len(order))))


# --- the distribution list ----------------------------------------------------------------------

LIST_TEXT = "jakelu"
LIST_FILE = "tiedosto"
LIST_REGISTER = "rekisteri"
LIST_LABELS = {
    LIST_TEXT: "Jakelulistan rivit",
    LIST_FILE: "Jakelulistan tiedosto",
    LIST_REGISTER: "Organisaatiorekisteri",
}


@dataclass
class ListReading:
    items: list[distribution.Item] = field(default_factory=list)
    errors: dict[str, str] = field(default_factory=dict)  # field id: the summary's message
    rows: dict[str, list[str]] = field(default_factory=dict)  # field id: row-by-row problems

    def refuse(self, key: str, problems: list[str]) -> None:
        self.rows[key] = problems
        count = len(problems)
        self.errors[key] = f"{count} {'virhe' if count == 1 else 'virhettä'}. " + (
            "Korjaa ne ja lähetä uudelleen; mitään ei tallennettu."
        )


def read_list(posted: Posted, register: Sequence[RegisterEntry]) -> ListReading:
    """The list from the pasted rows, the chosen file and the organisations ticked in the
    register, in that order. Any problem refuses the whole list."""
    reading = ListReading()
    sources: list[tuple[str, str, list[distribution.Item]]] = []
    text = posted.fields.get(LIST_TEXT, "")
    if text.strip():
        try:
            sources.append((LIST_TEXT, "liitetyissä riveissä", distribution.from_text(text)))
        except distribution.DistributionError as exc:
            reading.refuse(LIST_TEXT, exc.problems)
    if posted.file_data is not None:
        try:
            items = distribution.from_upload(posted.file_name, posted.file_data)
            sources.append((LIST_FILE, f"tiedostossa {posted.file_name}", items))
        except distribution.DistributionError as exc:
            reading.refuse(LIST_FILE, exc.problems)
    ticked = set(posted.lists.get(LIST_REGISTER, []))
    picked = [
        {"name": e.name, "email": e.email, "language": e.language, "seats": 1}
        for e in register
        if str(e.id) in ticked
    ]
    if picked:
        sources.append((LIST_REGISTER, "rekisteristä valituissa", picked))
    if reading.errors:
        return reading
    if not sources:
        reading.errors[LIST_TEXT] = (
            "Jakelulista on tyhjä. Liitä rivit, valitse tiedosto tai valitse organisaatiot "
            "rekisteristä."
        )
        return reading
    reading.items, duplicates = distribution.merge(sources)
    reading.errors.update(duplicates)
    return reading


def list_problems(reading: ListReading, problems: list[str]) -> None:
    """The schema's problems of the list (rare: the rows were checked already)."""
    if problems:
        reading.errors.setdefault(LIST_TEXT, " ".join(problems))
