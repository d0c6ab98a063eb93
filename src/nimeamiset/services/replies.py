"""An organisation's reply through its personal link: nominate, correct, or decline."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from sqlmodel import Session, col, func, select

from nimeamiset.domain.people import Person, Role
from nimeamiset.domain.states import RequestState, RoundState
from nimeamiset.domain.timefmt import HELSINKI, is_late, local
from nimeamiset.domain.tokens import hash_token
from nimeamiset.emails import catalog
from nimeamiset.models import NominationRequest, Nominee, Organisation, OutboxMessage, Reply, Round
from nimeamiset.services import joint_seats
from nimeamiset.services.assembly import reassemble_if_assembled
from nimeamiset.services.events import Actor, NomineeReplaced, ReplyRecorded
from nimeamiset.services.notices import queue_nominee_notices
from nimeamiset.services.outbox import Mail
from nimeamiset.services.reminders import deadline_of, stop_reminders
from nimeamiset.services.work import RoundWork, round_work

MAX_WEB_VERSIONS_PER_DAY = 20
"""Replies through one personal link in one day (Helsinki). Each may mail notices and, after
assembly, a roster: a link must not become a way to make the council send mail at will."""


class TooManyReplies(Exception):
    """The link's reply was changed too often today; the reply stands as it was."""


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


LINK_DAYS_AFTER_MEETING = 90


def _find(
    session: Session,
    token: str,
    *,
    now: datetime | None = None,
    days: int = LINK_DAYS_AFTER_MEETING,
) -> tuple[NominationRequest, Round, Organisation]:
    """The request of a personal link that still works: its round launched and not closed,
    and (given ``now``) its first meeting no more than ``days`` days ago."""
    if not token or len(token) > 100:
        raise LinkNotValid
    query = (
        select(NominationRequest, Round, Organisation)
        .join(Round, col(Round.id) == NominationRequest.round_id)
        .join(Organisation, col(Organisation.id) == NominationRequest.organisation_id)
        .where(NominationRequest.token_hash == hash_token(token))
        # Not yet launched, or closed: the same answer as for a link that never existed.
        .where(col(Round.state) == RoundState.LAUNCHED)
    )
    if now is not None:
        query = query.where(col(Round.meeting_start) > now - timedelta(days=days))
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


def view_request(
    session: Session,
    token: str,
    *,
    now: datetime | None = None,
    days: int = LINK_DAYS_AFTER_MEETING,
) -> RequestView:
    request, round_, organisation = _find(session, token, now=now, days=days)
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
    request, round_, _ = _find(session, token, now=now, days=mail.link_days_after_meeting)
    session.rollback()  # the unit of work starts its own transaction with the round's lock
    with round_work(session, round_.id, actor=Actor.organisation(request.id), now=now) as work:
        assert request.id is not None
        # Again under the lock: the round may have closed, or staff given a new link, while
        # this reply waited for it.
        locked = work.lock_request(request.id)
        if work.round.state != RoundState.LAUNCHED or locked.token_hash != hash_token(token):
            raise LinkNotValid
        outcome = _record_for(
            work,
            mail,
            request.id,
            mail.link(token),
            seats=seats,
            decline_reason=decline_reason,
            kind=kind,
            channel="web",
        )
    return outcome


def _record_for(
    work: RoundWork,
    mail: Mail,
    request_id: int,
    link: str,
    *,
    seats: Sequence[Seat],
    decline_reason: str,
    kind: str,
    channel: str,
    received_on: date | None = None,
) -> ReplyOutcome:
    """Store one reply version, under the round's lock taken by ``work``.

    The round is locked first (a reply may make a new roster version, and an assembly must
    not read half of it), then the request. Always in this order: no deadlock with launch,
    extension or assembly, which take the round first too."""
    session, round_, now = work.session, work.round, work.now
    # Lock before reading what the reply depends on. A joint seat's requests are locked all
    # together in id order, so two organisations replying at once queue up, never deadlock.
    request = work.lock_request(request_id)
    if request.joint_group is not None:
        joint_seats.lock_group(session, request)
    organisation = session.get(Organisation, request.organisation_id)
    assert organisation is not None
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
    # A reply staff record late may have come in time: judged by the day it came.
    if channel == "web":
        day_start = datetime.combine(local(now).date(), time(0), tzinfo=HELSINKI)
        today = session.exec(
            select(func.count())
            .select_from(Reply)
            .where(Reply.request_id == request.id)
            .where(col(Reply.submitted_at) >= day_start)
            .where(col(Reply.channel) == "web")
        ).one()
        if today >= MAX_WEB_VERSIONS_PER_DAY:
            raise TooManyReplies
    late = (
        received_on > deadline_of(round_, request)
        if received_on is not None
        else is_late(deadline_of(round_, request), now)
    )
    declined = kind == "decline"
    reply = Reply(
        request_id=request_id,
        version=version,
        kind=kind,
        declined=declined,
        decline_reason=decline_reason,
        submitted_at=now,
        late=late,
        channel=channel,
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
    work.record(ReplyRecorded(request_id, version, kind, late, channel))
    if kind != "objection":  # an objection waits for staff; the request stays as it was
        work.change_request_state(
            request, RequestState.DECLINED if declined else RequestState.NOMINATED
        )
    if kind == "nomination":
        queue_nominee_notices(session, mail, round_, organisation.name, request, nominees, now=now)
    reassemble_if_assembled(work, mail, reason=f"muutos: {organisation.name}")
    holder = None
    if kind in ("confirm", "objection"):
        holder = joint_seats.holder_of(session, request)
        _queue_joint_note(work, mail, organisation, request, reply, holder)
    # The organisation always gets the confirmation its reply page promised.
    confirmation = work.queue(
        mail,
        kind="confirmation",
        lang=request.language,
        context=catalog.confirmation(
            round_, organisation, request, reply, nominees, link, holder=holder
        ),
        to=request.email,
        to_name=organisation.name,
        reply_to=(round_.contact_name, round_.contact_email),
        dedupe_key=f"confirmation:{request.id}:{version}",
        request_id=request_id,
        auto=True,
    )
    session.flush()  # gives the queued message its id
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
    work: RoundWork,
    mail: Mail,
    organisation: Organisation,
    request: NominationRequest,
    reply: Reply,
    holder: joint_seats.Holder | None,
) -> OutboxMessage | None:
    """Staff hear of every answer about a joint seat filled by another organisation."""
    assert holder is not None
    round_ = work.round
    return work.queue(
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
        request_id=request.id,
        auto=True,
    )


