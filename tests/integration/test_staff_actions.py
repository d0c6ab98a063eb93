"""The staff actions over HTTP, signed in as a coordinator, with mail going out through a real
SMTP server: each action does what its button says, a bad form comes back with the errors next
to the fields and the values as typed, and every change is audited as the person who made it.
On SQLite and PostgreSQL."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient
from httpx import Response
from sqlmodel import col, func, select

from nimeamiset.db import session_scope
from nimeamiset.domain.roundfile import parse_round_file
from nimeamiset.domain.timefmt import local
from nimeamiset.models import AuditEvent, NominationRequest, Reply, Round
from nimeamiset.runtime import Runtime
from nimeamiset.services.events import (
    AddressCorrected,
    DeadlineExtended,
    InvitationResent,
    LinkRenewed,
    MeetingInvitationsSent,
    MeetingRescheduled,
    NomineeReplaced,
    ReminderQueued,
    ReplyRecorded,
    RosterAssembled,
    RoundStateChanged,
)
from nimeamiset.services.rounds import create_round
from nimeamiset.services.status import round_status
from nimeamiset.web.app import create_app
from tests.conftest import (
    BEFORE_DEADLINE,
    FIXTURES,
    STAFF_EMAIL,
    SmtpServer,
    StaffLogin,
    at,
    sign_in,
)
from tests.helpers import TESTER, launch, link_in, message_to, parts, to_address
from tests.integration.test_seats import pair

ROUND = "/henkilosto/muotoryhma"
ASIKKALA = "kirjaamo@asikkala.example.fi"
LAHTI = "kirjaamo@lahti.example.fi"
HARTOLA = "kirjaamo@hartola.example.fi"
KELA = "kirjaamo@kela.example.fi"
CONTACT = "tarja.parviainen@example.fi"


@pytest.fixture
def links(runtime: Runtime, smtp_server: SmtpServer) -> dict[str, str]:
    """The round of the test cast's shapes (Lahti has two seats, gender is asked), launched;
    each registry office's personal link."""
    spec = parse_round_file((FIXTURES / "round_shapes.yaml").read_text(encoding="utf-8"))
    with session_scope(runtime.engine) as session:
        create_round(session, spec, actor=TESTER, now=runtime.now())
    launch(runtime, "muotoryhma")
    found = {to_address(m): link_in(m) for m in smtp_server.received()}
    smtp_server.clear()
    return found


@pytest.fixture
def client(runtime: Runtime, links: dict[str, str]) -> Iterator[TestClient]:
    with TestClient(create_app(runtime=at(runtime, BEFORE_DEADLINE))) as c:
        yield c


@pytest.fixture
def csrf(client: TestClient, staff_account: StaffLogin) -> str:
    return sign_in(client, staff_account.email, staff_account.password)


@pytest.fixture
def ids(runtime: Runtime, links: dict[str, str]) -> dict[str, int]:
    """Each registry office's request id."""
    with session_scope(runtime.engine) as session:
        status = round_status(session, "muotoryhma", now=runtime.now())
    return {o.email: o.request_id for o in status.organisations}


def organisation(ids: dict[str, int], address: str) -> str:
    return f"{ROUND}/organisaatiot/{ids[address]}"


def submit(client: TestClient, path: str, csrf: str, data: Any = None) -> Response:
    """POST a staff form as the browser does, without following the redirect."""
    fields = {"csrf": csrf, **(data or {})}
    return client.post(path, data=fields, follow_redirects=False)


def done(client: TestClient, answer: Response, where: str, what: str) -> str:
    """The action went back to ``where?tehty=what``; the page there, as shown."""
    assert answer.status_code == 303, answer.text
    assert answer.headers["location"] == f"{where}?tehty={what}"
    return client.get(answer.headers["location"]).text


def staff_events(rt: Runtime) -> list[tuple[str, str]]:
    """(kind, actor) of every audit event not written by the test's own set-up."""
    with session_scope(rt.engine) as session:
        rows = session.exec(
            select(AuditEvent.kind, AuditEvent.actor)
            .where(AuditEvent.actor != str(TESTER))
            .order_by(col(AuditEvent.id))
        ).all()
    return [(kind, actor) for kind, actor in rows]


