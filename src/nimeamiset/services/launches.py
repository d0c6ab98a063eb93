"""What the database keeps of a round's launch: the Prefect run asked to launch it (and the
audit event of who asked), who the launch acts as, and how its invitations stand in the
outbox. Talking to Prefect is :mod:`nimeamiset.launching`'s part."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import func
from sqlmodel import Session, col, select

from nimeamiset.domain.states import RoundState
from nimeamiset.domain.timefmt import format_date, local
from nimeamiset.models import OutboxMessage, StaffAccount
from nimeamiset.services.drafts import dates_pending
from nimeamiset.services.events import Actor, LaunchRequested
from nimeamiset.services.outbox import QUEUED, SENDING, SENT
from nimeamiset.services.work import ActionRefused, RoundWork

LAUNCH_FLOW = "launch-round"


class LaunchRefused(ActionRefused):
    """The round cannot be launched now; the message (Finnish) says why."""


def check_launchable(work: RoundWork) -> None:
    """Only a draft is launched, with its own dates and a deadline still ahead (checked
    under the round's lock)."""
    state = RoundState(work.round.state)
    if state is RoundState.LAUNCHED:
        raise LaunchRefused("kierros on jo käynnistetty")
    if state is not RoundState.DRAFT:
        raise LaunchRefused("kierros on suljettu")
    copied_from = dates_pending(work.session, work.round_id)
    if copied_from is not None:
        raise LaunchRefused(
            f"päivämäärät on kopioitu kierroksesta {copied_from}: tarkista ja tallenna ne ensin"
        )
    if work.round.deadline < local(work.now).date():
        raise LaunchRefused(
            f"määräaika {format_date(work.round.deadline)} on jo mennyt: muuta se ensin"
        )


def record_launch_request(work: RoundWork, flow_run_id: str) -> None:
    """The round is launched by this Prefect run: kept on the round, and an audit event by
    whoever asked (the work's actor), in the work's commit."""
    work.round.launch_run_id = flow_run_id
    work.session.add(work.round)
    work.record(LaunchRequested(flow_run_id))


def launch_actor(session: Session, requested_by: int | None) -> Actor:
    """Whom a launch run acts as: the staff member whose account asked for it (Prefect's
    parameters carry the account's id, never an email), else the flow itself."""
    if requested_by is not None:
        account = session.get(StaffAccount, requested_by)
        if account is not None:
            return Actor.staff(account.email)
    return Actor.prefect(LAUNCH_FLOW)


@dataclass(frozen=True)
class InvitationCounts:
    sent: int
    waiting: int  # queued, waiting for a retry, or being sent


def invitation_counts(session: Session, round_id: str) -> InvitationCounts:
    """The round's invitations in the outbox: how many went out, how many still wait."""
    rows = session.exec(
        select(OutboxMessage.state, func.count())
        .where(OutboxMessage.round_id == round_id)
        .where(OutboxMessage.kind == "invitation")
        .where(col(OutboxMessage.state).in_((QUEUED, SENDING, SENT)))
        .group_by(col(OutboxMessage.state))
    ).all()
    counts = {state: int(n) for state, n in rows}
    return InvitationCounts(
        sent=counts.get(SENT, 0), waiting=counts.get(QUEUED, 0) + counts.get(SENDING, 0)
    )
