"""The staff pages over HTTP, signed in: the round's status with its filters, an
organisation's history, the round's events, the access log, and the access log rows every
view and download leaves. On SQLite and PostgreSQL."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import timedelta

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import update
from sqlmodel import col, select

from nimeamiset.db import session_scope
from nimeamiset.models import AccessLogEntry, NominationRequest, OutboxMessage
from nimeamiset.runtime import Runtime
from nimeamiset.web.app import create_app
from tests.conftest import (
    AFTER_DEADLINE,
    BEFORE_DEADLINE,
    LAUNCH_TIME,
    SmtpServer,
    StaffLogin,
    at,
    sign_in,
)
from tests.helpers import launch, link_in, message_to

ASIKKALA = "kirjaamo@asikkala.example.fi"
HARTOLA = "kirjaamo@hartola.example.fi"
ELY = "kirjaamo@ely.example.fi"
KELA = "kirjaamo@kela.example.fi"
SFV = "kansli@sfv.example.fi"
ROUND = "/henkilosto/testiryhma"

GOOD = {
    "seat1_member_name": "Aino Mäkelä",
    "seat1_member_title": "sivistysjohtaja",
    "seat1_member_email": "aino.makela@asikkala.example.fi",
    "seat1_member_phone": "040 123 4567",
    "seat1_deputy_name": "Pekka Virtanen",
    "seat1_deputy_title": "",
    "seat1_deputy_email": "pekka@asikkala.example.fi",
    "seat1_deputy_phone": "",
}


def post(rt: Runtime, link: str, data: dict[str, str], suffix: str = "") -> None:
    with TestClient(create_app(runtime=rt)) as client:
        done = client.post(link.removeprefix("http://testserver") + suffix, data=data)
    assert done.status_code == 200, done.text


@pytest.fixture
def scene(runtime: Runtime, round_id: str, smtp_server: SmtpServer) -> dict[str, int]:
    """The ELY centre's invitation waits after an error; Asikkala nominates and corrects its
    reply, Hartola declines, Kela nominates after the deadline, the rest are silent.
    Returns each address's request id."""
    launch(runtime, round_id)
    links = {
        to: link_in(message_to(smtp_server.received(), to)) for to in (ASIKKALA, HARTOLA, KELA)
    }
    before, after = at(runtime, BEFORE_DEADLINE), at(runtime, AFTER_DEADLINE)
    post(before, links[ASIKKALA], GOOD)
    post(
        at(runtime, BEFORE_DEADLINE + timedelta(hours=1)),
        links[ASIKKALA],
        {**GOOD, "seat1_member_name": "Aino Virtanen"},
    )
    post(before, links[HARTOLA], {"reason": "Ei resursseja."}, "/kieltaytyminen")
    post(after, links[KELA], {**GOOD, "seat1_member_name": "Kaisa Kivi"})
    with session_scope(runtime.engine) as session:  # as the outbox leaves one refused
        session.exec(  # type: ignore[call-overload]
            update(OutboxMessage)
            .where(col(OutboxMessage.envelope_to) == ELY)
            .values(
                state="queued",
                sent_at=None,
                last_error="SMTPRecipientsRefused",
                next_attempt_at=LAUNCH_TIME + timedelta(minutes=2),
            )
        )
        session.commit()
    with session_scope(runtime.engine) as session:
        return {
            email: request_id
            for email, request_id in session.exec(
                select(NominationRequest.email, NominationRequest.id)
            )
            if request_id is not None
        }


@pytest.fixture
def client(
    runtime: Runtime, scene: dict[str, int], staff_account: StaffLogin
) -> Iterator[TestClient]:
    with TestClient(create_app(runtime=at(runtime, AFTER_DEADLINE))) as c:
        sign_in(c, staff_account.email, staff_account.password)
        yield c


def organisations_listed(page: str) -> list[str]:
    return re.findall(r'/organisaatiot/\d+">([^<]+)</a>', page)


def test_the_round_page_shows_each_organisation_seat_by_seat(client: TestClient) -> None:
    page = client.get(ROUND)
    assert page.status_code == 200
    text = page.text
    assert "Nimenneet 2 · Kieltäytyneet 1 · Vastaamatta 2" in text
    assert "Kaisa Koordinaattori" in text and ">Kirjaudu ulos</button>" in text
    assert '<caption id="replies-caption">' in text and '<th scope="rowgroup"' in text
    assert '<th scope="col">Varsinainen jäsen</th>' in text
    # Address, people (name and title), state in Finnish, replied at, late, delivery.
    assert ASIKKALA in text and "Aino Virtanen" in text and "sivistysjohtaja" in text
    assert "Aino Mäkelä" not in text  # the corrected version counts
    assert "20.3.2024 klo 15.30" in text and "versio 2" in text
    assert "kieltäytyi" in text and "Perustelu: Ei resursseja." in text
    assert "<strong>myöhässä</strong>" in text and "<strong>määräaika ohi</strong>" in text
    assert "lähetetty 12.3.2024 klo 10" in text
    assert "odottaa uutta yritystä" in text and "Virhe: SMTPRecipientsRefused" in text
    for label in ("Puuttuvat", "Myöhästyneet", "Kieltäytyneet", "Toimitusongelmat"):
        assert re.search(rf'<a href="{ROUND}\?nayta=\w+#replies">{label}</a>', text), label
    # What the page had before stays: the roster downloads and the gender balance.
    assert f'href="{ROUND}/kokoonpano.xlsx"' in text and "Sukupuolijakauma" in text
    assert 'class="table-scroll" role="region"' in text


