"""The reply form over HTTP (FastAPI's TestClient), on SQLite and PostgreSQL."""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient
from sqlmodel import func, select

from nimeamiset.db import session_scope
from nimeamiset.models import AuditEvent, OutboxMessage, Reply
from nimeamiset.runtime import Runtime
from nimeamiset.services.status import round_status
from nimeamiset.web.app import create_app
from tests.conftest import (
    AFTER_DEADLINE,
    BEFORE_DEADLINE,
    SmtpServer,
    StaffLogin,
    at,
    sign_in,
)
from tests.helpers import launch, link_in, message_to, parts, work

ASIKKALA = "kirjaamo@asikkala.example.fi"
SFV = "kansli@sfv.example.fi"

GOOD = {
    "seat1_member_name": "Aino Mäkelä",
    "seat1_member_title": "sivistysjohtaja",
    "seat1_member_email": "aino.makela@asikkala.example.fi",
    "seat1_member_phone": "040 123 4567",
    "seat1_deputy_name": "Pekka O'Brien",
    "seat1_deputy_title": "",
    "seat1_deputy_email": "pekka@asikkala.example.fi",
    "seat1_deputy_phone": "",
}


@pytest.fixture
def launched(runtime: Runtime, round_id: str, smtp_server: SmtpServer) -> dict[str, str]:
    launch(runtime, round_id)
    links = {to: link_in(message_to(smtp_server.received(), to)) for to in (ASIKKALA, SFV)}
    smtp_server.clear()
    return links


def client_at(rt: Runtime, moment: object = BEFORE_DEADLINE) -> TestClient:
    return TestClient(create_app(runtime=at(rt, moment)))  # type: ignore[arg-type]


@pytest.fixture
def client(runtime: Runtime) -> Iterator[TestClient]:
    with client_at(runtime) as c:
        yield c


def path_of(link: str) -> str:
    return link.removeprefix("http://testserver")


def counts(rt: Runtime) -> tuple[int, int, int]:
    with session_scope(rt.engine) as session:
        return tuple(  # type: ignore[return-value]
            session.exec(select(func.count()).select_from(table)).one()
            for table in (Reply, AuditEvent, OutboxMessage)
        )


def test_form_names_the_organisation_and_the_round(
    client: TestClient, launched: dict[str, str]
) -> None:
    page = client.get(path_of(launched[ASIKKALA]))
    assert page.status_code == 200
    assert "Asikkala" in page.text
    assert "Päijät-Hämeen testiohjelman ohjausryhmä" in page.text
    assert "27.3.2024 mennessä" in page.text and "18.4.2024 klo 9–11" in page.text
    assert "<legend>Varsinainen jäsen</legend>" in page.text
    assert "<legend>Varajäsen</legend>" in page.text
    for label in ("Nimi", "Tehtävänimike", "Sähköposti", "Puhelin"):
        assert f">{label}</label>" in page.text
    assert ">Lähetä</button>" in page.text and "Emme nimeä edustajaa" in page.text
    assert page.headers["referrer-policy"] == "no-referrer"
    assert page.headers["cache-control"] == "no-store"


def test_form_speaks_the_organisations_language(
    client: TestClient, launched: dict[str, str]
) -> None:
    page = client.get(path_of(launched[SFV]))
    assert '<html lang="sv">' in page.text and "Ordinarie medlem" in page.text
    assert '<html lang="fi">' in client.get(path_of(launched[SFV]) + "?kieli=fi").text


def test_get_never_changes_anything(
    runtime: Runtime, client: TestClient, launched: dict[str, str]
) -> None:
    before = counts(runtime)
    for _ in range(3):  # a mail scanner pre-fetching the link
        client.get(path_of(launched[ASIKKALA]))
        client.get(path_of(launched[ASIKKALA]) + "/kiitos")
    assert counts(runtime) == before


def test_unknown_links_all_get_the_same_plain_page(client: TestClient) -> None:
    pages = [client.get(f"/n/{token}") for token in ("x", "A" * 32, "%00", "a" * 300)]
    assert {p.status_code for p in pages} == {404}
    assert len({p.text for p in pages}) == 1
    assert "Linkki ei ole voimassa" in pages[0].text
    posted = client.post("/n/" + "A" * 32, data=GOOD)
    assert posted.status_code == 404 and posted.text == pages[0].text


