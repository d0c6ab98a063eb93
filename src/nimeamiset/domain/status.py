"""Where a round stands, as data: every organisation, seat by seat, with its reply, reminders
and the delivery of its messages. Pure and frozen: the staff pages, ``round status`` and the
staff summary email are all made from one :class:`RoundStatus`
(built by :func:`nimeamiset.services.status.round_status`).

User-facing labels are Finnish; the keys behind them stay English (``round status --json``).
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import date, datetime
from enum import StrEnum
from typing import Any

from nimeamiset.domain.timefmt import deadline_instant, format_datetime

REQUEST_STATE_FI = {
    "pending": "odottaa lähetystä",
    "invited": "pyydetty",
    "nominated": "nimetty",
    "declined": "kieltäytyi",
}
ROUND_STATE_FI = {"draft": "luonnos", "launched": "käynnissä", "closed": "suljettu"}
MESSAGE_KIND_FI = {
    "invitation": "Nimeämispyyntö",
    "reminder": "Muistutus",
    "confirmation": "Vastauksen vahvistus",
    "extension": "Ilmoitus määräajan pidennyksestä",
    "joint_seat_answer": "Yhteisen paikan vastaus henkilöstölle",
    "nominee_notice": "Tietosuojailmoitus nimetylle",
    "meeting_invitation": "Kokouskutsu",
    "roster": "Kokoonpano henkilöstölle",
    "summary": "Yhteenveto henkilöstölle",
    "test_message": "Testiviesti henkilöstölle",
}

# Outbox states. "failed" is a message the outbox gave up on.
QUEUED, SENDING, SENT, FAILED = "queued", "sending", "sent", "failed"


class Category(StrEnum):
    """Where an organisation stands, for the counts: each one is in exactly one."""

    NOMINATED = "nominated"
    DECLINED = "declined"
    JOINT = "joint"  # its joint seat was filled by another organisation
    MISSING = "missing"


CATEGORY_FI = {
    Category.NOMINATED: "Nimenneet",
    Category.DECLINED: "Kieltäytyneet",
    Category.MISSING: "Vastaamatta",
    Category.JOINT: "Yhteinen paikka täytetty",
}


class StatusFilter(StrEnum):
    """The staff page's filters; the values are the ``?nayta=`` parameter."""

    MISSING = "puuttuvat"
    LATE = "myohastyneet"
    DECLINED = "kieltaytyneet"
    DELIVERY = "toimitusongelmat"

    @property
    def label(self) -> str:
        return FILTER_FI[self]


FILTER_FI = {
    StatusFilter.MISSING: "Puuttuvat",
    StatusFilter.LATE: "Myöhästyneet",
    StatusFilter.DECLINED: "Kieltäytyneet",
    StatusFilter.DELIVERY: "Toimitusongelmat",
}


def _iso(moment: datetime | date | None) -> str | None:
    return moment.isoformat() if moment is not None else None


@dataclass(frozen=True)
class PersonView:
    name: str
    title: str = ""
    email: str = ""
    phone: str = ""

    def as_json(self) -> dict[str, str]:
        return {"name": self.name, "title": self.title, "email": self.email, "phone": self.phone}


def _person_json(person: PersonView | None) -> dict[str, str] | None:
    return person.as_json() if person is not None else None


@dataclass(frozen=True)
class SeatView:
    """One seat of an organisation. A joint seat filled by another organisation has no people
    here (they are under the organisation that named them) but says who filled it."""

    number: int
    member: PersonView | None = None
    deputy: PersonView | None = None
    joint: bool = False
    filled_by: str | None = None

    def as_json(self) -> dict[str, Any]:
        return {
            "seat": self.number,
            "member": _person_json(self.member),
            "deputy": _person_json(self.deputy),
            "joint": self.joint,
            "filled_by": self.filled_by,
        }


