"""Launching from the staff pages as Prefect runs it: the button creates a run of the
``launch-round`` deployment that `nimeamiset serve` serves (a Runner registered with the
harness API), the Runner executes it in a process of its own, every organisation is invited
as the person who pressed the button, and the round page follows the run. The CLI, with
PREFECT_API_URL set, takes the same path and waits for the same run."""

from __future__ import annotations

import signal
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import prefect.settings
import pytest
from fastapi.testclient import TestClient
from prefect import get_client
from prefect.deployments.runner import RunnerDeployment
from prefect.exceptions import ObjectNotFound
from prefect.runner import Runner
from sqlmodel import col, select

from flows.deployments import local_deployments
from nimeamiset.cli import main
from nimeamiset.db import session_scope
from nimeamiset.launching import LAUNCH_DEPLOYMENT
from nimeamiset.models import AuditEvent, NominationRequest, Round
from nimeamiset.runtime import Runtime
from nimeamiset.schema import alembic_config
from nimeamiset.services.events import LaunchRequested, RoundStateChanged
from nimeamiset.web.app import create_app
from tests.conftest import StaffLogin, sign_in
from tests.flows.conftest import FlowEnv
from tests.flows.prefect_api import read_flow_run, run

ROOT = Path(__file__).resolve().parents[2]
ROUND_PAGE = "/henkilosto/testiryhma"
LAUNCH_PAGE = f"{ROUND_PAGE}/kaynnista"
ORGANISATIONS = 5


def launch_deployment() -> RunnerDeployment:
    (found,) = [d for d in local_deployments() if d.name == "launch-round"]
    return found


async def forget_launch_deployment() -> None:
    """Start from an API without the deployment (test_deploy.py's `prefect deploy` makes one
    on a work pool no worker serves here)."""
    async with get_client() as client:
        try:
            found = await client.read_deployment_by_name(LAUNCH_DEPLOYMENT)
        except ObjectNotFound:
            return
        await client.delete_deployment(found.id)


async def execute_due_runs(runner: Runner) -> None:
    """One poll of the Runner, as `nimeamiset serve` polls: it runs what is due and returns
    when those runs have finished."""
    previous = signal.getsignal(signal.SIGTERM)  # the Runner takes SIGTERM over
    try:
        await runner.start(run_once=True)
    finally:
        signal.signal(signal.SIGTERM, previous)


def stamp_migrations(rt: Runtime) -> None:
    """The test's schema was made from the models: tell Alembic it is current, so that the
    CLI's `db upgrade` at start leaves it be."""
    from alembic import command

    config = alembic_config()
    with rt.engine.begin() as connection:
        config.attributes["connection"] = connection
        command.stamp(config, "head")


def round_row(rt: Runtime) -> Round:
    with session_scope(rt.engine) as session:
        found = session.get(Round, "testiryhma")
        assert found is not None
        session.expunge(found)
        return found


@pytest.fixture
def prefect_api_url(monkeypatch: pytest.MonkeyPatch) -> str:
    """The harness's API, also in the environment: where the web app and the CLI find it."""
    url = str(prefect.settings.PREFECT_API_URL.value())
    monkeypatch.setenv("PREFECT_API_URL", url)
    return url


@pytest.fixture
def client(runtime: Runtime) -> Iterator[TestClient]:
    with TestClient(create_app(runtime=runtime), follow_redirects=False) as c:
        yield c


