"""The reply form as an organisation meets it: in a real Chromium, reached through the link in
the invitation that came over SMTP, filled by its labels, by keyboard, on a phone, without
JavaScript, and checked with axe-core."""

from __future__ import annotations

import os
import re
import time
from email.message import EmailMessage
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Locator, Page, expect

from tests.browser.axe import axe_check
from tests.browser.conftest import ASIKKALA, DESKTOP, PHONE, new_context, require_axe
from tests.conftest import SmtpServer
from tests.helpers import link_in, message_to, parts

pytestmark = pytest.mark.browser

MEMBER, DEPUTY = "Varsinainen jäsen", "Varajäsen"
# Letters a Finnish or Swedish name has, an apostrophe, and markup that must stay text.
ASA = {
    "Nimi": "Åsa O'Brien-Mäkelä",
    "Tehtävänimike": "sivistysjohtaja <b>& rehtori</b>",
    "Sähköposti": "asa.obrien@asikkala.example.fi",
    "Puhelin": "040 1234567",
}
OLLI = {
    "Nimi": "Olli Ärölä",
    "Tehtävänimike": "",
    "Sähköposti": "olli.arola@asikkala.example.fi",
    "Puhelin": "",
}
THANKS = "Kiitos, vastaus on vastaanotettu"
# Set this to a folder to keep screenshots of the pages (for a person to look at).
SHOTS = os.environ.get("NIMEAMISET_SCREENSHOTS")


def group(page: Page, legend: str) -> Locator:
    return page.get_by_role("group", name=legend)


def field(page: Page, legend: str, label: str) -> Locator:
    return group(page, legend).get_by_label(label, exact=True)


def fill_person(page: Page, legend: str, person: dict[str, str]) -> None:
    for label, value in person.items():
        field(page, legend, label).fill(value)


def expect_confirmation(page: Page) -> None:
    expect(page.get_by_role("heading", level=1)).to_have_text(THANKS)
    expect(page).to_have_title(re.compile(rf"^{THANKS} – Asikkala$"))


def wait_for_mail(smtp: SmtpServer, address: str, timeout: float = 10.0) -> EmailMessage:
    """The confirmation is sent after the response, so give it a moment to arrive."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        messages = smtp.received()
        if any(address in str(m["To"]) for m in messages):
            return message_to(messages, address)
        time.sleep(0.05)
    pytest.fail(f"no mail to {address} within {timeout:.0f} s; got {smtp.recipients()}")


def no_horizontal_scroll(page: Page) -> None:
    """The page is no wider than the screen. A phone (is_mobile) widens its layout viewport,
    and so window.innerWidth, to fit wide content, so compare with the screen's width too."""
    assert page.viewport_size is not None
    page.wait_for_load_state("load")  # the stylesheet applied, not the bare HTML measured
    widths = page.evaluate("""() => ({scroll: document.scrollingElement.scrollWidth,
                                      inner: window.innerWidth})""")
    widths["screen"] = page.viewport_size["width"]
    assert widths["scroll"] <= min(widths["inner"], widths["screen"]), (
        f"the page scrolls sideways: {widths}"
    )


def screenshot(page: Page, name: str) -> None:
    if SHOTS:
        Path(SHOTS).mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(Path(SHOTS) / f"{name}.png"), full_page=True)


# --- nominating ------------------------------------------------------------------------------


def test_organisation_nominates_through_the_link_in_its_invitation(
    page: Page, personal_link: str, smtp_server: SmtpServer
) -> None:
    page.goto(personal_link)
    expect(page.get_by_role("heading", level=1)).to_have_text("Edustajan nimeäminen")
    expect(page).to_have_title("Edustajan nimeäminen – Asikkala")
    expect(page.locator("html")).to_have_attribute("lang", "fi")
    assert page.viewport_size == DESKTOP
    no_horizontal_scroll(page)
    screenshot(page, "form-desktop")

    fill_person(page, MEMBER, ASA)
    fill_person(page, DEPUTY, OLLI)
    page.get_by_role("button", name="Lähetä", exact=True).click()

    expect_confirmation(page)
    people = page.get_by_role("table")
    expect(people.get_by_role("row").nth(1).get_by_role("cell")).to_have_text(
        [
            "Åsa O'Brien-Mäkelä",
            "sivistysjohtaja <b>& rehtori</b>",
            "asa.obrien@asikkala.example.fi",
            "040 1234567",
        ]
    )
    expect(people.get_by_role("row").nth(2).get_by_role("cell")).to_have_text(
        ["Olli Ärölä", "", "olli.arola@asikkala.example.fi", ""]
    )
    expect(people.get_by_role("rowheader")).to_have_text([MEMBER, DEPUTY])
    expect(people.locator("b")).to_have_count(0)  # the title stayed text
    expect(page.get_by_text(f"osoitteeseen {ASIKKALA}")).to_be_visible()

    confirmation = wait_for_mail(smtp_server, ASIKKALA)
    text, html = parts(confirmation)
    assert (
        "Varsinainen jäsen: Åsa O'Brien-Mäkelä, sivistysjohtaja <b>& rehtori</b>, "
        "asa.obrien@asikkala.example.fi, 040 1234567" in text
    )
    assert "Henkilökohtainen varajäsen: Olli Ärölä, olli.arola@asikkala.example.fi" in text
    assert "<b>& rehtori</b>" not in html and "&lt;b&gt;&amp; rehtori&lt;/b&gt;" in html
    assert link_in(confirmation) == personal_link


