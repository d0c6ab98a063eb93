"""Previewing a round's invitation and sending it to oneself as a test, over HTTP: the preview
is the message the launch sends (but for its link, an example that opens nothing, never a
real one), in the organisation's language; a test send reaches the signed-in person only,
marked as a test. On SQLite and PostgreSQL."""

from __future__ import annotations

import html
import re
from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient
from sqlmodel import col, select

from nimeamiset.db import session_scope
from nimeamiset.domain.roundfile import parse_round_file
from nimeamiset.domain.tokens import hash_token
from nimeamiset.models import AccessLogEntry, AuditEvent, NominationRequest, OutboxMessage
from nimeamiset.runtime import Runtime
from nimeamiset.services.events import TestMessageSent
from nimeamiset.services.rounds import create_round
from nimeamiset.web.app import create_app
from tests.conftest import FIXTURES, STAFF_EMAIL, SmtpServer, StaffLogin, sign_in
from tests.helpers import LINK, TESTER, launch, link_in, message_to, parts, token_of

ROUND_ID = "muotoryhma"
PREVIEW = f"/henkilosto/{ROUND_ID}/esikatselu"
SUBJECT = "Edustajan nimeäminen Päijät-Hämeen testiohjelman ohjausryhmään"
FROM = "Päijät-Hämeen liitto <kirjaamo@paijat-hame.example.fi>"
REPLY_TO = "Tarja Parviainen <tarja.parviainen@example.fi>"
EXAMPLE_LINK = "http://testserver/n/ESIKATSELU-esimerkkilinkki-ei-toimi"
ASIKKALA = "kirjaamo@asikkala.example.fi"
SFV = "kansli@sfv.example.fi"


@pytest.fixture
def round_id(runtime: Runtime) -> str:
    """The test cast's shapes, as a draft: several seats, a joint seat, a Swedish society."""
    spec = parse_round_file((FIXTURES / "round_shapes.yaml").read_text(encoding="utf-8"))
    with session_scope(runtime.engine) as session:
        return create_round(session, spec, actor=TESTER, now=runtime.now()).id


@pytest.fixture
def client(runtime: Runtime, round_id: str) -> Iterator[TestClient]:
    with TestClient(create_app(runtime=runtime), follow_redirects=False) as c:
        yield c


@pytest.fixture
def csrf(client: TestClient, staff_account: StaffLogin) -> str:
    return sign_in(client, staff_account.email, staff_account.password)


def request_id(rt: Runtime, email: str) -> int:
    with session_scope(rt.engine) as session:
        found = session.exec(
            select(NominationRequest.id).where(NominationRequest.email == email)
        ).one()
    assert found is not None
    return found


def facts(page: str) -> dict[str, str]:
    """The preview's headers, as the page lists them (``<dt>`` text: ``<dd>`` text)."""
    pairs = re.findall(r"<dt>([^<]*)</dt><dd>([^<]*)</dd>", page)
    return {html.unescape(k): html.unescape(v) for k, v in pairs}


def text_part(page: str) -> str:
    match = re.search(r'<pre class="mail-text">(.*?)</pre>', page, re.DOTALL)
    assert match, "no text part on the page"
    return html.unescape(match.group(1))


def test_preview_shows_the_invitation_as_the_organisation_receives_it(
    client: TestClient, runtime: Runtime, csrf: str
) -> None:
    asikkala = request_id(runtime, ASIKKALA)

    page = client.get(PREVIEW, params={"organisaatio": asikkala})

    assert page.status_code == 200
    assert '<label for="organisaatio">Organisaatio</label>' in page.text
    assert f'<option value="{asikkala}" selected>Asikkala (suomi)</option>' in page.text
    assert facts(page.text) == {
        "Aihe": SUBJECT,
        "Lähettäjä (From)": FROM,
        "Vastausosoite (Reply-To)": REPLY_TO,
        "Vastaanottaja (To)": f"Asikkala <{ASIKKALA}>",
        "Kieli": "suomi",
    }
    text = text_part(page.text)
    assert text.startswith("Asikkala\n\n" + SUBJECT)
    assert "Pyydämme teitä nimeämään edustajanne" in text
    assert EXAMPLE_LINK in text
    assert "Lähetä testiviesti" in page.text
    frame = f"{PREVIEW}/viesti.html?organisaatio={asikkala}"
    iframe = f'<iframe class="mail-html" title="Viestin HTML-osa: Asikkala" sandbox src="{frame}">'
    assert iframe in page.text

    html_part = client.get(frame)

    assert html_part.status_code == 200
    assert html_part.headers["content-type"].startswith("text/html")
    policy = html_part.headers["content-security-policy"]
    assert "default-src 'none'" in policy and "sandbox" in policy
    assert "style-src 'unsafe-inline'" in policy  # the email's own inline styles render
    assert "Pyydämme teitä nimeämään edustajanne" in html_part.text
    assert f'href="{EXAMPLE_LINK}"' in html_part.text


def test_the_first_organisation_is_shown_unless_one_is_chosen(
    client: TestClient, csrf: str
) -> None:
    page = client.get(PREVIEW, params={"organisaatio": "not-a-number"})

    assert page.status_code == 200
    assert facts(page.text)["Vastaanottaja (To)"] == f"Asikkala <{ASIKKALA}>"


