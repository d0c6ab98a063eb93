"""Typed audit events and the actors who cause them.

Each event is a frozen dataclass: its class names the event (``kind``) and the entity it is
about, its fields are the payload stored with it. No event holds a token or a link.
"""

from __future__ import annotations

import dataclasses
import getpass
import json
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any, ClassVar

from nimeamiset.domain.states import RoundState
from nimeamiset.models import AuditEvent

# --- who acts ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Actor:
    """The acting person or process, written into every audit event as ``str(actor)``."""

    kind: str  # staff, organisation, sweep, outbox, command
    ref: str = ""

    def __str__(self) -> str:
        return f"{self.kind}:{self.ref}" if self.ref else self.kind

    @classmethod
    def staff(cls, email: str) -> Actor:
        return cls("staff", email.lower())

    @classmethod
    def organisation(cls, request_id: int | None) -> Actor:
        assert request_id is not None
        return cls("organisation", str(request_id))

    @classmethod
    def command(cls) -> Actor:
        """A CLI command: the operating-system user who ran it."""
        try:
            user = getpass.getuser()
        except (KeyError, OSError):
            user = "unknown"
        return cls("command", user)

    @classmethod
    def prefect(cls, flow_name: str) -> Actor:
        """A flow run started from Prefect (its UI, or a deployment's schedule)."""
        return cls("prefect", flow_name)

    @classmethod
    def parse(cls, text: str) -> Actor:
        kind, _, ref = text.partition(":")
        return cls(kind, ref)


SWEEP = Actor("sweep")
OUTBOX = Actor("outbox")


# --- what happened ----------------------------------------------------------------------------


def _plain(value: Any) -> Any:
    if isinstance(value, date | datetime):
        return value.isoformat()
    return value


@dataclass(frozen=True)
class Event:
    """A typed audit event. Subclasses name the event (``kind``) and the entity it is about;
    their other fields are the payload. Never put a token or a link in one."""

    kind: ClassVar[str]
    entity: ClassVar[str] = "request"

    def entity_id(self, round_id: str) -> str:
        request_id = getattr(self, "request_id", None)
        return str(request_id) if request_id is not None else round_id

    def states(self) -> tuple[str, str]:
        return "", ""

    def payload(self) -> dict[str, Any]:
        return {
            field.name: _plain(getattr(self, field.name))
            for field in dataclasses.fields(self)
            if field.name != "request_id"
        }


@dataclass(frozen=True)
class RoundCreated(Event):
    kind: ClassVar[str] = "round.created"
    entity: ClassVar[str] = "round"
    organisations: int

    def states(self) -> tuple[str, str]:
        return "", RoundState.DRAFT.value


@dataclass(frozen=True)
class RoundStateChanged(Event):
    kind: ClassVar[str] = "round.state"
    entity: ClassVar[str] = "round"
    old: str
    new: str

    def states(self) -> tuple[str, str]:
        return self.old, self.new


@dataclass(frozen=True)
class RequestStateChanged(Event):
    kind: ClassVar[str] = "request.state"
    request_id: int
    old: str
    new: str

    def states(self) -> tuple[str, str]:
        return self.old, self.new


@dataclass(frozen=True)
class ReplyRecorded(Event):
    kind: ClassVar[str] = "reply.recorded"
    request_id: int
    version: int
    reply_kind: str  # nomination, decline, confirm, objection
    late: bool
    channel: str  # web, email, phone, letter


@dataclass(frozen=True)
class NomineeReplaced(Event):
    kind: ClassVar[str] = "nominee.replaced"
    request_id: int
    seat: int
    role: str
    version: int


@dataclass(frozen=True)
class DeadlineExtended(Event):
    kind: ClassVar[str] = "deadline.extended"
    request_id: int | None
    old: date
    new: date


@dataclass(frozen=True)
class ReminderQueued(Event):
    kind: ClassVar[str] = "reminder.queued"
    request_id: int
    offset: int  # days before (+) or after (-) the deadline; 0 for one sent by staff now
    by_staff: bool = False


