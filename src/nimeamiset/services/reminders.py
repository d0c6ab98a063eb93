"""Reminders: a sweep asks the database which requests are due (an indexed next-action time),
claims each one with a compare-and-set UPDATE, and queues the reminder in the same commit."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import update
from sqlmodel import Session, col, select

from nimeamiset.domain import reminders as rules
from nimeamiset.domain.reminders import Hours, Slot
from nimeamiset.domain.states import RequestState, RoundState
from nimeamiset.domain.timefmt import days_left
from nimeamiset.emails import catalog
from nimeamiset.models import AuditEvent, NominationRequest, Organisation, OutboxMessage, Round
from nimeamiset.services.outbox import QUEUED, Mail, queue_email

REMINDABLE = (RequestState.PENDING.value, RequestState.INVITED.value)
CANCELLED = "cancelled"


@dataclass(frozen=True)
class SentReminder:
    organisation: str
    offset: int
    days_left: int


def deadline_of(round_: Round, request: NominationRequest) -> date:
    return rules.effective_deadline(round_.deadline, request.deadline)


def slots_for(round_: Round, request: NominationRequest, hours: Hours) -> list[Slot]:
    offsets = rules.parse_offsets(round_.reminder_offsets)
    return rules.schedule(deadline_of(round_, request), offsets, hours)


def plan_at_launch(
    round_: Round, request: NominationRequest, *, now: datetime, hours: Hours
) -> None:
    """Slots already due when the invitation goes out are skipped: it was just sent."""
    slots = slots_for(round_, request, hours)
    request.last_reminder_slot = max(request.last_reminder_slot, rules.passed_before(slots, now))
    request.next_reminder_at = rules.next_due(slots, request.last_reminder_slot)


def replan(round_: Round, request: NominationRequest, *, hours: Hours) -> None:
    """After a deadline changes: unsent slots move, sent ones stay sent."""
    if request.state in REMINDABLE:
        request.next_reminder_at = rules.next_due(
            slots_for(round_, request, hours), request.last_reminder_slot
        )
    else:
        request.next_reminder_at = None


def stop_reminders(session: Session, request: NominationRequest) -> None:
    """The organisation replied: no further reminder, and none still waiting to go out."""
    request.next_reminder_at = None
    session.execute(
        update(OutboxMessage)
        .where(
            col(OutboxMessage.request_id) == request.id,
            col(OutboxMessage.kind) == "reminder",
            col(OutboxMessage.state) == QUEUED,
        )
        .values(state=CANCELLED, content=b"")
    )


def due_request_ids(session: Session, *, now: datetime, limit: int) -> list[int]:
    ids = session.exec(
        select(NominationRequest.id)
        .join(Round, col(Round.id) == NominationRequest.round_id)
        .where(col(NominationRequest.next_reminder_at) <= now)
        .where(col(NominationRequest.state).in_(REMINDABLE))
        .where(col(Round.state) == RoundState.LAUNCHED.value)
        .order_by(col(NominationRequest.next_reminder_at))
        .limit(limit)
    ).all()
    session.rollback()  # end the read; each claim is a transaction of its own
    return [i for i in ids if i is not None]


def remind_one(
    session: Session, mail: Mail, request_id: int, *, now: datetime, hours: Hours
) -> SentReminder | None:
    """Claim the latest due slot of one request and queue its reminder, in one commit."""
    request, round_, organisation = session.exec(
        select(NominationRequest, Round, Organisation)
        .join(Round, col(Round.id) == NominationRequest.round_id)
        .join(Organisation, col(Organisation.id) == NominationRequest.organisation_id)
        .where(NominationRequest.id == request_id)
    ).one()
    slots = slots_for(round_, request, hours)
    seen = request.last_reminder_slot
    slot = rules.latest_due(slots, now, seen)
    index = slot.index if slot is not None else seen
    # Compare-and-set: only if no other sweep took this slot and no reply came in meanwhile.
    claimed = (
        session.connection()
        .execute(
            update(NominationRequest)
            .where(
                col(NominationRequest.id) == request_id,
                col(NominationRequest.last_reminder_slot) == seen,
                col(NominationRequest.state).in_(REMINDABLE),
            )
            .values(
                last_reminder_slot=index,
                reminders_sent=NominationRequest.reminders_sent + int(slot is not None),
                next_reminder_at=rules.next_due(slots, index),
            )
        )
        .rowcount
    )
    if claimed != 1 or slot is None:
        session.commit()
        return None
    deadline = deadline_of(round_, request)
    left = days_left(deadline, now)
    queue_email(
        session,
        mail,
        kind="reminder",
        lang=request.language,
        context=catalog.reminder(
            round_, organisation, request, mail.link_for(request), deadline, left
        ),
        to=request.email,
        to_name=organisation.name,
        reply_to=(round_.contact_name, round_.contact_email),
        dedupe_key=f"reminder:{request_id}:{slot.offset}",
        now=now,
        round_id=round_.id,
        request_id=request_id,
        auto=True,
    )
    session.add(
        AuditEvent(
            at=now,
            entity="request",
            entity_id=str(request_id),
            old_state=request.state,
            new_state=request.state,
            actor="sweep",
            detail=f"reminder {slot.offset:+d} days",
        )
    )
    session.commit()
    return SentReminder(organisation.name, slot.offset, left)


def queue_due_reminders(
    session: Session, mail: Mail, *, now: datetime, hours: Hours, limit: int = 500
) -> list[SentReminder]:
    """One sweep: cost follows the number of due requests, not of open ones."""
    if rules.is_quiet(now, hours):
        return []
    sent: list[SentReminder] = []
    while True:
        ids = due_request_ids(session, now=now, limit=limit)
        for request_id in ids:
            reminder = remind_one(session, mail, request_id, now=now, hours=hours)
            if reminder is not None:
                sent.append(reminder)
        if len(ids) < limit:
            return sent