def request_row(rt: Runtime, request_id: int) -> NominationRequest:
    with session_scope(rt.engine) as session:
        found = session.get(NominationRequest, request_id)
        assert found is not None
        session.expunge(found)
        return found


# --- recording a reply ------------------------------------------------------------------------


def test_a_phone_reply_names_both_seats_of_a_two_seat_organisation(
    client: TestClient, csrf: str, ids: dict[str, int], runtime: Runtime, smtp_server: SmtpServer
) -> None:
    path = organisation(ids, LAHTI) + "/vastaus"
    form = client.get(path).text
    assert "<h1>Kirjaa vastaus</h1>" in form
    assert "<legend>Varajäsen (paikka 2)</legend>" in form
    assert ">Puhelin</label>" in form and ">Kirje</label>" in form and ">Sähköposti</label>" in form

    typed = {
        "answer": "nomination",
        "channel": "phone",
        **pair(1, "Anna Aalto", "Bo Berg"),
        **pair(2, "Cecilia Calén", "Daniel Dahl"),
    }
    page = done(client, submit(client, path, csrf, typed), organisation(ids, LAHTI), "vastaus")
    assert "Vastaus kirjattiin." in page
    for name in ("Anna Aalto", "Bo Berg", "Cecilia Calén", "Daniel Dahl"):
        assert name in page
    assert "Paikka 2, varajäsen" in page and "puhelimitse" in page

    confirmation = message_to(smtp_server.received(), LAHTI)
    text, _ = parts(confirmation)
    assert "Cecilia Calén" in text and "Daniel Dahl" in text
    with session_scope(runtime.engine) as session:
        reply = session.exec(select(Reply).where(Reply.request_id == ids[LAHTI])).one()
    assert (reply.kind, reply.channel) == ("nomination", "phone")
    assert (ReplyRecorded.kind, f"staff:{STAFF_EMAIL}") in staff_events(runtime)


def test_a_reply_form_with_errors_keeps_what_was_typed(
    client: TestClient, csrf: str, ids: dict[str, int], runtime: Runtime
) -> None:
    path = organisation(ids, LAHTI) + "/vastaus"
    typed = {"answer": "nomination", **pair(1, "Anna Aalto", "Bo Berg")}
    typed.update(pair(2, "Cecilia Calén", "Daniel Dahl"))
    typed["seat2_deputy_gender"] = ""
    typed["seat1_member_email"] = "anna(at)example.fi"

    refused = submit(client, path, csrf, typed)
    assert refused.status_code == 422
    page = refused.text
    assert "<title>Virhe: Kirjaa vastaus" in page
    assert '<a href="#channel">Miten vastaus tuli: Valitse, miten vastaus tuli.</a>' in page
    assert 'id="seat1_member_email-error"' in page
    assert 'aria-describedby="seat1_member_email-req seat1_member_email-error"' in page
    assert 'id="seat2_deputy_gender-error"' in page
    assert "Varajäsen (paikka 2): Valitse yksi vaihtoehdoista." in page
    assert 'value="anna(at)example.fi"' in page and 'value="Cecilia Calén"' in page
    assert 'name="seat1_member_gender" value="woman" checked' in page
    with session_scope(runtime.engine) as session:
        assert session.exec(select(func.count()).select_from(Reply)).one() == 0


def test_a_decline_by_letter_is_recorded_with_its_reason(
    client: TestClient, csrf: str, ids: dict[str, int], runtime: Runtime, smtp_server: SmtpServer
) -> None:
    path = organisation(ids, HARTOLA) + "/vastaus"
    refused = submit(client, path, csrf, {"answer": "decline", "channel": "letter", "reason": " "})
    assert refused.status_code == 422
    assert 'id="reason-error"' in refused.text and "Kirjoita perustelu." in refused.text
    assert 'id="decline-channel-letter" name="channel" value="letter" checked' in refused.text

    reason = "Hartolalla ei ole <tähän> sopivaa viranhaltijaa."
    answer = submit(
        client, path, csrf, {"answer": "decline", "channel": "letter", "reason": reason}
    )
    page = done(client, answer, organisation(ids, HARTOLA), "kieltaytyminen")
    assert "Kieltäytyminen kirjattiin." in page
    assert "Hartolalla ei ole &lt;tähän&gt; sopivaa viranhaltijaa." in page
    assert request_row(runtime, ids[HARTOLA]).state == "declined"
    assert to_address(smtp_server.received()[0]) == HARTOLA


