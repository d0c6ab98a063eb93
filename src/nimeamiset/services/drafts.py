"""A round before launch: created from the browser's form, edited, its distribution list
replaced, deleted; and any round copied to a new draft.

Every way in goes through one schema: :func:`spec_of_round` gives a stored round in the data
shape of the round file, the form builds the same shape, and :func:`check_spec` checks it
(``check_round``); a new draft is stored by ``create_round``, as from a round file.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from sqlalchemy import delete
from sqlmodel import Session, col, select

from nimeamiset.domain.reminders import parse_offsets
from nimeamiset.domain.roundfile import RoundFileError, RoundSpec, check_round, deadline_passed
from nimeamiset.domain.states import RoundState
from nimeamiset.domain.timefmt import local
from nimeamiset.models import (
    AuditEvent,
    NominationRequest,
    Organisation,
    OutboxMessage,
    RosterVersion,
    Round,
)
from nimeamiset.services.events import (
    Actor,
    DraftDeleted,
    DraftEdited,
    RoundCopied,
    RoundCreated,
    event_row,
    payload_of,
)
from nimeamiset.services.rounds import add_requests, free_id, get_round, round_fields
from nimeamiset.services.work import RoundWork

# --- one schema -------------------------------------------------------------------------------


def check_spec(data: Mapping[str, Any]) -> RoundSpec:
    """Check a round in the round file's data shape (the one schema, ``check_round``); raise
    RoundFileError whose problems have dotted key paths and Finnish messages."""
    return check_round(data)


def _organisations(session: Session, round_id: str) -> list[dict[str, Any]]:
    rows = session.exec(
        select(NominationRequest, Organisation)
        .join(Organisation, col(Organisation.id) == NominationRequest.organisation_id)
        .where(NominationRequest.round_id == round_id)
        .order_by(col(NominationRequest.position))
    ).all()
    items: list[dict[str, Any]] = []
    joint: dict[str, list[dict[str, Any]]] = {}
    for request, organisation in rows:
        entry = {"name": organisation.name, "email": request.email, "language": request.language}
        if request.joint_group is None:
            items.append({**entry, "seats": request.seats})
        elif request.joint_group in joint:
            joint[request.joint_group].append(entry)
        else:
            joint[request.joint_group] = [entry]
            items.append({"joint": joint[request.joint_group]})
    return items


def spec_of_round(session: Session, round_id: str) -> dict[str, Any]:
    """A stored round in the data shape of the round file (what :func:`check_spec` takes):
    dates and times in ISO form, Helsinki time."""
    r = get_round(session, round_id)
    return {
        "id": r.id,
        "body": r.body,
        "subject": r.subject,
        "letter": r.letter,
        "deadline": r.deadline.isoformat(),
        "first_meeting": {
            "start": local(r.meeting_start).isoformat(),
            "end": local(r.meeting_end).isoformat(),
            "place": r.meeting_place,
        },
        "sender": {
            "name": r.sender_name,
            "title": r.sender_title,
            "organisation": r.sender_organisation,
        },
        "contact": {
            "name": r.contact_name,
            "title": r.contact_title,
            "email": r.contact_email,
            "phone": r.contact_phone,
        },
        "organisations": _organisations(session, round_id),
        "gender_balance": r.gender_balance,
        "assemble_days_before": r.assemble_days_before,
        "invite_to_meeting": r.invite_to_meeting,
        "reminders": list(parse_offsets(r.reminder_offsets)),
    }


def _not_past(spec: RoundSpec, now: datetime) -> None:
    if spec.deadline < local(now).date():
        raise RoundFileError([deadline_passed(spec.deadline)])


# --- a new draft, edited, deleted ---------------------------------------------------------------


def update_draft(work: RoundWork, spec: RoundSpec, *, dates_checked: bool = True) -> list[str]:
    """Replace a draft's fields and its distribution list with ``spec`` (its id stays).
    ``dates_checked``: saved from the form that shows the dates, which must not have passed.
    Returns the names of what changed; a launched or closed round is refused."""
    work.require_state(RoundState.DRAFT)
    round_, session = work.round, work.session
    if dates_checked or spec.deadline != round_.deadline:
        _not_past(spec, work.now)
    changed = []
    for name, value in round_fields(spec).items():
        if getattr(round_, name) != value:
            setattr(round_, name, value)
            changed.append(name)
    session.add(round_)
    invitees = spec.invitees()
    wanted = [item.model_dump() for item in spec.organisations]
    if wanted != _organisations(session, work.round_id):
        session.execute(
            delete(NominationRequest).where(col(NominationRequest.round_id) == work.round_id)
        )
        session.flush()
        add_requests(session, work.round_id, invitees)
        changed.append("organisations")
    work.record(DraftEdited(tuple(changed), len(invitees), dates_checked))
    return changed


def _joint_groups(session: Session, round_id: str) -> list[str | None]:
    return list(
        session.exec(
            select(NominationRequest.joint_group)
            .where(NominationRequest.round_id == round_id)
            .order_by(col(NominationRequest.position))
        ).all()
    )


def delete_draft(work: RoundWork) -> None:
    """Delete a draft and its requests (and any test message sent of it). Its audit events
    stay, the deletion among them. A launched or closed round is refused."""
    work.require_state(RoundState.DRAFT)
    session, round_id = work.session, work.round_id
    count = len(_joint_groups(session, round_id))
    work.record(DraftDeleted(count))
    session.execute(delete(OutboxMessage).where(col(OutboxMessage.round_id) == round_id))
    session.execute(delete(RosterVersion).where(col(RosterVersion.round_id) == round_id))
    session.execute(delete(NominationRequest).where(col(NominationRequest.round_id) == round_id))
    session.flush()
    session.delete(work.round)
    session.flush()


# --- a copy -------------------------------------------------------------------------------------


def copy_round(session: Session, round_id: str, *, actor: Actor, now: datetime) -> Round:
    """A new draft with the round's letter, distribution list (seats and joint seats) and
    settings. Its dates are the old round's until the coordinator saves the edit form, which
    refuses a passed deadline; :func:`dates_pending` says so meanwhile. Commits."""
    source = spec_of_round(session, round_id)
    spec = check_spec({**source, "id": None})
    new_id = free_id(session, round_id)
    round_ = Round(id=new_id, created_at=now, **round_fields(spec))
    session.add(round_)
    invitees = spec.invitees()
    for event in (RoundCreated(len(invitees)), RoundCopied(round_id, len(invitees))):
        session.add(event_row(event, round_id=new_id, actor=actor, now=now))
    add_requests(session, new_id, invitees)
    session.commit()
    return round_


def dates_pending(session: Session, round_id: str) -> str | None:
    """The id of the round a draft was copied from, while its dates are still the old round's
    (no save of the edit form since); else None. Launch should wait for the dates."""
    rows = session.exec(
        select(AuditEvent)
        .where(AuditEvent.round_id == round_id)
        .where(col(AuditEvent.kind).in_(("round.copied", "draft.edited")))
        .order_by(col(AuditEvent.id).desc())
    ).all()
    for row in rows:
        payload = payload_of(row)
        if row.kind == "draft.edited" and payload.get("dates_checked"):
            return None
        if row.kind == "round.copied":
            return str(payload.get("source", ""))
    return None
