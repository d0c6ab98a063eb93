"""Assemble a round's roster on demand (the sweep assembles on schedule), mail it to the
contact person with the exports, and deliver."""

from __future__ import annotations

from prefect import flow, get_run_logger, task
from prefect.cache_policies import NO_CACHE

from flows.tasks import deliver_until_done
from nimeamiset.db import session_scope
from nimeamiset.runtime import build_runtime
from nimeamiset.services.assembly import assemble_and_notify
from nimeamiset.services.events import Actor
from nimeamiset.services.work import round_work


@task(name="assemble-roster", retries=2, retry_delay_seconds=30, cache_policy=NO_CACHE)
def assemble_roster(round_id: str) -> dict[str, int]:
    rt = build_runtime()
    with (
        session_scope(rt.engine) as session,
        round_work(session, round_id, actor=Actor.prefect("assemble-roster"), now=rt.now()) as work,
    ):
        done = assemble_and_notify(work, rt.mail, reason="pyynnöstä")
    return {"version": done.version, "changed": int(done.changed), "missing": len(done.missing)}


@flow(name="assemble-roster")
async def assemble_roster_flow(round_id: str) -> dict[str, int]:
    result = assemble_roster(round_id)
    outcome = await deliver_until_done(round_id)
    get_run_logger().info(
        "round %s: roster version %d (%s), %d seats missing",
        round_id,
        result["version"],
        "new" if result["changed"] else "unchanged",
        result["missing"],
    )
    return {**result, **outcome}
