"""Moving a deadline, for the whole round or for one organisation."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from sqlmodel import Session, col, select

from nimeamiset.domain.reminders import Hours, effective_deadline, summary_due
from nimeamiset.domain.timefmt import local
from nimeamiset.emails import catalog
from nimeamiset.models import AuditEvent, NominationRequest, Organisation
from nimeamiset.services.outbox import Mail, queue_email
from nimeamiset.services.reminders import REMINDABLE, deadline_of, replan
from nimeamiset.services.rounds import get_round


class ExtensionError(ValueError):
    pass


@dataclass(frozen=True)
class Extended:
    organisations: list[str]  # those told of the new deadline


def extend_deadline(
    session: Session,
    mail: Mail,
    round_id: str,
    until: date,
    *,
    now: datetime,
    hours: Hours,
    organisation: str | None = None,
) -> Extended:
    """Move the deadline; unsent reminder slots move with it, sent ones stay sent; every
    organisation affected that has not replied gets a short note. Commits."""
    round_ = get_round(session, round_id)
    if until < local(now).date():
        raise ExtensionError(f"{until.isoformat()} has already passed")
    if until >= local(round_.meeting_start).date():
        raise ExtensionError("the new deadline must be before the first meeting")
    query = (
        select(NominationRequest, Organisation)
        .join(Organisation, col(Organisation.id) == NominationRequest.organisation_id)
        .where(NominationRequest.round_id == round_id)
        .order_by(col(NominationRequest.position))
    )
    if organisation is not None:
        query = query.where(col(Organisation.name) == organisation)
    rows = session.exec(query).all()
    if organisation is not None and not rows:
        raise ExtensionError(f"no organisation {organisation!r} in round {round_id!r}")
    old_round_deadline = round_.deadline
    if organisation is None:
        round_.deadline = until
        if round_.summary_sent_for != until:
            round_.next_summary_at = summary_due(until, hours)
        session.add(round_)
    told = []
    for request, org in rows:
        old = effective_deadline(old_round_deadline, request.deadline)
        if organisation is not None:
            request.deadline = until
        replan(round_, request, hours=hours)
        session.add(request)
        session.add(
            AuditEvent(
                at=now,
                entity="request",
                entity_id=str(request.id),
                old_state=request.state,
                new_state=request.state,
                actor="staff",
                detail=f"deadline {old} -> {until}",
            )
        )
        if request.state in REMINDABLE and round_.launched_at is not None:
            queue_email(
                session,
                mail,
                kind="extension",
                lang=request.language,
                context=catalog.extension(
                    round_, org, request, mail.link_for(request), old, deadline_of(round_, request)
                ),
                to=request.email,
                to_name=org.name,
                reply_to=(round_.contact_name, round_.contact_email),
                dedupe_key=f"extension:{request.id}:{until.isoformat()}",
                now=now,
                round_id=round_id,
                request_id=request.id,
            )
            told.append(org.name)
    session.commit()
    return Extended(told)
