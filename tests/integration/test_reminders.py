"""Reminders that run on their own: the right organisations, once each, never twice."""

from __future__ import annotations

import multiprocessing
from datetime import date, datetime

import pytest
from sqlmodel import func, select

from nimeamiset.config import Settings
from nimeamiset.db import session_scope
from nimeamiset.domain.people import Person
from nimeamiset.models import OutboxMessage
from nimeamiset.runtime import Runtime, build_runtime
from nimeamiset.services.extensions import ExtensionError, extend_deadline
from nimeamiset.services.reminders import due_request_ids, queue_due_reminders, remind_one
from nimeamiset.services.replies import Seat, submit_decline, submit_nomination
from nimeamiset.services.status import round_status
from nimeamiset.services.summaries import queue_due_summaries
from tests.conftest import SmtpServer, at
from tests.helpers import (
    deliver,
    launch,
    link_in,
    message_to,
    parts,
    to_address,
    token_of,
    work,
)

ASIKKALA = "kirjaamo@asikkala.example.fi"
HARTOLA = "kirjaamo@hartola.example.fi"
ELY = "kirjaamo@ely.example.fi"
KELA = "kirjaamo@kela.example.fi"
SFV = "kansli@sfv.example.fi"
EVERYONE = {ASIKKALA, HARTOLA, ELY, KELA, SFV}
AINO = Person("Aino Mäkelä", "", "aino@example.fi", "")
PEKKA = Person("Pekka Virtanen", "", "pekka@example.fi", "")


def moment(text: str) -> datetime:
    return datetime.fromisoformat(f"{text}+02:00")


@pytest.fixture
def links(runtime: Runtime, round_id: str, smtp_server: SmtpServer) -> dict[str, str]:
    launch(runtime, round_id)
    found = {to: link_in(message_to(smtp_server.received(), to)) for to in EVERYONE}
    smtp_server.clear()
    return found


def sweep(rt: Runtime) -> None:
    """One sweep as the flow does it: reminders, summaries, delivery."""
    with session_scope(rt.engine) as session:
        queue_due_reminders(session, rt.mail, now=rt.now(), hours=rt.hours)
        queue_due_summaries(session, rt.mail, now=rt.now(), hours=rt.hours)
    deliver(rt)


def reminded(smtp: SmtpServer) -> list[str]:
    return sorted(
        to_address(m)
        for m in smtp.received()
        if "Muistutus" in str(m["Subject"]) or "Påminnelse" in str(m["Subject"])
    )


def nominate(rt: Runtime, link: str) -> None:
    with session_scope(rt.engine) as session:
        submit_nomination(session, rt.mail, token_of(link), [Seat(AINO, PEKKA)], now=rt.now())


def decline(rt: Runtime, link: str) -> None:
    with session_scope(rt.engine) as session:
        submit_decline(session, rt.mail, token_of(link), "Ei edustajaa.", now=rt.now())


def status(rt: Runtime, round_id: str) -> dict[str, dict]:
    with session_scope(rt.engine) as session:
        found = round_status(session, round_id, now=rt.now()).as_json()
    return {o["email"]: o for o in found["organisations"]}


def test_nothing_before_the_first_slot(
    runtime: Runtime, links: dict[str, str], smtp_server: SmtpServer
) -> None:
    sweep(at(runtime, moment("2024-03-20T08:59")))
    assert smtp_server.received() == []