def test_the_day_a_reply_came_is_checked_and_kept(
    client: TestClient, csrf: str, ids: dict[str, int], runtime: Runtime
) -> None:
    path = organisation(ids, HARTOLA) + "/vastaus"
    typed = {
        "answer": "decline",
        "channel": "email",
        "reason": "Ei",
        "decline-received": "1.1.2030",
    }
    refused = submit(client, path, csrf, typed)
    assert refused.status_code == 422
    assert "Vastaus ei voi saapua tämän päivän jälkeen." in refused.text
    assert 'value="1.1.2030"' in refused.text
    typed["decline-received"] = "19.3.2024"
    done(client, submit(client, path, csrf, typed), organisation(ids, HARTOLA), "kieltaytyminen")
    assert request_row(runtime, ids[HARTOLA]).late is False


# --- the invitation: again, with a new link, to a corrected address ---------------------------


def test_a_corrected_address_receives_the_invitation(
    client: TestClient, csrf: str, ids: dict[str, int], runtime: Runtime, smtp_server: SmtpServer
) -> None:
    path = organisation(ids, ASIKKALA) + "/osoite"
    assert 'value="kirjaamo@asikkala.example.fi"' in client.get(path).text
    for typed, error in (
        ("kirjaamo(at)asikkala.fi", "Sähköpostiosoite ei kelpaa."),
        ("", "Kirjoita sähköpostiosoite."),
        (ASIKKALA.upper(), "Osoite on sama kuin nyt."),
    ):
        refused = submit(client, path, csrf, {"email": typed})
        assert refused.status_code == 422
        assert 'id="email-error"' in refused.text and error in refused.text
        assert f'value="{typed}"' in refused.text
        assert 'aria-describedby="email-hint email-error"' in refused.text
    assert smtp_server.received() == []

    new = "kirjaamo.uusi@asikkala.example.fi"
    page = done(
        client, submit(client, path, csrf, {"email": new}), path[: -len("/osoite")], "osoite"
    )
    assert "Osoite korjattiin" in page and new in page
    invitation = message_to(smtp_server.received(), new)
    assert client.get(link_in(invitation).removeprefix("http://testserver")).status_code == 200
    kinds = [kind for kind, actor in staff_events(runtime) if actor == f"staff:{STAFF_EMAIL}"]
    assert AddressCorrected.kind in kinds and InvitationResent.kind in kinds


def test_a_new_link_stops_the_old_one_at_once(
    client: TestClient,
    csrf: str,
    ids: dict[str, int],
    links: dict[str, str],
    runtime: Runtime,
    smtp_server: SmtpServer,
) -> None:
    old = links[KELA].removeprefix("http://testserver")
    assert client.get(old).status_code == 200
    path = organisation(ids, KELA) + "/uusi-linkki"
    confirm = client.get(path).text
    assert "<h1>Uusi linkki</h1>" in confirm and ">Uusi linkki</button>" in confirm
    assert "Vanha linkki lakkaa toimimasta heti" in confirm

    page = done(client, submit(client, path, csrf), organisation(ids, KELA), "uusi-linkki")
    assert "Vanha linkki ei enää toimi." in page
    stale = client.get(old)
    assert stale.status_code == 404 and "Linkki ei ole voimassa" in stale.text
    fresh = link_in(message_to(smtp_server.received(), KELA)).removeprefix("http://testserver")
    assert fresh != old and client.get(fresh).status_code == 200
    assert (LinkRenewed.kind, f"staff:{STAFF_EMAIL}") in staff_events(runtime)


def test_sending_again_keeps_the_link(
    client: TestClient,
    csrf: str,
    ids: dict[str, int],
    links: dict[str, str],
    smtp_server: SmtpServer,
) -> None:
    path = organisation(ids, ASIKKALA) + "/uudelleen"
    assert ">Lähetä pyyntö uudelleen</button>" in client.get(path).text
    page = done(client, submit(client, path, csrf), organisation(ids, ASIKKALA), "uudelleen")
    assert "lähetettiin uudelleen samalla linkillä" in page
    assert link_in(message_to(smtp_server.received(), ASIKKALA)) == links[ASIKKALA]


