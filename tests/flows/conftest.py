"""Prefect under its test harness: one temporary API server for the whole session, its own
PREFECT_HOME, no telemetry; the flows pointed at the test database and SMTP server through
the same ``NIMEAMISET_*`` variables a worker reads.

The fixtures apply to tests in ``tests/flows`` only; PREFECT_HOME (a temporary directory) and
PREFECT_SERVER_ANALYTICS_ENABLED=false are set in the environment as soon as this file is
loaded, and stay set for the session.
"""

from __future__ import annotations

import atexit
import json
import os
import shutil
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

# Before anything imports prefect: importing it creates PREFECT_HOME (``~/.prefect`` by
# default) and reads the profiles file there. The test modules next to this file import the
# flows, hence prefect, at collection time, so this has to happen when this file is loaded.
# (They stay set for the rest of the session: no test anywhere touches ~/.prefect.)
_PREFECT_HOME = Path(tempfile.mkdtemp(prefix="nimeamiset-prefect-home-"))
atexit.register(shutil.rmtree, _PREFECT_HOME, ignore_errors=True)
os.environ["PREFECT_HOME"] = str(_PREFECT_HOME)
os.environ["PREFECT_SERVER_ANALYTICS_ENABLED"] = "false"

import pytest  # noqa: E402
from pydantic import SecretStr  # noqa: E402

from nimeamiset.config import Settings  # noqa: E402
from nimeamiset.runtime import _engine_for  # noqa: E402
from tests.conftest import LAUNCH_TIME, SmtpServer, free_port  # noqa: E402

HARNESS_STARTUP_TIMEOUT = 180  # seconds; a cold start on a loaded CI machine can be slow
BATCH_SIZE = 2


@pytest.hookimpl(tryfirst=True)  # before `-m` selects on the mark
def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    here = Path(__file__).parent
    for item in items:
        if here in Path(str(item.fspath)).parents:
            item.add_marker(pytest.mark.flows)


@pytest.fixture(scope="session", autouse=True)
def prefect_harness() -> Iterator[None]:
    """One Prefect API server (SQLite, subprocess) for every flow test of the session.

    Started by the first test in tests/flows, stopped at the end of the session."""
    import prefect.settings
    from prefect.testing.utilities import prefect_test_harness

    updates = {
        prefect.settings.PREFECT_HOME: _PREFECT_HOME,
        prefect.settings.PREFECT_SERVER_ANALYTICS_ENABLED: False,
        prefect.settings.PREFECT_PROFILES_PATH: _PREFECT_HOME / "profiles.toml",
        prefect.settings.PREFECT_LOCAL_STORAGE_PATH: _PREFECT_HOME / "storage",
        # Nothing in these flows should persist results; say so rather than inherit it.
        prefect.settings.PREFECT_RESULTS_PERSIST_BY_DEFAULT: False,
    }
    with (
        prefect.settings.temporary_settings(updates=updates),
        prefect_test_harness(server_startup_timeout=HARNESS_STARTUP_TIMEOUT),
    ):
        yield


def _forget_engines(url: str) -> None:
    """Drop the engine the tasks cached for this URL, so a recreated schema starts clean."""
    if _engine_for.cache_info().currsize:
        _engine_for(url).dispose()
    _engine_for.cache_clear()


@dataclass
class FlowEnv:
    """What the flows see through the environment, and knobs to change it mid-test."""

    monkeypatch: pytest.MonkeyPatch
    round_id: str
    smtp: SmtpServer
    db_url: str

    def smtp_down(self) -> None:
        """Point the flows at a port nothing listens on."""
        self.monkeypatch.setenv("NIMEAMISET_SMTP_PORT", str(free_port()))

    def smtp_up(self) -> None:
        self.monkeypatch.setenv("NIMEAMISET_SMTP_PORT", str(self.smtp.port))

    def set_now(self, iso: str) -> None:
        self.monkeypatch.setenv("NIMEAMISET_NOW", iso)


def _as_env(settings: Settings) -> dict[str, str]:
    """The settings the ``settings`` fixture was given, as NIMEAMISET_* variables."""
    env: dict[str, str] = {}
    for name in sorted(settings.model_fields_set):
        value = getattr(settings, name)
        if value is None:
            continue
        if isinstance(value, SecretStr):
            value = value.get_secret_value()
        elif isinstance(value, datetime):
            value = value.isoformat()
        elif isinstance(value, list | dict):
            value = json.dumps(value)
        env[f"NIMEAMISET_{name.upper()}"] = str(value)
    return env


@pytest.fixture
def flow_env(
    monkeypatch: pytest.MonkeyPatch,
    settings: Settings,
    smtp_server: SmtpServer,
    round_id: str,
    tmp_path: Path,
) -> Iterator[FlowEnv]:
    """A draft round in a fresh database, and the NIMEAMISET_* variables pointing at it, so
    that the tasks' ``build_runtime()`` sees what the ``runtime`` fixture sees (the same
    database, SMTP server, clock and link key)."""
    for name in list(os.environ):
        if name.startswith("NIMEAMISET_") and name != "NIMEAMISET_TEST_POSTGRES_URL":
            monkeypatch.delenv(name)
    env = {
        # Never var/secret.key under the working directory (SECRET_KEY wins when given).
        "NIMEAMISET_SECRET_KEY_FILE": str(tmp_path / "secret.key"),
        **_as_env(settings),
        "NIMEAMISET_DATABASE_URL": settings.database_url,
        "NIMEAMISET_SMTP_HOST": "127.0.0.1",
        "NIMEAMISET_SMTP_PORT": str(smtp_server.port),
        "NIMEAMISET_SMTP_SECURITY": "none",
        "NIMEAMISET_SMTP_TIMEOUT": "5",
        "NIMEAMISET_BASE_URL": "http://testserver",
        "NIMEAMISET_NOW": LAUNCH_TIME.isoformat(),
        "NIMEAMISET_SEND_BATCH_SIZE": str(BATCH_SIZE),
        "NIMEAMISET_SEND_CONCURRENCY": "2",
    }
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    # The flows see what the runtime sees, but for these.
    differences = {"smtp_timeout": 5.0, "send_batch_size": BATCH_SIZE, "send_concurrency": 2}
    if "secret_key_file" not in settings.model_fields_set:
        differences["secret_key_file"] = tmp_path / "secret.key"
    assert Settings().model_dump() == {**settings.model_dump(), **differences}
    _fast_retries(monkeypatch)
    _forget_engines(settings.database_url)
    yield FlowEnv(
        monkeypatch=monkeypatch, round_id=round_id, smtp=smtp_server, db_url=settings.database_url
    )
    _forget_engines(settings.database_url)


def _fast_retries(monkeypatch: pytest.MonkeyPatch) -> None:
    """Keep the tasks' retries, drop their waits: a failing test fails in seconds, not after
    the production back-off of several minutes."""
    from flows import launch, tasks

    for task_ in (tasks.deliver_batch, tasks.count_waiting, launch.queue_invitations):
        monkeypatch.setattr(task_, "retry_delay_seconds", 0)
