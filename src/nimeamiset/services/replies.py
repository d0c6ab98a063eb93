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
from nimeamiset.models import NominationRequest, Nominee, Organisation, OutboxMessage, Reply, Round
from nimeamiset.services import joint_seats
from nimeamiset.services.assembly import reassemble_if_assembled
from nimeamiset.services.audit import change_request_state
from nimeamiset.services.notices import queue_nominee_notices
from nimeamiset.services.outbox import Mail, queue_email
from nimeamiset.services.reminders import deadline_of, stop_reminders
from nimeamiset.services.rounds import lock_round


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
    holder: joint_seats.Holder | None  # another organisation filled this joint seat


def _find(session: Session, token: str) -> tuple[NominationRequest, Round, Organisation]:
    if not token or len(token) > 100:
        raise LinkNotValid
    query = (
        select(NominationRequest, Round, Organisation)
        .join(Round, col(Round.id) == NominationRequest.round_id)
        .join(Organisation, col(Organisation.id) == NominationRequest.organisation_id)
        .where(NominationRequest.token_hash == hash_token(token))
        .where(col(Round.state) != RoundState.DRAFT)
    )
    row = session.exec(query).first()
    if row is None:
        raise LinkNotValid
    return row


def _lock(session: Session, request: NominationRequest) -> None:
    session.exec(
        select(NominationRequest)
        .where(NominationRequest.id == request.id)
        .with_for_update()
        .execution_options(populate_existing=True)
    ).one()


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
                "gender": nominee.gender or "",
            }
    holder = joint_seats.holder_of(session, request)
    return RequestView(request, round_, organisation, reply, seats, holder)


def _record(
    session: Session,
    mail: Mail,
    token: str,
    *,
    now: datetime,
    seats: Sequence[Seat],
    decline_reason: str,
    kind: str,
) -> ReplyOutcome:
    found = _find(session, token)
    return _record_for(
        session,
        mail,
        found,
        mail.link(token),
        now=now,
        seats=seats,
        decline_reason=decline_reason,
        kind=kind,
        actor="organisation",
    )


