"""The round's status read from the database: every seat, joint seats, late replies, reminders
and the delivery of invitations, on SQLite and PostgreSQL."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import update
from sqlmodel import col

from nimeamiset.db import session_scope
from nimeamiset.domain.roundfile import parse_round_file
from nimeamiset.domain.status import RoundStatus, StatusFilter
from nimeamiset.models import NominationRequest, OutboxMessage
from nimeamiset.runtime import Runtime, build_runtime
from nimeamiset.services.rounds import create_round
from nimeamiset.services.status import round_status
from nimeamiset.web.app import create_app
from tests.conftest import AFTER_DEADLINE, BEFORE_DEADLINE, FIXTURES, SmtpServer, at, free_port
from tests.helpers import TESTER, launch, link_in, to_address

SHAPES = "muotoryhma"


def person_fields(seat: int, member: str, deputy: str) -> dict[str, str]:
    out = {}
    for role, name, gender in (("member", member, "woman"), ("deputy", deputy, "man")):
        slug = name.split()[0].lower()
        out |= {
            f"seat{seat}_{role}_name": name,
            f"seat{seat}_{role}_title": "asiantuntija",
            f"seat{seat}_{role}_email": f"{slug}@example.fi",
            f"seat{seat}_{role}_phone": "",
            f"seat{seat}_{role}_gender": gender,
        }
    return out


def reply(rt: Runtime, link: str, data: dict[str, str], suffix: str = "") -> None:
    with TestClient(create_app(runtime=rt)) as client:
        answer = client.post(link.removeprefix("http://testserver") + suffix, data=data)
    assert answer.status_code == 200, answer.text


def status_at(rt: Runtime, round_id: str = SHAPES) -> RoundStatus:
    with session_scope(rt.engine) as session:
        return round_status(session, round_id, now=rt.now())


@pytest.fixture
def replied(runtime: Runtime, smtp_server: SmtpServer) -> Runtime:
    """The shapes round: Lahti names two seats, Heinola fills the joint seat and Hollola
    confirms it, Hartola declines, Kela replies after the deadline, the rest are silent."""
    spec = parse_round_file((FIXTURES / "round_shapes.yaml").read_text(encoding="utf-8"))
    with session_scope(runtime.engine) as session:
        create_round(session, spec, actor=TESTER, now=runtime.now())
    launch(runtime, SHAPES)
    links = {to_address(m).split("@")[1].split(".")[0]: link_in(m) for m in smtp_server.received()}
    before, after = at(runtime, BEFORE_DEADLINE), at(runtime, AFTER_DEADLINE)
    reply(
        before,
        links["lahti"],
        person_fields(1, "Anna Aalto", "Bo Berg") | person_fields(2, "Cia Cedergren", "Dan Dahl"),
    )
    reply(before, links["heinola"], person_fields(1, "Eeva Esko", "Frans Frisk"))
    reply(before, links["hollola"], {"answer": "confirm"}, "/yhteinen-paikka")
    reply(before, links["hartola"], {"reason": "Ei resursseja."}, "/kieltaytyminen")
    reply(after, links["kela"], person_fields(1, "Kaisa Kivi", "Lauri Laine"))
    with session_scope(runtime.engine) as session:
        session.exec(  # type: ignore[call-overload]
            update(NominationRequest)
            .where(col(NominationRequest.email) == "kirjaamo@ely.example.fi")
            .values(reminders_sent=3)
        )
        session.commit()
    return after


def test_every_seat_of_every_organisation_with_member_and_deputy(replied: Runtime) -> None:
    status = status_at(replied)
    by_name = {o.name: o for o in status.organisations}
    lahti = by_name["Lahti"]
    assert [(s.number, s.member.name, s.deputy.name) for s in lahti.seats] == [  # type: ignore[union-attr]
        (1, "Anna Aalto", "Bo Berg"),
        (2, "Cia Cedergren", "Dan Dahl"),
    ]
    assert lahti.seats[0].member.title == "asiantuntija"  # type: ignore[union-attr]
    assert lahti.state_label == "nimetty" and lahti.email == "kirjaamo@lahti.example.fi"
    # Not replied: its seats are there, empty.
    assert [(s.number, s.member) for s in by_name["Asikkala"].seats] == [(1, None)]
    assert by_name["Hartola"].state_label == "kieltäytyi"
    assert by_name["Hartola"].decline_reason == "Ei resursseja."
    assert status.deadline.isoformat() == "2024-03-27"


def test_a_joint_seat_says_which_organisation_filled_it(replied: Runtime) -> None:
    by_name = {o.name: o for o in status_at(replied).organisations}
    heinola, hollola, orimattila = by_name["Heinola"], by_name["Hollola"], by_name["Orimattila"]
    assert heinola.seats[0].joint and heinola.seats[0].member.name == "Eeva Esko"  # type: ignore[union-attr]
    assert heinola.joint_filled_by is None and heinola.state_label == "nimetty"
    assert set(heinola.joint_with) == {"Hollola", "Orimattila"}
    assert hollola.joint_filled_by == "Heinola" and hollola.seats[0].filled_by == "Heinola"
    assert hollola.state_label == "yhteinen paikka: nimennyt Heinola (vahvistanut)"
    assert orimattila.state_label == "yhteinen paikka: nimennyt Heinola"
    # Neither is missing, nor overdue: the seat is filled.
    assert not orimattila.overdue
    assert "Orimattila" not in [o.name for o in status_at(replied).filtered(StatusFilter.MISSING)]


def test_late_replies_silence_after_the_deadline_and_reminders(replied: Runtime) -> None:
    status = status_at(replied)
    by_name = {o.name: o for o in status.organisations}
    assert by_name["Kela / Päijät-Hämeen palveluryhmä"].late
    assert by_name["Kela / Päijät-Hämeen palveluryhmä"].late_label == "myöhässä"
    assert not by_name["Lahti"].late and not by_name["Lahti"].overdue
    assert by_name["Hämeen ELY-keskus"].overdue
    assert by_name["Hämeen ELY-keskus"].reminders_sent == 3
    assert [o.name for o in status.filtered(StatusFilter.LATE)] == [
        "Asikkala",
        "Hämeen ELY-keskus",
        "Kela / Päijät-Hämeen palveluryhmä",
        "Svenska Folkskolans Vänner",
    ]
    assert status.counts_text == (
        "Nimenneet 3 · Kieltäytyneet 1 · Vastaamatta 3 · Yhteinen paikka täytetty 2"
    )
    # Before the deadline nobody is overdue.
    assert not any(o.overdue for o in status_at(at(replied, BEFORE_DEADLINE)).organisations)


def test_a_sent_invitation_says_when(replied: Runtime) -> None:
    lahti = next(o for o in status_at(replied).organisations if o.name == "Lahti")
    assert lahti.invitation is not None and lahti.invitation.sent
    assert lahti.invitation.label == "lähetetty 12.3.2024 klo 10"
    assert not lahti.delivery_problem and lahti.as_json()["invitation_waiting"] is False


@pytest.fixture
def unreachable(runtime: Runtime, round_id: str) -> Iterator[Runtime]:
    """The test round launched while the mail server does not answer."""
    settings = runtime.settings.model_copy(update={"smtp_port": free_port()})
    down = Runtime(settings, runtime.engine, runtime.mail, build_runtime(settings).sender)
    launch(down, round_id)
    yield runtime


def test_an_invitation_waiting_says_why_and_when_it_is_tried_again(
    unreachable: Runtime, round_id: str
) -> None:
    status = status_at(unreachable, round_id)
    first = status.organisations[0]
    assert first.state_label == "odottaa lähetystä"
    assert first.invitation is not None and first.invitation.waiting
    assert first.invitation.last_error and first.invitation.next_attempt_at is not None
    assert first.invitation.label == "odottaa uutta yritystä"
    assert first.invitation.detail.startswith("Virhe: ")
    assert "Seuraava yritys 12.3.2024 klo 10.0" in first.invitation.detail
    assert first.delivery_problem
    assert len(status.filtered(StatusFilter.DELIVERY)) == len(status.organisations)
    data = status.as_json()["organisations"][0]
    assert data["invitation_waiting"] is True and data["invitation"]["state"] == "queued"


def test_a_message_the_outbox_gave_up_on_is_failed(unreachable: Runtime, round_id: str) -> None:
    with session_scope(unreachable.engine) as session:
        session.exec(  # type: ignore[call-overload]
            update(OutboxMessage)
            .where(col(OutboxMessage.envelope_to) == "kirjaamo@asikkala.example.fi")
            .values(state="failed", last_error="550 5.1.1 unknown mailbox")
        )
        session.commit()
    first = status_at(unreachable, round_id).organisations[0]
    assert first.invitation is not None and first.invitation.failed
    assert first.invitation.text == (
        "lähetys epäonnistui pysyvästi. Virhe: 550 5.1.1 unknown mailbox."
    )
    assert first.delivery_problem
