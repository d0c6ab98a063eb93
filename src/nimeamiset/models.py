"""Tables. Times are aware UTC (see :class:`nimeamiset.db.UTCDateTime`)."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Column, Index, LargeBinary, Text, UniqueConstraint
from sqlmodel import Field, SQLModel

from nimeamiset.db import UTCDateTime
from nimeamiset.domain.states import RequestState, RoundState


def _utc(*, nullable: bool = False, index: bool = False) -> Column[datetime]:
    return Column(UTCDateTime(), nullable=nullable, index=index)


class Organisation(SQLModel, table=True):
    """An organisation asked to nominate: a municipality, an authority, a college..."""

    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(max_length=300, unique=True)
    email: str = Field(max_length=320, description="registry office (kirjaamo) address")
    language: str = Field(default="fi", max_length=2)


class Round(SQLModel, table=True):
    """A nomination round (nimeämiskierros) for one body."""

    id: str = Field(primary_key=True, max_length=64)
    body: str = Field(max_length=300)
    subject: str = Field(max_length=300)
    letter: str
    deadline: date
    meeting_start: datetime = Field(sa_column=_utc())
    meeting_end: datetime = Field(sa_column=_utc())
    meeting_place: str = Field(max_length=300)
    reminder_offsets: str = Field(
        default="7,2,-1", max_length=200, description="days before (+) or after (-) the deadline"
    )
    sender_name: str = Field(max_length=300)
    sender_title: str = Field(max_length=300)
    sender_organisation: str = Field(max_length=300)
    contact_name: str = Field(max_length=300)
    contact_title: str = Field(max_length=300)
    contact_email: str = Field(max_length=320)
    contact_phone: str = Field(default="", max_length=40)
    state: str = Field(default=RoundState.DRAFT.value, max_length=16)
    created_at: datetime = Field(sa_column=_utc())
    launched_at: datetime | None = Field(default=None, sa_column=_utc(nullable=True))
    next_summary_at: datetime | None = Field(
        default=None, sa_column=_utc(nullable=True, index=True)
    )
    summary_sent_for: date | None = Field(default=None, description="deadline last summarised")
    gender_balance: bool = False
    assemble_days_before: int = 7
    invite_to_meeting: bool = False
    next_assembly_at: datetime | None = Field(
        default=None, sa_column=_utc(nullable=True, index=True)
    )
    meeting_sequence: int = Field(default=0, description="iCalendar SEQUENCE of the meeting")
    launch_run_id: str | None = Field(
        default=None, max_length=36, description="Prefect flow run that launches the round"
    )


class NominationRequest(SQLModel, table=True):
    """One organisation's request in one round, reached through its personal link."""

    __tablename__ = "nomination_request"
    __table_args__ = (UniqueConstraint("round_id", "organisation_id"),)

    id: int | None = Field(default=None, primary_key=True)
    round_id: str = Field(foreign_key="round.id", index=True, max_length=64)
    organisation_id: int = Field(foreign_key="organisation.id")
    position: int = Field(description="place on the distribution list, from 0")
    email: str = Field(max_length=320, description="address the request went to")
    language: str = Field(default="fi", max_length=2)
    token_hash: str = Field(max_length=64, unique=True)
    token_nonce: str = Field(default="", max_length=64)
    deadline: date | None = Field(default=None, description="this organisation's extension")
    seats: int = 1
    joint_group: str | None = Field(default=None, max_length=16)
    fills_joint_seat: bool = False
    state: str = Field(default=RequestState.PENDING.value, max_length=16)
    invited_at: datetime | None = Field(default=None, sa_column=_utc(nullable=True))
    replied_at: datetime | None = Field(default=None, sa_column=_utc(nullable=True))
    late: bool = False
    current_reply_id: int | None = Field(default=None)
    reminders_sent: int = 0
    last_reminder_slot: int = Field(default=-1, description="index of the last slot sent")
    next_reminder_at: datetime | None = Field(
        default=None, sa_column=_utc(nullable=True, index=True)
    )


class Reply(SQLModel, table=True):
    """One version of an organisation's reply; every version is kept."""

    __table_args__ = (UniqueConstraint("request_id", "version"),)

    id: int | None = Field(default=None, primary_key=True)
    request_id: int = Field(foreign_key="nomination_request.id", index=True)
    version: int
    kind: str = Field(default="nomination", max_length=16)
    """nomination, decline, or for a joint seat filled by another: confirm or objection."""
    declined: bool = False
    decline_reason: str = Field(default="", max_length=2000)
    submitted_at: datetime = Field(sa_column=_utc())
    late: bool = False
    channel: str = Field(default="web", max_length=16)
    """How it came: web (the form), or recorded by staff: email, phone, letter."""


class Nominee(SQLModel, table=True):
    """A member or personal deputy named in one reply version."""

    id: int | None = Field(default=None, primary_key=True)
    reply_id: int = Field(foreign_key="reply.id", index=True)
    seat: int = Field(default=1, description="seat number within the reply, from 1")
    role: str = Field(max_length=16)
    name: str = Field(max_length=200)
    title: str = Field(default="", max_length=200)
    email: str = Field(max_length=320)
    phone: str = Field(default="", max_length=40)
    gender: str | None = Field(default=None, max_length=8)