def test_each_slot_reminds_exactly_those_who_have_not_replied(
    runtime: Runtime, links: dict[str, str], smtp_server: SmtpServer, round_id: str
) -> None:
    nominate(at(runtime, moment("2024-03-15T12:00")), links[ASIKKALA])
    decline(at(runtime, moment("2024-03-15T12:00")), links[HARTOLA])
    smtp_server.clear()

    # Slot 1: Wednesday 20.3. from 9.00; a second sweep the same hour sends nothing more.
    sweep(at(runtime, moment("2024-03-20T09:00")))
    sweep(at(runtime, moment("2024-03-20T10:00")))
    assert reminded(smtp_server) == sorted([ELY, KELA, SFV])

    # The same personal link as in the invitation, the deadline, days left, the contact.
    reminder = message_to(smtp_server.received(), ELY)
    text, html = parts(reminder)
    assert link_in(reminder) == links[ELY]
    assert "27.3.2024, 7 päivän kuluttua" in text and "Tarja Parviainen" in text
    assert links[ELY] in html
    swedish = parts(message_to(smtp_server.received(), SFV))[0]
    assert "om 7 dagar" in swedish

    nominate(at(runtime, moment("2024-03-22T12:00")), links[ELY])
    smtp_server.clear()
    # Slot 2: Monday 25.3. (two days before Wednesday's deadline).
    sweep(at(runtime, moment("2024-03-25T09:30")))
    assert reminded(smtp_server) == sorted([KELA, SFV])
    smtp_server.clear()
    # Slot 3: Thursday 28.3., the day after the deadline; and the staff summary.
    sweep(at(runtime, moment("2024-03-28T09:05")))
    assert reminded(smtp_server) == sorted([KELA, SFV])
    assert "Määräaika päättyi 27.3.2024" in parts(message_to(smtp_server.received(), KELA))[0]

    counts = {email: o["reminders_sent"] for email, o in status(runtime, round_id).items()}
    assert counts == {ASIKKALA: 0, HARTOLA: 0, ELY: 1, KELA: 3, SFV: 3}
    assert all(o["next_reminder_at"] is None for o in status(runtime, round_id).values())


def test_after_an_outage_only_the_latest_slot_is_sent(
    runtime: Runtime, links: dict[str, str], smtp_server: SmtpServer, round_id: str
) -> None:
    # Nothing ran from 20.3. to 26.3.: slots 1 and 2 were both missed.
    sweep(at(runtime, moment("2024-03-26T11:00")))
    assert reminded(smtp_server) == sorted(EVERYONE)
    assert "1 päivän kuluttua" not in parts(message_to(smtp_server.received(), ELY))[0]
    assert "Määräaika on huomenna" in parts(message_to(smtp_server.received(), ELY))[0]
    assert {o["reminders_sent"] for o in status(runtime, round_id).values()} == {1}


def test_nothing_goes_out_in_quiet_hours_or_at_weekends(
    runtime: Runtime, links: dict[str, str], smtp_server: SmtpServer
) -> None:
    sweep(at(runtime, moment("2024-03-20T18:30")))
    sweep(at(runtime, moment("2024-03-23T12:00")))  # Saturday
    assert smtp_server.received() == []
    sweep(at(runtime, moment("2024-03-21T08:00")))  # next morning
    assert reminded(smtp_server) == sorted(EVERYONE)


def test_a_reply_between_selection_and_claim_gets_no_reminder(
    runtime: Runtime, links: dict[str, str], smtp_server: SmtpServer
) -> None:
    rt = at(runtime, moment("2024-03-20T09:00"))
    with session_scope(rt.engine) as session:
        selected = due_request_ids(session, now=rt.now(), limit=100)
    assert len(selected) == 5
    nominate(rt, links[ELY])  # arrives while the sweep is running
    with session_scope(rt.engine) as session:
        for request_id in selected:
            remind_one(session, rt.mail, request_id, now=rt.now(), hours=rt.hours)
    deliver(rt)
    assert reminded(smtp_server) == sorted(EVERYONE - {ELY})


def test_a_reply_between_queueing_and_sending_gets_no_reminder(
    runtime: Runtime, links: dict[str, str], smtp_server: SmtpServer
) -> None:
    rt = at(runtime, moment("2024-03-20T09:00"))
    with session_scope(rt.engine) as session:
        queue_due_reminders(session, rt.mail, now=rt.now(), hours=rt.hours)
    nominate(rt, links[KELA])
    deliver(rt)
    assert reminded(smtp_server) == sorted(EVERYONE - {KELA})


