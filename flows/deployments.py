"""The deployments `nimeamiset serve` (and the demo) serve in-process, without a worker.

The same three as deploy/prefect.yaml: launch on demand, the sweep hourly on weekdays
9-17 Helsinki time, delivery of whatever is due every 15 minutes.
"""

from __future__ import annotations

from prefect.deployments.runner import RunnerDeployment
from prefect.schedules import Cron

from flows.assemble import assemble_roster_flow
from flows.deliver import deliver_outbox_flow
from flows.launch import launch_round_flow
from flows.sweep import sweep_flow

TIMEZONE = "Europe/Helsinki"
# The same slugs as deploy/prefect.yaml: a server that has the deployments from 'prefect
# deploy' refuses schedules without slugs when 'nimeamiset serve' registers them again.
SWEEP_CRON = "0 9-17 * * 1-5"
DELIVER_CRON = "*/15 * * * *"


def local_deployments(
    *, sweep_cron: str = SWEEP_CRON, deliver_cron: str = DELIVER_CRON
) -> list[RunnerDeployment]:
    """The deployments, with the sweep's and delivery's crons as configured
    (``NIMEAMISET_SWEEP_SCHEDULE``, ``NIMEAMISET_DELIVER_SCHEDULE``; the defaults are the
    prefect.yaml's)."""
    return [
        RunnerDeployment.from_flow(launch_round_flow, name="launch-round"),
        RunnerDeployment.from_flow(assemble_roster_flow, name="assemble-roster"),
        RunnerDeployment.from_flow(
            sweep_flow,
            name="sweep",
            schedules=[Cron(sweep_cron, timezone=TIMEZONE, slug="weekdays-9-17")],
        ),
        RunnerDeployment.from_flow(
            deliver_outbox_flow,
            name="deliver-outbox",
            schedules=[Cron(deliver_cron, timezone=TIMEZONE, slug="every-15-minutes")],
        ),
    ]