class NothingToReplace(LookupError):
    pass


CHANNELS = ("email", "phone", "letter")
"""How a reply that staff record came in."""


def request_of(work: RoundWork, organisation: str) -> int:
    """The id of the round's request to the organisation of this name."""
    request_id = work.session.exec(
        select(NominationRequest.id)
        .join(Organisation, col(Organisation.id) == NominationRequest.organisation_id)
        .where(NominationRequest.round_id == work.round_id)
        .where(Organisation.name == organisation)
    ).first()
    if request_id is None:
        raise NothingToReplace(f"no organisation {organisation!r} in round {work.round_id!r}")
    return request_id


def replace_nominee(
    work: RoundWork,
    mail: Mail,
    request_id: int,
    *,
    seat: int,
    role: str,
    person: Person,
) -> ReplyOutcome:
    """Staff replace a member or deputy: a new reply version in the organisation's name, the
    organisation told by the usual confirmation, a new roster version if one was assembled.

    The request is locked before its current reply is read: a reply arriving at the same
    moment is either wholly before (and this replaces within it) or waits for this one."""
    work.require_state(RoundState.LAUNCHED)
    request = work.lock_request(request_id)
    reply = (
        work.session.get(Reply, request.current_reply_id, populate_existing=True)
        if request.current_reply_id
        else None
    )
    organisation = work.session.get(Organisation, request.organisation_id)
    name = organisation.name if organisation else str(request_id)
    if reply is None or reply.kind != "nomination" or reply.id is None:
        raise NothingToReplace(f"{name} has named nobody to replace")
    pairs: dict[int, dict[str, Person]] = {}
    for n in nominees_of(work.session, reply.id):
        pairs.setdefault(n.seat, {})[n.role] = Person(
            n.name, n.title, n.email, n.phone, n.gender or ""
        )
    if seat not in pairs or role not in ("member", "deputy"):
        raise NothingToReplace(f"{name} has no seat {seat} with a {role}")
    pairs[seat][role] = person
    seats = [Seat(pairs[n]["member"], pairs[n]["deputy"]) for n in sorted(pairs)]
    outcome = _record_for(
        work,
        mail,
        request_id,
        mail.link_for(request),
        seats=seats,
        decline_reason="",
        kind="nomination",
        channel="staff",
    )
    work.record(NomineeReplaced(request_id, seat, role, outcome.version))
    return outcome


def record_reply(
    work: RoundWork,
    mail: Mail,
    request_id: int,
    *,
    seats: Sequence[Seat] = (),
    decline_reason: str = "",
    channel: str,
    received_on: date | None = None,
) -> ReplyOutcome:
    """Staff record a reply that came by email, phone or letter: members and deputies for
    every seat, or a decline with its reason. The organisation gets the usual confirmation.
    ``received_on``, the day it came when that was before today, decides whether it is late."""
    if channel not in CHANNELS:
        raise ValueError(f"channel must be one of {', '.join(CHANNELS)}")
    if received_on is not None and received_on > local(work.now).date():
        raise ValueError("a reply cannot have come after today")
    work.require_state(RoundState.LAUNCHED)
    request = work.lock_request(request_id)
    decline_reason = decline_reason.strip()
    if seats and decline_reason:
        raise ValueError("a reply either names people or declines, not both")
    if not seats and not decline_reason:
        raise ValueError("a decline needs a reason")
    return _record_for(
        work,
        mail,
        request_id,
        mail.link_for(request),
        seats=seats,
        decline_reason=decline_reason,
        kind="nomination" if seats else "decline",
        channel=channel,
        received_on=received_on,
    )
