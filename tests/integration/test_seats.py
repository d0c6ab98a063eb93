"""Several seats, joint seats and gender on the form, over HTTP, on SQLite and PostgreSQL."""

from __future__ import annotations

import threading
from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient

from nimeamiset.db import session_scope
from nimeamiset.domain.people import Person
from nimeamiset.domain.roster import SeatStatus
from nimeamiset.domain.roundfile import parse_round_file
from nimeamiset.runtime import Runtime
from nimeamiset.services.joint_seats import SeatTaken
from nimeamiset.services.replies import Seat, submit_nomination
from nimeamiset.services.roster import live_roster
from nimeamiset.services.rounds import create_round
from nimeamiset.services.status import round_status
from nimeamiset.web.app import create_app
from tests.conftest import BEFORE_DEADLINE, FIXTURES, SmtpServer, at
from tests.helpers import TESTER, launch, link_in, message_to, parts, to_address, token_of

LAHTI = "kirjaamo@lahti.example.fi"
HEINOLA = "kirjaamo@heinola.example.fi"
HOLLOLA = "kirjaamo@hollola.example.fi"
ORIMATTILA = "kirjaamo@orimattila.example.fi"
CONTACT = "tarja.parviainen@example.fi"


@pytest.fixture
def links(runtime: Runtime, smtp_server: SmtpServer) -> dict[str, str]:
    spec = parse_round_file((FIXTURES / "round_shapes.yaml").read_text(encoding="utf-8"))
    with session_scope(runtime.engine) as session:
        create_round(session, spec, actor=TESTER, now=runtime.now())
    launch(runtime, "muotoryhma")
    found = {to_address(m): link_in(m) for m in smtp_server.received()}
    smtp_server.clear()
    return found


@pytest.fixture
def client(runtime: Runtime) -> Iterator[TestClient]:
    with TestClient(create_app(runtime=at(runtime, BEFORE_DEADLINE))) as c:
        yield c


def path(link: str) -> str:
    return link.removeprefix("http://testserver")


def pair(seat: int, member: str, deputy: str, genders: tuple[str, str] = ("woman", "man")) -> dict:
    out = {}
    for role, name, gender in (("member", member, genders[0]), ("deputy", deputy, genders[1])):
        slug = name.split()[0].lower()
        out.update(
            {
                f"seat{seat}_{role}_name": name,
                f"seat{seat}_{role}_title": "",
                f"seat{seat}_{role}_email": f"{slug}@example.fi",
                f"seat{seat}_{role}_phone": "",
                f"seat{seat}_{role}_gender": gender,
            }
        )
    return out


def test_a_form_with_two_seats_needs_gender_for_everyone(
    client: TestClient, links: dict[str, str], runtime: Runtime
) -> None:
    form = client.get(path(links[LAHTI])).text
    assert "Organisaatiollanne on 2 paikkaa" in form
    assert "<legend>Varsinainen jäsen (paikka 2)</legend>" in form
    assert "tasa-arvolain 4 a" in form.lower()
    assert form.count('type="radio"') == 12

    typed = {**pair(1, "Anna Aalto", "Bo Berg"), **pair(2, "Cecilia Calén", "Daniel Dahl")}
    typed["seat2_deputy_gender"] = ""
    refused = client.post(path(links[LAHTI]), data=typed)
    assert refused.status_code == 422
    assert 'id="seat2_deputy_gender-error"' in refused.text
    assert "Varajäsen (paikka 2): Valitse yksi vaihtoehdoista." in refused.text
    assert 'value="Cecilia Calén"' in refused.text
    assert 'id="seat1_member_gender-woman" name="seat1_member_gender" value="woman" checked' in (
        refused.text
    )

    typed["seat2_deputy_gender"] = "man"
    assert client.post(path(links[LAHTI]), data=typed).status_code == 200
    with session_scope(runtime.engine) as session:
        seats = [
            s for s in live_roster(session, "muotoryhma").seats if s.organisations == ("Lahti",)
        ]
    assert [(s.number, s.member.name, s.deputy.name) for s in seats] == [  # type: ignore[union-attr]
        (1, "Anna Aalto", "Bo Berg"),
        (2, "Cecilia Calén", "Daniel Dahl"),
    ]


