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
from nimeamiset.services.events import SWEEP, RosterAssembled
from nimeamiset.services.meetings import invitations_sent, invite_to_meeting
from nimeamiset.services.outbox import Mail
from nimeamiset.services.reminders import RETRY_LATER, put_off
from nimeamiset.services.roster import assemble, latest_version
from nimeamiset.services.work import RoundWork, round_work

ATTACHED = ("xlsx", "docx", "pdf", "csv")


@dataclass(frozen=True)
class Assembled:
    round_id: str
    version: int
    changed: bool
    missing: list[str]


def assemble_and_notify(work: RoundWork, mail: Mail, *, reason: str) -> Assembled:
    """Store a new roster version if anything changed and mail it to the contact person with
    the exports attached; invite to the meeting when the round asks for it or invitations
    went out before. In the work's transaction."""
    work.require_state(RoundState.LAUNCHED, RoundState.CLOSED)  # a draft has no replies
    round_, round_id = work.round, work.round_id
    roster, changed = assemble(work, reason=reason)
    if changed:
        work.record(RosterAssembled(roster.version, reason[:200], len(roster.missing)))
        stem = f"kokoonpano-{round_id}-v{roster.version}"
        work.queue(
            mail,
            kind="roster",
            lang="fi",
            context=catalog.roster_assembled(
                round_, roster, reason, f"{mail.base_url}/henkilosto/{round_id}"
            ),
            to=round_.contact_email,
            to_name=round_.contact_name,
            dedupe_key=f"roster:{round_id}:{roster.version}",
            auto=True,
            attachments=[
                Attachment(f"{stem}{FILE_SUFFIXES[fmt]}", MEDIA_TYPES[fmt], export(roster, fmt))
                for fmt in ATTACHED
            ],
        )
        if round_.invite_to_meeting or invitations_sent(work.session, round_id):
            invite_to_meeting(work, mail)
    return Assembled(round_id, roster.version, changed, roster.missing)


def reassemble_if_assembled(work: RoundWork, mail: Mail, *, reason: str) -> Assembled | None:
    """After a change: a new version, but only once the roster has been assembled."""
    if latest_version(work.session, work.round_id) == 0:
        return None
    return assemble_and_notify(work, mail, reason=reason)


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
        try:
            with round_work(session, round_id, actor=SWEEP, now=now) as work:
                done.append(assemble_and_notify(work, mail, reason="ajastettu"))
        except Exception as exc:  # one broken round must not hold up the others
            later = update(Round).where(col(Round.id) == round_id)
            put_off(
                session,
                later.values(next_assembly_at=now + RETRY_LATER),
                f"assembly of round {round_id}",
                exc,
            )
    return done
