"""Mail is delayed, never dropped; concurrent senders never send one message twice."""

from __future__ import annotations

import asyncio
import threading
from datetime import timedelta
from typing import Any

from sqlmodel import select

from nimeamiset.db import session_scope
from nimeamiset.emails.senders import RecordingSender, SmtpSender
from nimeamiset.models import OutboxMessage
from nimeamiset.runtime import Runtime
from nimeamiset.services.delivery import deliver_all
from nimeamiset.services.outbox import claim_due, waiting_count
from nimeamiset.services.rounds import launch_round
from nimeamiset.services.status import round_status
from tests.conftest import LAUNCH_TIME, SmtpServer, at, free_port
from tests.helpers import deliver, link_in, message_to, parts, work


def queue_invitations(rt: Runtime, round_id: str) -> int:
    with work(rt, round_id) as unit:
        return launch_round(unit, rt.mail, hours=rt.hours)


def test_invitation_arrives_as_a_mail_client_sees_it(
    runtime: Runtime, round_id: str, smtp_server: SmtpServer
) -> None:
    queue_invitations(runtime, round_id)
    deliver(runtime)

    message = message_to(smtp_server.received(), "kirjaamo@asikkala.example.fi")
    assert message["Subject"] == "Edustajan nimeäminen Päijät-Hämeen testiohjelman ohjausryhmään"
    assert message["From"].addresses[0].addr_spec == "kirjaamo@paijat-hame.example.fi"
    assert message["From"].addresses[0].display_name == "Päijät-Hämeen liitto"
    assert message["Reply-To"].addresses[0].addr_spec == "tarja.parviainen@example.fi"
    assert message["To"].addresses[0].display_name == "Asikkala"
    assert message["Content-Language"] == "fi"
    text, html = parts(message)
    link = link_in(message)
    assert link.startswith("http://testserver/n/")
    assert f"\n{link}\n" in text and f'href="{link}"' in html
    for part in (text, html):
        assert "27.3.2024 mennessä" in part
        assert "18.4.2024 klo 9–11" in part
        assert "Tarja Parviainen" in part and "Niina Pautola-Mol" in part
    swedish = message_to(smtp_server.received(), "kansli@sfv.example.fi")
    assert "senast 27.3.2024" in parts(swedish)[0]


def test_a_mail_server_that_is_down_delays_mail_but_never_drops_it(
    runtime: Runtime, round_id: str, smtp_server: SmtpServer
) -> None:
    queue_invitations(runtime, round_id)
    down = runtime.settings.model_copy(update={"smtp_port": free_port()})
    dead = Runtime(settings=down, engine=runtime.engine, mail=runtime.mail, sender=SmtpSender(down))

    report = asyncio.run(deliver_all(dead.engine, dead.sender, now=dead.now(), limit=50))
    assert (report.claimed, report.sent, report.failed) == (5, 0, 5)
    with session_scope(runtime.engine) as session:
        assert waiting_count(session, round_id=round_id) == 5
        status = round_status(session, round_id, now=runtime.now()).as_json()
        rows = session.exec(select(OutboxMessage)).all()
    assert {o["state"] for o in status["organisations"]} == {"pending"}
    assert all(o["invitation_waiting"] for o in status["organisations"])
    assert all(r.attempts == 1 and r.last_error and "@" not in r.last_error for r in rows)

    # Not due again until the back-off has passed...
    assert deliver(runtime).claimed == 0
    # ...then sent once each.
    later = at(runtime, LAUNCH_TIME + timedelta(minutes=5))
    assert deliver(later).sent == 5
    assert len(smtp_server.received()) == 5
    assert deliver(at(runtime, LAUNCH_TIME + timedelta(days=1))).claimed == 0


