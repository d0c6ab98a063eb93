"""One writer per round: staff changes and organisations' replies interleaved, on SQLite and
PostgreSQL; typed audit events with the acting person; the staff actions on one request."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Callable
from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest
from sqlmodel import col, select

from nimeamiset.db import session_scope
from nimeamiset.domain.people import Person
from nimeamiset.domain.states import RoundState
from nimeamiset.models import AuditEvent, NominationRequest, OutboxMessage, Reply, Round
from nimeamiset.runtime import Runtime
from nimeamiset.services.assembly import assemble_and_notify
from nimeamiset.services.events import Actor
from nimeamiset.services.extensions import ExtensionError, extend_deadline
from nimeamiset.services.invitations import ActionRefused, close_round, resend_invitation
from nimeamiset.services.meetings import invite_to_meeting
from nimeamiset.services.reminders import remind_now
from nimeamiset.services.replies import (
    LinkNotValid,
    Seat,
    record_reply,
    replace_nominee,
    submit_nomination,
    view_request,
)
from nimeamiset.services.work import RoundWork
from tests.conftest import SmtpServer, at
from tests.helpers import TESTER, deliver, launch, link_in, message_to, to_address, token_of, work

HELSINKI = ZoneInfo("Europe/Helsinki")
ASIKKALA = "kirjaamo@asikkala.example.fi"
HARTOLA = "kirjaamo@hartola.example.fi"
PAUSE = 0.6  # how long the staff change holds the round's lock before it writes


def moment(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=HELSINKI)


@pytest.fixture
def links(runtime: Runtime, round_id: str, smtp_server: SmtpServer) -> dict[str, str]:
    launch(runtime, round_id)
    found = {to_address(m): link_in(m) for m in smtp_server.received()}
    smtp_server.clear()
    return found


def seat(member: str, deputy: str) -> Seat:
    return Seat(
        Person(member, "johtaja", f"{member.split()[0].lower()}@example.fi", ""),
        Person(deputy, "", f"{deputy.split()[0].lower()}@example.fi", ""),
    )


def nominate(rt: Runtime, link: str, member: str, deputy: str) -> None:
    with session_scope(rt.engine) as session:
        submit_nomination(session, rt.mail, token_of(link), [seat(member, deputy)], now=rt.now())


def request_id(rt: Runtime, round_id: str, email: str) -> int:
    with session_scope(rt.engine) as session:
        found = session.exec(
            select(NominationRequest.id)
            .where(NominationRequest.round_id == round_id)
            .where(NominationRequest.email == email)
        ).one()
    assert found is not None
    return found


def interleave(
    rt: Runtime, round_id: str, staff_change: Callable[..., object], reply: Callable[[], None]
) -> list[str]:
    """Run a staff change that holds the round's lock for a moment, and a reply that starts
    while it is held. Returns the order in which they finished."""
    locked = threading.Event()
    order: list[str] = []
    errors: list[BaseException] = []

    def staff() -> None:
        try:
            with work(rt, round_id) as unit:
                locked.set()
                time.sleep(PAUSE)  # a reply arriving now must wait for this commit
                staff_change(unit)
                order.append("staff wrote")
            order.append("staff committed")
        except BaseException as exc:
            errors.append(exc)
            locked.set()

    def organisation() -> None:
        try:
            assert locked.wait(10)
            reply()
            order.append("reply committed")
        except BaseException as exc:
            errors.append(exc)

    threads = [threading.Thread(target=staff), threading.Thread(target=organisation)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert errors == []
    return order


SERIAL = ["staff wrote", "staff committed", "reply committed"]


def test_a_reply_waits_for_a_deadline_extension_and_is_judged_by_the_new_deadline(
    runtime: Runtime, links: dict[str, str], round_id: str
) -> None:
    rt = at(runtime, moment("2024-03-28T10:00"))  # the day after the deadline of 27.3.
    order = interleave(
        rt,
        round_id,
        lambda unit: extend_deadline(
            unit, rt.mail, date(2024, 4, 5), hours=rt.hours, organisation="Asikkala"
        ),
        lambda: nominate(rt, links[ASIKKALA], "Aino Aho", "Pekka Puu"),
    )
    assert order == SERIAL
    with session_scope(rt.engine) as session:
        request = session.get(NominationRequest, request_id(rt, round_id, ASIKKALA))
        assert request is not None
        assert request.deadline == date(2024, 4, 5) and request.late is False


def test_a_reply_during_meeting_invitations_gets_its_new_deputy_invited(
    runtime: Runtime, links: dict[str, str], round_id: str
) -> None:
    rt = at(runtime, moment("2024-04-11T10:00"))
    nominate(rt, links[ASIKKALA], "Aino Aho", "Pekka Puu")
    with work(rt, round_id) as unit:
        assemble_and_notify(unit, rt.mail, reason="pyynnöstä")
    order = interleave(
        rt,
        round_id,
        lambda unit: invite_to_meeting(unit, rt.mail),
        lambda: nominate(rt, links[ASIKKALA], "Aino Aho", "Ville Vaihto"),
    )
    assert order == SERIAL
    with session_scope(rt.engine) as session:
        meeting_mail = session.exec(
            select(OutboxMessage.envelope_to, OutboxMessage.dedupe_key)
            .where(OutboxMessage.kind == "meeting_invitation")
            .order_by(col(OutboxMessage.id))
        ).all()
    keys = [key.split(":")[-2] + ":" + to for to, key in meeting_mail]
    # Aino and Pekka invited; then, after the reply, Ville invited and Pekka cancelled.
    assert sorted(keys) == sorted(
        [
            "invite:aino@example.fi",
            "invite:pekka@example.fi",
            "invite:ville@example.fi",
            "cancel:pekka@example.fi",
        ]
    )


def test_a_staff_replacement_and_a_reply_at_once_lose_neither(
    runtime: Runtime, links: dict[str, str], round_id: str
) -> None:
    rt = at(runtime, moment("2024-03-20T10:00"))
    nominate(rt, links[ASIKKALA], "Aino Aho", "Pekka Puu")
    asikkala = request_id(rt, round_id, ASIKKALA)
    replacement = Person("Reijo Rinne", "", "reijo@example.fi", "")
    order = interleave(
        rt,
        round_id,
        lambda unit: replace_nominee(
            unit, rt.mail, asikkala, seat=1, role="deputy", person=replacement
        ),
        lambda: nominate(rt, links[ASIKKALA], "Anna Uusi", "Pekka Puu"),
    )
    assert order == SERIAL
    with session_scope(rt.engine) as session:
        replies = session.exec(
            select(Reply).where(Reply.request_id == asikkala).order_by(col(Reply.version))
        ).all()
        current = session.get(NominationRequest, asikkala)
        assert current is not None
        assert [(r.version, r.channel) for r in replies] == [(1, "web"), (2, "staff"), (3, "web")]
        assert current.current_reply_id == replies[-1].id
        events = session.exec(
            select(AuditEvent)
            .where(AuditEvent.round_id == round_id)
            .where(AuditEvent.kind == "nominee.replaced")
        ).all()
    assert [(e.actor, json.loads(e.payload)) for e in events] == [
        (str(TESTER), {"seat": 1, "role": "deputy", "version": 2})
    ]


def test_every_change_is_audited_with_its_actor_and_no_token(
    runtime: Runtime, links: dict[str, str], round_id: str
) -> None:
    rt = at(runtime, moment("2024-03-20T10:00"))
    nominate(rt, links[ASIKKALA], "Aino Aho", "Pekka Puu")
    with session_scope(rt.engine) as session:
        rows = session.exec(
            select(AuditEvent).where(AuditEvent.round_id == round_id).order_by(col(AuditEvent.id))
        ).all()
    kinds = [(row.kind, row.actor.split(":")[0]) for row in rows]
    assert ("round.created", "staff") in kinds
    assert ("round.state", "staff") in kinds  # launched by the tester
    assert ("request.state", "outbox") in kinds  # invitation delivered
    assert ("reply.recorded", "organisation") in kinds
    tokens = {token_of(link) for link in links.values()}
    for row in rows:
        assert not any(token in row.payload or token in row.detail for token in tokens)


def test_staff_record_a_phone_reply_and_the_organisation_gets_its_confirmation(
    runtime: Runtime, links: dict[str, str], round_id: str, smtp_server: SmtpServer
) -> None:
    rt = at(runtime, moment("2024-03-20T10:00"))
    hartola = request_id(rt, round_id, HARTOLA)
    with work(rt, round_id) as unit:
        outcome = record_reply(
            unit, rt.mail, hartola, seats=[seat("Hilkka Hake", "Olli Oja")], channel="phone"
        )
    assert outcome.version == 1 and not outcome.declined
    deliver(rt)
    confirmation = message_to(smtp_server.received(), HARTOLA)
    assert "Hilkka Hake" in confirmation.get_body(preferencelist=("plain",)).get_content()  # type: ignore[union-attr]
    with work(rt, round_id) as unit, pytest.raises(ValueError, match="channel"):
        record_reply(unit, rt.mail, hartola, decline_reason="Ei", channel="pigeon")


def test_a_new_link_stops_the_old_one_and_a_corrected_address_gets_the_invitation(
    runtime: Runtime, links: dict[str, str], round_id: str, smtp_server: SmtpServer
) -> None:
    rt = at(runtime, moment("2024-03-20T10:00"))
    asikkala = request_id(rt, round_id, ASIKKALA)
    with work(rt, round_id) as unit:
        resend_invitation(unit, rt.mail, asikkala, new_link=True, email="uusi@asikkala.example.fi")
    deliver(rt)
    invitation = message_to(smtp_server.received(), "uusi@asikkala.example.fi")
    new_link = link_in(invitation)
    assert new_link != links[ASIKKALA]
    with session_scope(rt.engine) as session:
        with pytest.raises(LinkNotValid):
            view_request(session, token_of(links[ASIKKALA]))
        assert view_request(session, token_of(new_link)).request.email == (
            "uusi@asikkala.example.fi"
        )
    with work(rt, round_id) as unit, pytest.raises(ActionRefused):
        resend_invitation(unit, rt.mail, asikkala, email="not an address")


def test_a_reminder_sent_now_goes_once_a_day_and_only_to_those_who_have_not_replied(
    runtime: Runtime, links: dict[str, str], round_id: str, smtp_server: SmtpServer
) -> None:
    rt = at(runtime, moment("2024-03-21T10:00"))
    nominate(rt, links[ASIKKALA], "Aino Aho", "Pekka Puu")
    deliver(rt)
    smtp_server.clear()
    chosen = [request_id(rt, round_id, ASIKKALA), request_id(rt, round_id, HARTOLA)]
    with work(rt, round_id) as unit:
        assert remind_now(unit, rt.mail, chosen) == ["Hartola"]
    with work(at(runtime, moment("2024-03-21T15:00")), round_id) as unit:
        assert remind_now(unit, rt.mail, chosen) == []  # never twice the same day
    deliver(rt)
    assert [to_address(m) for m in smtp_server.received()] == [HARTOLA]


def test_a_closed_round_refuses_its_links_like_unknown_ones(
    runtime: Runtime, links: dict[str, str], round_id: str
) -> None:
    rt = at(runtime, moment("2024-03-20T10:00"))
    with work(rt, round_id, actor=Actor.staff("Koordinaattori@Paijat-Hame.fi")) as unit:
        close_round(unit)
    with session_scope(rt.engine) as session:
        round_ = session.get(Round, round_id)
        assert round_ is not None and round_.state == RoundState.CLOSED
        assert round_.next_summary_at is None and round_.next_assembly_at is None
        with pytest.raises(LinkNotValid):
            view_request(session, token_of(links[ASIKKALA]))
        closing = session.exec(
            select(AuditEvent)
            .where(AuditEvent.kind == "round.state")
            .order_by(col(AuditEvent.id).desc())
        ).first()
    assert closing is not None and closing.actor == "staff:koordinaattori@paijat-hame.fi"
    with pytest.raises(LinkNotValid):
        nominate(rt, links[ASIKKALA], "Aino Aho", "Pekka Puu")
    with work(rt, round_id) as unit, pytest.raises(ActionRefused):
        close_round(unit)


def test_a_reply_through_a_link_renewed_while_it_waited_is_refused(
    runtime: Runtime, links: dict[str, str], round_id: str
) -> None:
    rt = at(runtime, moment("2024-03-20T10:00"))
    asikkala = request_id(rt, round_id, ASIKKALA)
    refused: list[str] = []

    def reply_with_the_old_link() -> None:
        try:
            nominate(rt, links[ASIKKALA], "Aino Aho", "Pekka Puu")
        except LinkNotValid:
            refused.append("old link")

    order = interleave(
        rt,
        round_id,
        lambda unit: resend_invitation(unit, rt.mail, asikkala, new_link=True),
        reply_with_the_old_link,
    )
    assert order == SERIAL and refused == ["old link"]
    with session_scope(rt.engine) as session:
        assert session.exec(select(Reply).where(Reply.request_id == asikkala)).all() == []


def test_changes_that_do_not_fit_the_rounds_state_are_refused(
    runtime: Runtime, links: dict[str, str], round_id: str
) -> None:
    rt = at(runtime, moment("2024-03-20T10:00"))
    nominate(rt, links[ASIKKALA], "Aino Aho", "Pekka Puu")
    asikkala = request_id(rt, round_id, ASIKKALA)
    with work(rt, round_id) as unit, pytest.raises(ExtensionError, match="later than"):
        extend_deadline(unit, rt.mail, date(2024, 3, 26), hours=rt.hours)
    with work(rt, round_id) as unit:
        close_round(unit)
    replacement = Person("Reijo Rinne", "", "reijo@example.fi", "")
    refused_when_closed: list[Callable[[RoundWork], object]] = [
        lambda unit: extend_deadline(unit, rt.mail, date(2024, 4, 5), hours=rt.hours),
        lambda unit: record_reply(unit, rt.mail, asikkala, decline_reason="Ei", channel="phone"),
        lambda unit: replace_nominee(
            unit, rt.mail, asikkala, seat=1, role="deputy", person=replacement
        ),
        lambda unit: resend_invitation(unit, rt.mail, asikkala),
    ]
    for change in refused_when_closed:
        with work(rt, round_id) as unit, pytest.raises(ActionRefused, match="suljettu"):
            change(unit)
    with work(rt, round_id) as unit:  # the final roster may still be assembled
        assert assemble_and_notify(unit, rt.mail, reason="pyynnöstä").version == 1


def test_a_draft_round_cannot_be_assembled_or_answered_for(runtime: Runtime, round_id: str) -> None:
    rt = at(runtime, moment("2024-03-12T10:00"))
    asikkala = request_id(rt, round_id, ASIKKALA)
    with work(rt, round_id) as unit, pytest.raises(ActionRefused, match="luonnos"):
        assemble_and_notify(unit, rt.mail, reason="pyynnöstä")
    with work(rt, round_id) as unit, pytest.raises(ActionRefused, match="luonnos"):
        record_reply(unit, rt.mail, asikkala, decline_reason="Ei", channel="phone")


def test_a_reminder_cancelled_today_does_not_stop_the_next_one(
    runtime: Runtime, links: dict[str, str], round_id: str, smtp_server: SmtpServer
) -> None:
    rt = at(runtime, moment("2024-03-21T10:00"))
    hartola = request_id(rt, round_id, HARTOLA)
    with work(rt, round_id) as unit:
        assert remind_now(unit, rt.mail, [hartola]) == ["Hartola"]
    # Not yet delivered when staff correct the address: the queued reminder is withdrawn...
    with work(rt, round_id) as unit:
        resend_invitation(unit, rt.mail, hartola, email="uusi@hartola.example.fi")
    # ... so a reminder to the new address may still go today.
    with work(rt, round_id) as unit:
        assert remind_now(unit, rt.mail, [hartola]) == ["Hartola"]
    deliver(rt)
    assert sorted(to_address(m) for m in smtp_server.received()) == [
        "uusi@hartola.example.fi",
        "uusi@hartola.example.fi",
    ]


def test_a_reply_recorded_after_the_deadline_is_judged_by_the_day_it_came(
    runtime: Runtime, links: dict[str, str], round_id: str
) -> None:
    rt = at(runtime, moment("2024-03-28T10:00"))  # the day after the deadline of 27.3.
    asikkala, hartola = request_id(rt, round_id, ASIKKALA), request_id(rt, round_id, HARTOLA)
    with work(rt, round_id) as unit:
        came_in_time = record_reply(
            unit,
            rt.mail,
            asikkala,
            decline_reason="Ei",
            channel="email",
            received_on=date(2024, 3, 26),
        )
        came_late = record_reply(unit, rt.mail, hartola, decline_reason="Ei", channel="phone")
    assert (came_in_time.late, came_late.late) == (False, True)
    with work(rt, round_id) as unit, pytest.raises(ValueError, match="after today"):
        record_reply(
            unit,
            rt.mail,
            asikkala,
            decline_reason="Ei",
            channel="email",
            received_on=date(2024, 3, 29),
        )