def _sweeper(url: str, key: str, port: int, now: str, barrier: object) -> None:
    settings = Settings(
        database_url=url,
        secret_key=key,
        smtp_port=port,  # type: ignore[arg-type]
        now=datetime.fromisoformat(now),
        base_url="http://testserver",
    )  # type: ignore[arg-type]
    rt = build_runtime(settings)
    barrier.wait()  # type: ignore[attr-defined]
    with session_scope(rt.engine) as session:
        queue_due_reminders(session, rt.mail, now=rt.now(), hours=rt.hours)


def test_two_sweeps_in_two_processes_at_once_send_no_duplicate(
    runtime: Runtime, links: dict[str, str], smtp_server: SmtpServer
) -> None:
    spawn = multiprocessing.get_context("spawn")
    for when in ("2024-03-20T09:00:00+02:00", "2024-03-25T09:00:00+02:00"):
        barrier = spawn.Barrier(2)
        args = (
            runtime.settings.database_url,
            runtime.settings.secret_key.get_secret_value(),
            smtp_server.port,
            when,
            barrier,
        )
        workers = [spawn.Process(target=_sweeper, args=args) for _ in range(2)]
        for w in workers:
            w.start()
        for w in workers:
            w.join(60)
        assert [w.exitcode for w in workers] == [0, 0]
    with session_scope(runtime.engine) as session:
        queued = session.exec(
            select(func.count()).select_from(OutboxMessage).where(OutboxMessage.kind == "reminder")
        ).one()
    assert queued == 10  # five organisations, two slots, each once
    deliver(at(runtime, moment("2024-03-25T09:00")))
    assert sorted(reminded(smtp_server)) == sorted(list(EVERYONE) * 2)


def test_staff_summary_lists_exactly_the_missing(
    runtime: Runtime, links: dict[str, str], smtp_server: SmtpServer
) -> None:
    nominate(at(runtime, moment("2024-03-15T12:00")), links[ASIKKALA])
    decline(at(runtime, moment("2024-03-15T12:00")), links[HARTOLA])
    nominate(at(runtime, moment("2024-03-28T08:00")), links[KELA])  # late
    smtp_server.clear()
    sweep(at(runtime, moment("2024-03-27T15:00")))  # deadline day: no summary yet
    assert [
        m for m in smtp_server.received() if to_address(m) == "tarja.parviainen@example.fi"
    ] == []
    sweep(at(runtime, moment("2024-03-28T09:00")))
    sweep(at(runtime, moment("2024-03-28T10:00")))
    [summary] = [
        m for m in smtp_server.received() if to_address(m) == "tarja.parviainen@example.fi"
    ]
    text, _ = parts(summary)
    missing = text.split("Vastaamatta")[1].split("Nimenneet")[0]
    assert "Hämeen ELY-keskus" in missing and "Svenska Folkskolans Vänner" in missing
    for replied in ("Asikkala", "Hartola", "Kela"):
        assert replied not in missing
    assert "Kela / Päijät-Hämeen palveluryhmä (myöhässä)" in text
    assert "http://testserver/henkilosto/testiryhma" in text
    assert "2 vastaamatta" in str(summary["Subject"])


def test_extending_the_round_moves_unsent_slots_and_tells_those_missing(
    runtime: Runtime, links: dict[str, str], smtp_server: SmtpServer, round_id: str
) -> None:
    nominate(at(runtime, moment("2024-03-15T12:00")), links[ASIKKALA])
    sweep(at(runtime, moment("2024-03-20T09:00")))  # slot 7 days before 27.3. sent
    smtp_server.clear()
    rt = at(runtime, moment("2024-03-22T14:00"))
    with work(rt, round_id) as unit:
        extended = extend_deadline(unit, rt.mail, date(2024, 4, 5), hours=rt.hours)
    deliver(rt)
    assert len(extended.organisations) == 4
    notes = smtp_server.received()
    assert sorted(to_address(m) for m in notes) == sorted(EVERYONE - {ASIKKALA})
    note = message_to(notes, ELY)
    assert "5.4.2024" in str(note["Subject"]) and link_in(note) == links[ELY]
    smtp_server.clear()
    sweep(at(runtime, moment("2024-03-25T09:00")))  # the old slot 2: moved away
    assert reminded(smtp_server) == []
    # New slot 2 for 5.4. (Friday) is Wednesday 3.4.; slot 1 was sent and stays sent.
    sweep(at(runtime, moment("2024-04-03T09:00")))
    assert reminded(smtp_server) == sorted(EVERYONE - {ASIKKALA})
    assert status(runtime, round_id)[ELY]["deadline"] == "2024-04-05"
    # A reply now, after the first deadline but before the new one, is not late.
    nominate(at(runtime, moment("2024-04-04T09:00")), links[ELY])
    assert status(runtime, round_id)[ELY]["late"] is False


