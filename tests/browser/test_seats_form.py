"""The form of a round with several seats, a joint seat and gender asked, in real Chromium."""

from __future__ import annotations

from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor

import pytest
from playwright.sync_api import Browser, Page, expect

from nimeamiset.db import session_scope
from nimeamiset.domain.roundfile import parse_round_file
from nimeamiset.services.roster import assemble
from nimeamiset.services.rounds import create_round
from tests.browser.axe import axe_check
from tests.browser.conftest import LiveServer, new_context, sign_in_with_form
from tests.conftest import FIXTURES, SmtpServer, StaffLogin
from tests.helpers import TESTER, launch, link_in, to_address, work

pytestmark = pytest.mark.browser


@pytest.fixture
def links(live_server: LiveServer, smtp_server: SmtpServer) -> dict[str, str]:
    rt = live_server.runtime
    spec = parse_round_file((FIXTURES / "round_shapes.yaml").read_text(encoding="utf-8"))
    with session_scope(rt.engine) as session:
        create_round(session, spec, actor=TESTER, now=rt.now())
    with ThreadPoolExecutor(max_workers=1) as pool:  # asyncio.run() beside Playwright
        pool.submit(launch, rt, "muotoryhma").result(timeout=60)
    found = {to_address(m).split("@")[1].split(".")[0]: link_in(m) for m in smtp_server.received()}
    smtp_server.clear()
    return found


def fill_person(page: Page, legend: str, name: str, email: str, gender: str | None) -> None:
    group = page.get_by_role("group", name=legend, exact=True)
    group.get_by_label("Nimi", exact=True).fill(name)
    group.get_by_label("Sähköposti", exact=True).fill(email)
    if gender is not None:
        group.get_by_role("group", name="Sukupuoli").get_by_label(gender, exact=True).check()


@pytest.fixture
def lahti(page: Page, links: dict[str, str]) -> Iterator[Page]:
    page.goto(links["lahti"])
    yield page


def test_two_seats_with_gender_asked(lahti: Page, axe_page: Page, links: dict[str, str]) -> None:
    page = lahti
    expect(page.get_by_text("Organisaatiollanne on 2 paikkaa")).to_be_visible()
    fill_person(
        page, "Varsinainen jäsen (paikka 1)", "Åsa O'Brien-Mäkelä", "asa@example.fi", "Nainen"
    )
    fill_person(page, "Varajäsen (paikka 1)", "Bo Berg", "bo@example.fi", "Mies")
    fill_person(
        page, "Varsinainen jäsen (paikka 2)", "Cecilia Calén", "cecilia@example.fi", "Nainen"
    )
    fill_person(page, "Varajäsen (paikka 2)", "Daniel Dahl", "daniel@example.fi", None)
    page.get_by_role("button", name="Lähetä", exact=True).click()

    error = page.locator("#seat2_deputy_gender-error")
    expect(error).to_have_text("Virhe: Valitse yksi vaihtoehdoista.")
    summary = page.get_by_role("alert")
    expect(summary.get_by_role("link")).to_have_text(
        ["Varajäsen (paikka 2): Valitse yksi vaihtoehdoista."]
    )
    seat1 = page.get_by_role("group", name="Varsinainen jäsen (paikka 1)", exact=True)
    expect(seat1.get_by_label("Nimi", exact=True)).to_have_value("Åsa O'Brien-Mäkelä")
    expect(seat1.get_by_label("Nainen", exact=True)).to_be_checked()

    fill_person(page, "Varajäsen (paikka 2)", "Daniel Dahl", "daniel@example.fi", "Mies")
    page.get_by_role("button", name="Lähetä", exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Kiitos, vastaus on vastaanotettu")
    expect(page.get_by_role("cell", name="Åsa O'Brien-Mäkelä", exact=True)).to_be_visible()
    expect(page.get_by_role("cell", name="Daniel Dahl", exact=True)).to_be_visible()

    axe_page.goto(links["lahti"])
    axe_page.get_by_role("button", name="Lähetä", exact=True).click()
    axe_check(axe_page, "the two-seat form with errors")


def test_joint_seat_filled_then_confirmed(
    page: Page, axe_page: Page, links: dict[str, str]
) -> None:
    page.goto(links["heinola"])
    expect(page.get_by_text("Paikka on yhteinen muiden organisaatioiden kanssa")).to_be_visible()
    fill_person(page, "Varsinainen jäsen", "Eeva Esko", "eeva@example.fi", "Nainen")
    fill_person(page, "Varajäsen", "Frans Frisk", "frans@example.fi", "Mies")
    page.get_by_role("button", name="Lähetä", exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Kiitos, vastaus on vastaanotettu")

    page.goto(links["hollola"])
    section = page.get_by_role("region", name="Yhteinen paikka on jo täytetty")
    expect(section).to_contain_text("Heinola on jo nimennyt")
    expect(section).to_contain_text("Eeva Esko")
    expect(page.get_by_role("button", name="Lähetä", exact=True)).to_have_count(0)

    axe_page.goto(links["orimattila"])
    axe_check(axe_page, "a joint seat filled by another organisation")

    section.get_by_role("button", name="Vahvistamme nimeämisen").click()
    expect(page.get_by_text("Vahvistitte yhteisen paikan nimeämisen.")).to_be_visible()


def test_staff_page_shows_replies_balance_and_versions(
    browser: Browser,
    live_server: LiveServer,
    links: dict[str, str],
    page: Page,
    staff_account: StaffLogin,
) -> None:
    page.goto(links["lahti"])
    fill_person(page, "Varsinainen jäsen (paikka 1)", "Anna Aalto", "anna@example.fi", "Nainen")
    fill_person(page, "Varajäsen (paikka 1)", "Bo Berg", "bo@example.fi", "Mies")
    fill_person(page, "Varsinainen jäsen (paikka 2)", "Carl Cedergren", "carl@example.fi", "Mies")
    fill_person(page, "Varajäsen (paikka 2)", "Dan Dahl", "dan@example.fi", "Mies")
    page.get_by_role("button", name="Lähetä", exact=True).click()
    rt = live_server.runtime
    with work(rt, "muotoryhma") as unit:
        assemble(unit, reason="pyynnöstä")

    context = new_context(browser, bypass_csp=True)
    staff = context.new_page()
    staff.goto(f"{live_server.url}/henkilosto/muotoryhma")  # leads to the sign-in form first
    axe_check(staff, "the staff sign-in page")
    sign_in_with_form(staff, staff_account)
    expect(staff.get_by_role("heading", level=1)).to_have_text(
        "Päijät-Hämeen testiohjelman ohjausryhmä"
    )
    expect(staff.get_by_text("Varajäsenet: naisia 0 (0 %), miehiä 2 (100 %).")).to_be_visible()
    expect(staff.get_by_text("Versio 1, koottu")).to_be_visible()
    row = staff.get_by_role("row", name="Lahti")
    expect(row).to_contain_text("Anna Aalto")
    axe_check(staff, "the staff page of a round")
    context.close()