def test_a_swedish_organisation_sees_its_invitation_in_swedish(
    client: TestClient, runtime: Runtime, csrf: str
) -> None:
    sfv = request_id(runtime, SFV)

    page = client.get(PREVIEW, params={"organisaatio": sfv})

    shown = facts(page.text)
    assert shown["Kieli"] == "ruotsi"
    assert shown["Vastaanottaja (To)"] == f"Svenska Folkskolans Vänner <{SFV}>"
    text = text_part(page.text)
    assert "Vi ber er utse er representant" in text
    assert "Pyydämme" not in text
    html_part = client.get(f"{PREVIEW}/viesti.html", params={"organisaatio": sfv}).text
    assert '<html lang="sv">' in html_part and "Vi ber er utse er representant" in html_part


def test_the_preview_is_the_message_the_launch_sends_but_never_its_real_link(
    client: TestClient, runtime: Runtime, smtp_server: SmtpServer, csrf: str
) -> None:
    asikkala = request_id(runtime, ASIKKALA)
    draft = client.get(PREVIEW, params={"organisaatio": asikkala}).text
    with session_scope(runtime.engine) as session:
        hashes = set(session.exec(select(NominationRequest.token_hash)).all())
    assert hash_token(token_of(EXAMPLE_LINK)) not in hashes  # opens nothing

    launch(runtime, ROUND_ID)
    sent = message_to(smtp_server.received(), ASIKKALA)
    real = link_in(sent)
    launched = client.get(PREVIEW, params={"organisaatio": asikkala}).text

    for page in (draft, launched):
        shown = facts(page)
        assert shown["Aihe"] == str(sent["Subject"])
        assert shown["Lähettäjä (From)"] == str(sent["From"])
        assert shown["Vastausosoite (Reply-To)"] == str(sent["Reply-To"])
        assert shown["Vastaanottaja (To)"] == str(sent["To"])
        assert text_part(page) == parts(sent)[0].replace(real, EXAMPLE_LINK)
        assert LINK.findall(text_part(page)) == [EXAMPLE_LINK]
    # No real link anywhere on the launched round's preview, nor in its HTML part.
    real_tokens = {token_of(link_in(m)) for m in smtp_server.received()}
    html_part = client.get(f"{PREVIEW}/viesti.html", params={"organisaatio": asikkala}).text
    for token in real_tokens:
        assert token not in launched and token not in html_part


def test_a_test_message_reaches_the_signed_in_person_marked_as_a_test(
    client: TestClient, runtime: Runtime, smtp_server: SmtpServer, csrf: str
) -> None:
    sfv = request_id(runtime, SFV)

    sent = client.post(f"{PREVIEW}/testiviesti", data={"organisaatio": str(sfv), "csrf": csrf})

    assert sent.status_code == 303
    assert sent.headers["location"] == f"{PREVIEW}?organisaatio={sfv}&tehty=testiviesti"
    (received,) = smtp_server.received()
    assert smtp_server.recipients() == [STAFF_EMAIL]
    assert str(received["To"]) == f"Kaisa Koordinaattori <{STAFF_EMAIL}>"
    assert str(received["Subject"]) == "[TESTIVIESTI] " + SUBJECT
    assert str(received["Reply-To"]) == REPLY_TO
    text, html_part = parts(received)
    note = "TESTIVIESTI: tämä on esikatselusta lähetetty testiviesti. Sitä ei lähetetty "
    assert text.startswith(note + f"organisaatiolle Svenska Folkskolans Vänner ({SFV}).")
    assert "Vi ber er utse er representant" in text  # the organisation's own language
    assert LINK.findall(text) == [EXAMPLE_LINK]
    body = html_part.split("<body", 1)[1]
    assert body.index("TESTIVIESTI: tämä on esikatselusta") < body.index("Vi ber er utse")
    with session_scope(runtime.engine) as session:
        request = session.get(NominationRequest, sfv)
        assert request is not None and request.state == "pending"  # nothing to the organisation
        (event,) = session.exec(
            select(AuditEvent).where(AuditEvent.kind == TestMessageSent.kind)
        ).all()
        assert (event.actor, event.entity_id) == (f"staff:{STAFF_EMAIL}", str(sfv))
        kinds = session.exec(select(OutboxMessage.kind)).all()
        assert kinds == ["test_message"]

    back = client.get(sent.headers["location"])
    assert "Testiviesti lähetettiin sähköpostiisi." in back.text

    # Every press sends one more.
    client.post(f"{PREVIEW}/testiviesti", data={"organisaatio": str(sfv), "csrf": csrf})
    assert smtp_server.recipients() == [STAFF_EMAIL, STAFF_EMAIL]


def test_a_test_message_of_an_organisation_of_another_round_is_refused(
    client: TestClient, smtp_server: SmtpServer, csrf: str
) -> None:
    refused = client.post(f"{PREVIEW}/testiviesti", data={"organisaatio": "999", "csrf": csrf})

    assert refused.status_code == 404
    assert smtp_server.received() == []


def test_a_viewer_may_preview_but_not_send(
    client: TestClient,
    runtime: Runtime,
    smtp_server: SmtpServer,
    viewer_account: StaffLogin,
) -> None:
    csrf = sign_in(client, viewer_account.email, viewer_account.password)

    page = client.get(PREVIEW)
    refused = client.post(
        f"{PREVIEW}/testiviesti",
        data={"organisaatio": str(request_id(runtime, ASIKKALA)), "csrf": csrf},
    )

    assert page.status_code == 200 and "Lähetä testiviesti" not in page.text
    assert refused.status_code == 403 and smtp_server.received() == []
    with session_scope(runtime.engine) as session:
        viewed = session.exec(
            select(AccessLogEntry.target)
            .where(AccessLogEntry.staff_email == viewer_account.email)
            .where(AccessLogEntry.action == "view")
            .order_by(col(AccessLogEntry.id))
        ).all()
    assert viewed == [PREVIEW]
