"""A round from file to roster, on SQLite and PostgreSQL, with mail through a real SMTP server."""

from __future__ import annotations

import csv
import io

import pytest
from sqlmodel import select

from nimeamiset.db import session_scope
from nimeamiset.domain.people import Person
from nimeamiset.exports import export
from nimeamiset.models import AuditEvent, NominationRequest, Reply
from nimeamiset.runtime import Runtime
from nimeamiset.services.replies import LinkNotValid, Seat, submit_decline, submit_nomination
from nimeamiset.services.roster import live_roster
from nimeamiset.services.status import round_status
from tests.conftest import AFTER_DEADLINE, BEFORE_DEADLINE, SmtpServer, at
from tests.helpers import deliver, launch, link_in, message_to, token_of, work

ASIKKALA = "kirjaamo@asikkala.example.fi"
HARTOLA = "kirjaamo@hartola.example.fi"
ELY = "kirjaamo@ely.example.fi"

AINO = Person("Aino Mäkelä", "sivistysjohtaja", "aino.makela@asikkala.example.fi", "040 1234567")
PEKKA = Person("Pekka O'Brien", "hyvinvointikoordinaattori", "pekka.obrien@asikkala.example.fi", "")


def token_for(smtp: SmtpServer, address: str) -> str:
    return token_of(link_in(message_to(smtp.received(), address)))


def status_of(rt: Runtime, round_id: str, name: str) -> dict:
    with session_scope(rt.engine) as session:
        status = round_status(session, round_id, now=rt.now()).as_json()
    return next(o for o in status["organisations"] if o["name"] == name)


def nominate(rt: Runtime, token: str, member: Person = AINO, deputy: Person = PEKKA) -> None:
    with session_scope(rt.engine) as session:
        submit_nomination(session, rt.mail, token, [Seat(member, deputy)], now=rt.now())


def test_launch_sends_each_organisation_its_own_link(
    runtime: Runtime, round_id: str, smtp_server: SmtpServer
) -> None:
    queued, report = launch(runtime, round_id)

    assert queued == 5 and report.sent == 5 and report.failed == 0
    recipients = sorted(smtp_server.recipients())
    assert recipients == sorted(
        [ASIKKALA, HARTOLA, ELY, "kirjaamo@kela.example.fi", "kansli@sfv.example.fi"]
    )
    links = {link_in(m) for m in smtp_server.received()}
    assert len(links) == 5
    assert all(len(token_of(link)) >= 32 for link in links)  # 24 bytes = 192 bits
    assert {o["state"] for o in round_status_all(runtime, round_id)} == {"invited"}


def round_status_all(rt: Runtime, round_id: str) -> list[dict]:
    with session_scope(rt.engine) as session:
        return round_status(session, round_id, now=rt.now()).as_json()["organisations"]


def test_launching_again_sends_nothing_new(
    runtime: Runtime, round_id: str, smtp_server: SmtpServer
) -> None:
    launch(runtime, round_id)
    queued, report = launch(runtime, round_id)
    assert (queued, report.claimed) == (0, 0)
    assert len(smtp_server.received()) == 5


def test_only_a_hash_of_each_token_is_stored(
    runtime: Runtime, round_id: str, smtp_server: SmtpServer
) -> None:
    launch(runtime, round_id)
    token = token_for(smtp_server, ASIKKALA)
    with session_scope(runtime.engine) as session:
        hashes = session.exec(select(NominationRequest.token_hash)).all()
    assert token not in hashes and all(len(h) == 64 for h in hashes)


def test_reply_then_correction_keeps_every_version(
    runtime: Runtime, round_id: str, smtp_server: SmtpServer
) -> None:
    launch(runtime, round_id)
    token = token_for(smtp_server, ASIKKALA)
    rt = at(runtime, BEFORE_DEADLINE)

    nominate(rt, token)
    corrected = Person("Aino Mäkelä", "sivistysjohtaja", "aino@asikkala.example.fi", "")
    nominate(rt, token, member=corrected)

    entry = status_of(rt, round_id, "Asikkala")
    assert entry["state"] == "nominated" and entry["late"] is False
    assert entry["member"] == {
        "name": "Aino Mäkelä",
        "title": "sivistysjohtaja",
        "email": "aino@asikkala.example.fi",
        "phone": "",
    }
    assert entry["deputy"]["name"] == "Pekka O'Brien"
    assert entry["reply_version"] == 2
    with session_scope(rt.engine) as session:
        versions = session.exec(select(Reply.version).order_by(Reply.version)).all()
        audit = session.exec(select(AuditEvent).where(AuditEvent.entity == "request")).all()
    assert versions == [1, 2]
    by_organisation = [a for a in audit if a.actor.startswith("organisation:")]
    assert [(a.kind, a.old_state, a.new_state) for a in by_organisation] == [
        ("reply.recorded", "", ""),
        ("request.state", "invited", "nominated"),
        ("reply.recorded", "", ""),
        ("request.state", "nominated", "nominated"),
    ]
    assert {a.actor for a in by_organisation} == {f"organisation:{by_organisation[0].entity_id}"}


