"""Browser fixtures: the real app served by uvicorn on 127.0.0.1, Debian's Chromium driven by
Playwright, and axe-core from tests/browser/node_modules (``npm ci`` in tests/browser).

Only SQLite here: what the browser sees does not depend on the database, and the service
tests already run on both."""

from __future__ import annotations

import dataclasses
import os
import socket
import threading
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

import httpx
import pytest
import uvicorn
from playwright.sync_api import (
    Browser,
    BrowserContext,
    ConsoleMessage,
    Page,
    Playwright,
    Response,
    expect,
    sync_playwright,
)
from pydantic import AnyHttpUrl

from nimeamiset.runtime import Runtime
from nimeamiset.web.app import create_app
from tests.conftest import IN_CI, SmtpServer, StaffLogin
from tests.helpers import launch, link_in, message_to

CHROMIUM = Path(os.environ.get("NIMEAMISET_CHROMIUM", "/usr/bin/chromium"))
AXE = Path(__file__).parent / "node_modules" / "axe-core" / "axe.min.js"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]
# The organisation whose invitation the tests open (Finnish-speaking, see fixtures/round.yaml).
ASIKKALA = "kirjaamo@asikkala.example.fi"
DESKTOP = {"width": 1280, "height": 900}
PHONE = {"width": 360, "height": 740}


def require(path: Path, why: str) -> None:
    """Skip when something the browser tests need is missing; in CI that is a failure."""
    if path.is_file():
        return
    if IN_CI:
        pytest.fail(f"{why} (CI must run the browser tests)")
    pytest.skip(why)


def require_axe() -> Path:
    require(AXE, f"axe-core not installed at {AXE}: run `npm ci` in tests/browser")
    return AXE


@pytest.fixture
def db_url(tmp_path: Path) -> str:
    """SQLite only: overrides the SQLite/PostgreSQL parametrisation of tests/conftest.py."""
    return f"sqlite:///{tmp_path / 'test.db'}"


# --- the browser -----------------------------------------------------------------------------


# Module scope, not session: while Playwright's sync API runs, the main thread has an event
# loop, and every later test that calls asyncio.run() (delivery, the CLI) would fail.
@pytest.fixture(scope="module")
def playwright_session() -> Iterator[Playwright]:
    require(CHROMIUM, f"Chromium not found at {CHROMIUM}: apt-get install chromium")
    with sync_playwright() as playwright:
        yield playwright


@pytest.fixture(scope="module")
def browser(
    playwright_session: Playwright, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Browser]:
    """One Chromium per test module. Playwright gives it a fresh temporary profile; HOME
    points at an empty folder so nothing of the user's own Chromium is read or written."""
    home = tmp_path_factory.mktemp("chromium-home")
    browser = playwright_session.chromium.launch(
        executable_path=str(CHROMIUM),
        args=CHROMIUM_ARGS,
        headless=True,
        env={**os.environ, "HOME": str(home)},
        timeout=60_000,
    )
    yield browser
    browser.close()


def new_context(browser: Browser, **options: object) -> BrowserContext:
    defaults: dict[str, object] = {
        "viewport": DESKTOP,
        "locale": "fi-FI",
        "timezone_id": "Europe/Helsinki",
    }
    context = browser.new_context(**{**defaults, **options})  # type: ignore[arg-type]
    context.set_default_timeout(10_000)
    return context


@pytest.fixture
def context(browser: Browser) -> Iterator[BrowserContext]:
    context = new_context(browser)
    yield context
    context.close()