def _record_for(
    session: Session,
    mail: Mail,
    found: tuple[NominationRequest, Round, Organisation],
    link: str,
    *,
    now: datetime,
    seats: Sequence[Seat],
    decline_reason: str,
    kind: str,
    actor: str,
) -> ReplyOutcome:
    request, round_, organisation = found
    # The round first (a reply may make a new roster version, and an assembly must not read
    # half of it), then the request. Always in this order: no deadlock with launch or
    # assembly, which take only the round.
    lock_round(session, round_.id)
    # Lock before reading what the reply depends on. A joint seat's requests are locked all
    # together in id order, so two organisations replying at once queue up, never deadlock.
    if request.joint_group is not None:
        joint_seats.lock_group(session, request)
    else:
        _lock(session, request)
    if kind == "nomination":
        if len(seats) != request.seats:
            raise ValueError(f"this request asks for {request.seats} seat(s), got {len(seats)}")
        if request.joint_group is not None:
            joint_seats.claim(session, request)
    elif kind in ("confirm", "objection"):
        if joint_seats.holder_of(session, request) is None:
            raise ValueError("only a joint seat filled by another organisation is confirmed")
    elif request.fills_joint_seat:  # the holder declines: the seat is free again
        request.fills_joint_seat = False
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
    declined = kind == "decline"
    assert request.id is not None
    reply = Reply(
        request_id=request.id,
        version=version,
        kind=kind,
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
            gender=person.gender or None,
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
    if kind != "objection":  # an objection waits for staff; the request stays as it was
        change_request_state(
            session,
            request,
            RequestState.DECLINED if declined else RequestState.NOMINATED,
            actor=actor,
            now=now,
            detail=f"{kind} version {version}" + (" late" if late else ""),
        )
    if kind == "nomination":
        queue_nominee_notices(session, mail, round_, organisation.name, request, nominees, now=now)
    reassemble_if_assembled(
        session, mail, round_.id, now=now, reason=f"muutos: {organisation.name}"
    )
    if kind in ("confirm", "objection"):
        note = _queue_joint_note(session, mail, round_, organisation, request, reply, now)
        session.commit()  # gives the queued message its id
        return ReplyOutcome(version, late, declined, note.id if note else None)
    confirmation = queue_email(
        session,
        mail,
        kind="confirmation",
        lang=request.language,
        context=catalog.confirmation(round_, organisation, request, reply, nominees, link),
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
    return _record(session, mail, token, now=now, seats=seats, decline_reason="", kind="nomination")


def submit_decline(
    session: Session, mail: Mail, token: str, reason: str, *, now: datetime
) -> ReplyOutcome:
    reason = reason.strip()
    if not reason:
        raise ValueError("a decline needs a reason")
    return _record(session, mail, token, now=now, seats=(), decline_reason=reason, kind="decline")


def submit_joint_answer(
    session: Session, mail: Mail, token: str, *, agree: bool, message: str, now: datetime
) -> ReplyOutcome:
    """An organisation of a joint seat that another filled: it agrees, or asks staff to change
    the nomination (with a message, which staff receive by email)."""
    message = "" if agree else message.strip()[:2000]
    if not agree and not message:
        raise ValueError("a request to change needs a message")
    kind = "confirm" if agree else "objection"
    return _record(session, mail, token, now=now, seats=(), decline_reason=message, kind=kind)


def _queue_joint_note(
    session: Session,
    mail: Mail,
    round_: Round,
    organisation: Organisation,
    request: NominationRequest,
    reply: Reply,
    now: datetime,
) -> OutboxMessage | None:
    """Staff hear of every answer about a joint seat filled by another organisation."""
    holder = joint_seats.holder_of(session, request)
    assert holder is not None
    note = queue_email(
        session,
        mail,
        kind="joint_seat_answer",
        lang="fi",
        context=catalog.joint_seat_answer(
            round_, organisation, holder, reply, f"{mail.base_url}/henkilosto/{round_.id}"
        ),
        to=round_.contact_email,
        to_name=round_.contact_name,
        reply_to=(round_.contact_name, round_.contact_email),
        dedupe_key=f"joint:{request.id}:{reply.version}",
        now=now,
        round_id=round_.id,
        request_id=request.id,
        auto=True,
    )
    return note


class NothingToReplace(LookupError):
    pass


def replace_nominee(
    session: Session,
    mail: Mail,
    round_id: str,
    organisation: str,
    *,
    seat: int,
    role: str,
    person: Person,
    now: datetime,
) -> ReplyOutcome:
    """Staff replace a member or deputy: a new reply version in the organisation's name, the
    organisation told by the usual confirmation, a new roster version if one was assembled."""
    row = session.exec(
        select(NominationRequest, Round, Organisation)
        .join(Round, col(Round.id) == NominationRequest.round_id)
        .join(Organisation, col(Organisation.id) == NominationRequest.organisation_id)
        .where(NominationRequest.round_id == round_id)
        .where(Organisation.name == organisation)
    ).first()
    if row is None:
        raise NothingToReplace(f"no organisation {organisation!r} in round {round_id!r}")
    request = row[0]
    reply = session.get(Reply, request.current_reply_id) if request.current_reply_id else None
    if reply is None or reply.kind != "nomination" or reply.id is None:
        raise NothingToReplace(f"{organisation} has named nobody to replace")
    pairs: dict[int, dict[str, Person]] = {}
    for n in nominees_of(session, reply.id):
        pairs.setdefault(n.seat, {})[n.role] = Person(
            n.name, n.title, n.email, n.phone, n.gender or ""
        )
    if seat not in pairs or role not in ("member", "deputy"):
        raise NothingToReplace(f"{organisation} has no seat {seat} with a {role}")
    pairs[seat][role] = person
    seats = [Seat(pairs[n]["member"], pairs[n]["deputy"]) for n in sorted(pairs)]
    return _record_for(
        session,
        mail,
        row,
        mail.link_for(request),
        now=now,
        seats=seats,
        decline_reason="",
        kind="nomination",
        actor="staff",
    )