@pytest.mark.parametrize(
    ("shown", "names"),
    [
        (
            "",
            [
                "Asikkala",
                "Hartola",
                "Hämeen ELY-keskus",
                "Kela / Päijät-Hämeen palveluryhmä",
                "Svenska Folkskolans Vänner",
            ],
        ),
        ("puuttuvat", ["Hämeen ELY-keskus", "Svenska Folkskolans Vänner"]),
        (
            "myohastyneet",
            [
                "Hämeen ELY-keskus",
                "Kela / Päijät-Hämeen palveluryhmä",
                "Svenska Folkskolans Vänner",
            ],
        ),
        ("kieltaytyneet", ["Hartola"]),
        ("toimitusongelmat", ["Hämeen ELY-keskus"]),
        (
            "tuntematon",
            [  # an unknown filter shows everyone
                "Asikkala",
                "Hartola",
                "Hämeen ELY-keskus",
                "Kela / Päijät-Hämeen palveluryhmä",
                "Svenska Folkskolans Vänner",
            ],
        ),
    ],
)
def test_filters_show_only_those_organisations(
    client: TestClient, shown: str, names: list[str]
) -> None:
    page = client.get(ROUND, params={"nayta": shown} if shown else None)
    assert organisations_listed(page.text) == names
    if shown == "kieltaytyneet":
        assert 'aria-current="page">Kieltäytyneet</a> (1)' in page.text


def test_actions_and_the_access_log_only_for_coordinators(
    runtime: Runtime, scene: dict[str, int], client: TestClient, viewer_account: StaffLogin
) -> None:
    page = client.get(ROUND).text
    assert 'id="round-actions"' in page and 'href="/henkilosto/kayttoloki"' in page
    with TestClient(create_app(runtime=at(runtime, AFTER_DEADLINE))) as viewer:
        sign_in(viewer, viewer_account.email, viewer_account.password)
        page = viewer.get(ROUND).text
        assert "Ville Katsoja" in page and "Asikkala" in page
        assert 'id="round-actions"' not in page and "/henkilosto/kayttoloki" not in page
        organisation = viewer.get(f"{ROUND}/organisaatiot/{scene[ASIKKALA]}").text
        assert 'id="organisation-actions"' not in organisation
        assert viewer.get("/henkilosto/kayttoloki").status_code == 403


def test_an_organisation_page_shows_versions_messages_and_history(
    client: TestClient, scene: dict[str, int]
) -> None:
    page = client.get(f"{ROUND}/organisaatiot/{scene[ASIKKALA]}")
    assert page.status_code == 200
    text = page.text
    assert "<h1>Asikkala</h1>" in text and ASIKKALA in text
    assert 'id="organisation-actions"' in text
    # Both versions side by side, the current one marked.
    assert '<th scope="col">Versio 1</th>' in text
    assert '<th scope="col">Versio 2 (voimassa)</th>' in text
    assert "Aino Mäkelä" in text and "Aino Virtanen" in text
    assert "aino.makela@asikkala.example.fi" in text and "040 1234567" in text
    assert "lomakkeella" in text and "Paikka 1, varajäsen" in text
    # Every message about it, and its audit history in words.
    assert "Nimeämispyyntö" in text and "Vastauksen vahvistus" in text
    assert "lähetetty 12.3.2024 klo 10" in text
    assert "Vastaus kirjattu (versio 2, lomakkeella)" in text
    assert "Tila: odottaa lähetystä → pyydetty" in text and "postitus" in text

    ely = client.get(f"{ROUND}/organisaatiot/{scene[ELY]}").text
    assert "odottaa uutta yritystä" in ely and "Virhe: SMTPRecipientsRefused" in ely
    assert "Seuraava yritys" in ely and "Ei vastauksia." in ely

    late = client.get(f"{ROUND}/organisaatiot/{scene[KELA]}").text
    assert "(myöhässä)" in late and "<td>kyllä</td>" in late


def test_an_unknown_organisation_or_round_is_not_found(
    client: TestClient, scene: dict[str, int]
) -> None:
    assert client.get(f"{ROUND}/organisaatiot/999999").status_code == 404
    assert client.get("/henkilosto/ei-ole").status_code == 404
    assert client.get(f"/henkilosto/ei-ole/organisaatiot/{scene[ASIKKALA]}").status_code == 404
    assert client.get("/henkilosto/ei-ole/tapahtumat").status_code == 404


def rows_of(page: str) -> list[list[str]]:
    body = page.split("<tbody>")[1].split("</tbody>")[0]
    return [re.findall(r"<td[^>]*>(.*?)</td>", row) for row in body.split("</tr>") if "<td" in row]