def test_extending_one_organisation_only(
    runtime: Runtime, links: dict[str, str], smtp_server: SmtpServer, round_id: str
) -> None:
    rt = at(runtime, moment("2024-03-22T14:00"))
    with work(rt, round_id) as unit:
        extend_deadline(
            unit, rt.mail, date(2024, 4, 5), hours=rt.hours, organisation="Hämeen ELY-keskus"
        )
    with work(rt, round_id) as unit, pytest.raises(ExtensionError, match="no organisation"):
        extend_deadline(unit, rt.mail, date(2024, 4, 5), hours=rt.hours, organisation="Ei ole")
    with work(rt, round_id) as unit, pytest.raises(ExtensionError, match="passed"):
        extend_deadline(unit, rt.mail, date(2024, 3, 1), hours=rt.hours)
    deliver(rt)
    assert [to_address(m) for m in smtp_server.received()] == [ELY]
    after = status(runtime, round_id)
    assert after[ELY]["deadline"] == "2024-04-05" and after[KELA]["deadline"] == "2024-03-27"
    nominate(at(runtime, moment("2024-03-29T10:00")), links[ELY])
    nominate(at(runtime, moment("2024-03-29T10:00")), links[KELA])
    after = status(runtime, round_id)
    assert after[ELY]["late"] is False and after[KELA]["late"] is True


def test_a_reminder_that_failed_at_five_waits_for_the_morning(
    runtime: Runtime, links: dict[str, str], smtp_server: SmtpServer
) -> None:
    import asyncio

    from nimeamiset.emails.senders import SmtpSender
    from nimeamiset.services.delivery import deliver_all
    from tests.conftest import free_port

    rt = at(runtime, moment("2024-03-20T17:00"))
    with session_scope(rt.engine) as session:
        queue_due_reminders(session, rt.mail, now=rt.now(), hours=rt.hours)
    down = SmtpSender(rt.settings.model_copy(update={"smtp_port": free_port()}))
    report = asyncio.run(deliver_all(rt.engine, down, now=rt.now(), limit=50, hours=rt.hours))
    assert report.failed == 5  # the mail server is down at five
    night = at(runtime, moment("2024-03-20T23:00"))
    asyncio.run(
        deliver_all(night.engine, night.sender, now=night.now(), limit=50, hours=night.hours)
    )
    assert reminded(smtp_server) == []
    morning = at(runtime, moment("2024-03-21T08:00"))
    asyncio.run(
        deliver_all(morning.engine, morning.sender, now=morning.now, limit=50, hours=morning.hours)
    )
    assert reminded(smtp_server) == sorted(EVERYONE)


def test_one_request_that_fails_holds_up_no_other_reminder(
    runtime: Runtime, links: dict[str, str], round_id: str, smtp_server: SmtpServer
) -> None:
    """Asikkala's link no longer matches the key (its reminder cannot be written): it is
    tried again an hour later, and everyone else is reminded now."""
    from nimeamiset.models import NominationRequest

    with session_scope(runtime.engine) as session:
        broken = session.exec(
            select(NominationRequest).where(NominationRequest.email == ASIKKALA)
        ).one()
        broken.token_hash = "0" * 64
        session.add(broken)
        session.commit()
    rt = at(runtime, moment("2024-03-20T09:00"))
    sweep(rt)
    assert reminded(smtp_server) == sorted(EVERYONE - {ASIKKALA})
    with session_scope(runtime.engine) as session:
        again = session.exec(
            select(NominationRequest.next_reminder_at).where(NominationRequest.email == ASIKKALA)
        ).one()
    assert again == moment("2024-03-20T10:00")
