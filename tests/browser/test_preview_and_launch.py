"""A coordinator previews a draft's invitation in Chromium under the app's own security
policy (the HTML part renders with its inline styles, in a sandboxed frame), sends it to
themselves as a test, and opens the launch page; the round page's launch status updates
itself from its script. No Prefect API here: a launch that runs is in tests/flows. axe on
every new page."""

from __future__ import annotations

import time
from collections.abc import Callable

import pytest
from playwright.sync_api import Browser, Page, expect

from nimeamiset import launching
from nimeamiset.db import session_scope
from nimeamiset.domain.roundfile import parse_round_file
from nimeamiset.models import OutboxMessage, Round
from nimeamiset.services.rounds import create_round
from tests.browser.axe import axe_check
from tests.browser.conftest import LiveServer, new_context, sign_in_with_form
from tests.conftest import FIXTURES, SmtpServer, StaffLogin
from tests.helpers import TESTER, to_address

pytestmark = pytest.mark.browser

ROUND_ID = "muotoryhma"


def eventually(check: Callable[[], bool], what: str, timeout: float = 15.0) -> None:
    deadline = time.monotonic() + timeout
    while not check():
        if time.monotonic() > deadline:
            pytest.fail(f"not within {timeout:.0f} s: {what}")
        time.sleep(0.1)


@pytest.fixture
def draft(live_server: LiveServer, monkeypatch: pytest.MonkeyPatch) -> str:
    """The shapes round as a draft; no Prefect API configured."""
    monkeypatch.setattr(launching, "configured_api_url", lambda: None)
    rt = live_server.runtime
    spec = parse_round_file((FIXTURES / "round_shapes.yaml").read_text(encoding="utf-8"))
    with session_scope(rt.engine) as session:
        create_round(session, spec, actor=TESTER, now=rt.now())
    return f"{live_server.url}/henkilosto/{ROUND_ID}"


def test_preview_renders_the_html_part_and_a_test_message_goes_to_the_coordinator(
    page: Page, draft: str, smtp_server: SmtpServer, staff_account: StaffLogin
) -> None:
    page.goto(draft)
    sign_in_with_form(page, staff_account)
    page.get_by_role("link", name="Esikatsele", exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Esikatselu")

    page.get_by_label("Organisaatio").select_option(label="Svenska Folkskolans Vänner (ruotsi)")
    page.get_by_role("button", name="Näytä").click()

    expect(page.get_by_role("heading", level=2, name="Svenska Folkskolans Vänner")).to_be_visible()
    frame = page.frame_locator("iframe.mail-html")
    expect(frame.get_by_text("Vi ber er utse er representant")).to_be_visible()
    # The email's inline styles apply (a srcdoc frame under the page's policy drops them).
    body = frame.locator("body")
    expect(body).to_have_css("background-color", "rgb(244, 244, 244)")
    expect(frame.locator("h1")).to_have_css("font-size", "20px")

    page.get_by_role("button", name="Lähetä testiviesti").click()

    expect(page.get_by_role("status")).to_have_text(
        "Testiviesti lähetettiin sähköpostiisi. Organisaatiolle ei lähetetty mitään."
    )
    eventually(lambda: len(smtp_server.received()) == 1, "the test message at the SMTP server")
    (received,) = smtp_server.received()
    assert to_address(received) == staff_account.email
    assert str(received["Subject"]).startswith("[TESTIVIESTI] ")


def test_the_launch_status_updates_itself(
    page: Page, draft: str, live_server: LiveServer, staff_account: StaffLogin
) -> None:
    rt = live_server.runtime
    with session_scope(rt.engine) as session:
        round_ = session.get(Round, ROUND_ID)
        assert round_ is not None
        round_.launch_run_id = "0b6a5d3e-7d7c-4a8e-9f0e-2f3c4d5e6f70"
        session.add(round_)
        session.commit()
    page.goto(draft)
    sign_in_with_form(page, staff_account)
    status = page.locator("[data-launch-text]")
    expect(status).to_have_text(
        "Käynnistysajo: tila ei tiedossa: ajopalvelu ei vastaa. Kutsuja lähetetty 0, odottaa 0."
    )

    with session_scope(rt.engine) as session:  # an invitation goes out meanwhile
        session.add(
            OutboxMessage(
                dedupe_key="invitation:x:1",
                round_id=ROUND_ID,
                kind="invitation",
                message_id="<x@example.fi>",
                envelope_from="kirjaamo@paijat-hame.example.fi",
                envelope_to="kirjaamo@asikkala.example.fi",
                content=b"",
                state="sent",
                created_at=rt.now(),
                next_attempt_at=rt.now(),
            )
        )
        session.commit()

    expect(status).to_contain_text("Kutsuja lähetetty 1, odottaa 0.", timeout=10_000)


def test_new_pages_pass_axe(browser: Browser, draft: str, staff_account: StaffLogin) -> None:
    context = new_context(browser, bypass_csp=True)  # axe's script is injected inline
    page = context.new_page()
    page.goto(f"{draft}/esikatselu")
    sign_in_with_form(page, staff_account)
    expect(page.get_by_role("heading", level=1)).to_have_text("Esikatselu")
    axe_check(page, "the preview")
    page.get_by_role("button", name="Lähetä testiviesti").click()
    expect(page.get_by_role("status")).to_be_visible()
    axe_check(page, "the preview after a test send")

    page.goto(draft)
    page.get_by_role("link", name="Käynnistä kierros", exact=True).click()
    expect(page.get_by_text("Pyyntö lähetetään 9 organisaatiolle.")).to_be_visible()
    axe_check(page, "the launch page")
    context.close()