class RosterVersion(SQLModel, table=True):
    """An assembled roster, kept as it was; a later change makes a new version."""

    __tablename__ = "roster_version"
    __table_args__ = (UniqueConstraint("round_id", "version"),)

    id: int | None = Field(default=None, primary_key=True)
    round_id: str = Field(foreign_key="round.id", index=True, max_length=64)
    version: int
    assembled_at: datetime = Field(sa_column=_utc())
    reason: str = Field(default="", max_length=200)
    content: str = Field(sa_column=Column(Text, nullable=False))


class OutboxMessage(SQLModel, table=True):
    """An email rendered when queued, sent at least once and recorded exactly once."""

    __tablename__ = "outbox_message"
    __table_args__ = (Index("ix_outbox_due", "state", "next_attempt_at"),)

    id: int | None = Field(default=None, primary_key=True)
    dedupe_key: str = Field(max_length=200, unique=True)
    round_id: str | None = Field(default=None, foreign_key="round.id", index=True, max_length=64)
    request_id: int | None = Field(default=None, foreign_key="nomination_request.id")
    kind: str = Field(max_length=40)
    message_id: str = Field(max_length=300)
    envelope_from: str = Field(max_length=320)
    envelope_to: str = Field(max_length=320)
    content: bytes = Field(sa_column=Column(LargeBinary, nullable=False))
    state: str = Field(default="queued", max_length=16)
    attempts: int = 0
    created_at: datetime = Field(sa_column=_utc())
    next_attempt_at: datetime = Field(sa_column=_utc())
    lease_until: datetime | None = Field(default=None, sa_column=_utc(nullable=True))
    claim_token: str | None = Field(
        default=None, max_length=32, description="the claim that may record the outcome"
    )
    sent_at: datetime | None = Field(default=None, sa_column=_utc(nullable=True))
    last_error: str = Field(default="", max_length=500)


class AuditEvent(SQLModel, table=True):
    """A state change, written in the same commit as the change itself (see
    :mod:`nimeamiset.services.work`): who did it, to what, and a payload without secrets."""

    __tablename__ = "audit_event"

    id: int | None = Field(default=None, primary_key=True)
    at: datetime = Field(sa_column=_utc())
    round_id: str | None = Field(default=None, max_length=64, index=True)
    kind: str = Field(default="", max_length=40, description="the event, e.g. reply.recorded")
    entity: str = Field(max_length=40)
    entity_id: str = Field(max_length=64, index=True)
    old_state: str = Field(default="", max_length=16)
    new_state: str = Field(max_length=16)
    actor: str = Field(max_length=200, description="staff:<email>, organisation:<id>, sweep...")
    detail: str = Field(default="", max_length=500)
    payload: str = Field(default="{}", sa_column=Column(Text, nullable=False, default="{}"))


class StaffAccount(SQLModel, table=True):
    """A council employee who may sign in to the staff pages."""

    __tablename__ = "staff_account"

    id: int | None = Field(default=None, primary_key=True)
    email: str = Field(max_length=320, unique=True, description="stored in lower case")
    name: str = Field(max_length=200)
    role: str = Field(default="coordinator", max_length=16, description="coordinator or viewer")
    password_hash: str | None = Field(default=None, max_length=300)
    active: bool = True
    created_at: datetime = Field(sa_column=_utc())
    setup_token_hash: str | None = Field(default=None, max_length=64, unique=True)
    setup_expires_at: datetime | None = Field(default=None, sa_column=_utc(nullable=True))
    last_sign_in_at: datetime | None = Field(default=None, sa_column=_utc(nullable=True))


class StaffSession(SQLModel, table=True):
    """A signed-in browser: the cookie holds a token, the database only its SHA-256."""

    __tablename__ = "staff_session"

    id: int | None = Field(default=None, primary_key=True)
    token_hash: str = Field(max_length=64, unique=True)
    account_id: int = Field(foreign_key="staff_account.id", index=True)
    csrf_token: str = Field(max_length=64)
    created_at: datetime = Field(sa_column=_utc())
    last_seen_at: datetime = Field(sa_column=_utc())
    ended_at: datetime | None = Field(default=None, sa_column=_utc(nullable=True))


class AccessLogEntry(SQLModel, table=True):
    """Who signed in, viewed or exported personal data, and when (never the content):
    tiedonhallintalaki 906/2019 § 17. Kept apart from the audit trail."""

    __tablename__ = "access_log"

    id: int | None = Field(default=None, primary_key=True)
    at: datetime = Field(sa_column=_utc(index=True))
    staff_email: str = Field(default="", max_length=320, index=True)
    action: str = Field(max_length=32, description="sign_in, sign_in_failed, view, export...")
    target: str = Field(default="", max_length=200, description="route pattern and ids")
    round_id: str | None = Field(default=None, max_length=64, index=True)
    source: str = Field(default="", max_length=64, description="client address")
