"""Assemble a round's roster on demand (the sweep assembles on schedule), mail it to the
contact person with the exports, and deliver."""

from __future__ import annotations

from prefect import flow, get_run_logger, task
from prefect.cache_policies import NO_CACHE

from flows.tasks import deliver_until_done
from nimeamiset.db import session_scope
from nimeamiset.runtime import build_runtime
from nimeamiset.services.assembly import assemble_and_notify


@task(name="assemble-roster", retries=2, retry_delay_seconds=30, cache_policy=NO_CACHE)
def assemble_roster(round_id: str) -> dict[str, int]:
    rt = build_runtime()
    with session_scope(rt.engine) as session:
        done = assemble_and_notify(session, rt.mail, round_id, now=rt.now(), reason="pyynnöstä")
        session.commit()
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