# --- reminders and deadlines ------------------------------------------------------------------


def test_reminding_now_twice_in_a_day_sends_once(
    client: TestClient, csrf: str, ids: dict[str, int], runtime: Runtime, smtp_server: SmtpServer
) -> None:
    round_page = client.get(ROUND).text
    assert f'name="valitut" value="{ids[ASIKKALA]}"' in round_page
    assert f'<label for="muistuta-{ids[HARTOLA]}">Hartola</label>' in round_page

    refused = submit(client, f"{ROUND}/muistutus", csrf, {})
    assert refused.status_code == 422 and "Valitse vähintään yksi organisaatio." in refused.text
    assert 'id="valitut-error"' in refused.text

    chosen = {"valitut": [str(ids[ASIKKALA]), str(ids[HARTOLA])]}
    page = done(client, submit(client, f"{ROUND}/muistutus", csrf, chosen), ROUND, "muistutus")
    assert "Muistutus lähetettiin." in page
    assert sorted(smtp_server.recipients()) == [ASIKKALA, HARTOLA]

    again = submit(client, f"{ROUND}/muistutus", csrf, chosen)
    assert "ei lähetetty" in done(client, again, ROUND, "ei-muistutettavia")
    one = organisation(ids, ASIKKALA) + "/muistutus"
    done(client, submit(client, one, csrf), organisation(ids, ASIKKALA), "ei-muistutettavia")
    assert sorted(smtp_server.recipients()) == [ASIKKALA, HARTOLA]
    assert request_row(runtime, ids[ASIKKALA]).reminders_sent == 1
    reminders = [e for e in staff_events(runtime) if e[0] == ReminderQueued.kind]
    assert reminders == [(ReminderQueued.kind, f"staff:{STAFF_EMAIL}")] * 2


def test_the_round_deadline_moves_and_those_not_replied_are_told(
    client: TestClient, csrf: str, ids: dict[str, int], runtime: Runtime, smtp_server: SmtpServer
) -> None:
    path = f"{ROUND}/maaraaika"
    assert 'value="27.3.2024"' in client.get(path).text
    for typed, error in (
        ("31.2.2024", "Päivämäärä ei kelpaa. Kirjoita se muodossa 5.4.2024."),
        ("1.3.2024", "Päivä on jo mennyt."),
        ("18.4.2024", "Määräajan on oltava ennen ensimmäistä kokousta (18.4.2024)."),
        ("27.3.2024", "Määräaika on jo 27.3.2024."),
    ):
        refused = submit(client, path, csrf, {"until": typed})
        assert refused.status_code == 422, typed
        assert error in refused.text and f'value="{typed}"' in refused.text
        assert 'aria-invalid="true"' in refused.text

    page = done(client, submit(client, path, csrf, {"until": "3.4.2024"}), ROUND, "maaraaika")
    assert "Määräaika muutettiin." in page and "3.4.2024" in page
    with session_scope(runtime.engine) as session:
        deadline = session.exec(select(Round.deadline).where(Round.id == "muotoryhma")).one()
    assert deadline.isoformat() == "2024-04-03"
    told = smtp_server.recipients()
    assert ASIKKALA in told and LAHTI in told
    assert (DeadlineExtended.kind, f"staff:{STAFF_EMAIL}") in staff_events(runtime)


def test_one_organisations_deadline_moves_alone(
    client: TestClient, csrf: str, ids: dict[str, int], runtime: Runtime, smtp_server: SmtpServer
) -> None:
    path = organisation(ids, HARTOLA) + "/maaraaika"
    answer = submit(client, path, csrf, {"until": "2024-04-05"})  # as a date picker sends it
    page = done(client, answer, organisation(ids, HARTOLA), "maaraaika")
    assert "5.4.2024 (pidennetty" in page
    assert request_row(runtime, ids[HARTOLA]).deadline.isoformat() == "2024-04-05"  # type: ignore[union-attr]
    assert smtp_server.recipients() == [HARTOLA]


# --- the roster, the meeting, closing ---------------------------------------------------------


