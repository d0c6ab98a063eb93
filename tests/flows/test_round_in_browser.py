"""A round from start to reply without a terminal, in Chromium: a coordinator signs in, makes a
round with every field, uploads the distribution list as Finnish Excel saves CSV, previews one
organisation's invitation, sends herself a test message, launches the round through the
`launch-round` deployment that a Prefect Runner serves, sees every organisation invited, an
organisation replies through its link, the reply shows on the round page, and the round is
copied."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable, Coroutine
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import prefect.settings
import pytest
from playwright.sync_api import Browser, expect
from prefect.runner import Runner

from tests.browser.axe import axe_check
from tests.browser.conftest import (  # noqa: F401 (fixtures)
    LiveServer,
    browser,
    live_server,
    new_context,
    playwright_session,
    sign_in_with_form,
)
from tests.browser.test_round_drafts import EXCEL_CSV, fill_round
from tests.browser.test_seats_form import fill_person
from tests.conftest import StaffLogin
from tests.flows.conftest import FlowEnv
from tests.flows.test_launch_deployment import forget_launch_deployment, launch_deployment
from tests.helpers import link_in, to_address

pytestmark = [pytest.mark.browser]

ROOT = Path(__file__).resolve().parents[2]
INVITED = {
    "kirjaamo@hameenkoski.example.fi",
    "kirjaamo@paakallio.example.fi",
    "kirjaamo@lut.example.fi",
    "kirjaamo@lab.example.fi",
}


def in_thread(coro: Callable[[], Coroutine[Any, Any, Any]]) -> Any:
    """asyncio.run() beside Playwright's sync API (its loop holds this thread)."""
    with ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(lambda: asyncio.run(coro())).result(timeout=120)


def eventually(check: Callable[[], bool], what: str, timeout: float = 20.0) -> None:
    deadline = time.monotonic() + timeout
    while not check():
        if time.monotonic() > deadline:
            pytest.fail(f"not within {timeout:.0f} s: {what}")
        time.sleep(0.1)


@pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)
def test_a_round_from_the_form_to_a_reply_without_a_terminal(
    flow_env: FlowEnv,
    browser: Browser,  # noqa: F811
    live_server: LiveServer,  # noqa: F811
    staff_account: StaffLogin,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.chdir(ROOT)  # the deployment's entry point is relative to the project
    monkeypatch.setenv("PREFECT_API_URL", str(prefect.settings.PREFECT_API_URL.value()))
    monkeypatch.setenv("NIMEAMISET_BASE_URL", live_server.url)  # links the flow run writes
    in_thread(forget_launch_deployment)
    runner = Runner(name="browser-launch", pause_on_shutdown=False)
    in_thread(lambda: runner.aadd_deployment(launch_deployment()))
    smtp = flow_env.smtp
    smtp.clear()

    context = new_context(browser, bypass_csp=True)  # axe's script is injected inline
    page = context.new_page()
    page.goto(f"{live_server.url}/henkilosto/uusi")
    sign_in_with_form(page, staff_account)
    fill_round(page)
    page.get_by_label("Tiedosto (CSV tai Excel)").set_input_files(
        files=[{"name": "jakelu.csv", "mimeType": "text/csv", "buffer": EXCEL_CSV}]
    )
    page.get_by_role("button", name="Tallenna luonnos").click()
    expect(page.get_by_role("status")).to_contain_text("Kierros tallennettiin luonnoksena")
    round_url = page.url.split("?")[0]

    # Preview one organisation's invitation, and send it to oneself as a test.
    page.get_by_role("link", name="Esikatsele", exact=True).click()
    page.get_by_label("Organisaatio").select_option(label="Pääkallion kunta (suomi)")
    page.get_by_role("button", name="Näytä").click()
    expect(page.get_by_role("heading", level=2, name="Pääkallion kunta")).to_be_visible()
    axe_check(page, "the preview of a new round")
    page.get_by_role("button", name="Lähetä testiviesti").click()
    eventually(
        lambda: staff_account.email in {to_address(m) for m in smtp.received()},
        "the test message",
    )
    test_message = next(m for m in smtp.received() if to_address(m) == staff_account.email)
    assert str(test_message["Subject"]).startswith("[TESTIVIESTI] ")
    smtp.clear()

    # Launch: the confirmation names how many get mail; the Runner runs the deployment.
    page.goto(round_url)
    page.get_by_role("link", name="Käynnistä kierros", exact=True).click()
    expect(page.get_by_text("Pyyntö lähetetään 4 organisaatiolle.")).to_be_visible()
    axe_check(page, "the launch confirmation")
    page.get_by_role("button", name="Käynnistä kierros").click()
    expect(page.get_by_text("Kierroksen käynnistys pyydettiin ajopalvelulta.")).to_be_visible()
    # One poll of the Runner, as `nimeamiset serve` polls (off the main thread, it leaves
    # the process's signal handlers alone).
    in_thread(lambda: runner.start(run_once=True))
    assert set(smtp.recipients()) == INVITED
    page.reload()
    expect(page.locator("[data-launch-text]")).to_have_text(
        "Käynnistysajo: Valmis. Kutsuja lähetetty 4, odottaa 0."
    )

    # An organisation replies through its link; the round page shows it.
    invitation = next(
        m for m in smtp.received() if to_address(m) == "kirjaamo@hameenkoski.example.fi"
    )
    link = link_in(invitation)
    assert link.startswith(f"{live_server.url}/n/")
    reply = context.new_page()
    reply.goto(link)
    fill_person(reply, "Varsinainen jäsen", "Hanna Hämäläinen", "hanna@example.fi", "Nainen")
    fill_person(reply, "Varajäsen", "Heikki Hölttä", "heikki@example.fi", "Mies")
    reply.get_by_role("button", name="Lähetä", exact=True).click()
    expect(reply.get_by_role("heading", level=1)).to_contain_text("Kiitos")
    page.goto(round_url)
    expect(page.get_by_text("Hanna Hämäläinen").first).to_be_visible()
    expect(page.get_by_text("Heikki Hölttä").first).to_be_visible()
    axe_check(page, "the launched round with a reply")

    # Copy the round: a new draft with the same list, dates to check.
    page.get_by_role("link", name="Kopioi kierros").click()
    page.get_by_role("button", name="Kopioi kierros").click()
    expect(page.get_by_text("Tarkista päivämäärät")).to_be_visible()
    context.close()
