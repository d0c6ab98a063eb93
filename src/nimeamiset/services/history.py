"""What happened, for the staff pages: one organisation's reply versions, messages and audit
history; a round's audit events; the access log. Reads only."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import and_, func, or_
from sqlmodel import Session, col, select

from nimeamiset.domain.history import (
    AccessRow,
    EventView,
    Page,
    ReplyVersion,
    describe_actor,
    describe_event,
    page,
)
from nimeamiset.domain.status import DeliveryStatus, OrganisationStatus, RoundStatus
from nimeamiset.models import AccessLogEntry, AuditEvent, NominationRequest, Reply, StaffAccount
from nimeamiset.services.events import payload_of
from nimeamiset.services.rounds import get_round
from nimeamiset.services.status import (
    distribution,
    messages_of,
    nominees_by_reply,
    round_status,
    seats_of,
)

EVENTS_PER_PAGE = 100
ACCESS_PER_PAGE = 50


class RequestNotFound(LookupError):
    pass


@dataclass(frozen=True)
class OrganisationHistory:
    round: RoundStatus
    organisation: OrganisationStatus
    replies: tuple[ReplyVersion, ...]  # oldest first
    messages: tuple[DeliveryStatus, ...]  # oldest first
    events: tuple[EventView, ...]  # newest first


@dataclass(frozen=True)
class EventLog:
    round_id: str
    body: str
    organisations: tuple[tuple[int, str], ...]  # (request id, name), in list order
    events: tuple[EventView, ...]  # newest first
    page: Page
    actors: tuple[tuple[str, str], ...]  # (actor as stored, in words) of the round's events


@dataclass(frozen=True)
class AccessLog:
    rows: tuple[AccessRow, ...]  # newest first
    page: Page
    people: tuple[str, ...]  # every address in the log


def _names(status: RoundStatus) -> dict[str, str]:
    return {str(o.request_id): o.name for o in status.organisations}


def _staff_names(session: Session) -> dict[str, str]:
    return {
        email: name for email, name in session.exec(select(StaffAccount.email, StaffAccount.name))
    }


def _view(row: AuditEvent, organisations: dict[str, str], staff: dict[str, str]) -> EventView:
    return EventView(
        at=row.at,
        actor=row.actor,
        actor_label=describe_actor(row.actor, organisations, staff),
        kind=row.kind,
        text=describe_event(
            row.kind, payload_of(row), old=row.old_state, new=row.new_state, detail=row.detail
        ),
        organisation=organisations.get(row.entity_id) if row.entity == "request" else None,
    )


def organisation_history(
    session: Session, round_id: str, request_id: int, *, now: datetime
) -> OrganisationHistory:
    status = round_status(session, round_id, now=now)
    organisation = next((o for o in status.organisations if o.request_id == request_id), None)
    request = session.get(NominationRequest, request_id)
    if organisation is None or request is None:
        raise RequestNotFound(f"no request {request_id} in round {round_id!r}")
    replies = list(
        session.exec(
            select(Reply).where(Reply.request_id == request_id).order_by(col(Reply.version))
        )
    )
    named = nominees_by_reply(session, [r.id for r in replies if r.id is not None])
    versions = tuple(
        ReplyVersion(
            version=r.version,
            kind=r.kind,
            submitted_at=r.submitted_at,
            late=r.late,
            channel=r.channel,
            decline_reason=r.decline_reason,
            seats=tuple(
                seats_of(named.get(r.id, []), request.seats if r.kind == "nomination" else 0)
            )
            if r.id is not None
            else (),
            current=r.id == request.current_reply_id,
        )
        for r in replies
    )
    rows = session.exec(
        select(AuditEvent)
        .where(AuditEvent.entity == "request")
        .where(AuditEvent.entity_id == str(request_id))
        .order_by(col(AuditEvent.at).desc(), col(AuditEvent.id).desc())
    )
    organisations, staff = _names(status), _staff_names(session)
    return OrganisationHistory(
        round=status,
        organisation=organisation,
        replies=versions,
        messages=tuple(messages_of(session, round_id, request_id).get(request_id, [])),
        events=tuple(_view(row, organisations, staff) for row in rows),
    )


def _of_round(round_id: str, request_ids: list[str]) -> object:
    """The round's events; rows written before they carried a round id are found by what
    they are about."""
    return or_(
        col(AuditEvent.round_id) == round_id,
        and_(
            col(AuditEvent.round_id).is_(None),
            or_(
                and_(col(AuditEvent.entity) == "round", col(AuditEvent.entity_id) == round_id),
                and_(
                    col(AuditEvent.entity) == "request",
                    col(AuditEvent.entity_id).in_(request_ids),
                ),
            ),
        ),
    )


def round_events(
    session: Session,
    round_id: str,
    *,
    request_id: int | None = None,
    actor: str | None = None,
    page_number: int | None = None,
) -> EventLog:
    """The round's audit events, newest first, optionally of one organisation's request or of
    one actor, a page at a time."""
    round_ = get_round(session, round_id)
    listed = [(r.id, o.name) for r, o, _ in distribution(session, round_id) if r.id is not None]
    organisations, staff = {str(i): name for i, name in listed}, _staff_names(session)
    of_round = _of_round(round_id, list(organisations))
    conditions = [of_round]
    if request_id is not None:
        conditions += [AuditEvent.entity == "request", AuditEvent.entity_id == str(request_id)]
    if actor:
        conditions.append(AuditEvent.actor == actor)
    total = int(session.exec(select(func.count()).select_from(AuditEvent).where(*conditions)).one())  # type: ignore[arg-type]
    shown = page(page_number, EVENTS_PER_PAGE, total)
    rows = session.exec(
        select(AuditEvent)
        .where(*conditions)  # type: ignore[arg-type]
        .order_by(col(AuditEvent.at).desc(), col(AuditEvent.id).desc())
        .offset(shown.offset)
        .limit(shown.size)
    )
    actors = sorted(
        {a for a in session.exec(select(AuditEvent.actor).where(of_round).distinct())}  # type: ignore[arg-type]
    )
    return EventLog(
        round_id=round_.id,
        body=round_.body,
        organisations=tuple(listed),
        events=tuple(_view(row, organisations, staff) for row in rows),
        page=shown,
        actors=tuple((a, describe_actor(a, organisations, staff)) for a in actors),
    )


def access_log(
    session: Session, *, email: str | None = None, page_number: int | None = None
) -> AccessLog:
    """The access log, newest first, optionally of one person, a page at a time."""
    conditions = [AccessLogEntry.staff_email == email.lower()] if email else []
    total = int(
        session.exec(select(func.count()).select_from(AccessLogEntry).where(*conditions)).one()
    )
    shown = page(page_number, ACCESS_PER_PAGE, total)
    rows = session.exec(
        select(AccessLogEntry)
        .where(*conditions)
        .order_by(col(AccessLogEntry.at).desc(), col(AccessLogEntry.id).desc())
        .offset(shown.offset)
        .limit(shown.size)
    )
    people = session.exec(
        select(AccessLogEntry.staff_email)
        .where(AccessLogEntry.staff_email != "")
        .distinct()
        .order_by(col(AccessLogEntry.staff_email))
    )
    return AccessLog(
        rows=tuple(
            AccessRow(r.at, r.staff_email, r.action, r.target, r.round_id, r.source) for r in rows
        ),
        page=shown,
        people=tuple(people),
    )
