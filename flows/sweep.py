"""The sweep: reminders that are due, staff summaries that are due, then delivery.

Runs hourly on weekdays (see deploy/prefect.yaml and `nimeamiset serve`); safe to run at any
moment, twice at once, or again: each reminder slot is claimed in the database once.
"""

from __future__ import annotations

from prefect import flow, get_run_logger, task
from prefect.cache_policies import NO_CACHE

from flows.tasks import deliver_until_done
from nimeamiset.db import session_scope
from nimeamiset.runtime import build_runtime
from nimeamiset.services.assembly import queue_due_assemblies
from nimeamiset.services.reminders import queue_due_reminders
from nimeamiset.services.summaries import queue_due_summaries


@task(name="queue-reminders", retries=2, retry_delay_seconds=30, cache_policy=NO_CACHE)
def queue_reminders() -> int:
    rt = build_runtime()
    with session_scope(rt.engine) as session:
        return len(queue_due_reminders(session, rt.mail, now=rt.now(), hours=rt.hours))


@task(name="queue-summaries", retries=2, retry_delay_seconds=30, cache_policy=NO_CACHE)
def queue_summaries() -> int:
    rt = build_runtime()
    with session_scope(rt.engine) as session:
        return len(queue_due_summaries(session, rt.mail, now=rt.now(), hours=rt.hours))


@task(name="assemble-rosters", retries=2, retry_delay_seconds=30, cache_policy=NO_CACHE)
def assemble_rosters() -> int:
    rt = build_runtime()
    with session_scope(rt.engine) as session:
        return len(queue_due_assemblies(session, rt.mail, now=rt.now(), hours=rt.hours))


@flow(name="sweep")
async def sweep_flow() -> dict[str, int]:
    reminders = queue_reminders()
    summaries = queue_summaries()
    assemblies = assemble_rosters()
    outcome = await deliver_until_done(None)
    get_run_logger().info(
        "sweep: %d reminders, %d staff summaries, %d rosters queued; %d sent, %d waiting",
        reminders,
        summaries,
        assemblies,
        outcome["sent"],
        outcome["waiting"],
    )
    return {"reminders": reminders, "summaries": summaries, "assemblies": assemblies, **outcome}