def test_events_say_who_did_what_and_filter_by_organisation_and_actor(
    client: TestClient, scene: dict[str, int]
) -> None:
    page = client.get(f"{ROUND}/tapahtumat")
    assert page.status_code == 200
    assert "Kierros luotu (5 organisaatiota)" in page.text
    assert "Kieltäytyminen kirjattu (versio 1, lomakkeella)" in page.text
    assert "Vastaus kirjattu (versio 1, lomakkeella, myöhässä)" in page.text
    assert '<label for="organisaatio">Organisaatio</label>' in page.text
    everything = rows_of(page.text)
    assert {row[1] for row in everything} >= {"koko kierros", "Asikkala", "Hartola"}

    mine = rows_of(client.get(f"{ROUND}/tapahtumat", params={"organisaatio": scene[HARTOLA]}).text)
    assert mine and {row[1] for row in mine} == {"Hartola"}
    assert (
        f'<option value="{scene[HARTOLA]}" selected>Hartola</option>'
        in client.get(f"{ROUND}/tapahtumat", params={"organisaatio": scene[HARTOLA]}).text
    )

    by_tester = rows_of(
        client.get(f"{ROUND}/tapahtumat", params={"henkilo": "staff:testaaja@paijat-hame.fi"}).text
    )
    assert by_tester and {row[2] for row in by_tester} == {"testaaja@paijat-hame.fi"}
    by_outbox = rows_of(client.get(f"{ROUND}/tapahtumat", params={"henkilo": "outbox"}).text)
    assert len(by_outbox) == 5 and {row[2] for row in by_outbox} == {"postitus"}


def log_rows(rt: Runtime) -> list[AccessLogEntry]:
    with session_scope(rt.engine) as session:
        return list(
            session.exec(
                select(AccessLogEntry)
                .where(col(AccessLogEntry.action).in_(("view", "export")))
                .order_by(col(AccessLogEntry.id))
            )
        )


def test_every_view_and_download_is_logged_without_content(
    runtime: Runtime, client: TestClient, scene: dict[str, int], staff_account: StaffLogin
) -> None:
    client.get(ROUND, params={"nayta": "puuttuvat"})
    client.get(f"{ROUND}/organisaatiot/{scene[ASIKKALA]}")
    client.get(f"{ROUND}/tapahtumat", params={"henkilo": "staff:testaaja@paijat-hame.fi"})
    client.get(f"{ROUND}/kokoonpano.xlsx")
    client.get(f"{ROUND}/kokoonpano.csv", params={"versio": 1})  # no such version: not logged
    client.get("/henkilosto")  # no personal data: not logged
    rows = log_rows(runtime)
    assert [(r.action, r.target, r.round_id, r.staff_email) for r in rows] == [
        ("view", ROUND, "testiryhma", staff_account.email),
        ("view", f"{ROUND}/organisaatiot/{scene[ASIKKALA]}", "testiryhma", staff_account.email),
        ("view", f"{ROUND}/tapahtumat", "testiryhma", staff_account.email),
        ("export", f"{ROUND}/kokoonpano.xlsx", "testiryhma", staff_account.email),
    ]
    assert all(r.at == at(runtime, AFTER_DEADLINE).now() for r in rows)


def test_the_access_log_lists_newest_first_by_person_a_page_at_a_time(
    runtime: Runtime, client: TestClient, scene: dict[str, int], staff_account: StaffLogin
) -> None:
    with session_scope(runtime.engine) as session:
        for n in range(60):
            session.add(
                AccessLogEntry(
                    at=AFTER_DEADLINE - timedelta(days=1, minutes=n),
                    staff_email="muu@paijat-hame.example.fi",
                    action="view",
                    target=f"/henkilosto/vanha-{n}",
                )
            )
        session.commit()
    client.get(ROUND)
    page = client.get("/henkilosto/kayttoloki")
    assert page.status_code == 200
    rows = rows_of(page.text)
    assert len(rows) == 50
    assert rows[0][1:4] == [staff_account.email, "katsoi", ROUND]
    assert "Sivu 1 / 2" in page.text and 'href="/henkilosto/kayttoloki?henkilo=&amp;sivu=2"' in (
        page.text
    )
    assert len(rows_of(client.get("/henkilosto/kayttoloki", params={"sivu": 2}).text)) > 10
    other = {"henkilo": "muu@paijat-hame.example.fi", "sivu": "2"}
    second = rows_of(client.get("/henkilosto/kayttoloki", params=other).text)
    assert [row[3] for row in second] == [f"/henkilosto/vanha-{n}" for n in range(50, 60)]

    only = client.get("/henkilosto/kayttoloki", params={"henkilo": staff_account.email}).text
    assert {row[1] for row in rows_of(only)} == {staff_account.email}
    assert {row[2] for row in rows_of(only)} >= {"kirjautui", "katsoi"}


def test_an_absurd_version_number_is_refused_not_a_server_error(client: TestClient) -> None:
    answer = client.get(f"{ROUND}/kokoonpano.csv", params={"versio": "99999999999999999999999"})
    assert answer.status_code == 422
