"""Reminders: a sweep asks the database which requests are due (an indexed next-action time),
claims each one with a compare-and-set UPDATE, and queues the reminder in the same commit."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

from sqlalchemy import Executable, update
from sqlmodel import Session, col, func, select

from nimeamiset.domain import reminders as rules
from nimeamiset.domain.reminders import Hours, Slot
from nimeamiset.domain.states import RequestState, RoundState
from nimeamiset.domain.timefmt import HELSINKI, days_left, local
from nimeamiset.emails import catalog
from nimeamiset.models import NominationRequest, Organisation, OutboxMessage, Round
from nimeamiset.services.events import SWEEP, ReminderQueued
from nimeamiset.services.outbox import QUEUED, Mail
from nimeamiset.services.work import RoundWork, round_work

log = logging.getLogger("nimeamiset.sweep")
RETRY_LATER = timedelta(hours=1)
"""When a reminder, summary or assembly failed, the next try: the rest of the sweep goes on."""

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


def put_off(session: Session, put_off_until: Executable, what: str, exc: Exception) -> None:
    """One item of the sweep failed: undo its work, log it (what and the error's type, never
    its text, which may quote people's data), move its next try later, and let the sweep go
    on with the rest."""
    session.rollback()
    log.error("%s failed (%s); tried again in %s", what, type(exc).__name__, RETRY_LATER)
    session.execute(put_off_until)
    session.commit()


def reminded_today(session: Session, request_id: int, now: datetime) -> bool:
    """A reminder to this request was queued today (Helsinki), by the sweep or by staff."""
    day_start = datetime.combine(local(now).date(), time(0), tzinfo=HELSINKI).astimezone(UTC)
    return (
        session.exec(
            select(OutboxMessage.id)
            .where(OutboxMessage.request_id == request_id)
            .where(OutboxMessage.kind == "reminder")
            .where(col(OutboxMessage.created_at) >= day_start)
            .where(col(OutboxMessage.state) != CANCELLED)
        ).first()
        is not None
    )


def _queue_reminder(
    work: RoundWork,
    mail: Mail,
    request: NominationRequest,
    organisation: Organisation,
    *,
    dedupe_key: str,
) -> int:
    deadline = deadline_of(work.round, request)
    left = days_left(deadline, work.now)
    work.queue(
        mail,
        kind="reminder",
        lang=request.language,
        context=catalog.reminder(
            work.round, organisation, request, mail.link_for(request), deadline, left
        ),
        to=request.email,
        to_name=organisation.name,
        reply_to=(work.round.contact_name, work.round.contact_email),
        dedupe_key=dedupe_key,
        request_id=request.id,
        auto=True,
    )
    return left


def remind_one(
    session: Session, mail: Mail, request_id: int, *, now: datetime, hours: Hours
) -> SentReminder | None:
    """Claim the latest due slot of one request and queue its reminder, in one commit."""
    round_id = session.exec(
        select(NominationRequest.round_id).where(NominationRequest.id == request_id)
    ).one()
    session.rollback()
    with round_work(session, round_id, actor=SWEEP, now=now) as work:
        request = work.lock_request(request_id)
        organisation = session.get(Organisation, request.organisation_id)
        assert organisation is not None
        slots = slots_for(work.round, request, hours)
        seen = request.last_reminder_slot
        slot = rules.latest_due(slots, now, seen)
        index = slot.index if slot is not None else seen
        # Staff may have sent one by hand today: the slot is then spent, without a second mail.
        send = slot is not None and not reminded_today(session, request_id, now)
        # Compare-and-set: only if no other sweep took this slot and no reply came meanwhile.
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
                    reminders_sent=NominationRequest.reminders_sent + int(send),
                    next_reminder_at=rules.next_due(slots, index),
                )
            )
            .rowcount
        )
        if claimed != 1 or slot is None or not send:
            return None
        left = _queue_reminder(
            work, mail, request, organisation, dedupe_key=f"reminder:{request_id}:{slot.offset}"
        )
        work.record(ReminderQueued(request_id, slot.offset))
    return SentReminder(organisation.name, slot.offset, left)


class AlreadyReminded(ValueError):
    """Every organisation chosen has replied, or was reminded today already."""


def remind_now(work: RoundWork, mail: Mail, request_ids: list[int]) -> list[str]:
    """Staff send a reminder now to the chosen organisations that have not replied; never
    twice the same day. Returns the names of the organisations reminded."""
    if work.round.state != RoundState.LAUNCHED:
        raise AlreadyReminded("the round is not open")
    sent = []
    for request_id in sorted(set(request_ids)):
        request = work.lock_request(request_id)
        if request.state not in REMINDABLE or reminded_today(work.session, request_id, work.now):
            continue
        organisation = work.session.get(Organisation, request.organisation_id)
        assert organisation is not None
        # One key per attempt: a reminder cancelled today (its address was corrected, say)
        # must not stop the one sent after it.
        prefix = f"reminder:{request_id}:now:{local(work.now).date().isoformat()}"
        attempts = work.session.exec(
            select(func.count())
            .select_from(OutboxMessage)
            .where(col(OutboxMessage.dedupe_key).startswith(prefix))
        ).one()
        _queue_reminder(work, mail, request, organisation, dedupe_key=f"{prefix}:{attempts + 1}")
        request.reminders_sent += 1
        work.session.add(request)
        work.record(ReminderQueued(request_id, 0, by_staff=True))
        sent.append(organisation.name)
    return sent


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
            try:
                reminder = remind_one(session, mail, request_id, now=now, hours=hours)
            except Exception as exc:  # one broken request must not hold up the others
                later = update(NominationRequest).where(col(NominationRequest.id) == request_id)
                put_off(
                    session,
                    later.values(next_reminder_at=now + RETRY_LATER),
                    f"reminder of request {request_id}",
                    exc,
                )
                continue
            if reminder is not None:
                sent.append(reminder)
        if len(ids) < limit:
            return sent