def test_two_senders_at_once_never_send_a_message_twice(
    runtime: Runtime, round_id: str, smtp_server: SmtpServer
) -> None:
    queue_invitations(runtime, round_id)
    claimed: list[list[int]] = [[], []]

    def claimer(index: int) -> None:
        while True:
            with session_scope(runtime.engine) as session:
                batch = claim_due(session, now=runtime.now(), limit=1)
            if not batch:
                return
            claimed[index] += [e.id for e in batch]

    threads = [threading.Thread(target=claimer, args=(i,)) for i in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    all_ids = claimed[0] + claimed[1]
    assert len(all_ids) == 5 and len(set(all_ids)) == 5


def test_a_crashed_sender_is_taken_over_after_its_lease(
    runtime: Runtime, round_id: str, smtp_server: SmtpServer
) -> None:
    queue_invitations(runtime, round_id)
    with session_scope(runtime.engine) as session:
        assert len(claim_due(session, now=runtime.now(), limit=50)) == 5  # then "crashes"
    assert deliver(runtime).claimed == 0
    recorder = RecordingSender()
    later = at(runtime, LAUNCH_TIME + timedelta(minutes=11))
    report = asyncio.run(deliver_all(later.engine, recorder, now=later.now(), limit=50))
    assert report.sent == 5 and len(recorder.sent) == 5


def test_a_slow_mail_server_cannot_make_a_batch_outlive_its_lease(
    runtime: Runtime, round_id: str, smtp_server: SmtpServer
) -> None:
    slow = runtime.settings.model_copy(update={"smtp_timeout": 30.0, "send_concurrency": 4})
    sender = SmtpSender(slow)
    # 200 messages over 4 connections: 50 each, three commands per message that may each
    # wait out the time-out, plus connecting: the lease must cover all of it.
    assert sender.worst_case(200) == timedelta(seconds=30 * (4 + 3 * 50))
    queue_invitations(runtime, round_id)
    with session_scope(runtime.engine) as session:
        claim_due(session, now=runtime.now(), limit=200, lease=sender.worst_case(200))
        leases = {row.lease_until for row in session.exec(select(OutboxMessage))}
    assert leases == {LAUNCH_TIME + timedelta(seconds=30 * 154)}


def test_delivered_messages_keep_no_content(
    runtime: Runtime, round_id: str, smtp_server: SmtpServer
) -> None:
    queue_invitations(runtime, round_id)
    with session_scope(runtime.engine) as session:
        assert all(row.content for row in session.exec(select(OutboxMessage)))
    deliver(runtime)
    with session_scope(runtime.engine) as session:
        rows = session.exec(select(OutboxMessage)).all()
    assert {row.state for row in rows} == {"sent"}
    assert all(row.content == b"" and row.message_id for row in rows)


def test_an_address_refused_for_good_fails_at_once_and_a_corrected_one_gets_the_mail(
    runtime: Runtime, round_id: str, smtp_server: SmtpServer
) -> None:
    from nimeamiset.services.invitations import resend_invitation

    hartola, kela = "kirjaamo@hartola.example.fi", "kirjaamo@kela.example.fi"
    smtp_server.refuse(hartola)  # 550 5.1.1: no such mailbox
    smtp_server.refuse(kela, "554 5.2.0 Daily recipient quota exceeded")  # passes with the day
    queue_invitations(runtime, round_id)
    assert deliver(runtime).sent == 3
    with session_scope(runtime.engine) as session:
        rows = {r.envelope_to: r for r in session.exec(select(OutboxMessage)).all()}
        status = {
            o.email: o for o in round_status(session, round_id, now=runtime.now()).organisations
        }
    assert (rows[hartola].state, rows[hartola].attempts) == ("failed", 1)
    assert rows[hartola].last_error == "SMTPRecipientRefused 550 5.1.1"
    assert rows[hartola].content == b""
    assert rows[kela].state == "queued" and "554 5.2.0" in rows[kela].last_error
    assert status[hartola].delivery_problem and status[hartola].invitation is not None
    assert status[hartola].invitation.failed
    assert status[kela].delivery_problem and not status[kela].invitation.failed  # type: ignore[union-attr]

    # Never tried again; the quota's message is, once its back-off has passed.
    later = at(runtime, LAUNCH_TIME + timedelta(hours=7))
    assert deliver(later).claimed == 1
    assert hartola not in smtp_server.recipients()

    with session_scope(runtime.engine) as session:
        request_id = rows[hartola].request_id
    assert request_id is not None
    with work(later, round_id) as unit:
        resend_invitation(unit, later.mail, request_id, email="kirjaamo.uusi@hartola.example.fi")
    assert deliver(later).sent == 1
    assert "kirjaamo.uusi@hartola.example.fi" in smtp_server.recipients()


def test_a_sender_whose_lease_ran_out_cannot_undo_the_one_that_took_over(
    runtime: Runtime, round_id: str
) -> None:
    """A claims and stalls; its lease runs out; B claims the same messages and sends them.
    A's late failure must not put them back in the queue, before or after B records."""
    from nimeamiset.emails.senders import Delivery
    from nimeamiset.services.outbox import record_deliveries

    queue_invitations(runtime, round_id)
    with session_scope(runtime.engine) as session:
        stalled = claim_due(session, now=runtime.now(), limit=50)
    later = LAUNCH_TIME + timedelta(minutes=11)
    with session_scope(runtime.engine) as session:
        taken_over = claim_due(session, now=later, limit=50)
    assert [e.id for e in taken_over] == [e.id for e in stalled]
    assert {e.claim for e in taken_over}.isdisjoint({e.claim for e in stalled})

    def record(envelopes: list[Any], ok: bool) -> None:
        with session_scope(runtime.engine) as session:
            record_deliveries(
                session,
                [Delivery(e.id, ok, "" if ok else "SMTPServerDisconnected") for e in envelopes],
                now=later,
                claim=envelopes[0].claim,
            )

    record(stalled, ok=False)  # too late: ignored
    record(taken_over, ok=True)
    record(stalled, ok=False)  # still ignored
    with session_scope(runtime.engine) as session:
        rows = session.exec(select(OutboxMessage)).all()
        assert {(r.state, r.attempts) for r in rows} == {("sent", 1)}
        assert waiting_count(session, round_id=round_id) == 0
