"""Shared fixtures: databases (SQLite and PostgreSQL), a real SMTP server, the test cast."""

from __future__ import annotations

import email
import email.policy
import os
import re
import socket
import threading
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from email.message import EmailMessage
from pathlib import Path
from typing import Any

import pytest
from aiosmtpd.controller import Controller
from sqlalchemy import text
from sqlalchemy.engine import Engine, make_url
from sqlmodel import SQLModel, select

from nimeamiset.config import Settings
from nimeamiset.db import make_engine, session_scope
from nimeamiset.domain.roundfile import parse_round_file
from nimeamiset.domain.tokens import hash_token
from nimeamiset.models import StaffSession
from nimeamiset.runtime import Runtime, build_runtime
from nimeamiset.services.rounds import create_round
from nimeamiset.services.staff_accounts import add_account
from nimeamiset.web.auth import SESSION_COOKIE
from tests.helpers import TESTER

FIXTURES = Path(__file__).parent / "fixtures"
ROUND_FILE = FIXTURES / "round.yaml"
ROUND_ID = "testiryhma"
POSTGRES_URL = os.environ.get(
    "NIMEAMISET_TEST_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/test"
)
IN_CI = os.environ.get("CI") == "true"

# 12.3.2024 10:00 in Helsinki: the day the seed letter went out.
LAUNCH_TIME = datetime.fromisoformat("2024-03-12T10:00:00+02:00")
BEFORE_DEADLINE = datetime.fromisoformat("2024-03-20T14:30:00+02:00")
AFTER_DEADLINE = datetime.fromisoformat("2024-03-28T00:00:01+02:00")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class _Inbox:
    def __init__(self) -> None:
        self.messages: list[tuple[list[str], bytes]] = []
        self.refused: dict[str, str] = {}  # address (lower case) -> the SMTP reply refusing it
        self.lock = threading.Lock()

    async def handle_RCPT(
        self, server: Any, session: Any, envelope: Any, address: str, rcpt_options: list[str]
    ) -> str:
        with self.lock:
            refusal = self.refused.get(address.lower())
        if refusal is not None:
            return refusal
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        with self.lock:
            self.messages.append((list(envelope.rcpt_tos), envelope.original_content))
        return "250 OK"


class SmtpServer:
    """A real SMTP server (aiosmtpd) on 127.0.0.1 that keeps what it receives."""

    def __init__(self) -> None:
        self.inbox = _Inbox()
        self.port = free_port()
        self.controller = Controller(self.inbox, hostname="127.0.0.1", port=self.port)

    def received(self) -> list[EmailMessage]:
        with self.inbox.lock:
            raw = [content for _, content in self.inbox.messages]
        return [email.message_from_bytes(r, policy=email.policy.default) for r in raw]  # type: ignore[misc]

    def recipients(self) -> list[str]:
        with self.inbox.lock:
            return [to for tos, _ in self.inbox.messages for to in tos]

    def clear(self) -> None:
        with self.inbox.lock:
            self.inbox.messages.clear()

    def refuse(self, address: str, reply: str = "550 5.1.1 No such user here") -> None:
        """Answer RCPT TO for this address with a permanent refusal, as a real server does
        for a mailbox that does not exist."""
        with self.inbox.lock:
            self.inbox.refused[address.lower()] = reply


@pytest.fixture
def smtp_server() -> Iterator[SmtpServer]:
    server = SmtpServer()
    server.controller.start()
    yield server
    server.controller.stop()


def _postgres_available() -> bool:
    url = make_url(POSTGRES_URL)
    try:
        with socket.create_connection((url.host or "127.0.0.1", url.port or 5432), timeout=2):
            return True
    except OSError:
        return False


def _fresh_schema(engine: Engine) -> None:
    with engine.begin() as connection:
        SQLModel.metadata.drop_all(connection)
        connection.execute(text("DROP TABLE IF EXISTS alembic_version"))
        SQLModel.metadata.create_all(connection)


@pytest.fixture(scope="session")
def postgres_url() -> Iterator[str]:
    """A database of this test run's own on the PostgreSQL server, dropped at the end, so that
    test runs side by side (or a developer's and CI's) never share tables."""
    if not _postgres_available():
        if IN_CI:
            pytest.fail(f"PostgreSQL at {POSTGRES_URL} is required in CI and not reachable")
        pytest.skip(f"PostgreSQL at {POSTGRES_URL} not reachable (start it: see README)")
    name = f"nimeamiset_test_{os.getpid()}_{unique_suffix()}"
    admin = make_engine(POSTGRES_URL).execution_options(isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    yield make_url(POSTGRES_URL).set(database=name).render_as_string(hide_password=False)
    with admin.connect() as connection:
        connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'test.db'}"
    return str(request.getfixturevalue("postgres_url"))


