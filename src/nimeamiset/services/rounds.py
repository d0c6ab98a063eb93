"""Creating and launching rounds."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta
from typing import Any

from sqlmodel import Session, col, select

from nimeamiset.domain.reminders import DEFAULT_HOURS, Hours, format_offsets, summary_due
from nimeamiset.domain.roundfile import (
    Invitee,
    RoundFileError,
    RoundSpec,
    deadline_passed,
    id_in_use,
    slugify,
)
from nimeamiset.domain.states import RoundState
from nimeamiset.domain.timefmt import HELSINKI, local
from nimeamiset.domain.tokens import derive_token, hash_token, new_nonce, new_token
from nimeamiset.emails import catalog
from nimeamiset.models import NominationRequest, Organisation, Round
from nimeamiset.services.events import Actor, RoundCreated, event_row
from nimeamiset.services.outbox import Mail
from nimeamiset.services.reminders import plan_at_launch
from nimeamiset.services.work import RoundNotFound, RoundWork, lock_round

# RoundNotFound and lock_round live with the unit of work; named here for old importers.
__all__ = [
    "RoundNotFound",
    "add_requests",
    "assembly_due",
    "create_round",
    "free_id",
    "get_round",
    "launch_round",
    "lock_round",
    "round_fields",
]


def get_round(session: Session, round_id: str) -> Round:
    round_ = session.get(Round, round_id)
    if round_ is None:
        raise RoundNotFound(round_id)
    return round_


def free_id(session: Session, base: str) -> str:
    """``base``, or ``base-2``, ``base-3``... whichever no round has yet."""
    candidate, n = base, 1
    while session.get(Round, candidate) is not None:
        n += 1
        candidate = f"{base[:60]}-{n}"
    return candidate


def round_fields(spec: RoundSpec) -> dict[str, Any]:
    """The round's columns from a checked spec (all but its id, state and times)."""
    return {
        "body": spec.body,
        "subject": spec.subject,
        "letter": spec.letter.strip(),
        "deadline": spec.deadline,
        "meeting_start": spec.first_meeting.start,
        "meeting_end": spec.first_meeting.end,
        "meeting_place": spec.first_meeting.place,
        "reminder_offsets": format_offsets(spec.reminders),
        "sender_name": spec.sender.name,
        "sender_title": spec.sender.title,
        "sender_organisation": spec.sender.organisation,
        "contact_name": spec.contact.name,
        "contact_title": spec.contact.title,
        "contact_email": spec.contact.email,
        "contact_phone": spec.contact.phone,
        "gender_balance": spec.gender_balance,
        "assemble_days_before": spec.assemble_days_before,
        "invite_to_meeting": spec.invite_to_meeting,
    }


def add_requests(session: Session, round_id: str, invitees: list[Invitee]) -> None:
    """A draft's requests, in list order. The organisation register (one row per name) takes
    the address and language given here, for the next round to find."""
    for position, org_spec in enumerate(invitees):
        organisation = session.exec(
            select(Organisation).where(Organisation.name == org_spec.name)
        ).first()
        if organisation is None:
            organisation = Organisation(
                name=org_spec.name, email=org_spec.email, language=org_spec.language
            )
        else:
            organisation.email, organisation.language = org_spec.email, org_spec.language
        session.add(organisation)
        session.flush()
        assert organisation.id is not None
        session.add(
            NominationRequest(
                round_id=round_id,
                organisation_id=organisation.id,
                position=position,
                email=org_spec.email,
                language=org_spec.language,
                seats=org_spec.seats,
                joint_group=org_spec.joint_group,
                # Placeholder hash of a token nobody holds; launch gives the real one.
                token_hash=hash_token(new_token()),
            )
        )


def create_round(session: Session, spec: RoundSpec, *, actor: Actor, now: datetime) -> Round:
    """Store a checked round file as a draft round. Commits.

    The one change that cannot go through a round's unit of work: the round does not exist
    yet. Its audit event is written the same way, in the same commit."""
    if spec.id is not None and session.get(Round, spec.id) is not None:
        raise RoundFileError([id_in_use(spec.id)])
    if spec.deadline < local(now).date():
        raise RoundFileError([deadline_passed(spec.deadline)])
    round_ = Round(
        id=spec.id or free_id(session, slugify(spec.body)), created_at=now, **round_fields(spec)
    )
    session.add(round_)
    invitees = spec.invitees()
    session.add(event_row(RoundCreated(len(invitees)), round_id=round_.id, actor=actor, now=now))
    add_requests(session, round_.id, invitees)
    session.commit()
    return round_


def assembly_due(round_: Round, hours: Hours) -> datetime:
    """The roster is assembled ``assemble_days_before`` the first meeting, at the due hour."""
    day = local(round_.meeting_start).date() - timedelta(days=round_.assemble_days_before)
    return datetime.combine(day, time(hours.due_hour), tzinfo=HELSINKI).astimezone(UTC)


def launch_round(work: RoundWork, mail: Mail, *, hours: Hours = DEFAULT_HOURS) -> int:
    """Give every request its personal link and queue its invitation, in the work's commit.

    Returns how many invitations were queued: none when the round was launched before.
    """
    session, round_, round_id, now = work.session, work.round, work.round_id, work.now
    # Under the lock: a second launch started at the same moment waits here, then finds the
    # round launched, and never writes new links over those the first one mailed.
    if round_.state != RoundState.DRAFT:
        return 0
    rows = session.exec(
        select(NominationRequest, Organisation)
        .join(Organisation, col(Organisation.id) == NominationRequest.organisation_id)
        .where(NominationRequest.round_id == round_id)
        .order_by(col(NominationRequest.position))
    ).all()
    distribution = [organisation.name for _, organisation in rows]
    queued = 0
    for request, organisation in rows:
        assert request.id is not None
        request.token_nonce = new_nonce()
        token = derive_token(mail.secret_key, request.id, request.token_nonce)
        request.token_hash = hash_token(token)
        plan_at_launch(round_, request, now=now, hours=hours)
        session.add(request)
        message = work.queue(
            mail,
            kind="invitation",
            lang=request.language,
            context=catalog.invitation(
                round_, organisation, request, mail.link(token), distribution
            ),
            to=request.email,
            to_name=organisation.name,
            reply_to=(round_.contact_name, round_.contact_email),
            dedupe_key=f"invitation:{request.id}:1",
            request_id=request.id,
        )
        queued += message is not None
    round_.launched_at = now
    round_.next_summary_at = summary_due(round_.deadline, hours)
    round_.next_assembly_at = max(now, assembly_due(round_, hours))
    work.change_round_state(RoundState.LAUNCHED)
    return queued
