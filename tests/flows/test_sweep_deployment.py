"""The sweep deployment `nimeamiset serve` serves, run as Prefect runs it: registered with the
harness API by a Runner, a flow run created through the API, picked up by the Runner's poll
and executed in a subprocess of its own (`python -m prefect.engine`) that only has the
environment to go by."""

from __future__ import annotations

import signal
from email.message import EmailMessage
from pathlib import Path
from uuid import UUID

import pytest
from prefect import get_client
from prefect.client.schemas.objects import FlowRun, StateType
from prefect.client.schemas.responses import DeploymentResponse
from prefect.client.schemas.schedules import CronSchedule
from prefect.deployments import arun_deployment
from prefect.deployments.runner import RunnerDeployment
from prefect.exceptions import ObjectNotFound
from prefect.runner import Runner

from flows.deployments import local_deployments
from flows.sweep import sweep_flow
from nimeamiset.runtime import Runtime
from tests.flows.conftest import FlowEnv
from tests.flows.prefect_api import read_flow_run, read_logs, run
from tests.helpers import launch, to_address

ROOT = Path(__file__).resolve().parents[2]
SWEEP = f"{sweep_flow.name}/sweep"
# Wednesday 20.3.2024 in Helsinki, half an hour into the first reminder slot.
FIRST_SLOT = "2024-03-20T09:30:00+02:00"
# Organisation address: the subject its reminder starts with (in its own language).
REMINDED = {
    "kirjaamo@asikkala.example.fi": "Muistutus",
    "kirjaamo@hartola.example.fi": "Muistutus",
    "kirjaamo@ely.example.fi": "Muistutus",
    "kirjaamo@kela.example.fi": "Muistutus",
    "kansli@sfv.example.fi": "Påminnelse",
}


def sweep_deployment() -> RunnerDeployment:
    (found,) = [d for d in local_deployments() if d.name == "sweep"]
    return found


async def run_deployment_once(deployment: RunnerDeployment) -> FlowRun:
    """What `nimeamiset serve` does with the deployment (a Runner registers it and polls for
    its runs), for one poll: a flow run created through the API as a schedule or
    `prefect deployment run` would create it, executed and awaited; then read back."""
    runner = Runner(name="sweep-test", pause_on_shutdown=False)
    await runner.aadd_deployment(deployment)
    created = await arun_deployment(SWEEP, timeout=0)
    assert created.state is not None and created.state.is_scheduled(), created.state
    # The Runner takes SIGTERM over for its own shutdown; give pytest its handler back.
    previous = signal.getsignal(signal.SIGTERM)
    try:
        await runner.start(run_once=True)  # one poll; returns when its runs have finished
    finally:
        signal.signal(signal.SIGTERM, previous)
    return await read_flow_run(created.id)


async def forget_sweep_deployment() -> None:
    """Start from an API that has no sweep deployment, as a first `nimeamiset serve` meets it.

    (test_deploy.py's `prefect deploy` makes one whose schedule has a slug; updating that
    with `local_deployments()`' slug-less schedule is refused with a 422.)"""
    async with get_client() as client:
        try:
            found = await client.read_deployment_by_name(SWEEP)
        except ObjectNotFound:
            return
        await client.delete_deployment(found.id)


async def read_sweep_deployment() -> DeploymentResponse:
    async with get_client() as client:
        return await client.read_deployment_by_name(SWEEP)


def reminders(messages: list[EmailMessage]) -> dict[str, str]:
    """Address: subject, for every message received (one per address, or the test fails)."""
    found = {to_address(m): str(m["Subject"]) for m in messages}
    assert len(found) == len(messages), [to_address(m) for m in messages]
    return found


def assert_completed(flow_run: FlowRun, deployment_id: UUID) -> None:
    assert flow_run.deployment_id == deployment_id
    assert flow_run.state is not None
    assert flow_run.state.type == StateType.COMPLETED, flow_run.state
    assert flow_run.parameters == {}


# SQLite only: each run of the deployment is a new Python process (some 8 s); PostgreSQL
# would double that for nothing Prefect does differently (tests/integration covers both).
@pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)
def test_sweep_deployment_run_by_a_runner_sends_each_due_reminder_once(
    flow_env: FlowEnv, runtime: Runtime, monkeypatch: pytest.MonkeyPatch
) -> None:
    queued, report = launch(runtime, flow_env.round_id)
    assert queued == len(REMINDED) and report.sent == len(REMINDED)
    flow_env.smtp.clear()
    flow_env.set_now(FIRST_SLOT)  # the subprocess inherits this process's environment
    monkeypatch.chdir(ROOT)  # entry points are relative to where the deployment is made
    deployment = sweep_deployment()
    run(forget_sweep_deployment())

    first = run(run_deployment_once(deployment))

    stored = run(read_sweep_deployment())
    assert_completed(first, stored.id)
    # As stored in the API: hourly 9-17 on weekdays, Helsinki time, and nothing else.
    assert stored.entrypoint == "flows/sweep.py:sweep_flow"
    assert stored.parameters == {}
    assert [
        (s.schedule.cron, s.schedule.timezone, s.active)
        for s in stored.schedules
        if isinstance(s.schedule, CronSchedule)
    ] == [("0 9-17 * * 1-5", "Europe/Helsinki", True)]
    assert len(stored.schedules) == 1
    received = flow_env.smtp.received()
    subjects = reminders(received)
    assert set(subjects) == set(REMINDED)
    for address, subject in subjects.items():
        assert subject.startswith(REMINDED[address]), (address, subject)
    assert sorted(flow_env.smtp.recipients()) == sorted(REMINDED)
    logs = run(read_logs(first.id, containing="sweep:"))
    assert any(
        "5 reminders, 0 staff summaries, 0 rosters queued; 5 sent, 0 waiting" in log.message
        for log in logs
    ), [log.message for log in logs]

    # Again at the same moment (another hourly run, or one started by hand): nothing more.
    second = run(run_deployment_once(deployment))

    assert second.id != first.id
    assert_completed(second, stored.id)
    assert len(flow_env.smtp.received()) == len(REMINDED)
