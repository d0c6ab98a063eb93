"""A coordinator makes a round in the browser: every field of the round file typed, a mistake
shown next to its field, the distribution list uploaded as Finnish Excel saves CSV, then the
draft edited, its list replaced, copied and deleted. Every page on the way passes axe, and on a
360 px phone none scrolls sideways."""

from __future__ import annotations

import pytest
from playwright.sync_api import Browser, Page, expect

from nimeamiset.db import session_scope
from nimeamiset.services.drafts import spec_of_round
from tests.browser.axe import axe_check
from tests.browser.conftest import PHONE, LiveServer, new_context, sign_in_with_form
from tests.browser.test_reply_form import no_horizontal_scroll, screenshot
from tests.conftest import StaffLogin

pytestmark = pytest.mark.browser

EXCEL_CSV = (
    "Organisaatio;Sähköposti;Kieli;Paikat;Yhteinen\r\n"
    "Hämeenkoski;kirjaamo@hameenkoski.example.fi;fi;1;\r\n"
    "Pääkallion kunta;kirjaamo@paakallio.example.fi;;2;\r\n"
    "LUT;kirjaamo@lut.example.fi;;;korkeakoulut\r\n"
    "LAB;kirjaamo@lab.example.fi;en;;korkeakoulut\r\n"
).encode("cp1252")
FIELDS = {
    "Toimielin": "Päijät-Hämeen työllisyyden ja kotoutumisen edistämisohjelman ohjausryhmä",
    "Viestin aihe": "Edustajan nimeäminen edistämisohjelman ohjausryhmään",
    "Pyyntökirje": "Päijät-Hämeen kunnat laativat aiesopimuksen.\n\nPyydämme nimeämään edustajan.",
    "Määräaika": "27.3.2024",
    "Päivä": "18.4.2024",
    "Alkaa klo": "9.00",
    "Päättyy klo": "11.00",
    "Paikka": "Hämeenkatu 9 A, Lahti",
}


def fill_round(page: Page) -> None:
    for label, value in FIELDS.items():
        page.get_by_label(label, exact=True).fill(value)
    for legend, (name, title) in {
        "Allekirjoittaja": ("Niina Pautola-Mol", "maakuntajohtaja"),
        "Yhteyshenkilö": ("Tarja Parviainen", "kuntayhteistyöpäällikkö"),
    }.items():
        group = page.get_by_role("group", name=legend)
        group.get_by_label("Nimi", exact=True).fill(name)
        group.get_by_label("Tehtävänimike", exact=True).fill(title)
    page.get_by_label("Organisaatio", exact=True).fill("Päijät-Hämeen liitto")
    page.get_by_label("Sähköposti", exact=True).fill("tarja.parviainen@example.fi")
    page.get_by_label("Puhelin (vapaaehtoinen)").fill("044 077 3431")
    page.get_by_label("Muistutuspäivät").fill("7, 2, -1")
    page.get_by_label("Pyydä jokaiselle paikalle sekä naista että miestä").check()


