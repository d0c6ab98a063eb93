"""A coordinator runs a round from the browser: signs in, finds a refused delivery, records a
phone reply for a two-seat organisation, fixes an address, renews a link, reminds, signs out.
Every staff page on the way, and every action page in its states, passes axe."""

from __future__ import annotations

import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor

import httpx
import pytest
from playwright.sync_api import Browser, Page, expect

from nimeamiset.db import session_scope
from nimeamiset.domain.roundfile import parse_round_file
from nimeamiset.services.rounds import create_round
from tests.browser.axe import axe_check
from tests.browser.conftest import LiveServer, new_context, sign_in_with_form
from tests.browser.test_seats_form import fill_person
from tests.conftest import FIXTURES, SmtpServer, StaffLogin
from tests.helpers import TESTER, launch, link_in, to_address

pytestmark = pytest.mark.browser

HARTOLA = "kirjaamo@hartola.example.fi"
HARTOLA_FIXED = "kirjaamo.uusi@hartola.example.fi"
HEINOLA = "kirjaamo@heinola.example.fi"
ASIKKALA = "kirjaamo@asikkala.example.fi"
LAHTI = "kirjaamo@lahti.example.fi"


def eventually(check: Callable[[], bool], what: str, timeout: float = 15.0) -> None:
    """Mail after a staff action goes out from the app's thread pool: wait for it."""
    deadline = time.monotonic() + timeout
    while not check():
        if time.monotonic() > deadline:
            pytest.fail(f"not within {timeout:.0f} s: {what}")
        time.sleep(0.1)


def mail_to(smtp_server: SmtpServer, address: str) -> list[str]:
    return [link_in(m) for m in smtp_server.received() if to_address(m) == address]


@pytest.fixture
def launched(live_server: LiveServer, smtp_server: SmtpServer) -> dict[str, str]:
    """The shapes round launched; Hartola's mail server refuses its registry address (550)."""
    rt = live_server.runtime
    spec = parse_round_file((FIXTURES / "round_shapes.yaml").read_text(encoding="utf-8"))
    with session_scope(rt.engine) as session:
        create_round(session, spec, actor=TESTER, now=rt.now())
    smtp_server.refuse(HARTOLA)
    with ThreadPoolExecutor(max_workers=1) as pool:  # asyncio.run() beside Playwright
        queued, report = pool.submit(launch, rt, "muotoryhma").result(timeout=60)
    assert report.sent == queued - 1
    links = {to_address(m): link_in(m) for m in smtp_server.received()}
    smtp_server.clear()
    return links