def test_sending_records_the_reply_and_shows_a_confirmation(
    runtime: Runtime,
    client: TestClient,
    launched: dict[str, str],
    smtp_server: SmtpServer,
    round_id: str,
) -> None:
    response = client.post(path_of(launched[ASIKKALA]), data=GOOD, follow_redirects=False)
    assert response.status_code == 303

    page = client.get(response.headers["location"])
    assert "Kiitos, vastaus on vastaanotettu" in page.text
    assert "Pekka O&#39;Brien" in page.text and "Pekka O'Brien" not in page.text

    confirmation = message_to(smtp_server.received(), ASIKKALA)
    text, html = parts(confirmation)
    assert "Aino Mäkelä" in text and "040 1234567" in text
    assert "Aino Mäkelä" in html
    with session_scope(runtime.engine) as session:
        entry = round_status(session, round_id, now=runtime.now()).as_json()["organisations"][0]
    assert entry["state"] == "nominated"
    assert entry["member"]["phone"] == "040 1234567"


def test_errors_show_next_to_their_fields_and_keep_what_was_typed(
    runtime: Runtime, client: TestClient, launched: dict[str, str]
) -> None:
    before = counts(runtime)
    typed = {
        **GOOD,
        "seat1_member_email": "aino(at)asikkala",
        "seat1_deputy_name": "",
        "seat1_member_phone": "12",
        "seat1_member_name": '<script>alert("x")</script>',
    }
    page = client.post(path_of(launched[ASIKKALA]), data=typed)

    assert page.status_code == 422
    assert page.text.count('aria-invalid="true"') == 3
    assert re.search(r'id="seat1_member_email-error"[^>]*>.*Sähköpostiosoite ei kelpaa', page.text)
    assert 'aria-describedby="seat1_member_email-req seat1_member_email-error"' in page.text
    assert 'value="aino(at)asikkala"' in page.text
    assert 'value="12"' in page.text
    assert "&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt;" in page.text
    assert "<script>" not in page.text
    assert '<a href="#seat1_deputy_name">' in page.text
    assert page.text.count("<title>Virhe:") == 1
    assert counts(runtime) == before


def test_reply_can_be_corrected_through_the_same_link(
    runtime: Runtime, client: TestClient, launched: dict[str, str], round_id: str
) -> None:
    link = path_of(launched[ASIKKALA])
    client.post(link, data=GOOD)
    form = client.get(link).text
    assert 'value="Aino Mäkelä"' in form and "Olette vastanneet 20.3.2024 klo 14.30" in form

    client.post(link, data={**GOOD, "seat1_member_name": "Aino Virtanen"})
    with session_scope(runtime.engine) as session:
        entry = round_status(session, round_id, now=runtime.now()).as_json()["organisations"][0]
        versions = session.exec(select(func.count()).select_from(Reply)).one()
    assert entry["member"]["name"] == "Aino Virtanen" and versions == 2


def test_decline_needs_a_reason_and_keeps_it(
    runtime: Runtime, client: TestClient, launched: dict[str, str], round_id: str
) -> None:
    link = path_of(launched[ASIKKALA])
    refused = client.post(link + "/kieltaytyminen", data={"reason": "   "})
    assert refused.status_code == 422 and "Kirjoita perustelu." in refused.text

    done = client.post(link + "/kieltaytyminen", data={"reason": "Ei <b>resursseja</b>."})
    assert "Ei &lt;b&gt;resursseja&lt;/b&gt;." in done.text
    with session_scope(runtime.engine) as session:
        entry = round_status(session, round_id, now=runtime.now()).as_json()["organisations"][0]
    assert entry["state"] == "declined"


def test_late_reply_is_accepted_and_says_so(
    runtime: Runtime, launched: dict[str, str], round_id: str
) -> None:
    with client_at(runtime, AFTER_DEADLINE) as late_client:
        link = path_of(launched[ASIKKALA])
        assert "Määräaika on päättynyt" in late_client.get(link).text
        page = late_client.post(link, data=GOOD)
    assert "merkitty myöhästyneeksi" in page.text
    with session_scope(runtime.engine) as session:
        assert round_status(session, round_id, now=runtime.now()).organisations[0].late


def test_staff_pages_need_a_signed_in_account(
    client: TestClient, launched: dict[str, str], round_id: str, staff_account: StaffLogin
) -> None:
    away = client.get(f"/henkilosto/{round_id}", follow_redirects=False)
    assert away.status_code == 303
    assert away.headers["location"] == f"/henkilosto/kirjaudu?seuraava=/henkilosto/{round_id}"
    sign_in(client, staff_account.email, staff_account.password)
    page = client.get(f"/henkilosto/{round_id}")
    assert page.status_code == 200 and "Asikkala" in page.text
    roster = client.get(f"/henkilosto/{round_id}/kokoonpano.csv")
    assert roster.content.startswith(b"\xef\xbb\xbforganisaatio;rooli;")