# SQLite only: the run is a Python process of its own (some 8 s), as in the sweep's test.
@pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)
@pytest.mark.usefixtures("prefect_api_url")
def test_the_launch_button_runs_the_deployment_and_the_round_page_follows_it(
    flow_env: FlowEnv,
    runtime: Runtime,
    client: TestClient,
    staff_account: StaffLogin,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.chdir(ROOT)  # entry points are relative to where the deployment is made
    csrf = sign_in(client, staff_account.email, staff_account.password)
    run(forget_launch_deployment())

    # Prefect answers, but nobody serves the deployment: nothing is launched.
    missing = client.post(LAUNCH_PAGE, data={"csrf": csrf})
    assert missing.status_code == 503
    assert f"Ajopalvelussa ei ole käyttöönottoa {LAUNCH_DEPLOYMENT}." in missing.text
    assert round_row(runtime).launch_run_id is None

    runner = Runner(name="launch-test", pause_on_shutdown=False)
    run(runner.aadd_deployment(launch_deployment()))
    assert "Pyyntö lähetetään 5 organisaatiolle." in client.get(LAUNCH_PAGE).text

    launched = client.post(LAUNCH_PAGE, data={"csrf": csrf})

    assert launched.status_code == 303
    assert launched.headers["location"] == f"{ROUND_PAGE}?tehty=kaynnista#kaynnistys"
    run_id = round_row(runtime).launch_run_id
    assert run_id is not None
    flow_run = run(read_flow_run(run_id))
    # Only ids: the round's, and the account's of the person who pressed the button.
    assert flow_run.parameters == {"round_id": "testiryhma", "requested_by": staff_account.id}
    waiting = client.get(launched.headers["location"]).text
    assert "Kierroksen käynnistys pyydettiin ajopalvelulta." in waiting
    assert "Käynnistysajo: Ajastettu. Kutsuja lähetetty 0, odottaa 0." in waiting
    assert 'data-final="false"' in waiting
    twice = client.post(LAUNCH_PAGE, data={"csrf": csrf})
    assert twice.status_code == 409 and "käynnistys on jo pyydetty" in twice.text

    # The CLI, on the same path, finds the run going and waits for it.
    stamp_migrations(runtime)
    cli: dict[str, Any] = {}
    waiter = threading.Thread(
        target=lambda: cli.update(code=main(["round", "launch", "testiryhma"])), daemon=True
    )
    waiter.start()

    run(execute_due_runs(runner))

    waiter.join(timeout=60)
    assert not waiter.is_alive(), "the CLI did not see the run finish"
    out = capsys.readouterr().out
    assert cli["code"] == 0, out
    assert f"käynnistysajo on jo kesken / a launch run is under way: {run_id}" in out
    assert "lähetetty / sent: 5\nodottaa uutta yritystä / waiting for a retry: 0" in out

    finished = run(read_flow_run(run_id))
    assert finished.state is not None and finished.state.is_completed(), finished.state
    assert sorted(flow_env.smtp.recipients()) == sorted(
        [
            "kansli@sfv.example.fi",
            "kirjaamo@asikkala.example.fi",
            "kirjaamo@ely.example.fi",
            "kirjaamo@hartola.example.fi",
            "kirjaamo@kela.example.fi",
        ]
    )
    page = client.get(ROUND_PAGE).text
    assert "Käynnistysajo: Valmis. Kutsuja lähetetty 5, odottaa 0." in page
    assert 'data-final="true"' in page and "launch-status.js" not in page
    assert "Käynnistä kierros" not in page
    polled = client.get(f"{ROUND_PAGE}/kaynnistys.json").json()
    assert (polled["state"], polled["final"], polled["sent"]) == ("COMPLETED", True, 5)

    with session_scope(runtime.engine) as session:
        states = set(
            session.exec(
                select(NominationRequest.state).where(NominationRequest.round_id == "testiryhma")
            ).all()
        )
        events = session.exec(
            select(AuditEvent.kind, AuditEvent.actor)
            .where(col(AuditEvent.kind).in_((LaunchRequested.kind, RoundStateChanged.kind)))
            .order_by(col(AuditEvent.id))
        ).all()
    assert states == {"invited"}
    staff = f"staff:{staff_account.email}"
    assert events == [(LaunchRequested.kind, staff), (RoundStateChanged.kind, staff)]
    assert round_row(runtime).state == "launched"
