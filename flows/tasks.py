"""Tasks shared by the flows."""

from __future__ import annotations

from prefect import get_run_logger, task
from prefect.cache_policies import NO_CACHE

from nimeamiset.db import session_scope
from nimeamiset.runtime import build_runtime
from nimeamiset.services import delivery
from nimeamiset.services.outbox import waiting_count


@task(name="deliver-batch", retries=3, retry_delay_seconds=[10, 60, 300], cache_policy=NO_CACHE)
async def deliver_batch(round_id: str | None = None) -> dict[str, int]:
    """Claim, send and record one batch of due outbox messages (never one task per message)."""
    rt = build_runtime()
    report = await delivery.deliver_batch(
        rt.engine,
        rt.sender,
        now=rt.now(),
        limit=rt.settings.send_batch_size,
        round_id=round_id,
        hours=rt.hours,  # reminders and staff mail wait out the night
    )
    get_run_logger().info(
        "batch: %d claimed, %d sent, %d to retry", report.claimed, report.sent, report.failed
    )
    return {"claimed": report.claimed, "sent": report.sent, "failed": report.failed}


@task(name="count-waiting", cache_policy=NO_CACHE)
def count_waiting(round_id: str | None = None) -> int:
    rt = build_runtime()
    with session_scope(rt.engine) as session:
        return waiting_count(session, round_id=round_id)


async def deliver_until_done(round_id: str | None = None) -> dict[str, int]:
    """Run batches until a batch claims nothing; failed messages wait for their retry time."""
    sent = failed = 0
    while True:
        report = await deliver_batch(round_id)
        if report["claimed"] == 0:
            break
        sent += report["sent"]
        failed += report["failed"]
    return {"sent": sent, "failed": failed, "waiting": count_waiting(round_id)}
