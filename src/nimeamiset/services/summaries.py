"""The staff summary: on the first business day after the deadline, the round's contact person
hears who replied, who declined and who is still missing."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import update
from sqlmodel import Session, col, select

from nimeamiset.domain import reminders as rules
from nimeamiset.domain.reminders import Hours
from nimeamiset.domain.states import RoundState
from nimeamiset.emails import catalog
from nimeamiset.models import Round
from nimeamiset.services.outbox import Mail, queue_email
from nimeamiset.services.reminders import RETRY_LATER, put_off
from nimeamiset.services.status import round_status


def queue_due_summaries(session: Session, mail: Mail, *, now: datetime, hours: Hours) -> list[str]:
    """Queue each due summary once; returns the rounds summarised."""
    if rules.is_quiet(now, hours):
        return []
    due = session.exec(
        select(Round.id, Round.next_summary_at)
        .where(col(Round.next_summary_at) <= now)
        .where(col(Round.state) == RoundState.LAUNCHED.value)
    ).all()
    session.rollback()
    done = []
    for round_id, due_at in due:
        round_ = session.get(Round, round_id)
        assert round_ is not None
        claimed = (
            session.connection()
            .execute(
                update(Round)
                .where(col(Round.id) == round_id, col(Round.next_summary_at) == due_at)
                .values(next_summary_at=None, summary_sent_for=round_.deadline)
            )
            .rowcount
        )
        if claimed != 1:
            session.rollback()
            continue
        try:
            status = round_status(session, round_id, now=now)
            queue_email(
                session,
                mail,
                kind="summary",
                lang="fi",
                context=catalog.summary(round_, status, f"{mail.base_url}/henkilosto/{round_id}"),
                to=round_.contact_email,
                to_name=round_.contact_name,
                dedupe_key=f"summary:{round_id}:{round_.deadline.isoformat()}",
                now=now,
                round_id=round_id,
                auto=True,
            )
            session.commit()
        except Exception as exc:  # one broken round must not hold up the others
            later = update(Round).where(col(Round.id) == round_id)
            put_off(
                session,
                later.values(next_summary_at=now + RETRY_LATER),
                f"summary of round {round_id}",
                exc,
            )
            continue
        done.append(round_id)
    return done
