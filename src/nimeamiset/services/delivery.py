"""Deliver due outbox messages, one batch at a time."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.engine import Engine

from nimeamiset.db import session_scope
from nimeamiset.domain.reminders import Hours, is_quiet
from nimeamiset.emails.senders import Sender
from nimeamiset.services.outbox import claim_due, record_deliveries


@dataclass(frozen=True)
class BatchReport:
    claimed: int
    sent: int
    failed: int


# Kinds that wait for working hours even when a retry falls due at night or on a holiday.
HELD_IN_QUIET_HOURS = ("reminder", "summary", "roster")


def held_kinds(now: datetime, hours: Hours | None) -> tuple[str, ...]:
    return HELD_IN_QUIET_HOURS if hours is not None and is_quiet(now, hours) else ()


async def deliver_batch(
    engine: Engine,
    sender: Sender,
    *,
    now: datetime,
    limit: int,
    round_id: str | None = None,
    ids: Sequence[int] | None = None,
    hours: Hours | None = None,
) -> BatchReport:
    """Claim up to ``limit`` due messages, send them over the sender, record the outcome.
    With ``hours``, reminders and staff mail wait out the quiet hours."""
    with session_scope(engine) as session:
        envelopes = claim_due(
            session,
            now=now,
            limit=limit,
            round_id=round_id,
            ids=ids,
            lease=sender.worst_case(limit),
            hold=held_kinds(now, hours),
        )
    if not envelopes:
        return BatchReport(0, 0, 0)
    deliveries = await sender.send_many(envelopes)
    with session_scope(engine) as session:
        record_deliveries(session, deliveries, now=now, claim=envelopes[0].claim)
    sent = sum(1 for d in deliveries if d.ok)
    return BatchReport(len(envelopes), sent, len(deliveries) - sent)


async def deliver_all(
    engine: Engine,
    sender: Sender,
    *,
    now: datetime | Callable[[], datetime],
    limit: int,
    round_id: str | None = None,
    hours: Hours | None = None,
) -> BatchReport:
    """Batches until nothing is due (failed messages wait for their next attempt time).
    ``now`` may be the clock itself: each batch then claims with the time it starts at, so a
    long run's later leases are not already running out when they are taken."""
    claimed = sent = failed = 0
    while True:
        moment = now() if callable(now) else now
        report = await deliver_batch(
            engine, sender, now=moment, limit=limit, round_id=round_id, hours=hours
        )
        if not report.claimed:
            return BatchReport(claimed, sent, failed)
        claimed, sent, failed = (
            claimed + report.claimed,
            sent + report.sent,
            failed + report.failed,
        )