@pytest.fixture
def page(context: BrowserContext) -> Iterator[Page]:
    """A page on which a script error, a console error (a CSP refusal, say) or a failed load
    fails the test. The browser's own /favicon.ico request is let be: the app has none."""
    page = context.new_page()
    problems: list[str] = []

    def on_console(message: ConsoleMessage) -> None:
        if message.type == "error" and not message.text.startswith("Failed to load resource"):
            problems.append(f"console error: {message.text}")

    def on_response(response: Response) -> None:
        if response.status >= 400 and urlsplit(response.url).path != "/favicon.ico":
            expected = response.status == 422 and response.request.method == "POST"
            if not expected:
                problems.append(
                    f"{response.status} for {response.request.method} {urlsplit(response.url).path}"
                )

    page.on("pageerror", lambda error: problems.append(f"page error: {error}"))
    page.on("console", on_console)
    page.on("response", on_response)
    yield page
    assert not problems, "\n".join(problems)


# --- the server ------------------------------------------------------------------------------


@dataclass(frozen=True)
class LiveServer:
    url: str
    runtime: Runtime


@pytest.fixture
def live_server(runtime: Runtime) -> Iterator[LiveServer]:
    """``create_app`` under uvicorn in a thread, on a port of its own on 127.0.0.1. Its runtime
    writes links that point at this server."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", 0))
    url = f"http://127.0.0.1:{sock.getsockname()[1]}"
    settings = runtime.settings.model_copy(update={"base_url": AnyHttpUrl(url)})
    rt = Runtime(
        settings=settings,
        engine=runtime.engine,
        mail=dataclasses.replace(runtime.mail, base_url=settings.public_base_url),
        sender=runtime.sender,
    )
    config = uvicorn.Config(
        create_app(runtime=rt), log_level="warning", lifespan="off", access_log=False
    )
    server = uvicorn.Server(config)
    thread = threading.Thread(
        target=server.run, kwargs={"sockets": [sock]}, name="uvicorn-browser-tests", daemon=True
    )
    thread.start()
    try:
        _wait_until_up(url, thread)
        yield LiveServer(url=url, runtime=rt)
    finally:
        server.should_exit = True
        thread.join(timeout=10)
        sock.close()
    assert not thread.is_alive(), "uvicorn did not stop within 10 s"


def _wait_until_up(url: str, thread: threading.Thread, timeout: float = 10.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if not thread.is_alive():
            pytest.fail("uvicorn stopped before it answered")
        try:
            if httpx.get(f"{url}/healthz", timeout=1.0).status_code == 200:
                return
        except httpx.TransportError:
            pass
        time.sleep(0.05)
    pytest.fail(f"uvicorn did not answer at {url} within {timeout:.0f} s")


@pytest.fixture
def personal_link(live_server: LiveServer, round_id: str, smtp_server: SmtpServer) -> str:
    """Launch the round through the real SMTP server and take Asikkala's link from its
    invitation, as the organisation would. The inbox is emptied afterwards."""
    # Playwright's sync API keeps an event loop running in this thread, and launch() calls
    # asyncio.run(): run it in a thread of its own.
    with ThreadPoolExecutor(max_workers=1) as pool:
        queued, report = pool.submit(launch, live_server.runtime, round_id).result(timeout=60)
    assert report.sent == queued > 0, report
    link = link_in(message_to(smtp_server.received(), ASIKKALA))
    assert link.startswith(f"{live_server.url}/n/"), link
    smtp_server.clear()
    return link


def sign_in_with_form(page: Page, login: StaffLogin) -> None:
    """On the staff sign-in page: type the email and password and press Kirjaudu, as staff do.
    The browser then goes on where it was headed."""
    expect(page.get_by_role("heading", level=1)).to_have_text("Kirjaudu henkilöstön työtilaan")
    page.get_by_label("Sähköposti").fill(login.email)
    page.get_by_label("Salasana").fill(login.password)
    page.get_by_role("button", name="Kirjaudu", exact=True).click()


@pytest.fixture
def axe_page(browser: Browser) -> Iterator[Page]:
    """A page in a context that lets axe's script in: the app's CSP allows no inline script,
    and add_script_tag injects one. Nothing else about the page changes."""
    require_axe()
    context = new_context(browser, bypass_csp=True)
    page = context.new_page()
    yield page
    context.close()
