"""``nimeamiset round launch ROUND``: on the staff pages' launch path when a Prefect API is
configured (``PREFECT_API_URL``), else the flow in this process as before.

Through Prefect, a draft is launched by ``request_launch`` (a run of the ``launch-round``
deployment, kept on the round with its audit event) and the command waits for that run,
printing its state and the invitations sent and waiting; a launch run already going is waited
for, not doubled. A round launched before gets a run that sends nothing new but retries what
still waits, as the flow does in-process.
"""

from __future__ import annotations

import argparse
import asyncio
import sys

from nimeamiset.cli.common import runtime, status_or_usage
from nimeamiset.db import session_scope
from nimeamiset.launching import (
    HOW_TO_START,
    LaunchPending,
    LaunchStatus,
    PrefectUnavailable,
    create_launch_run,
    follow_run,
    request_launch,
)
from nimeamiset.prefect_server import configured_api_url
from nimeamiset.runtime import Runtime
from nimeamiset.services.events import Actor
from nimeamiset.services.launches import LaunchRefused, invitation_counts


def cmd_round_launch(args: argparse.Namespace) -> int:
    rt = runtime()
    with session_scope(rt.engine) as session:
        status_or_usage(session, args.round)
    if configured_api_url():
        return launch_through_prefect(rt, args.round)
    from flows.launch import launch_round_flow

    outcome = asyncio.run(launch_round_flow(args.round))
    print(f"lähetetty / sent: {outcome['sent']}")
    print(f"odottaa uutta yritystä / waiting for a retry: {outcome['waiting']}")
    return 0


def _progress(status: LaunchStatus) -> None:
    print(
        f"ajo / run: {status.label}; lähetetty / sent {status.counts.sent}, "
        f"odottaa / waiting {status.counts.waiting}",
        flush=True,
    )
    if status.hint:
        print(status.hint, flush=True)


def launch_through_prefect(rt: Runtime, round_id: str) -> int:
    try:
        try:
            run_id = request_launch(rt, round_id, actor=Actor.command())
        except LaunchPending as pending:
            run_id = pending.run_id
            print(f"käynnistysajo on jo kesken / a launch run is under way: {run_id}")
        except LaunchRefused:
            # Launched before: a run of the same flow retries what still waits.
            run_id = create_launch_run(round_id)
        print(f"Prefect-ajo / flow run: {run_id}", flush=True)
        final = follow_run(rt, round_id, run_id, on_change=_progress)
    except PrefectUnavailable as exc:
        print(f"nimeamiset: Prefect: {exc.reason} {HOW_TO_START}", file=sys.stderr)
        return 1
    with session_scope(rt.engine) as session:
        counts = invitation_counts(session, round_id)
    print(f"lähetetty / sent: {counts.sent}")
    print(f"odottaa uutta yritystä / waiting for a retry: {counts.waiting}")
    if final.state is not None and not final.state.completed:
        print(f"ajo päättyi tilaan / the run ended: {final.label}")
        return 1
    return 0