def test_the_link_after_replying_shows_the_reply_ready_to_correct(
    page: Page, personal_link: str
) -> None:
    page.goto(personal_link)
    fill_person(page, MEMBER, ASA)
    fill_person(page, DEPUTY, OLLI)
    page.get_by_role("button", name="Lähetä", exact=True).click()
    expect_confirmation(page)

    page.get_by_role("link", name="Korjaa vastausta").click()

    expect(
        page.get_by_text(re.compile("^Olette vastanneet .*Voitte korjata vastausta alla"))
    ).to_be_visible()
    for label, value in ASA.items():
        expect(field(page, MEMBER, label)).to_have_value(value)
    expect(field(page, DEPUTY, "Nimi")).to_have_value("Olli Ärölä")


def test_a_wrong_email_is_shown_at_its_field_and_what_was_typed_is_kept(
    page: Page, personal_link: str, smtp_server: SmtpServer
) -> None:
    page.goto(personal_link)
    fill_person(page, MEMBER, {**ASA, "Sähköposti": "asa.obrien(at)asikkala"})
    fill_person(page, DEPUTY, OLLI)
    page.get_by_role("button", name="Lähetä", exact=True).click()

    expect(page).to_have_title("Virhe: Edustajan nimeäminen – Asikkala")
    email = field(page, MEMBER, "Sähköposti")
    expect(email).to_have_attribute("aria-invalid", "true")
    expect(email).to_have_accessible_description(
        re.compile(
            r"pakollinen\s+Virhe: Sähköpostiosoite ei kelpaa\. Muoto on nimi@esimerkki\.fi\."
        )
    )
    expect(page.locator(".has-error")).to_have_count(1)
    expect(page.locator("[aria-invalid]")).to_have_count(1)
    # What was typed, every field of both people, is still there.
    for label, value in {**ASA, "Sähköposti": "asa.obrien(at)asikkala"}.items():
        expect(field(page, MEMBER, label)).to_have_value(value)
    for label, value in OLLI.items():
        expect(field(page, DEPUTY, label)).to_have_value(value)

    summary = page.get_by_role("alert")
    expect(summary.get_by_role("heading", level=2)).to_have_text("Tarkista nämä kohdat")
    link = summary.get_by_role("link")
    expect(link).to_have_count(1)
    # The summary names the person; the message names the field.
    expect(link).to_have_text(f"{MEMBER}: Sähköpostiosoite ei kelpaa. Muoto on nimi@esimerkki.fi.")
    expect(link).to_have_attribute("href", "#seat1_member_email")
    link.click()
    assert page.url.endswith("#seat1_member_email")
    expect(email).to_be_focused()
    expect(email).to_be_in_viewport()

    # Correcting it sends the reply.
    email.fill("asa.obrien@asikkala.example.fi")
    page.get_by_role("button", name="Lähetä", exact=True).click()
    expect_confirmation(page)
    assert "Åsa O'Brien-Mäkelä" in parts(wait_for_mail(smtp_server, ASIKKALA))[0]


def test_a_missing_name_and_a_bad_phone_are_both_listed(page: Page, personal_link: str) -> None:
    page.goto(personal_link)
    fill_person(page, MEMBER, {**ASA, "Nimi": "", "Puhelin": "12"})
    fill_person(page, DEPUTY, OLLI)
    page.get_by_role("button", name="Lähetä", exact=True).click()

    links = page.get_by_role("alert").get_by_role("link")
    expect(links).to_have_text(
        [f"{MEMBER}: Kirjoita nimi.", re.compile(f"^{MEMBER}: Puhelinnumero ei kelpaa")]
    )
    expect(links.nth(0)).to_have_attribute("href", "#seat1_member_name")
    expect(links.nth(1)).to_have_attribute("href", "#seat1_member_phone")
    expect(field(page, MEMBER, "Nimi")).to_have_attribute("aria-invalid", "true")
    expect(field(page, MEMBER, "Puhelin")).to_have_attribute("aria-invalid", "true")
    expect(field(page, MEMBER, "Puhelin")).to_have_value("12")
    expect(field(page, MEMBER, "Sähköposti")).not_to_have_attribute("aria-invalid", "true")


