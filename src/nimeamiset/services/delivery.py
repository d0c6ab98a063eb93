"""Deliver due outbox messages, one batch at a time."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.engine import Engine

from nimeamiset.db import session_scope
from nimeamiset.emails.senders import Sender
from nimeamiset.services.outbox import claim_due, record_deliveries


@dataclass(frozen=True)
class BatchReport:
    claimed: int
    sent: int
    failed: int


async def deliver_batch(
    engine: Engine,
    sender: Sender,
    *,
    now: datetime,
    limit: int,
    round_id: str | None = None,
    ids: Sequence[int] | None = None,
) -> BatchReport:
    """Claim up to ``limit`` due messages, send them over the sender, record the outcome."""
    with session_scope(engine) as session:
        envelopes = claim_due(
            session,
            now=now,
            limit=limit,
            round_id=round_id,
            ids=ids,
            lease=sender.worst_case(limit),
        )
    if not envelopes:
        return BatchReport(0, 0, 0)
    deliveries = await sender.send_many(envelopes)
    with session_scope(engine) as session:
        record_deliveries(session, deliveries, now=now)
    sent = sum(1 for d in deliveries if d.ok)
    return BatchReport(len(envelopes), sent, len(deliveries) - sent)


async def deliver_all(
    engine: Engine, sender: Sender, *, now: datetime, limit: int, round_id: str | None = None
) -> BatchReport:
    """Batches until nothing is due (failed messages wait for their next attempt time)."""
    claimed = sent = failed = 0
    while (
        report := await deliver_batch(engine, sender, now=now, limit=limit, round_id=round_id)
    ).claimed:
        claimed, sent, failed = (
            claimed + report.claimed,
            sent + report.sent,
            failed + report.failed,
        )
    return BatchReport(claimed, sent, failed)
