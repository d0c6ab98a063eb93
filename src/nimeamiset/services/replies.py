"""An organisation's reply through its personal link: nominate, correct, or decline."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlmodel import Session, col, func, select

from nimeamiset.domain.people import Person, Role
from nimeamiset.domain.states import RequestState, RoundState
from nimeamiset.domain.timefmt import is_late
from nimeamiset.domain.tokens import hash_token
from nimeamiset.emails import catalog
from nimeamiset.models import NominationRequest, Nominee, Organisation, Reply, Round
from nimeamiset.services.audit import change_request_state
from nimeamiset.services.outbox import Mail, queue_email
from nimeamiset.services.reminders import deadline_of, stop_reminders


class LinkNotValid(LookupError):
    """No launched request has this link. Says nothing more, whatever the token was."""


@dataclass(frozen=True)
class Seat:
    member: Person
    deputy: Person


@dataclass(frozen=True)
class ReplyOutcome:
    version: int
    late: bool
    declined: bool
    confirmation_id: int | None


@dataclass(frozen=True)
class RequestView:
    request: NominationRequest
    round: Round
    organisation: Organisation
    reply: Reply | None
    seats: list[dict[str, dict[str, str]]]


def _find(
    session: Session, token: str, *, lock: bool = False
) -> tuple[NominationRequest, Round, Organisation]:
    if not token or len(token) > 100:
        raise LinkNotValid
    query = (
        select(NominationRequest, Round, Organisation)
        .join(Round, col(Round.id) == NominationRequest.round_id)
        .join(Organisation, col(Organisation.id) == NominationRequest.organisation_id)
        .where(NominationRequest.token_hash == hash_token(token))
        .where(col(Round.state) != RoundState.DRAFT)
    )
    if lock:
        query = query.with_for_update(of=NominationRequest)
    row = session.exec(query).first()
    if row is None:
        raise LinkNotValid
    return row


def nominees_of(session: Session, reply_id: int) -> list[Nominee]:
    return list(
        session.exec(
            select(Nominee)
            .where(Nominee.reply_id == reply_id)
            .order_by(col(Nominee.seat), col(Nominee.id))
        ).all()
    )


def view_request(session: Session, token: str) -> RequestView:
    request, round_, organisation = _find(session, token)
    reply = session.get(Reply, request.current_reply_id) if request.current_reply_id else None
    seats: list[dict[str, dict[str, str]]] = []
    if reply is not None and reply.id is not None:
        for nominee in nominees_of(session, reply.id):
            while len(seats) < nominee.seat:
                seats.append({})
            seats[nominee.seat - 1][nominee.role] = {
                "name": nominee.name,
                "title": nominee.title,
                "email": nominee.email,
                "phone": nominee.phone,
            }
    return RequestView(request, round_, organisation, reply, seats)


def _record(
    session: Session,
    mail: Mail,
    token: str,
    *,
    now: datetime,
    seats: Sequence[Seat],
    decline_reason: str,
) -> ReplyOutcome:
    request, round_, organisation = _find(session, token, lock=True)
    version = (
        int(
            session.exec(
                select(func.coalesce(func.max(Reply.version), 0)).where(
                    Reply.request_id == request.id
                )
            ).one()
        )
        + 1
    )
    late = is_late(deadline_of(round_, request), now)
    declined = not seats
    assert request.id is not None
    reply = Reply(
        request_id=request.id,
        version=version,
        declined=declined,
        decline_reason=decline_reason,
        submitted_at=now,
        late=late,
    )
    session.add(reply)
    session.flush()
    assert reply.id is not None
    nominees = [
        Nominee(
            reply_id=reply.id,
            seat=number,
            role=role,
            name=person.name,
            title=person.title,
            email=person.email,
            phone=person.phone,
        )
        for number, seat in enumerate(seats, start=1)
        for role, person in ((Role.MEMBER, seat.member), (Role.DEPUTY, seat.deputy))
    ]
    session.add_all(nominees)
    if request.replied_at is None:
        request.late = late
    request.replied_at = now
    request.current_reply_id = reply.id
    stop_reminders(session, request)
    change_request_state(
        session,
        request,
        RequestState.DECLINED if declined else RequestState.NOMINATED,
        actor="organisation",
        now=now,
        detail=f"reply version {version}" + (" late" if late else ""),
    )
    confirmation = queue_email(
        session,
        mail,
        kind="confirmation",
        lang=request.language,
        context=catalog.confirmation(
            round_, organisation, request, reply, nominees, mail.link(token)
        ),
        to=request.email,
        to_name=organisation.name,
        reply_to=(round_.contact_name, round_.contact_email),
        dedupe_key=f"confirmation:{request.id}:{version}",
        now=now,
        round_id=round_.id,
        request_id=request.id,
        auto=True,
    )
    session.commit()
    return ReplyOutcome(version, late, declined, confirmation.id if confirmation else None)


def submit_nomination(
    session: Session, mail: Mail, token: str, seats: Sequence[Seat], *, now: datetime
) -> ReplyOutcome:
    if not seats:
        raise ValueError("a nomination names at least one seat")
    return _record(session, mail, token, now=now, seats=seats, decline_reason="")


def submit_decline(
    session: Session, mail: Mail, token: str, reason: str, *, now: datetime
) -> ReplyOutcome:
    reason = reason.strip()
    if not reason:
        raise ValueError("a decline needs a reason")
    return _record(session, mail, token, now=now, seats=(), decline_reason=reason)