@dataclass(frozen=True)
class DeliveryStatus:
    """One outbox message: sent, waiting (with the last error and the next try), or failed."""

    kind: str
    state: str
    created_at: datetime
    recipient: str = ""
    attempts: int = 0
    sent_at: datetime | None = None
    next_attempt_at: datetime | None = None
    last_error: str = ""

    @property
    def sent(self) -> bool:
        return self.state == SENT

    @property
    def failed(self) -> bool:
        return self.state == FAILED

    @property
    def waiting(self) -> bool:
        return self.state in (QUEUED, SENDING)

    @property
    def problem(self) -> bool:
        """Failed for good, or waiting after an error."""
        return self.failed or (self.waiting and bool(self.last_error))

    @property
    def kind_label(self) -> str:
        return MESSAGE_KIND_FI.get(self.kind, self.kind)

    @property
    def label(self) -> str:
        if self.sent:
            return f"lähetetty {format_datetime(self.sent_at)}" if self.sent_at else "lähetetty"
        if self.failed:
            return "lähetys epäonnistui pysyvästi"
        if self.state == SENDING:
            return "lähetetään"
        if self.state == QUEUED:
            return "odottaa uutta yritystä" if self.last_error else "odottaa lähetystä"
        return self.state

    @property
    def detail(self) -> str:
        """The cause of a wait or a failure, and when the next try is."""
        parts = []
        if self.last_error and not self.sent:
            parts.append(f"Virhe: {self.last_error}")
        if self.waiting and self.last_error and self.next_attempt_at is not None:
            parts.append(f"Seuraava yritys {format_datetime(self.next_attempt_at)}")
        return ". ".join(parts) + ("." if parts else "")

    @property
    def text(self) -> str:
        return f"{self.label}. {self.detail}" if self.detail else self.label

    def as_json(self) -> dict[str, Any]:
        return {
            "kind": self.kind,
            "state": self.state,
            "created_at": _iso(self.created_at),
            "sent_at": _iso(self.sent_at),
            "attempts": self.attempts,
            "next_attempt_at": _iso(self.next_attempt_at) if self.waiting else None,
            "last_error": self.last_error,
            "problem": self.problem,
        }


@dataclass(frozen=True)
class OrganisationStatus:
    request_id: int
    name: str
    email: str  # the registry office's address the request went to
    deadline: date  # this organisation's: the round's, or its own extension
    state: str = "invited"
    language: str = "fi"
    extended: bool = False
    invited_at: datetime | None = None
    replied_at: datetime | None = None
    late: bool = False  # its first reply came after its deadline
    overdue: bool = False  # no reply, and its deadline has passed
    reminders_sent: int = 0
    next_reminder_at: datetime | None = None
    reply_version: int | None = None
    reply_kind: str | None = None
    reply_channel: str | None = None
    decline_reason: str | None = None
    seats: tuple[SeatView, ...] = ()
    joint_group: str | None = None
    joint_with: tuple[str, ...] = ()  # the other organisations of its joint seat
    joint_filled_by: str | None = None  # another organisation that filled the joint seat
    invitation: DeliveryStatus | None = None  # the newest invitation message
    delivery_problem: bool = False  # a message about it failed or waits after an error

    @property
    def replied(self) -> bool:
        return self.state in ("nominated", "declined")

    @property
    def category(self) -> Category:
        if self.state == "declined":
            return Category.DECLINED
        if self.joint_filled_by is not None:
            return Category.JOINT
        if self.state == "nominated":
            return Category.NOMINATED
        return Category.MISSING

    @property
    def state_label(self) -> str:
        if self.category is Category.JOINT:
            answer = {"confirm": " (vahvistanut)", "objection": " (pyytää muutosta)"}
            return f"yhteinen paikka: nimennyt {self.joint_filled_by}" + answer.get(
                self.reply_kind or "", ""
            )
        return REQUEST_STATE_FI.get(self.state, self.state)

    @property
    def late_label(self) -> str:
        if self.late:
            return "myöhässä"
        return "määräaika ohi" if self.overdue else ""

    def matches(self, which: StatusFilter | None) -> bool:
        if which is None:
            return True
        if which is StatusFilter.MISSING:
            return self.category is Category.MISSING
        if which is StatusFilter.LATE:
            return self.late or self.overdue
        if which is StatusFilter.DECLINED:
            return self.category is Category.DECLINED
        return self.delivery_problem

    def as_json(self) -> dict[str, Any]:
        own = self.seats[0] if self.seats and self.seats[0].filled_by is None else None
        return {
            "request_id": self.request_id,
            "name": self.name,
            "email": self.email,
            "language": self.language,
            "state": self.state,
            "state_label": self.state_label,
            "invited_at": _iso(self.invited_at),
            "invitation_waiting": self.invitation is not None and not self.invitation.sent,
            "invitation": self.invitation.as_json() if self.invitation else None,
            "delivery_problem": self.delivery_problem,
            "replied_at": _iso(self.replied_at),
            "late": self.late,
            "overdue": self.overdue,
            "reminders_sent": self.reminders_sent,
            "next_reminder_at": _iso(self.next_reminder_at),
            "deadline": self.deadline.isoformat(),
            "deadline_extended": self.extended,
            "reply_version": self.reply_version,
            "reply_kind": self.reply_kind,
            "reply_channel": self.reply_channel,
            "member": _person_json(own.member if own else None),
            "deputy": _person_json(own.deputy if own else None),
            "seats": [seat.as_json() for seat in self.seats],
            "joint": {
                "group": self.joint_group,
                "with": list(self.joint_with),
                "filled_by": self.joint_filled_by,
            }
            if self.joint_group is not None
            else None,
            "decline_reason": self.decline_reason,
        }