def test_after_an_error_every_form_on_the_page_still_works(
    runtime: Runtime, client: TestClient, launched: dict[str, str], round_id: str
) -> None:
    link = path_of(launched[ASIKKALA])
    refused = client.post(link + "/kieltaytyminen", data={"reason": ""})
    assert refused.status_code == 422
    assert f'action="{link}/kieltaytyminen?kieli=fi"' in refused.text
    assert f'action="{link}?kieli=fi"' in refused.text
    assert f'href="{link}?kieli=sv"' in refused.text  # the language links lead to the form
    assert "kieltaytyminen/kieltaytyminen" not in refused.text

    refused = client.post(link, data={**GOOD, "seat1_member_email": "x"})
    assert f'action="{link}/kieltaytyminen?kieli=fi"' in refused.text
    done = client.post(link, data=GOOD)
    assert done.status_code == 200 and "Kiitos" in done.text
    assert f'href="{link}?kieli=fi"' in done.text  # "correct the reply" leads to the form


def test_the_form_shows_the_organisations_own_extended_deadline(
    runtime: Runtime, launched: dict[str, str], round_id: str
) -> None:
    from datetime import date

    from nimeamiset.services.extensions import extend_deadline

    rt = at(runtime, AFTER_DEADLINE)
    with work(rt, round_id) as unit:
        extend_deadline(unit, rt.mail, date(2024, 4, 5), hours=rt.hours, organisation="Asikkala")
    with client_at(runtime, AFTER_DEADLINE) as late_client:
        page = late_client.get(path_of(launched[ASIKKALA])).text
    assert "5.4.2024 mennessä" in page and "Määräaika on päättynyt" not in page


def test_control_characters_in_a_reply_are_dropped_not_stored(
    runtime: Runtime, client: TestClient, launched: dict[str, str], round_id: str
) -> None:
    """NUL cannot be stored in PostgreSQL (it gave a 500); no control character is kept."""
    hostile = {
        **GOOD,
        "seat1_member_name": "Aino\x00 Mäkelä\x1b",
        "seat1_member_title": "j\x07ohtaja",
    }
    response = client.post(path_of(launched[ASIKKALA]), data=hostile, follow_redirects=False)
    assert response.status_code == 303
    with session_scope(runtime.engine) as session:
        member = round_status(session, round_id, now=runtime.now()).as_json()["organisations"][0][
            "member"
        ]
    assert (member["name"], member["title"]) == ("Aino Mäkelä", "johtaja")


def test_a_huge_body_is_refused_before_it_is_read(
    client: TestClient, launched: dict[str, str]
) -> None:
    answer = client.post(
        path_of(launched[ASIKKALA]),
        content=b"x" * (300 * 1024),
        headers={"Content-Type": "application/x-www-form-urlencoded"},
    )
    assert answer.status_code == 413
    assert client.post(path_of(launched[ASIKKALA]), data=GOOD).status_code == 200


def test_a_link_stops_working_some_time_after_the_first_meeting(
    runtime: Runtime, launched: dict[str, str]
) -> None:
    """The first meeting is on 18.4.2024; links work for 90 days after it, by default."""
    from datetime import datetime

    for moment, status in (("2024-07-16T10:00:00+03:00", 200), ("2024-07-18T10:00:00+03:00", 404)):
        with client_at(runtime, datetime.fromisoformat(moment)) as late:
            page = late.get(path_of(launched[ASIKKALA]))
        assert page.status_code == status
    with client_at(runtime, datetime.fromisoformat("2024-07-18T10:00:00+03:00")) as late:
        answer = late.post(path_of(launched[ASIKKALA]), data=GOOD)
    assert answer.status_code == 404 and "Linkki ei ole voimassa" in answer.text


def test_a_link_cannot_be_used_to_send_mail_at_will(
    runtime: Runtime, client: TestClient, launched: dict[str, str]
) -> None:
    """Each changed reply may mail notices to new addresses: twenty changes a day through one
    link, then the reply stands until tomorrow."""
    from nimeamiset.services.replies import MAX_WEB_VERSIONS_PER_DAY

    for n in range(MAX_WEB_VERSIONS_PER_DAY):
        changed = {**GOOD, "seat1_member_email": f"aino{n}@asikkala.example.fi"}
        answer = client.post(path_of(launched[ASIKKALA]), data=changed, follow_redirects=False)
        assert answer.status_code == 303
    refused = client.post(path_of(launched[ASIKKALA]), data=GOOD, follow_redirects=False)
    assert refused.status_code == 429
    assert "Vastausta on muutettu tänään jo 20 kertaa" in refused.text
    assert counts(runtime)[0] == MAX_WEB_VERSIONS_PER_DAY
