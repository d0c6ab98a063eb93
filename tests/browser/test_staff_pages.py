"""The staff pages in real Chromium: accessible (axe), and on a 360 px phone nothing but a
table's own region scrolls sideways."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

import httpx
import pytest
from playwright.sync_api import Browser, Page, expect

from nimeamiset.db import session_scope
from nimeamiset.domain.roundfile import parse_round_file
from nimeamiset.services.rounds import create_round
from tests.browser.axe import axe_check
from tests.browser.conftest import PHONE, LiveServer, new_context, sign_in_with_form
from tests.browser.test_reply_form import no_horizontal_scroll, screenshot
from tests.conftest import FIXTURES, SmtpServer, StaffLogin
from tests.helpers import TESTER, launch, link_in, to_address

pytestmark = pytest.mark.browser

LONG = "Päijät-Hämeen hyvinvointialueen kehittämis- ja ennaltaehkäisyyksikön asiantuntija"


def person(seat: int, member: str, deputy: str) -> dict[str, str]:
    out = {}
    for role, name, gender in (("member", member, "woman"), ("deputy", deputy, "man")):
        out |= {
            f"seat{seat}_{role}_name": name,
            f"seat{seat}_{role}_title": LONG,
            f"seat{seat}_{role}_email": f"{name.split()[0].lower()}.pitka-osoite@example.fi",
            f"seat{seat}_{role}_phone": "",
            f"seat{seat}_{role}_gender": gender,
        }
    return out


@pytest.fixture
def round_path(live_server: LiveServer, smtp_server: SmtpServer) -> str:
    """The shapes round launched; Lahti names both its seats, Heinola fills the joint seat,
    Hartola declines."""
    rt = live_server.runtime
    spec = parse_round_file((FIXTURES / "round_shapes.yaml").read_text(encoding="utf-8"))
    with session_scope(rt.engine) as session:
        create_round(session, spec, actor=TESTER, now=rt.now())
    with ThreadPoolExecutor(max_workers=1) as pool:  # asyncio.run() beside Playwright
        pool.submit(launch, rt, "muotoryhma").result(timeout=60)
    links = {to_address(m).split("@")[1].split(".")[0]: link_in(m) for m in smtp_server.received()}
    replies = [
        (links["lahti"], person(1, "Anna Aalto", "Bo Berg") | person(2, "Cia Calén", "Dan Dahl")),
        (links["heinola"], person(1, "Eeva Esko", "Frans Frisk")),
        (links["hartola"] + "/kieltaytyminen", {"reason": "Ei resursseja tähän ryhmään."}),
    ]
    for link, data in replies:
        assert httpx.post(link, data=data, timeout=30, follow_redirects=True).status_code == 200
    return f"{live_server.url}/henkilosto/muotoryhma"


def pages(round_path: str) -> list[tuple[str, str]]:
    base = round_path.rsplit("/henkilosto/", 1)[0]
    return [
        ("the round's status", round_path),
        ("the round's status, filtered", f"{round_path}?nayta=puuttuvat"),
        ("the round's events", f"{round_path}/tapahtumat"),
        ("the access log", f"{base}/henkilosto/kayttoloki"),
    ]


def open_organisation(page: Page, name: str) -> None:
    page.get_by_role("link", name=name, exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(name)


def test_staff_pages_pass_axe(browser: Browser, round_path: str, staff_account: StaffLogin) -> None:
    context = new_context(browser, bypass_csp=True)  # axe's script is injected inline
    page = context.new_page()
    page.goto(round_path)
    sign_in_with_form(page, staff_account)
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Päijät-Hämeen testiohjelman ohjausryhmä"
    )
    for what, url in pages(round_path):
        page.goto(url)
        axe_check(page, what)
        screenshot(page, f"staff-{what}")
    page.goto(round_path)
    open_organisation(page, "Lahti")
    expect(page.get_by_role("columnheader", name="Versio 1 (voimassa)")).to_be_visible()
    axe_check(page, "an organisation's page")
    screenshot(page, "staff-an organisation's page")
    context.close()


def test_on_a_phone_only_the_tables_scroll_sideways(
    browser: Browser, round_path: str, staff_account: StaffLogin
) -> None:
    context = new_context(
        browser, viewport=PHONE, is_mobile=True, has_touch=True, device_scale_factor=2
    )
    page = context.new_page()
    page.goto(round_path)
    sign_in_with_form(page, staff_account)
    expect(page.get_by_role("button", name="Kirjaudu ulos")).to_be_visible()
    for what, url in pages(round_path):
        page.goto(url)
        no_horizontal_scroll(page)
        screenshot(page, f"staff-phone-{what}")
    page.goto(round_path)
    table = page.get_by_role("region", name="Kaikki organisaatiot jakelujärjestyksessä")
    table.focus()
    page.keyboard.press("ArrowRight")
    assert table.evaluate("el => el.scrollWidth > el.clientWidth")
    expect(page.get_by_role("link", name="Puuttuvat", exact=True)).to_be_visible()
    open_organisation(page, "Lahti")
    no_horizontal_scroll(page)
    context.close()
