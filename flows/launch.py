"""The launch flow: give each organisation its request and link, then send the invitations."""

from __future__ import annotations

from prefect import flow, get_run_logger, task
from prefect.cache_policies import NO_CACHE

from flows.tasks import deliver_until_done
from nimeamiset.db import session_scope
from nimeamiset.runtime import build_runtime
from nimeamiset.services.launches import launch_actor
from nimeamiset.services.rounds import launch_round
from nimeamiset.services.work import round_work


@task(name="queue-invitations", retries=2, retry_delay_seconds=10, cache_policy=NO_CACHE)
def queue_invitations(round_id: str, requested_by: int | None = None) -> int:
    rt = build_runtime()
    with session_scope(rt.engine) as session:
        actor = launch_actor(session, requested_by)
        with round_work(session, round_id, actor=actor, now=rt.now()) as work:
            return launch_round(work, rt.mail, hours=rt.hours)


@flow(name="launch-round", log_prints=False)
async def launch_round_flow(round_id: str, requested_by: int | None = None) -> dict[str, int]:
    """Launch a round: queue one invitation per organisation in one transaction, deliver them
    in batches over reused SMTP connections. Running it again sends nothing new, but retries
    what is still waiting.

    ``requested_by``: the id of the staff account that asked for the launch (the staff pages
    pass it), so that the audit events name that person; an id, never an email."""
    queued = queue_invitations(round_id, requested_by)
    outcome = await deliver_until_done(round_id)
    get_run_logger().info(
        "round %s: %d queued, %d sent, %d waiting for a retry",
        round_id,
        queued,
        outcome["sent"],
        outcome["waiting"],
    )
    return {"queued": queued, **outcome}