@dataclass(frozen=True)
class RoundStatus:
    id: str
    body: str
    subject: str
    state: str
    deadline: date
    meeting_start: datetime
    meeting_end: datetime
    meeting_place: str
    contact_name: str
    contact_email: str
    as_of: datetime  # the time "late" and "overdue" were judged at
    launched_at: datetime | None = None
    reminder_offsets: tuple[int, ...] = ()
    next_summary_at: datetime | None = None
    organisations: tuple[OrganisationStatus, ...] = ()

    @property
    def state_label(self) -> str:
        return ROUND_STATE_FI.get(self.state, self.state)

    @property
    def counts(self) -> dict[Category, int]:
        found = Counter(o.category for o in self.organisations)
        return {category: found[category] for category in Category}

    @property
    def counts_text(self) -> str:
        """``Nimenneet 3 · Kieltäytyneet 1 · Vastaamatta 17``; joint seats filled by another
        organisation only when there are some."""
        counts = self.counts
        shown = [Category.NOMINATED, Category.DECLINED, Category.MISSING]
        if counts[Category.JOINT]:
            shown.append(Category.JOINT)
        return " · ".join(f"{CATEGORY_FI[c]} {counts[c]}" for c in shown)

    def in_category(self, category: Category) -> tuple[OrganisationStatus, ...]:
        return tuple(o for o in self.organisations if o.category is category)

    def filtered(self, which: StatusFilter | None) -> tuple[OrganisationStatus, ...]:
        return tuple(o for o in self.organisations if o.matches(which))

    def filter_counts(self) -> dict[StatusFilter, int]:
        return {f: len(self.filtered(f)) for f in StatusFilter}

    def as_json(self) -> dict[str, Any]:
        """``round status --json``: the keys of earlier versions stay as they were."""
        return {
            "round": {
                "id": self.id,
                "body": self.body,
                "subject": self.subject,
                "state": self.state,
                "deadline": self.deadline.isoformat(),
                "deadline_at": deadline_instant(self.deadline).isoformat(),
                "first_meeting": {
                    "start": self.meeting_start.isoformat(),
                    "end": self.meeting_end.isoformat(),
                    "place": self.meeting_place,
                },
                "contact": {"name": self.contact_name, "email": self.contact_email},
                "launched_at": _iso(self.launched_at),
                "reminders": list(self.reminder_offsets),
                "next_summary_at": _iso(self.next_summary_at),
                "counts": dict(Counter(o.state for o in self.organisations)),
                "categories": {c.value: n for c, n in self.counts.items()},
                "counts_text": self.counts_text,
                "as_of": self.as_of.isoformat(),
            },
            "organisations": [o.as_json() for o in self.organisations],
        }
