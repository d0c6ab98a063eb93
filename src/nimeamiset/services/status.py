"""Where a round stands: :func:`round_status` reads it into the frozen read model of
:mod:`nimeamiset.domain.status`, which the staff pages, ``round status`` and the staff
summary are all made from."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import select as sa_select
from sqlmodel import Session, col, select

from nimeamiset.domain import reminders as rules
from nimeamiset.domain.states import RequestState, RoundState, has_replied
from nimeamiset.domain.status import (
    DeliveryStatus,
    OrganisationStatus,
    PersonView,
    RoundStatus,
    SeatView,
)
from nimeamiset.domain.timefmt import is_late
from nimeamiset.models import NominationRequest, Nominee, Organisation, OutboxMessage, Reply
from nimeamiset.services.rounds import get_round

__all__ = ["distribution", "messages_of", "nominees_by_reply", "round_status", "seats_of"]

Row = tuple[NominationRequest, Organisation, Reply | None]


def distribution(session: Session, round_id: str) -> list[Row]:
    """Each request of the round with its organisation and current reply, in list order."""
    return list(
        session.exec(
            select(NominationRequest, Organisation, Reply)
            .join(Organisation, col(Organisation.id) == NominationRequest.organisation_id)
            .join(Reply, col(Reply.id) == NominationRequest.current_reply_id, isouter=True)
            .where(NominationRequest.round_id == round_id)
            .order_by(col(NominationRequest.position))
        ).all()
    )


def nominees_by_reply(session: Session, reply_ids: Sequence[int]) -> dict[int, list[Nominee]]:
    found: dict[int, list[Nominee]] = {}
    if not reply_ids:
        return found
    for nominee in session.exec(
        select(Nominee)
        .where(col(Nominee.reply_id).in_(reply_ids))
        .order_by(col(Nominee.seat), col(Nominee.id))
    ):
        found.setdefault(nominee.reply_id, []).append(nominee)
    return found


def seats_of(nominees: Sequence[Nominee], count: int, *, joint: bool = False) -> list[SeatView]:
    """Seats 1..``count`` (more if a reply named more) with the people named to each."""
    pairs: dict[int, dict[str, PersonView]] = {}
    for n in nominees:
        pairs.setdefault(n.seat, {})[n.role] = PersonView(n.name, n.title, n.email, n.phone)
    numbers = range(1, max([count, *pairs]) + 1)
    return [
        SeatView(
            number,
            pairs.get(number, {}).get("member"),
            pairs.get(number, {}).get("deputy"),
            joint=joint,
        )
        for number in numbers
    ]


def messages_of(
    session: Session, round_id: str, request_id: int | None = None
) -> dict[int, list[DeliveryStatus]]:
    """The messages about each request of the round (or of one request), oldest first.
    Reads no message content."""
    m = OutboxMessage
    query = (
        sa_select(
            col(m.request_id),
            col(m.kind),
            col(m.state),
            col(m.created_at),
            col(m.envelope_to),
            col(m.attempts),
            col(m.sent_at),
            col(m.next_attempt_at),
            col(m.last_error),
        )
        .where(col(m.round_id) == round_id)
        .where(col(m.request_id).is_not(None))
        .order_by(col(m.id))
    )
    if request_id is not None:
        query = query.where(col(m.request_id) == request_id)
    found: dict[int, list[DeliveryStatus]] = {}
    for row in session.connection().execute(query):
        rid, kind, state, created, to, attempts, sent, next_try, error = row
        assert rid is not None
        found.setdefault(rid, []).append(
            DeliveryStatus(kind, state, created, to, attempts, sent, next_try, error)
        )
    return found


def round_status(session: Session, round_id: str, *, now: datetime) -> RoundStatus:
    """The round as it stands at ``now`` (which decides who is overdue)."""
    round_ = get_round(session, round_id)
    rows = distribution(session, round_id)
    nominees = nominees_by_reply(session, [r.id for _, _, r in rows if r is not None and r.id])
    messages = messages_of(session, round_id)
    groups: dict[str, list[tuple[NominationRequest, Organisation]]] = {}
    for request, organisation, _ in rows:
        if request.joint_group is not None:
            groups.setdefault(request.joint_group, []).append((request, organisation))
    launched = round_.state != RoundState.DRAFT

    organisations = []
    for request, organisation, reply in rows:
        assert request.id is not None
        own = nominees.get(reply.id, []) if reply is not None and reply.id is not None else []
        group = groups.get(request.joint_group or "", [])
        holder = next((org.name for r, org in group if r.fills_joint_seat), None)
        filled_by = holder if holder is not None and not request.fills_joint_seat else None
        if filled_by is not None:
            seats = [SeatView(1, joint=True, filled_by=filled_by)]
        else:
            seats = seats_of(own, request.seats, joint=request.joint_group is not None)
        sent = messages.get(request.id, [])
        invitations = [m for m in sent if m.kind == "invitation"]
        deadline = rules.effective_deadline(round_.deadline, request.deadline)
        replied = has_replied(RequestState(request.state))
        organisations.append(
            OrganisationStatus(
                request_id=request.id,
                name=organisation.name,
                email=request.email,
                deadline=deadline,
                state=str(request.state),
                language=request.language,
                extended=deadline != round_.deadline,
                invited_at=request.invited_at,
                replied_at=request.replied_at,
                late=request.late,
                overdue=launched and not replied and filled_by is None and is_late(deadline, now),
                reminders_sent=request.reminders_sent,
                next_reminder_at=request.next_reminder_at,
                reply_version=reply.version if reply is not None else None,
                reply_kind=reply.kind if reply is not None else None,
                reply_channel=reply.channel if reply is not None else None,
                decline_reason=reply.decline_reason
                if reply is not None and reply.declined
                else None,
                seats=tuple(seats),
                joint_group=request.joint_group,
                joint_with=tuple(org.name for r, org in group if r.id != request.id),
                joint_filled_by=filled_by,
                invitation=invitations[-1] if invitations else None,
                delivery_problem=any(m.problem for m in sent),
            )
        )
    return RoundStatus(
        id=round_.id,
        body=round_.body,
        subject=round_.subject,
        state=str(round_.state),
        deadline=round_.deadline,
        meeting_start=round_.meeting_start,
        meeting_end=round_.meeting_end,
        meeting_place=round_.meeting_place,
        contact_name=round_.contact_name,
        contact_email=round_.contact_email,
        as_of=now,
        launched_at=round_.launched_at,
        reminder_offsets=rules.parse_offsets(round_.reminder_offsets),
        next_summary_at=round_.next_summary_at,
        organisations=tuple(organisations),
    )