def test_assembling_inviting_and_moving_the_meeting(
    client: TestClient, csrf: str, ids: dict[str, int], runtime: Runtime, smtp_server: SmtpServer
) -> None:
    reply = {"answer": "nomination", "channel": "email", **pair(1, "Eeva Esko", "Frans Frisk")}
    submit(client, organisation(ids, ASIKKALA) + "/vastaus", csrf, reply)
    smtp_server.clear()

    assert "Kokoonpano kootaan nyt vastauksista." in client.get(f"{ROUND}/kokoa").text
    done(client, submit(client, f"{ROUND}/kokoa", csrf), ROUND, "kokoa")
    roster = message_to(smtp_server.received(), CONTACT)
    assert any(p.get_filename() or "" for p in roster.iter_attachments())
    again = submit(client, f"{ROUND}/kokoa", csrf)
    assert "ei ole muuttunut" in done(client, again, ROUND, "kokoonpano-ennallaan")

    smtp_server.clear()
    done(client, submit(client, f"{ROUND}/kokouskutsu", csrf), ROUND, "kokouskutsu")
    assert sorted(smtp_server.recipients()) == ["eeva@example.fi", "frans@example.fi"]
    done(client, submit(client, f"{ROUND}/kokouskutsu", csrf), ROUND, "ei-kutsuttavia")

    path = f"{ROUND}/siirra-kokous"
    form = client.get(path).text
    assert 'value="18.4.2024"' in form and 'value="09.00"' in form and 'value="11.00"' in form
    bad = {"day": "25.4.2024", "start": "13.30", "end": "12", "place": "Kirkkokatu 1, Lahti"}
    refused = submit(client, path, csrf, bad)
    assert refused.status_code == 422
    assert "Kokouksen on päätyttävä alkamisen jälkeen." in refused.text
    assert 'value="13.30"' in refused.text and 'value="Kirkkokatu 1, Lahti"' in refused.text
    early = submit(client, path, csrf, {**bad, "day": "27.3.2024", "end": "15"})
    assert "Kokouksen on oltava määräajan (27.3.2024) jälkeen." in early.text

    smtp_server.clear()
    moved = {**bad, "end": "15,30"}
    done(client, submit(client, path, csrf, moved), ROUND, "siirra-kokous")
    assert sorted(smtp_server.recipients()) == ["eeva@example.fi", "frans@example.fi"]
    with session_scope(runtime.engine) as session:
        round_ = session.get(Round, "muotoryhma")
        assert round_ is not None
        start, end = local(round_.meeting_start), local(round_.meeting_end)
        assert (start.isoformat(), end.hour, end.minute) == ("2024-04-25T13:30:00+03:00", 15, 30)
        assert round_.meeting_place == "Kirkkokatu 1, Lahti"
    kinds = {kind for kind, actor in staff_events(runtime) if actor == f"staff:{STAFF_EMAIL}"}
    assert {RosterAssembled.kind, MeetingInvitationsSent.kind, MeetingRescheduled.kind} <= kinds


def test_a_closed_round_stops_its_links_and_cannot_be_closed_again(
    client: TestClient, csrf: str, links: dict[str, str], runtime: Runtime
) -> None:
    confirm = client.get(f"{ROUND}/sulje").text
    assert "Sulkemista ei voi perua." in confirm and ">Sulje kierros</button>" in confirm
    page = done(client, submit(client, f"{ROUND}/sulje", csrf), ROUND, "sulje")
    assert "Kierros suljettiin." in page and 'href="/henkilosto/muotoryhma/sulje"' not in page
    stale = client.get(links[ASIKKALA].removeprefix("http://testserver"))
    assert stale.status_code == 404 and "Linkki ei ole voimassa" in stale.text

    assert ">Sulje kierros</button>" not in client.get(f"{ROUND}/sulje").text
    again = submit(client, f"{ROUND}/sulje", csrf)
    assert again.status_code == 409
    assert "Kierros ei ole käynnissä (tila: suljettu)." in again.text
    assert (RoundStateChanged.kind, f"staff:{STAFF_EMAIL}") in staff_events(runtime)


# --- replacing a member -----------------------------------------------------------------------