def test_confirmation_is_mailed_with_a_copy_of_the_reply(
    runtime: Runtime, round_id: str, smtp_server: SmtpServer
) -> None:
    launch(runtime, round_id)
    token = token_for(smtp_server, ASIKKALA)
    smtp_server.clear()
    rt = at(runtime, BEFORE_DEADLINE)
    nominate(rt, token)
    deliver(rt)

    confirmation = message_to(smtp_server.received(), ASIKKALA)
    text = confirmation.get_body(preferencelist=("plain",)).get_content()
    html = confirmation.get_body(preferencelist=("html",)).get_content()
    assert "Aino Mäkelä" in text and "Pekka O'Brien" in text
    assert "Aino Mäkelä" in html and "Pekka O&#39;Brien" in html
    assert confirmation["Auto-Submitted"] == "auto-generated"
    assert link_in(confirmation).endswith(token)


def test_decline_with_reason(runtime: Runtime, round_id: str, smtp_server: SmtpServer) -> None:
    launch(runtime, round_id)
    token = token_for(smtp_server, HARTOLA)
    rt = at(runtime, BEFORE_DEADLINE)
    with session_scope(rt.engine) as session:
        submit_decline(session, rt.mail, token, "Ei resursseja tähän ryhmään.", now=rt.now())

    entry = status_of(rt, round_id, "Hartola")
    assert entry["state"] == "declined"
    assert entry["decline_reason"] == "Ei resursseja tähän ryhmään."
    assert entry["member"] is None and entry["deputy"] is None


def test_decline_without_reason_is_refused(
    runtime: Runtime, round_id: str, smtp_server: SmtpServer
) -> None:
    launch(runtime, round_id)
    token = token_for(smtp_server, HARTOLA)
    with session_scope(runtime.engine) as session, pytest.raises(ValueError, match="reason"):
        submit_decline(session, runtime.mail, token, "   ", now=runtime.now())
    assert status_of(runtime, round_id, "Hartola")["state"] == "invited"


def test_reply_after_deadline_is_accepted_and_marked_late(
    runtime: Runtime, round_id: str, smtp_server: SmtpServer
) -> None:
    launch(runtime, round_id)
    nominate(at(runtime, AFTER_DEADLINE), token_for(smtp_server, ELY))
    nominate(at(runtime, BEFORE_DEADLINE), token_for(smtp_server, ASIKKALA))

    assert status_of(runtime, round_id, "Hämeen ELY-keskus")["late"] is True
    assert status_of(runtime, round_id, "Asikkala")["late"] is False


def test_unknown_and_unlaunched_links_are_not_valid(
    runtime: Runtime, round_id: str, smtp_server: SmtpServer
) -> None:
    with session_scope(runtime.engine) as session:
        for token in ("", "x", "A" * 32, "../../etc/passwd", "A" * 5000):
            with pytest.raises(LinkNotValid):
                submit_nomination(
                    session, runtime.mail, token, [Seat(AINO, PEKKA)], now=runtime.now()
                )


def test_roster_lists_every_organisation_in_distribution_order(
    runtime: Runtime, round_id: str, smtp_server: SmtpServer
) -> None:
    launch(runtime, round_id)
    rt = at(runtime, BEFORE_DEADLINE)
    nominate(rt, token_for(smtp_server, ASIKKALA))
    nominate(
        rt,
        token_for(smtp_server, ELY),
        member=Person('=HYPERLINK("http://evil")', "", "ely@ely.example.fi", ""),
        deputy=Person("Åsa Öhman", "-1+1", "asa@ely.example.fi", "+46 70 123 4567"),
    )
    with session_scope(rt.engine) as session:
        submit_decline(session, rt.mail, token_for(smtp_server, HARTOLA), "Ei", now=rt.now())
        content = export(live_roster(session, round_id), "csv")

    assert content.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(content.decode("utf-8-sig")), delimiter=";"))
    assert rows[0] == ["organisaatio", "rooli", "nimi", "tehtävänimike", "sähköposti", "puhelin"]
    assert rows[1:] == [
        [
            "Asikkala",
            "varsinainen jäsen",
            "Aino Mäkelä",
            "sivistysjohtaja",
            "aino.makela@asikkala.example.fi",
            "040 1234567",
        ],
        [
            "Asikkala",
            "varajäsen",
            "Pekka O'Brien",
            "hyvinvointikoordinaattori",
            "pekka.obrien@asikkala.example.fi",
            "",
        ],
        ["Hartola", "ei nimeä", "", "", "", ""],
        [
            "Hämeen ELY-keskus",
            "varsinainen jäsen",
            '\'=HYPERLINK("http://evil")',
            "",
            "ely@ely.example.fi",
            "",
        ],
        [
            "Hämeen ELY-keskus",
            "varajäsen",
            "Åsa Öhman",
            "'-1+1",
            "asa@ely.example.fi",
            "'+46 70 123 4567",
        ],
        ["Kela / Päijät-Hämeen palveluryhmä", "ei nimetty", "", "", "", ""],
        ["Svenska Folkskolans Vänner", "ei nimetty", "", "", "", ""],
    ]


def test_two_launches_at_once_leave_every_mailed_link_working(
    runtime: Runtime, round_id: str, smtp_server: SmtpServer
) -> None:
    import threading

    from nimeamiset.services.rounds import launch_round

    barrier = threading.Barrier(2)
    queued: list[int] = []

    def launch_once() -> None:
        barrier.wait()
        with work(runtime, round_id) as unit:
            queued.append(launch_round(unit, runtime.mail, hours=runtime.hours))

    threads = [threading.Thread(target=launch_once) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    assert sorted(queued) == [0, 5]
    deliver(runtime)
    with session_scope(runtime.engine) as session:
        for message in smtp_server.received():
            submit_nomination(
                session,
                runtime.mail,
                token_of(link_in(message)),
                [Seat(AINO, PEKKA)],
                now=runtime.now(),
            )  # no LinkNotValid