# --- declining -------------------------------------------------------------------------------


def test_organisation_declines_with_a_reason(
    page: Page, personal_link: str, smtp_server: SmtpServer
) -> None:
    reason = "Asiasta vastaa Åsa O'Brien-Mäkelä <hyvinvointi> & co, ei meillä."
    page.goto(personal_link)
    page.get_by_label("Perustelu").fill(reason)
    page.get_by_role("button", name="Emme nimeä edustajaa").click()

    expect_confirmation(page)
    expect(page.get_by_text("Ilmoititte, ettei organisaationne nimeä edustajaa.")).to_be_visible()
    expect(page.get_by_text(f"Perustelu: {reason}", exact=True)).to_be_visible()
    text, _ = parts(wait_for_mail(smtp_server, ASIKKALA))
    assert f"Perustelu: {reason}" in text


def test_declining_without_a_reason_asks_for_one(page: Page, personal_link: str) -> None:
    page.goto(personal_link)
    page.get_by_role("button", name="Emme nimeä edustajaa").click()

    reason = page.get_by_label("Perustelu")
    expect(reason).to_have_attribute("aria-invalid", "true")
    expect(reason).to_have_accessible_description(re.compile("Virhe: Kirjoita perustelu"))
    expect(page.get_by_role("alert").get_by_role("link")).to_have_attribute("href", "#reason")


# --- keyboard, phone, no JavaScript ----------------------------------------------------------


# The focus ring: a yellow outline and a dark ring around it, seen on white and on blue.
RING = "solid 3px + dark ring"


def focused(page: Page) -> dict[str, str]:
    """The focused element, and its focus ring."""
    found: dict[str, str] = page.evaluate("""() => {
        const e = document.activeElement, s = getComputedStyle(e);
        const dark = s.boxShadow === 'rgb(26, 26, 26) 0px 0px 0px 6px';
        const ring = dark ? ' + dark ring' : '';
        return {id: e.id, tag: e.tagName, text: e.textContent.trim(),
                outline: s.outlineStyle + ' ' + s.outlineWidth + ring}; }""")
    return found


def test_keyboard_alone_reaches_fills_and_sends_the_form(
    page: Page, personal_link: str, smtp_server: SmtpServer
) -> None:
    page.goto(personal_link)
    keys = page.keyboard

    keys.press("Tab")
    assert focused(page)["text"] == "Siirry sisältöön", focused(page)
    assert focused(page)["outline"] == RING, "focus must be visible"
    keys.press("Enter")
    keys.press("Tab")
    assert focused(page)["id"] == "seat1_member_name", focused(page)

    for role, person in (("member", ASA), ("deputy", OLLI)):
        for index, value in enumerate(person.values()):
            if index:
                keys.press("Tab")
            assert focused(page)["outline"] == RING, focused(page)
            keys.type(value)
        # The optional gender: one tab stop for the group, arrows choose, Space too.
        keys.press("Tab")
        assert focused(page)["id"] == f"seat1_{role}_gender-woman", focused(page)
        keys.press("ArrowDown")
        assert focused(page)["id"] == f"seat1_{role}_gender-man", focused(page)
        keys.press("Tab")
    assert focused(page) == {"id": "", "tag": "BUTTON", "text": "Lähetä", "outline": RING}
    keys.press("Enter")

    expect_confirmation(page)
    expect(page.get_by_role("cell", name="Åsa O'Brien-Mäkelä", exact=True)).to_be_visible()
    assert "Olli Ärölä" in parts(wait_for_mail(smtp_server, ASIKKALA))[0]


def test_enter_in_a_field_sends_the_form(page: Page, personal_link: str) -> None:
    page.goto(personal_link)
    fill_person(page, MEMBER, ASA)
    fill_person(page, DEPUTY, OLLI)
    field(page, DEPUTY, "Sähköposti").press("Enter")
    expect_confirmation(page)


