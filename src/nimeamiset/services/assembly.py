"""Assembling the roster before the first meeting: on schedule (``assemble_days_before``), on
demand, and again whenever a member or deputy changes after it was first assembled."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import update
from sqlmodel import Session, col, select

from nimeamiset.domain.reminders import Hours, is_quiet
from nimeamiset.domain.states import RoundState
from nimeamiset.emails import catalog
from nimeamiset.emails.render import Attachment
from nimeamiset.exports import FILE_SUFFIXES, MEDIA_TYPES, export
from nimeamiset.models import Round
from nimeamiset.services.meetings import invitations_sent, invite_to_meeting
from nimeamiset.services.outbox import Mail, queue_email
from nimeamiset.services.roster import assemble, latest_version
from nimeamiset.services.rounds import get_round

ATTACHED = ("xlsx", "docx", "pdf", "csv")


@dataclass(frozen=True)
class Assembled:
    round_id: str
    version: int
    changed: bool
    missing: list[str]


def assemble_and_notify(
    session: Session, mail: Mail, round_id: str, *, now: datetime, reason: str
) -> Assembled:
    """Store a new roster version if anything changed and mail it to the contact person with
    the exports attached. Does not commit: the caller's transaction decides."""
    round_ = get_round(session, round_id)
    roster, changed = assemble(session, round_id, now=now, reason=reason)
    if changed:
        stem = f"kokoonpano-{round_id}-v{roster.version}"
        queue_email(
            session,
            mail,
            kind="roster",
            lang="fi",
            context=catalog.roster_assembled(
                round_, roster, reason, f"{mail.base_url}/henkilosto/{round_id}"
            ),
            to=round_.contact_email,
            to_name=round_.contact_name,
            dedupe_key=f"roster:{round_id}:{roster.version}",
            now=now,
            round_id=round_id,
            auto=True,
            attachments=[
                Attachment(f"{stem}{FILE_SUFFIXES[fmt]}", MEDIA_TYPES[fmt], export(roster, fmt))
                for fmt in ATTACHED
            ],
        )
        if round_.invite_to_meeting or invitations_sent(session, round_id):
            invite_to_meeting(session, mail, round_id, now=now)
    return Assembled(round_id, roster.version, changed, roster.missing)


def reassemble_if_assembled(
    session: Session, mail: Mail, round_id: str, *, now: datetime, reason: str
) -> Assembled | None:
    """After a change: a new version, but only once the roster has been assembled."""
    if latest_version(session, round_id) == 0:
        return None
    return assemble_and_notify(session, mail, round_id, now=now, reason=reason)


def queue_due_assemblies(
    session: Session, mail: Mail, *, now: datetime, hours: Hours
) -> list[Assembled]:
    """The scheduled assemblies whose time has come, each claimed once."""
    if is_quiet(now, hours):
        return []
    due = session.exec(
        select(Round.id, Round.next_assembly_at)
        .where(col(Round.next_assembly_at) <= now)
        .where(col(Round.state) == RoundState.LAUNCHED.value)
    ).all()
    session.rollback()
    done = []
    for round_id, due_at in due:
        claimed = (
            session.connection()
            .execute(
                update(Round)
                .where(col(Round.id) == round_id, col(Round.next_assembly_at) == due_at)
                .values(next_assembly_at=None)
            )
            .rowcount
        )
        if claimed != 1:
            session.rollback()
            continue
        done.append(assemble_and_notify(session, mail, round_id, now=now, reason="ajastettu"))
        session.commit()
    return done
