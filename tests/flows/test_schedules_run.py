"""Scheduled runs are created by a real Prefect server's scheduler and executed by the
deployments `nimeamiset serve` serves: nothing here creates a flow run by hand.

Two set-ups, each a `prefect server start` (with its scheduler service) and `nimeamiset serve`
as separate processes, exactly as an operator runs them:

- the embedded default: no PREFECT_API_URL, so `nimeamiset serve` starts its own server
  (Prefect's temporary server runs no scheduler: schedules served against it never run);
- production: a Prefect server on PostgreSQL started apart, `serve` pointed at it.

With SQLAlchemy 2.1 (what a bare `pip install prefect==3.8.8` took at the time), the
scheduler fails every loop ("Can't evaluate bulk DML statement") and no scheduled run is ever
created: these tests then time out waiting for one. The schedules are every minute here
(NIMEAMISET_SWEEP_SCHEDULE / _DELIVER_SCHEDULE), so a run is due within a minute.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
from alembic import command
from sqlalchemy import text
from sqlalchemy.engine import make_url

from nimeamiset.db import make_engine
from nimeamiset.prefect_server import local_prefect_server, port_is_free
from nimeamiset.runtime import Runtime
from nimeamiset.schema import alembic_config
from tests.conftest import POSTGRES_URL, free_port, unique_suffix
from tests.flows.conftest import FlowEnv
from tests.helpers import launch, to_address

ROOT = Path(__file__).resolve().parents[2]
NIMEAMISET = Path(sys.executable).parent / "nimeamiset"
EVERY_MINUTE = "* * * * *"
# Wednesday 20.3.2024 in Helsinki, half an hour into the first reminder slot.
FIRST_SLOT = "2024-03-20T09:30:00+02:00"
# A run is due at the next whole minute; the serving process polls every 2 s; a flow run is
# a fresh Python process (some 10 s here). Three minutes leave room for a slow machine.
RUNS_TIMEOUT = 240.0
STOP_TIMEOUT = 15.0
DEPLOYMENTS = ("sweep/sweep", "deliver-outbox/deliver-outbox")


def _env(prefect_home: Path, **extra: str) -> dict[str, str]:
    """This process's environment (the flow_env NIMEAMISET_* settings among it), without the
    test harness's Prefect settings, plus ``extra``."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("PREFECT_")}
    env.update(
        PREFECT_HOME=str(prefect_home),
        PREFECT_SERVER_ANALYTICS_ENABLED="false",
        PREFECT_RUNNER_POLL_FREQUENCY="2",
        NIMEAMISET_NOW=FIRST_SLOT,
        NIMEAMISET_SWEEP_SCHEDULE=EVERY_MINUTE,
        NIMEAMISET_DELIVER_SCHEDULE=EVERY_MINUTE,
    )
    env.update(extra)
    return env


def _api(api_url: str, method: str, path: str, body: Any = None) -> Any:
    data = None if body is None else json.dumps(body).encode()
    request = urllib.request.Request(
        f"{api_url}{path}",
        data=data,
        method=method,
        headers={"Content-Type": "application/json"},
    )
    with urllib.request.urlopen(request, timeout=10) as answer:
        return json.loads(answer.read())


def _deployment_id(api_url: str, name: str) -> str | None:
    try:
        return str(_api(api_url, "GET", f"/deployments/name/{name}")["id"])
    except urllib.error.HTTPError as exc:
        if exc.code == 404:
            return None
        raise


def _flow_runs(api_url: str, deployment_id: str) -> list[dict[str, Any]]:
    body = {"flow_runs": {"deployment_id": {"any_": [deployment_id]}}, "limit": 200}
    return list(_api(api_url, "POST", "/flow_runs/filter", body))


@contextmanager
def _serving(env: dict[str, str], *args: str, log: Path) -> Iterator[subprocess.Popen[bytes]]:
    with open(log, "wb") as out:
        process = subprocess.Popen(
            [str(NIMEAMISET), "serve", *args],
            cwd=ROOT,  # the deployments' entry points are relative to the project
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
        )
        try:
            yield process
        finally:
            if process.poll() is None:
                process.send_signal(signal.SIGTERM)
                try:
                    process.wait(timeout=STOP_TIMEOUT)
                except subprocess.TimeoutExpired:
                    process.kill()
                    process.wait()


def _wait_for_api(api_url: str, process: subprocess.Popen[bytes], log: Path) -> None:
    deadline = time.monotonic() + 180
    while time.monotonic() < deadline:
        assert process.poll() is None, log.read_text(errors="replace")
        try:
            _api(api_url, "GET", "/health")
            return
        except OSError:
            time.sleep(0.5)
    pytest.fail(f"no Prefect API at {api_url}:\n{log.read_text(errors='replace')}")


