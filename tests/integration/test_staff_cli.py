"""``nimeamiset staff``: add, list, disable, enable, reset, in process and as a real process
with a password piped in, against SQLite and PostgreSQL."""

from __future__ import annotations

import io
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlmodel import SQLModel

from nimeamiset.cli import main
from nimeamiset.db import session_scope
from nimeamiset.runtime import Runtime
from nimeamiset.schema import upgrade
from nimeamiset.services.staff_accounts import authenticate, list_accounts
from nimeamiset.web.app import create_app
from tests.conftest import sign_in

EMAIL = "tarja.parviainen@paijat-hame.example.fi"
PASSWORD = "Kunnat ja kuntayhtymät 2024"
NIMEAMISET = str(Path(sys.executable).parent / "nimeamiset")
LINK = re.compile(r"^https://nimeamiset\.example\.fi/henkilosto/aseta-salasana/([\w-]{40,})$")


class Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


@pytest.fixture
def env(monkeypatch: pytest.MonkeyPatch, runtime: Runtime) -> Runtime:
    """Settings in the environment; the schema made by the migrations, as in production."""
    SQLModel.metadata.drop_all(runtime.engine)
    upgrade(runtime.engine)
    s = runtime.settings
    monkeypatch.setenv("NIMEAMISET_DATABASE_URL", s.database_url)
    monkeypatch.setenv("NIMEAMISET_BASE_URL", "https://nimeamiset.example.fi")
    monkeypatch.setenv("NIMEAMISET_NOW", "2024-03-12T10:00:00+02:00")
    assert s.secret_key is not None
    monkeypatch.setenv("NIMEAMISET_SECRET_KEY", s.secret_key.get_secret_value())
    return runtime


def run(
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    *argv: str,
    stdin: io.StringIO | None = None,
) -> tuple[int, str, str]:
    monkeypatch.setattr(sys, "stdin", stdin if stdin is not None else Terminal())
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def setup_link(out: str) -> str:
    links = [m.group(1) for line in out.splitlines() if (m := LINK.match(line))]
    assert len(links) == 1, out
    return links[0]


def test_add_from_a_terminal_prints_a_one_time_link_that_works(
    env: Runtime, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, _ = run(monkeypatch, capsys, "staff", "add", EMAIL.upper(), "--name", "Tarja P")
    assert code == 0 and EMAIL in out and "koordinaattori" in out
    assert "voimassa 13.3.2024 klo 10 asti" in out
    token = setup_link(out)
    with TestClient(create_app(runtime=env)) as client:
        assert client.get(f"/henkilosto/aseta-salasana/{token}").status_code == 200


def test_add_with_nothing_on_standard_input_prints_a_link(
    env: Runtime, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """Run from a script with stdin closed (cron, </dev/null): a link, not an empty password."""
    code, out, _ = run(
        monkeypatch, capsys, "staff", "add", EMAIL, "--name", "Tarja P", stdin=io.StringIO("")
    )
    assert code == 0
    assert setup_link(out)


def test_add_with_a_piped_password_and_the_other_commands(
    env: Runtime, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    piped = io.StringIO(PASSWORD + "\n")
    code, out, _ = run(
        monkeypatch, capsys, "staff", "add", EMAIL, "--name", "Tarja", "--role", "viewer",
        stdin=piped,
    )  # fmt: skip
    assert code == 0 and "lukuoikeus" in out and "aseta-salasana" not in out
    with session_scope(env.engine) as session:
        assert authenticate(session, EMAIL, PASSWORD) is not None

    code, out, _ = run(monkeypatch, capsys, "staff", "list")
    assert code == 0 and f"{EMAIL}\tTarja\tlukuoikeus\tkäytössä" in out

    code, out, _ = run(monkeypatch, capsys, "staff", "reset", EMAIL)
    assert code == 0 and setup_link(out)
    with session_scope(env.engine) as session:
        assert authenticate(session, EMAIL, PASSWORD) is None  # the old password is gone

    code, out, _ = run(monkeypatch, capsys, "staff", "disable", EMAIL)
    assert code == 0
    code, out, _ = run(monkeypatch, capsys, "staff", "list")
    assert "poistettu käytöstä" in out
    code, _, err = run(monkeypatch, capsys, "staff", "reset", EMAIL)
    assert code == 2 and "disabled" in err
    assert run(monkeypatch, capsys, "staff", "enable", EMAIL)[0] == 0
    with session_scope(env.engine) as session:
        assert [a.active for a in list_accounts(session)] == [True]


@pytest.mark.parametrize(
    ("argv", "stdin", "message"),
    [
        (("staff", "add", "eka@example.fi", "--name", "Eka"), "lyhyt\n", "12"),
        (("staff", "add", "toka@example.fi", "--name", "Toka"), "\n", "12"),
        (("staff", "add", "EXISTS@example.fi", "--name", "Kolmas"), None, "exists"),
        (("staff", "disable", "ei-ole@example.fi"), None, "no staff account"),
        (("staff", "reset", "ei-ole@example.fi"), None, "no staff account"),
        (("staff", "add", "ei osoite", "--name", "Neljäs"), None, "not an email"),
    ],
)
def test_bad_input_exits_2_with_a_clear_message(
    env: Runtime,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    argv: tuple[str, ...],
    stdin: str | None,
    message: str,
) -> None:
    run(monkeypatch, capsys, "staff", "add", "exists@example.fi", "--name", "Olemassa")
    code, out, err = run(
        monkeypatch, capsys, *argv, stdin=None if stdin is None else io.StringIO(stdin)
    )
    assert code == 2 and message in err and not out
    assert err.startswith("nimeamiset: ") and "Traceback" not in err


def test_a_password_piped_to_the_real_command_signs_in(env: Runtime) -> None:
    environment = {**os.environ, "NIMEAMISET_SMTP_PORT": str(env.settings.smtp_port)}
    done = subprocess.run(
        [NIMEAMISET, "staff", "add", EMAIL, "--name", "Tarja"],
        input=PASSWORD + "\n",
        capture_output=True,
        text=True,
        env=environment,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert "aseta-salasana" not in done.stdout
    with TestClient(create_app(runtime=env)) as client:
        sign_in(client, EMAIL, PASSWORD)