@pytest.fixture
def engine(db_url: str) -> Iterator[Engine]:
    engine = make_engine(db_url)
    _fresh_schema(engine)
    yield engine
    engine.dispose()


@pytest.fixture
def settings(db_url: str, smtp_server: SmtpServer, tmp_path: Path) -> Settings:
    return Settings(
        database_url=db_url,
        smtp_host="127.0.0.1",
        smtp_port=smtp_server.port,
        mail_from="Päijät-Hämeen liitto <kirjaamo@paijat-hame.example.fi>",
        base_url="http://testserver",  # type: ignore[arg-type]
        now=LAUNCH_TIME,
        secret_key="test-key-" + "k" * 40,  # type: ignore[arg-type]
    )


@pytest.fixture
def runtime(settings: Settings, engine: Engine) -> Runtime:
    rt = build_runtime(settings)
    return Runtime(settings=settings, engine=engine, mail=rt.mail, sender=rt.sender)


def at(rt: Runtime, moment: datetime) -> Runtime:
    """The same runtime with the clock moved."""
    settings = rt.settings.model_copy(update={"now": moment})
    return Runtime(settings=settings, engine=rt.engine, mail=rt.mail, sender=rt.sender)


@pytest.fixture
def round_id(runtime: Runtime) -> str:
    spec = parse_round_file(ROUND_FILE.read_text(encoding="utf-8"))
    with session_scope(runtime.engine) as session:
        return create_round(session, spec, actor=TESTER, now=runtime.now()).id


# --- staff accounts ----------------------------------------------------------------------------

STAFF_EMAIL = "koordinaattori@paijat-hame.example.fi"
VIEWER_EMAIL = "katsoja@paijat-hame.example.fi"
STAFF_PASSWORD = "Hämeen härkätie 2024 ✓"  # any Unicode works, at least 12 characters


@dataclass(frozen=True)
class StaffLogin:
    id: int
    email: str
    password: str
    role: str


def make_staff_account(
    rt: Runtime,
    email: str = STAFF_EMAIL,
    *,
    role: str = "coordinator",
    password: str = STAFF_PASSWORD,
    name: str = "Kaisa Koordinaattori",
) -> StaffLogin:
    with session_scope(rt.engine) as session:
        account, _ = add_account(
            session, email=email, name=name, role=role, now=rt.now(), password=password
        )
    return StaffLogin(id=account.id, email=account.email, password=password, role=role)


@pytest.fixture
def staff_account(runtime: Runtime) -> StaffLogin:
    """A coordinator with a known password: ``sign_in(client, staff_account.email,
    staff_account.password)``."""
    return make_staff_account(runtime)


@pytest.fixture
def viewer_account(runtime: Runtime) -> StaffLogin:
    """A viewer (may look, may not change anything), with the same known password."""
    return make_staff_account(runtime, VIEWER_EMAIL, role="viewer", name="Ville Katsoja")


def sign_in(client: Any, email: str = STAFF_EMAIL, password: str = STAFF_PASSWORD) -> str:
    """Sign in through the sign-in form of a TestClient's app, as a browser does; returns the
    session's form token for ``data={"csrf": ...}`` in later POSTs."""
    form = client.get("/henkilosto/kirjaudu")
    match = re.search(r'name="csrf" value="([^"]+)"', form.text)
    assert match, "no form token on the sign-in page"
    done = client.post(
        "/henkilosto/kirjaudu",
        data={"email": email, "password": password, "csrf": match.group(1)},
        follow_redirects=False,
    )
    assert done.status_code == 303, f"sign-in failed: {done.status_code}"
    rt: Runtime = client.app.state.runtime
    token = client.cookies.get(SESSION_COOKIE)
    with session_scope(rt.engine) as session:
        csrf: str = session.exec(
            select(StaffSession.csrf_token).where(StaffSession.token_hash == hash_token(token))
        ).one()
    return csrf


def unique_suffix() -> str:
    return uuid.uuid4().hex[:8]