def open_organisation(page: Page, round_url: str, name: str) -> None:
    page.goto(round_url)
    page.get_by_role("link", name=name, exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(name)


def test_a_coordinator_runs_the_round_from_the_browser(
    browser: Browser,
    live_server: LiveServer,
    launched: dict[str, str],
    smtp_server: SmtpServer,
    staff_account: StaffLogin,
) -> None:
    context = new_context(browser, bypass_csp=True)  # axe's script is injected inline
    page = context.new_page()
    round_url = f"{live_server.url}/henkilosto/muotoryhma"

    # Signing in, with the labels staff see; a wrong password first.
    page.goto(round_url)
    axe_check(page, "the sign-in page")
    page.get_by_label("Sähköposti").fill(staff_account.email)
    page.get_by_label("Salasana").fill("väärä salasana 123")
    page.get_by_role("button", name="Kirjaudu", exact=True).click()
    expect(page.get_by_text("Sähköposti tai salasana on väärin.")).to_be_visible()
    expect(page.get_by_label("Sähköposti")).to_have_value(staff_account.email)
    axe_check(page, "the sign-in page with an error")
    sign_in_with_form(page, staff_account)
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Päijät-Hämeen testiohjelman ohjausryhmä"
    )

    # The refused invitation is a delivery problem.
    page.get_by_role("link", name="Toimitusongelmat", exact=True).click()
    problems = page.get_by_role("region", name="Toimitusongelmat")
    expect(problems.get_by_role("rowheader", name="Hartola")).to_be_visible()
    expect(problems.get_by_role("rowheader", name="Asikkala")).to_have_count(0)
    expect(problems).to_contain_text("550")
    axe_check(page, "the round filtered to delivery problems")

    # A reply by phone for Lahti's two seats.
    open_organisation(page, round_url, "Lahti")
    page.get_by_role("link", name="Kirjaa vastaus", exact=True).click()
    axe_check(page, "recording a reply")
    nominate = page.get_by_role("region", name="Organisaatio nimeää")
    nominate.get_by_role("button", name="Kirjaa vastaus", exact=True).click()  # empty first
    expect(page.get_by_role("alert").first).to_be_visible()
    axe_check(page, "recording a reply, with errors")
    nominate = page.get_by_role("region", name="Organisaatio nimeää")
    nominate.get_by_role("group", name="Miten vastaus tuli?").get_by_label("Puhelin").check()
    for legend, name, email, gender in (
        ("Varsinainen jäsen (paikka 1)", "Anna Aalto", "anna@example.fi", "Nainen"),
        ("Varajäsen (paikka 1)", "Bo Berg", "bo@example.fi", "Mies"),
        ("Varsinainen jäsen (paikka 2)", "Cia Calén", "cia@example.fi", "Nainen"),
        ("Varajäsen (paikka 2)", "Dan Dahl", "dan@example.fi", "Mies"),
    ):
        fill_person(page, legend, name, email, gender)
    nominate.get_by_role("button", name="Kirjaa vastaus", exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Lahti")
    for name in ("Anna Aalto", "Bo Berg", "Cia Calén", "Dan Dahl"):
        expect(page.get_by_text(name).first).to_be_visible()
    expect(page.get_by_text("puhelimitse").first).to_be_visible()
    eventually(lambda: bool(mail_to(smtp_server, LAHTI)), "Lahti's confirmation")
    axe_check(page, "an organisation's page after a phone reply")
    page.get_by_role("link", name="Vaihda jäsen", exact=True).click()
    axe_check(page, "replacing a member")

    # Hartola's address fixed: the new address gets the invitation.
    open_organisation(page, round_url, "Hartola")
    page.get_by_role("link", name="Korjaa osoite", exact=True).click()
    axe_check(page, "fixing an address")
    page.get_by_label("Sähköpostiosoite").fill(HARTOLA_FIXED)
    page.get_by_role("button", name="Korjaa osoite", exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Hartola")
    eventually(lambda: bool(mail_to(smtp_server, HARTOLA_FIXED)), "the fixed address's mail")
    [fixed_link] = mail_to(smtp_server, HARTOLA_FIXED)
    assert httpx.get(fixed_link, timeout=10).status_code == 200

    # Heinola's link renewed: the old one is refused at once.
    open_organisation(page, round_url, "Heinola")
    page.get_by_role("link", name="Uusi linkki", exact=True).click()
    axe_check(page, "confirming a new link")
    page.get_by_role("button", name="Uusi linkki", exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Heinola")
    eventually(lambda: bool(mail_to(smtp_server, HEINOLA)), "Heinola's new link")
    [new_link] = mail_to(smtp_server, HEINOLA)
    assert new_link != launched[HEINOLA]
    old = httpx.get(launched[HEINOLA], timeout=10)
    assert "Linkki ei ole voimassa" in old.text
    assert httpx.get(new_link, timeout=10).status_code == 200

    # A reminder now, to Asikkala.
    page.goto(round_url)
    reminders = page.get_by_role("group", name="Lähetä muistutus nyt")
    reminders.get_by_label("Asikkala", exact=True).check()
    page.get_by_role("button", name="Lähetä muistutus nyt", exact=True).click()
    eventually(lambda: bool(mail_to(smtp_server, ASIKKALA)), "Asikkala's reminder")
    reminder = next(m for m in smtp_server.received() if to_address(m) == ASIKKALA)
    assert "Muistutus" in str(reminder["Subject"])
    axe_check(page, "the round after a reminder")

    # The remaining action pages, as a coordinator sees them.
    asikkala_page = page.url
    open_organisation(page, round_url, "Asikkala")
    for slug in ("uudelleen", "maaraaika", "muistutus"):
        page.goto(f"{page.url.split('?')[0]}/{slug}")
        axe_check(page, f"the organisation's action {slug}")
    for slug in ("maaraaika", "kokoa", "kokouskutsu", "siirra-kokous", "sulje"):
        page.goto(f"{round_url}/{slug}")
        axe_check(page, f"the round's action {slug}")
    assert asikkala_page

    # Signing out ends the session.
    page.goto(round_url)
    page.get_by_role("button", name="Kirjaudu ulos", exact=True).click()
    page.goto(round_url)
    expect(page.get_by_role("heading", level=1)).to_have_text("Kirjaudu henkilöstön työtilaan")
    context.close()