def test_a_coordinator_makes_a_round_in_the_browser(
    browser: Browser, live_server: LiveServer, staff_account: StaffLogin
) -> None:
    context = new_context(browser, bypass_csp=True)  # axe's script is injected inline
    page = context.new_page()
    page.goto(f"{live_server.url}/henkilosto")
    sign_in_with_form(page, staff_account)
    page.get_by_role("link", name="Uusi kierros").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Uusi kierros")
    axe_check(page, "the new round's form")

    # A mistake comes back next to its field, the rest as typed; the file must be chosen again.
    fill_round(page)
    page.get_by_label("Määräaika").fill("30.2.2024")
    page.get_by_label("Tiedosto (CSV tai Excel)").set_input_files(
        files=[{"name": "jakelu.csv", "mimeType": "text/csv", "buffer": EXCEL_CSV}]
    )
    page.get_by_role("button", name="Tallenna luonnos").click()
    expect(page).to_have_title("Virhe: Uusi kierros – Kierrokset – Nimeämiset")
    expect(page.get_by_label("Määräaika")).to_have_accessible_description(
        "Vastaukset pyydetään viimeistään tämän päivän aikana, esimerkiksi 27.3.2024. "
        "Virhe: Päivämäärä ei kelpaa. Kirjoita se muodossa 5.4.2024."
    )
    expect(page.get_by_label("Toimielin")).to_have_value(FIELDS["Toimielin"])
    axe_check(page, "the new round's form with an error")

    page.get_by_label("Määräaika").fill("27.3.2024")
    page.get_by_label("Tiedosto (CSV tai Excel)").set_input_files(
        files=[{"name": "jakelu.csv", "mimeType": "text/csv", "buffer": EXCEL_CSV}]
    )
    page.get_by_role("button", name="Tallenna luonnos").click()
    expect(page.get_by_role("status")).to_contain_text("Kierros tallennettiin luonnoksena")
    round_id = page.url.split("/henkilosto/")[1].split("?")[0]
    with session_scope(live_server.runtime.engine) as session:
        items = spec_of_round(session, round_id)["organisations"]
    assert items[1] == {
        "name": "Pääkallion kunta",
        "email": "kirjaamo@paakallio.example.fi",
        "language": "fi",
        "seats": 2,
    }
    assert [m["name"] for m in items[2]["joint"]] == ["LUT", "LAB"]

    # The list page refuses a bad row, row by row.
    page.get_by_role("link", name="Jakelulista").click()
    axe_check(page, "the draft's distribution list")
    page.get_by_label("Jakelulistan rivit").fill("nimi;sähköposti\nAsikkala;\n")
    page.get_by_role("button", name="Tallenna jakelulista").click()
    expect(page.get_by_text("Rivi 2: sähköposti puuttuu")).to_be_visible()
    axe_check(page, "the distribution list with errors")

    page.get_by_role("link", name=f"← {FIELDS['Toimielin']}").click()
    page.get_by_role("link", name="Muokkaa", exact=True).click()
    expect(page.get_by_label("Alkaa klo")).to_have_value("9.00")
    axe_check(page, "the draft's edit form")
    page.get_by_role("button", name="Tallenna muutokset").click()
    expect(page.get_by_role("status")).to_have_text("Muutokset tallennettiin.")

    page.get_by_role("link", name="Kopioi kierros").click()
    axe_check(page, "copying a round")
    page.get_by_role("button", name="Kopioi kierros").click()
    expect(page.get_by_text("Tarkista päivämäärät")).to_be_visible()
    axe_check(page, "the copy's edit form")
    page.get_by_role("link", name="Peruuta").click()
    page.get_by_role("link", name="Poista luonnos").click()
    axe_check(page, "deleting a draft")
    page.get_by_role("button", name="Poista luonnos").click()
    expect(page.get_by_role("status")).to_have_text("Luonnos poistettiin.")

    page.get_by_role("link", name="Organisaatiot").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Organisaatiot")
    axe_check(page, "the organisation register")
    page.get_by_role("link", name="Muokkaa Hämeenkoski").click()
    axe_check(page, "an organisation of the register")
    page.get_by_label("Ruotsi").check()
    page.get_by_role("button", name="Tallenna").click()
    expect(page.get_by_role("status")).to_have_text("Organisaation tiedot tallennettiin.")
    context.close()


def test_on_a_phone_no_new_page_scrolls_sideways(
    browser: Browser, live_server: LiveServer, staff_account: StaffLogin, round_id: str
) -> None:
    context = new_context(
        browser, viewport=PHONE, is_mobile=True, has_touch=True, device_scale_factor=2
    )
    page = context.new_page()
    page.goto(f"{live_server.url}/henkilosto/uusi")
    sign_in_with_form(page, staff_account)
    no_horizontal_scroll(page)
    screenshot(page, "staff-phone-new-round")
    page.get_by_label("Liitä rivit").fill("Asikkala;kirjaamo(at)asikkala.example.fi;fi\n")
    page.get_by_role("button", name="Tallenna luonnos").click()
    expect(page.get_by_text("Rivi 1: sähköposti ei kelpaa")).to_be_visible()
    no_horizontal_scroll(page)
    screenshot(page, "staff-phone-new-round-errors")
    base = f"{live_server.url}/henkilosto"
    for path in ("muokkaa", "jakelulista", "kopioi", "poista"):
        page.goto(f"{base}/{round_id}/{path}")
        no_horizontal_scroll(page)
        screenshot(page, f"staff-phone-{path}")
    page.goto(f"{base}/organisaatiot")
    no_horizontal_scroll(page)
    screenshot(page, "staff-phone-register")
    page.goto(f"{base}/organisaatiot/1")
    no_horizontal_scroll(page)
    context.close()