@dataclass(frozen=True)
class InvitationResent(Event):
    kind: ClassVar[str] = "invitation.resent"
    request_id: int
    new_link: bool
    address_changed: bool


@dataclass(frozen=True)
class LinkRenewed(Event):
    kind: ClassVar[str] = "link.renewed"
    request_id: int


@dataclass(frozen=True)
class TestMessageSent(Event):
    """The request's invitation, marked as a test, sent to the staff member who asked (the
    actor); nothing went to the organisation."""

    __test__ = False  # not a pytest test class, whatever its name
    kind: ClassVar[str] = "test_message.sent"
    request_id: int


@dataclass(frozen=True)
class LaunchRequested(Event):
    """A Prefect run of ``launch-round`` was created for the round; the run launches it."""

    kind: ClassVar[str] = "launch.requested"
    entity: ClassVar[str] = "round"
    flow_run_id: str


@dataclass(frozen=True)
class AddressCorrected(Event):
    """The registry office's address (an organisation's, not a person's)."""

    kind: ClassVar[str] = "address.corrected"
    request_id: int
    old: str
    new: str


@dataclass(frozen=True)
class RosterAssembled(Event):
    kind: ClassVar[str] = "roster.assembled"
    entity: ClassVar[str] = "round"
    version: int
    reason: str
    missing: int


@dataclass(frozen=True)
class MeetingInvitationsSent(Event):
    kind: ClassVar[str] = "meeting.invitations"
    entity: ClassVar[str] = "round"
    sequence: int
    messages: int


@dataclass(frozen=True)
class MeetingRescheduled(Event):
    kind: ClassVar[str] = "meeting.rescheduled"
    entity: ClassVar[str] = "round"
    old_start: datetime
    new_start: datetime
    sequence: int


@dataclass(frozen=True)
class DraftEdited(Event):
    """A draft's fields or distribution list changed (the names of what changed, no values)."""

    kind: ClassVar[str] = "draft.edited"
    entity: ClassVar[str] = "round"
    fields: tuple[str, ...]
    organisations: int
    dates_checked: bool  # saved from the form that shows the dates


@dataclass(frozen=True)
class DraftDeleted(Event):
    kind: ClassVar[str] = "draft.deleted"
    entity: ClassVar[str] = "round"
    organisations: int

    def states(self) -> tuple[str, str]:
        return RoundState.DRAFT.value, "deleted"


@dataclass(frozen=True)
class RoundCopied(Event):
    """The new draft's event: which round it was copied from."""

    kind: ClassVar[str] = "round.copied"
    entity: ClassVar[str] = "round"
    source: str
    organisations: int

    def states(self) -> tuple[str, str]:
        return "", RoundState.DRAFT.value


@dataclass(frozen=True)
class OrganisationUpdated(Event):
    """An organisation of the register corrected (its name, registry address or language:
    an organisation's data, not a person's)."""

    kind: ClassVar[str] = "organisation.updated"
    entity: ClassVar[str] = "organisation"
    organisation_id: int
    changes: dict[str, list[str]]  # field: [old, new]

    def entity_id(self, round_id: str) -> str:
        return str(self.organisation_id)


def event_row(
    event: Event, *, round_id: str, actor: Actor, now: datetime, detail: str = ""
) -> AuditEvent:
    old, new = event.states()
    return AuditEvent(
        at=now,
        round_id=round_id,
        kind=event.kind,
        entity=event.entity,
        entity_id=event.entity_id(round_id),
        old_state=old,
        new_state=new,
        actor=str(actor)[:200],
        detail=detail[:500],
        payload=json.dumps(event.payload(), ensure_ascii=False, sort_keys=True),
    )


def payload_of(row: AuditEvent) -> Mapping[str, Any]:
    try:
        value = json.loads(row.payload or "{}")
    except ValueError:
        return {}
    return value if isinstance(value, dict) else {}