@pytest.mark.parametrize(
    ("viewport", "phone"),
    [(PHONE, True), ({"width": 320, "height": 256}, False)],
    ids=["phone-360px", "desktop-zoomed-400pc"],
)
def test_on_a_small_screen_nothing_scrolls_sideways(
    browser: Browser, personal_link: str, viewport: dict[str, int], phone: bool
) -> None:
    """A phone, and WCAG 1.4.10's reflow case: 1280 px wide at 400 % zoom is 320 CSS px."""
    context = new_context(
        browser,
        viewport=viewport,
        is_mobile=phone,
        has_touch=phone,
        device_scale_factor=2 if phone else 1,
    )
    try:
        page = context.new_page()
        page.goto(personal_link)
        no_horizontal_scroll(page)
        screenshot(page, f"form-phone-{viewport['width']}")

        fill_person(page, MEMBER, {**ASA, "Sähköposti": "asa.obrien(at)asikkala"})
        fill_person(page, DEPUTY, OLLI)
        page.get_by_role("button", name="Lähetä", exact=True).click()
        expect(page.get_by_role("alert")).to_be_visible()
        no_horizontal_scroll(page)
        screenshot(page, f"form-errors-phone-{viewport['width']}")

        field(page, MEMBER, "Sähköposti").fill("asa.obrien@asikkala.example.fi")
        page.get_by_role("button", name="Lähetä", exact=True).click()
        expect_confirmation(page)
        no_horizontal_scroll(page)
        screenshot(page, f"done-phone-{viewport['width']}")
        # The table of people is wider than the screen and scrolls on its own; a keyboard
        # reaches it and scrolls it.
        table = page.get_by_role("region", name="Asikkala")
        table.focus()
        expect(table).to_be_focused()
        for _ in range(20):
            page.keyboard.press("ArrowRight")
        expect(page.get_by_role("cell", name="040 1234567")).to_be_in_viewport()
    finally:
        context.close()


def test_the_form_works_without_javascript(
    browser: Browser, personal_link: str, smtp_server: SmtpServer
) -> None:
    context = new_context(browser, java_script_enabled=False)
    try:
        page = context.new_page()
        page.goto(personal_link)
        fill_person(page, MEMBER, ASA)
        fill_person(page, DEPUTY, OLLI)
        page.get_by_role("button", name="Lähetä", exact=True).click()
        expect_confirmation(page)
        expect(page.get_by_role("cell", name="Åsa O'Brien-Mäkelä", exact=True)).to_be_visible()
        assert "Åsa O'Brien-Mäkelä" in parts(wait_for_mail(smtp_server, ASIKKALA))[0]
    finally:
        context.close()


# --- axe-core --------------------------------------------------------------------------------


def test_axe_finds_nothing_serious_on_the_form(axe_page: Page, personal_link: str) -> None:
    axe_page.goto(personal_link)
    axe_check(axe_page, "the reply form")


def test_axe_finds_nothing_serious_on_the_form_showing_errors(
    axe_page: Page, personal_link: str
) -> None:
    axe_page.goto(personal_link)
    fill_person(axe_page, MEMBER, {**ASA, "Nimi": "", "Sähköposti": "asa.obrien(at)asikkala"})
    axe_page.get_by_role("button", name="Lähetä", exact=True).click()
    expect(axe_page.get_by_role("alert")).to_be_visible()
    axe_check(axe_page, "the reply form showing errors")


def test_axe_finds_nothing_serious_on_the_decline_error(axe_page: Page, personal_link: str) -> None:
    axe_page.goto(personal_link)
    axe_page.get_by_role("button", name="Emme nimeä edustajaa").click()
    expect(axe_page.get_by_role("alert")).to_be_visible()
    axe_check(axe_page, "the reply form with the decline error")


@pytest.mark.parametrize("reply", ["nomination", "decline"])
def test_axe_finds_nothing_serious_on_the_confirmation(
    axe_page: Page, personal_link: str, reply: str
) -> None:
    axe_page.goto(personal_link)
    if reply == "nomination":
        fill_person(axe_page, MEMBER, ASA)
        fill_person(axe_page, DEPUTY, OLLI)
        axe_page.get_by_role("button", name="Lähetä", exact=True).click()
    else:
        axe_page.get_by_label("Perustelu").fill("Ei edustajaa tähän ryhmään.")
        axe_page.get_by_role("button", name="Emme nimeä edustajaa").click()
    expect_confirmation(axe_page)
    axe_check(axe_page, f"the confirmation of a {reply}")


def test_axe_finds_nothing_serious_on_a_phone(browser: Browser, personal_link: str) -> None:
    """Here the table of people on the confirmation scrolls sideways on its own."""
    require_axe()
    context = new_context(browser, viewport=PHONE, is_mobile=True, bypass_csp=True)
    try:
        page = context.new_page()
        page.goto(personal_link)
        axe_check(page, "the reply form on a phone")
        fill_person(page, MEMBER, ASA)
        fill_person(page, DEPUTY, OLLI)
        page.get_by_role("button", name="Lähetä", exact=True).click()
        expect_confirmation(page)
        axe_check(page, "the confirmation on a phone")
    finally:
        context.close()