def test_the_first_reply_fills_a_joint_seat_and_the_others_are_told(
    client: TestClient, links: dict[str, str], runtime: Runtime, smtp_server: SmtpServer
) -> None:
    assert "Paikka on yhteinen" in client.get(path(links[HEINOLA])).text
    client.post(path(links[HEINOLA]), data=pair(1, "Eeva Esko", "Frans Frisk"))

    told = client.get(path(links[HOLLOLA])).text
    assert "Yhteinen paikka on jo täytetty" in told and "Heinola on jo nimennyt" in told
    assert "Eeva Esko" in told and "Frans Frisk" in told
    assert 'name="seat1_member_name"' not in told  # no second nomination form

    smtp_server.clear()
    client.post(path(links[HOLLOLA]) + "/yhteinen-paikka", data={"answer": "confirm"})
    refused = client.post(
        path(links[ORIMATTILA]) + "/yhteinen-paikka", data={"answer": "change", "message": " "}
    )
    assert refused.status_code == 422 and "Kirjoita muutospyyntö." in refused.text
    done = client.post(
        path(links[ORIMATTILA]) + "/yhteinen-paikka",
        data={"answer": "change", "message": "Vuorottelusopimuksen mukaan <Orimattila>."},
    )
    assert "Pyysitte muutosta" in done.text

    to_staff = [m for m in smtp_server.received() if to_address(m) == CONTACT]
    subjects = sorted(str(m["Subject"]) for m in to_staff)
    assert subjects[0].startswith("Yhteinen paikka vahvistettu: Hollola")
    assert subjects[1].startswith("Yhteisen paikan muutospyyntö: Orimattila")
    objection = next(m for m in to_staff if "muutospyyntö" in str(m["Subject"]))
    text, html = parts(objection)
    assert "Vuorottelusopimuksen mukaan <Orimattila>." in text
    assert "&lt;Orimattila&gt;" in html

    # Each organisation that answered gets the confirmation its page promised.
    confirmed = parts(message_to(smtp_server.received(), HOLLOLA))[0]
    assert "Vahvistitte yhteisen paikan nimeämisen, jonka teki Heinola" in confirmed
    assert "Eeva Esko" in confirmed
    objected_text, objected_html = parts(message_to(smtp_server.received(), ORIMATTILA))
    assert "Pyysitte muutosta yhteisen paikan nimeämiseen, jonka teki Heinola" in objected_text
    assert "Vuorottelusopimuksen mukaan <Orimattila>." in objected_text
    assert "&lt;Orimattila&gt;" in objected_html

    with session_scope(runtime.engine) as session:
        status = round_status(session, "muotoryhma", now=runtime.now()).as_json()
        named = {o["name"]: o for o in status["organisations"]}
        [joint] = [s for s in live_roster(session, "muotoryhma").seats if len(s.organisations) > 1]
    assert named["Hollola"]["state"] == "nominated" and named["Orimattila"]["state"] == "invited"
    assert named["Orimattila"]["next_reminder_at"] is None
    assert joint.organisations == ("Heinola", "Hollola", "Orimattila")
    assert joint.status is SeatStatus.NAMED and joint.member.name == "Eeva Esko"  # type: ignore[union-attr]


def test_two_organisations_of_a_joint_seat_replying_at_once(
    links: dict[str, str], runtime: Runtime
) -> None:
    rt = at(runtime, BEFORE_DEADLINE)
    barrier = threading.Barrier(2)
    outcomes: dict[str, str] = {}

    def reply(address: str, name: str) -> None:
        seat = Seat(
            Person(name, "", f"{name[:4].lower()}@example.fi", "", "woman"),
            Person("Varajäsen " + name, "", f"v{name[:4].lower()}@example.fi", "", "man"),
        )
        with session_scope(rt.engine) as session:
            barrier.wait()
            try:
                submit_nomination(session, rt.mail, token_of(links[address]), [seat], now=rt.now())
                outcomes[address] = "filled"
            except SeatTaken as taken:
                outcomes[address] = f"told: {taken.holder.organisation}"

    threads = [
        threading.Thread(target=reply, args=(HEINOLA, "Heikki")),
        threading.Thread(target=reply, args=(HOLLOLA, "Hilkka")),
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    assert sorted(outcomes.values())[0] == "filled"
    told = sorted(outcomes.values())[1]
    winner = "Heinola" if outcomes[HEINOLA] == "filled" else "Hollola"
    assert told == f"told: {winner}"
    with session_scope(runtime.engine) as session:
        [joint] = [s for s in live_roster(session, "muotoryhma").seats if len(s.organisations) > 1]
        status = {
            o.name: o.state
            for o in round_status(session, "muotoryhma", now=runtime.now()).organisations
        }
    assert joint.member.name == ("Heikki" if winner == "Heinola" else "Hilkka")  # type: ignore[union-attr]
    assert sorted([status["Heinola"], status["Hollola"]]) == ["invited", "nominated"]


def test_each_nominee_gets_the_privacy_notice_once(
    client: TestClient, links: dict[str, str], smtp_server: SmtpServer
) -> None:
    data = {**pair(1, "Anna Aalto", "Bo Berg"), **pair(2, "Cecilia Calén", "Daniel Dahl")}
    client.post(path(links[LAHTI]), data=data)
    client.post(path(links[LAHTI]), data={**data, "seat1_member_title": "johtaja"})
    client.post(path(links[LAHTI]), data={**data, **pair(2, "Cecilia Calén", "Eino Ek")})
    notices = [
        m
        for m in smtp_server.received()
        if "tietosuoja" in parts(m)[0].lower() and to_address(m) != LAHTI
    ]
    assert sorted(to_address(m) for m in notices) == sorted(
        [
            "anna@example.fi",
            "bo@example.fi",
            "cecilia@example.fi",
            "daniel@example.fi",
            "eino@example.fi",
        ]
    )
    notice = message_to(notices, "bo@example.fi")
    text = parts(notice)[0]
    assert "Lahti" in text and "Päijät-Hämeen testiohjelman ohjausryhmä" in text
    assert "tarja.parviainen@example.fi" in text
