"""The Prefect API the schedules run on, for the embedded default.

Prefect's temporary server (the one a flow call starts when ``PREFECT_API_URL`` is unset) runs
no scheduler: deployments served against it keep their schedules on paper, and no sweep or
delivery ever runs. So ``nimeamiset serve`` and the demo, when no API is configured, start a
real ``prefect server start`` of their own on 127.0.0.1, with its scheduler, and stop it when
they stop. With ``PREFECT_API_URL`` set, that server (the council's own) is used as it is.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

DEFAULT_PORT = 4200  # Prefect's own default: its UI's links and documentation assume it
STARTUP_TIMEOUT = 180.0  # seconds; a first start migrates the database, slow on a busy machine


class PrefectServerError(RuntimeError):
    """The local Prefect server could not be started; the message says why and what to do."""


def configured_api_url() -> str | None:
    """The Prefect API the operator configured (environment or Prefect profile), if any."""
    from prefect.settings import PREFECT_API_URL

    return os.environ.get("PREFECT_API_URL") or PREFECT_API_URL.value() or None


def port_is_free(host: str, port: int) -> bool:
    """Nobody listens there (connections left in TIME_WAIT do not count, as for uvicorn)."""
    with socket.socket() as sock:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            sock.bind((host, port))
        except OSError:
            return False
    return True


def _healthy(api_url: str) -> bool:
    try:
        with urllib.request.urlopen(f"{api_url}/health", timeout=2) as answer:  # noqa: S310
            return bool(answer.status == 200)
    except (urllib.error.URLError, OSError):
        return False


@contextmanager
def local_prefect_server(
    *, host: str = "127.0.0.1", port: int = DEFAULT_PORT, log_file: Path | None = None
) -> Iterator[str]:
    """Start ``prefect server start`` (scheduler included) and yield its API URL.

    The server keeps its database under ``PREFECT_HOME`` (``~/.prefect`` unless set), so
    flow runs and schedules survive a restart. Its output goes to ``log_file``."""
    if not port_is_free(host, port):
        raise PrefectServerError(
            f"port {port} on {host} is taken: another Prefect server or program uses it. "
            f"Choose another with --prefect-port, or point PREFECT_API_URL at a running server."
        )
    api_url = f"http://{host}:{port}/api"
    env = {
        **os.environ,
        "PREFECT_SERVER_API_HOST": host,
        "PREFECT_SERVER_API_PORT": str(port),
        "PREFECT_SERVER_ANALYTICS_ENABLED": "false",
        # The UI's own links point here.
        "PREFECT_UI_API_URL": api_url,
    }
    env.pop("PREFECT_API_URL", None)
    out = open(log_file, "ab") if log_file is not None else subprocess.DEVNULL
    process = subprocess.Popen(  # noqa: S603
        [sys.executable, "-m", "prefect", "server", "start", "--host", host, "--port", str(port)],
        env=env,
        stdout=out,
        stderr=subprocess.STDOUT,
        stdin=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + STARTUP_TIMEOUT
        while not _healthy(api_url):
            if process.poll() is not None:
                where = f" (see {log_file})" if log_file is not None else ""
                raise PrefectServerError(
                    f"the Prefect server stopped at start-up with status {process.returncode}"
                    f"{where}"
                )
            if time.monotonic() > deadline:
                raise PrefectServerError(
                    f"the Prefect server did not answer at {api_url} within {STARTUP_TIMEOUT:.0f} s"
                )
            time.sleep(0.5)
        yield api_url
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        if log_file is not None:
            out.close()  # type: ignore[union-attr]


@contextmanager
def prefect_api(
    *, host: str = "127.0.0.1", port: int = DEFAULT_PORT, log_file: Path | None = None
) -> Iterator[str]:
    """The configured Prefect API, or a local server of our own started for the duration.

    Inside, ``PREFECT_API_URL`` points at it, for this process (Prefect's settings context)
    and for the flow-run processes it starts (the environment)."""
    from prefect.settings import PREFECT_API_URL, temporary_settings

    configured = configured_api_url()
    if configured:
        yield configured
        return
    with local_prefect_server(host=host, port=port, log_file=log_file) as api_url:
        os.environ["PREFECT_API_URL"] = api_url
        try:
            with temporary_settings(updates={PREFECT_API_URL: api_url}):
                yield api_url
        finally:
            os.environ.pop("PREFECT_API_URL", None)