def test_replacing_a_deputy_makes_a_new_reply_version(
    client: TestClient, csrf: str, ids: dict[str, int], runtime: Runtime
) -> None:
    path = organisation(ids, LAHTI) + "/vaihda"
    assert "vaihdettavaa ei ole" in client.get(path).text
    nobody = submit(client, path, csrf, {"seat": "1", "role": "member"})
    assert nobody.status_code == 422  # the person's fields are checked first

    reply = {"answer": "nomination", "channel": "email"}
    reply.update({**pair(1, "Anna Aalto", "Bo Berg"), **pair(2, "Cecilia Calén", "Daniel Dahl")})
    submit(client, organisation(ids, LAHTI) + "/vastaus", csrf, reply)
    form = client.get(path).text
    assert "Paikka 2: varsinainen jäsen Cecilia Calén, varajäsen Daniel Dahl" in form
    assert "<legend>Uusi henkilö</legend>" in form

    typed = {"seat": "2", "role": "", "person_name": "Eino Ek", "person_email": "eino@"}
    refused = submit(client, path, csrf, typed)
    assert refused.status_code == 422
    assert "Valitse, vaihdetaanko varsinainen jäsen vai varajäsen." in refused.text
    assert 'id="person_email-error"' in refused.text and 'id="person_gender-error"' in refused.text
    assert 'value="Eino Ek"' in refused.text and 'id="seat-2" name="seat" value="2" checked' in (
        refused.text
    )

    typed.update(role="deputy", person_email="eino.ek@example.fi", person_gender="man")
    page = done(client, submit(client, path, csrf, typed), organisation(ids, LAHTI), "vaihda")
    assert "Henkilö vaihdettiin." in page and "Versio 2 (voimassa)" in page and "Eino Ek" in page
    assert (NomineeReplaced.kind, f"staff:{STAFF_EMAIL}") in staff_events(runtime)


# --- what every action shares -----------------------------------------------------------------


def test_only_fixed_messages_are_shown_after_an_action(
    client: TestClient, csrf: str, ids: dict[str, int]
) -> None:
    page = client.get(ROUND, params={"tehty": "<script>alert(1)</script>"}).text
    assert "alert(1)" not in page and 'role="status"' not in page
    assert "Kokoonpano koottiin" in client.get(ROUND, params={"tehty": "kokoa"}).text


def test_an_unknown_round_or_organisation_is_not_found(
    client: TestClient, csrf: str, ids: dict[str, int]
) -> None:
    assert client.get("/henkilosto/ei-ole/kokoa").status_code == 404
    assert submit(client, "/henkilosto/ei-ole/kokoa", csrf).status_code == 404
    assert client.get(f"{ROUND}/organisaatiot/999999/vastaus").status_code == 404
    assert submit(client, f"{ROUND}/organisaatiot/999999/uudelleen", csrf).status_code == 404


def test_a_joint_seat_filled_by_another_is_refused_with_the_reason(
    client: TestClient, csrf: str, ids: dict[str, int], runtime: Runtime
) -> None:
    heinola, hollola = "kirjaamo@heinola.example.fi", "kirjaamo@hollola.example.fi"
    reply = {"answer": "nomination", "channel": "phone", **pair(1, "Eeva Esko", "Frans Frisk")}
    done(
        client,
        submit(client, organisation(ids, heinola) + "/vastaus", csrf, reply),
        organisation(ids, heinola),
        "vastaus",
    )
    path = organisation(ids, hollola) + "/vastaus"
    assert "Yhteisen paikan on jo täyttänyt Heinola." in client.get(path).text
    refused = submit(client, path, csrf, {**reply, **pair(1, "Gunnar Grön", "Hilda Huhta")})
    assert refused.status_code == 409
    assert "Yhteinen paikka on jo täytetty" in refused.text
    assert 'value="Gunnar Grön"' in refused.text
    assert request_row(runtime, ids[hollola]).current_reply_id is None


def test_a_viewer_gets_no_action_page(
    runtime: Runtime, ids: dict[str, int], viewer_account: StaffLogin
) -> None:
    with TestClient(create_app(runtime=at(runtime, BEFORE_DEADLINE))) as viewer:
        sign_in(viewer, viewer_account.email, viewer_account.password)
        for path in (f"{ROUND}/kokoa", organisation(ids, LAHTI) + "/vastaus"):
            page = viewer.get(path)
            assert page.status_code == 403 and "Ei oikeutta" in page.text