def _wait_for_completed_scheduled_runs(
    api_url: str, process: subprocess.Popen[bytes], log: Path
) -> dict[str, list[dict[str, Any]]]:
    """Until each deployment has a run that the scheduler created and that completed."""
    deadline = time.monotonic() + RUNS_TIMEOUT
    runs: dict[str, list[dict[str, Any]]] = {}
    while time.monotonic() < deadline:
        assert process.poll() is None, log.read_text(errors="replace")
        for name in DEPLOYMENTS:
            found = _deployment_id(api_url, name)
            runs[name] = _flow_runs(api_url, found) if found else []
        if all(
            any(r["auto_scheduled"] and r["state_type"] == "COMPLETED" for r in runs[n])
            for n in DEPLOYMENTS
        ):
            return runs
        time.sleep(2)
    states = {n: [(r["auto_scheduled"], r["state_type"]) for r in runs[n]] for n in runs}
    pytest.fail(
        f"no completed scheduled run of each deployment within {RUNS_TIMEOUT:.0f} s: {states}\n"
        f"{log.read_text(errors='replace')[-4000:]}"
    )


def _check_runs(runs: dict[str, list[dict[str, Any]]]) -> None:
    for name in DEPLOYMENTS:
        scheduled = [r for r in runs[name] if r["auto_scheduled"]]
        # The scheduler made several ahead (every minute); none was created by hand.
        assert len(scheduled) == len(runs[name]) >= 2, (name, len(runs[name]))
        assert all(r["parameters"] == {} for r in scheduled)
        failed = [r for r in scheduled if r["state_type"] in ("FAILED", "CRASHED")]
        assert not failed, (name, [r["state_name"] for r in failed])


def _check_reminders_once(flow_env: FlowEnv, expected: set[str]) -> None:
    """The sweep's effect: each organisation still to reply reminded, once, however many
    sweeps ran in those minutes."""
    received = flow_env.smtp.received()
    addresses = [to_address(m) for m in received]
    assert sorted(addresses) == sorted(expected)
    assert all(str(m["Subject"]).startswith(("Muistutus", "Påminnelse")) for m in received)


def _launched(flow_env: FlowEnv, runtime: Runtime) -> set[str]:
    """Launch the round in this process and forget its invitations: what remains to be seen
    at the SMTP server is what the scheduled runs send."""
    # The tables were made by the fixtures (the same as the migrations make: see
    # test_migrations); `nimeamiset serve` upgrades first, so it must find them stamped.
    config = alembic_config()
    with runtime.engine.begin() as connection:
        config.attributes["connection"] = connection
        command.stamp(config, "head")
    queued, report = launch(runtime, flow_env.round_id)
    assert queued == report.sent > 0
    addresses = set(flow_env.smtp.recipients())
    flow_env.smtp.clear()
    return addresses


@pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)
def test_serve_on_the_embedded_default_runs_sweep_and_delivery_on_schedule(
    flow_env: FlowEnv, runtime: Runtime, tmp_path: Path
) -> None:
    organisations = _launched(flow_env, runtime)
    port = free_port()
    api_url = f"http://127.0.0.1:{port}/api"
    log = tmp_path / "serve.log"
    env = _env(tmp_path / "prefect-home")

    with _serving(env, "--prefect-port", str(port), log=log) as serve:
        _wait_for_api(api_url, serve, log)
        runs = _wait_for_completed_scheduled_runs(api_url, serve, log)
        serve.send_signal(signal.SIGTERM)
        serve.wait(timeout=STOP_TIMEOUT)

    _check_runs(runs)
    _check_reminders_once(flow_env, organisations)
    assert serve.returncode is not None
    assert port_is_free("127.0.0.1", port), "serve left its Prefect server running"
    assert (tmp_path / "prefect-home" / "server.log").exists()


@pytest.fixture
def prefect_postgres_url() -> Iterator[str]:
    """A database of its own for Prefect's server, as production keeps it on PostgreSQL."""
    name = f"nimeamiset_prefect_{os.getpid()}_{unique_suffix()}"
    admin = make_engine(POSTGRES_URL).execution_options(isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    url = make_url(POSTGRES_URL).set(drivername="postgresql+asyncpg", database=name)
    yield url.render_as_string(hide_password=False)
    with admin.connect() as connection:
        connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


@pytest.mark.postgres
@pytest.mark.parametrize("db_url", ["postgres"], indirect=True)
def test_a_prefect_server_on_postgresql_schedules_what_serve_serves(
    flow_env: FlowEnv,
    runtime: Runtime,
    tmp_path: Path,
    prefect_postgres_url: str,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    organisations = _launched(flow_env, runtime)
    home = tmp_path / "prefect-home"
    home.mkdir()
    server_env = _env(
        home,
        PREFECT_SERVER_DATABASE_CONNECTION_URL=prefect_postgres_url,
        PREFECT_SERVER_SERVICES_SCHEDULER_LOOP_SECONDS="5",
    )
    for name in [k for k in os.environ if k.startswith("PREFECT_")]:
        monkeypatch.delenv(name)
    for name, value in server_env.items():
        monkeypatch.setenv(name, value)
    port = free_port()
    log = tmp_path / "serve.log"

    with local_prefect_server(port=port, log_file=home / "server.log") as api_url:
        env = _env(home, PREFECT_API_URL=api_url)
        with _serving(env, log=log) as serve:
            runs = _wait_for_completed_scheduled_runs(api_url, serve, log)
        assert serve.returncode is not None

    _check_runs(runs)
    _check_reminders_once(flow_env, organisations)
