"""Assembling the roster, its versions, and the meeting invitation with its calendar entry."""

from __future__ import annotations

import io
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import icalendar
import openpyxl
import pytest

from nimeamiset.db import session_scope
from nimeamiset.domain.people import Person
from nimeamiset.exports import export
from nimeamiset.runtime import Runtime
from nimeamiset.services.assembly import assemble_and_notify, queue_due_assemblies
from nimeamiset.services.meetings import invite_to_meeting, reschedule
from nimeamiset.services.replies import Seat, submit_decline, submit_nomination
from nimeamiset.services.roster import VersionNotFound, load_roster
from tests.conftest import SmtpServer, at
from tests.helpers import deliver, launch, link_in, message_to, parts, to_address, token_of, work

HELSINKI = ZoneInfo("Europe/Helsinki")
CONTACT = "tarja.parviainen@example.fi"
ASIKKALA = "kirjaamo@asikkala.example.fi"
HARTOLA = "kirjaamo@hartola.example.fi"


def moment(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=HELSINKI)


@pytest.fixture
def links(runtime: Runtime, round_id: str, smtp_server: SmtpServer) -> dict[str, str]:
    launch(runtime, round_id)
    found = {to_address(m): link_in(m) for m in smtp_server.received()}
    smtp_server.clear()
    return found


def nominate(rt: Runtime, link: str, member: str, deputy: str) -> None:
    seat = Seat(
        Person(member, "johtaja", f"{member.split()[0].lower()}@example.fi", ""),
        Person(deputy, "", f"{deputy.split()[0].lower()}@example.fi", ""),
    )
    with session_scope(rt.engine) as session:
        submit_nomination(session, rt.mail, token_of(link), [seat], now=rt.now())


def attachment_names(message: object) -> list[str]:
    return sorted(p.get_filename() for p in message.iter_attachments())  # type: ignore[attr-defined]


def test_scheduled_assembly_mails_the_roster_with_its_exports(
    runtime: Runtime, links: dict[str, str], smtp_server: SmtpServer, round_id: str
) -> None:
    rt = at(runtime, moment("2024-03-20T10:00"))
    nominate(rt, links[ASIKKALA], "Aino Mäkelä", "Pekka O'Brien")
    with session_scope(rt.engine) as session:
        submit_decline(session, rt.mail, token_of(links[HARTOLA]), "Ei resursseja", now=rt.now())
    smtp_server.clear()

    # Seven days before the meeting of Thursday 18.4.: Thursday 11.4. from 9.00.
    for when, expected in (
        ("2024-04-11T08:59", 0),
        ("2024-04-11T09:00", 1),
        ("2024-04-11T10:00", 0),
    ):
        later = at(runtime, moment(when))
        with session_scope(later.engine) as session:
            assert (
                len(queue_due_assemblies(session, later.mail, now=later.now(), hours=later.hours))
                == expected
            )
        deliver(later)

    [roster_mail] = [m for m in smtp_server.received() if to_address(m) == CONTACT]
    text, _ = parts(roster_mail)
    assert "versio 1" in str(roster_mail["Subject"]) and "3 nimeämättä" in str(
        roster_mail["Subject"]
    )
    assert "Hämeen ELY-keskus" in text and "Hartola" in text.split("Ilmoittaneet")[1]
    assert attachment_names(roster_mail) == [
        f"kokoonpano-{round_id}-v1.csv",
        f"kokoonpano-{round_id}-v1.docx",
        f"kokoonpano-{round_id}-v1.pdf",
        f"kokoonpano-{round_id}-v1.xlsx",
    ]
    xlsx = next(p for p in roster_mail.iter_attachments() if p.get_filename().endswith(".xlsx"))
    sheet = openpyxl.load_workbook(io.BytesIO(xlsx.get_content())).worksheets[0]
    values = [c.value for row in sheet.iter_rows() for c in row if c.value]
    assert "Aino Mäkelä" in values and "Pekka O'Brien" in values


def test_a_change_after_assembly_makes_a_new_version_and_keeps_the_old(
    runtime: Runtime, links: dict[str, str], smtp_server: SmtpServer, round_id: str
) -> None:
    rt = at(runtime, moment("2024-03-20T10:00"))
    nominate(rt, links[ASIKKALA], "Aino Mäkelä", "Pekka O'Brien")
    with work(rt, round_id) as unit:
        first = assemble_and_notify(unit, rt.mail, reason="pyynnöstä")
        again = assemble_and_notify(unit, rt.mail, reason="pyynnöstä")
    assert (first.version, first.changed, again.version, again.changed) == (1, True, 1, False)

    nominate(
        at(runtime, moment("2024-04-12T10:00")), links[ASIKKALA], "Aino Mäkelä", "Ville Vaihto"
    )
    with session_scope(runtime.engine) as session:
        newest = load_roster(session, round_id)
        old = load_roster(session, round_id, 1)
    assert newest.version == 2 and newest.seats[0].deputy.name == "Ville Vaihto"  # type: ignore[union-attr]
    assert old.version == 1 and old.seats[0].deputy.name == "Pekka O'Brien"  # type: ignore[union-attr]

    assert "Pekka O'Brien" in export(old, "csv").decode("utf-8-sig")
    with session_scope(runtime.engine) as session, pytest.raises(VersionNotFound):
        load_roster(session, round_id, 7)


def test_meeting_invitation_carries_a_calendar_entry_that_updates_in_place(
    runtime: Runtime, links: dict[str, str], smtp_server: SmtpServer, round_id: str
) -> None:
    rt = at(runtime, moment("2024-04-11T10:00"))
    nominate(rt, links[ASIKKALA], "Aino Mäkelä", "Pekka O'Brien")
    deliver(rt)  # the confirmation and the privacy notices
    smtp_server.clear()
    with work(rt, round_id) as unit:
        assemble_and_notify(unit, rt.mail, reason="pyynnöstä")
        assert invite_to_meeting(unit, rt.mail) == 2
        assert invite_to_meeting(unit, rt.mail) == 0  # once
    deliver(rt)

    invitation = message_to(smtp_server.received(), "aino@example.fi")
    text, _ = parts(invitation)
    assert "18.4.2024 klo 9–11" in text and "Pekka O'Brien" in text
    first = calendar_of(invitation)
    event = first.walk("VEVENT")[0]
    assert str(first["METHOD"]) == "REQUEST"
    assert event.decoded("DTSTART") == datetime(2024, 4, 18, 9, tzinfo=HELSINKI)
    assert event.decoded("DTSTART").astimezone(UTC) == datetime(2024, 4, 18, 6, tzinfo=UTC)
    assert event.decoded("DTEND").astimezone(UTC) == datetime(2024, 4, 18, 8, tzinfo=UTC)
    assert int(event["SEQUENCE"]) == 0
    assert first.walk("VTIMEZONE")[0]["TZID"] == "Europe/Helsinki"

    smtp_server.clear()
    with work(rt, round_id) as unit:
        updated = reschedule(
            unit,
            rt.mail,
            start=moment("2024-04-19T12:30"),
            end=moment("2024-04-19T14:00"),
            place=None,
        )
    deliver(rt)
    assert updated == 2
    moved = calendar_of(message_to(smtp_server.received(), "aino@example.fi")).walk("VEVENT")[0]
    assert moved["UID"] == event["UID"] and int(moved["SEQUENCE"]) == 1
    assert moved.decoded("DTSTART") == datetime(2024, 4, 19, 12, 30, tzinfo=HELSINKI)

    # The deputy is replaced: the new one is invited, the old one gets a cancellation.
    smtp_server.clear()
    changed = at(runtime, moment("2024-04-12T10:00"))
    nominate(changed, links[ASIKKALA], "Aino Mäkelä", "Ville Vaihto")
    deliver(changed)
    invitations = [m for m in smtp_server.received() if has_calendar(m)]
    assert sorted(to_address(m) for m in invitations) == ["pekka@example.fi", "ville@example.fi"]
    cancelled = calendar_of(message_to(invitations, "pekka@example.fi"))
    assert str(cancelled["METHOD"]) == "CANCEL"
    assert str(calendar_of(message_to(invitations, "ville@example.fi"))["METHOD"]) == "REQUEST"


def has_calendar(message: object) -> bool:
    return any(p.get_content_type() == "text/calendar" for p in message.walk())  # type: ignore[attr-defined]


def calendar_of(message: object) -> icalendar.Calendar:
    [part] = [p for p in message.walk() if p.get_content_type() == "text/calendar"]  # type: ignore[attr-defined]
    return icalendar.Calendar.from_ical(part.get_payload(decode=True))


def test_two_replies_after_assembly_at_once_make_two_versions(
    runtime: Runtime, links: dict[str, str], round_id: str
) -> None:
    import threading

    rt = at(runtime, moment("2024-04-12T10:00"))
    with work(rt, round_id) as unit:
        assemble_and_notify(unit, rt.mail, reason="pyynnöstä")
    barrier = threading.Barrier(2)
    errors: list[BaseException] = []

    def reply(address: str, member: str) -> None:
        try:
            barrier.wait()
            nominate(rt, links[address], member, f"Vara {member}")
        except BaseException as exc:
            errors.append(exc)

    threads = [
        threading.Thread(target=reply, args=(ASIKKALA, "Aino Aho")),
        threading.Thread(target=reply, args=(HARTOLA, "Hilkka Hake")),
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    assert errors == []
    with session_scope(runtime.engine) as session:
        newest = load_roster(session, round_id)
    assert newest.version == 3
    assert {s.member.name for s in newest.seats if s.member} == {"Aino Aho", "Hilkka Hake"}


def test_rescheduling_moves_the_assembly_and_refuses_a_meeting_before_the_deadline(
    runtime: Runtime, links: dict[str, str], round_id: str
) -> None:
    from nimeamiset.models import Round

    rt = at(runtime, moment("2024-03-20T10:00"))
    with work(rt, round_id) as unit, pytest.raises(ValueError, match="after the deadline"):
        reschedule(
            unit,
            rt.mail,
            start=moment("2024-03-27T09:00"),
            end=moment("2024-03-27T11:00"),
            place=None,
        )
    with work(rt, round_id) as unit:
        reschedule(
            unit,
            rt.mail,
            start=moment("2024-04-04T09:00"),
            end=moment("2024-04-04T11:00"),
            place="Lahti",
        )
    with session_scope(rt.engine) as session:
        round_ = session.get(Round, round_id)
        assert round_ is not None
        assert round_.next_assembly_at == moment("2024-03-28T09:00")  # 7 days before 4.4.
        assert round_.meeting_sequence == 1


def test_cancellations_go_only_to_those_invited_and_a_person_named_again_is_invited_again(
    runtime: Runtime, links: dict[str, str], smtp_server: SmtpServer, round_id: str
) -> None:
    rt = at(runtime, moment("2024-04-11T10:00"))
    nominate(rt, links[ASIKKALA], "Aino Mäkelä", "Pekka O'Brien")
    with work(rt, round_id) as unit:
        assemble_and_notify(unit, rt.mail, reason="pyynnöstä")
    # Corrected before anyone was invited: Pekka was never invited, so gets no cancellation.
    nominate(rt, links[ASIKKALA], "Aino Mäkelä", "Ville Vaihto")
    deliver(rt)
    smtp_server.clear()
    with work(rt, round_id) as unit:
        invite_to_meeting(unit, rt.mail)
    deliver(rt)
    assert sorted(to_address(m) for m in smtp_server.received() if has_calendar(m)) == [
        "aino@example.fi",
        "ville@example.fi",
    ]

    # Ville is replaced by Pekka, then named again: cancelled, then invited again.
    for deputy in ("Pekka O'Brien", "Ville Vaihto"):
        smtp_server.clear()
        nominate(rt, links[ASIKKALA], "Aino Mäkelä", deputy)
        deliver(rt)
        calendars = {
            to_address(m): str(calendar_of(m)["METHOD"])
            for m in smtp_server.received()
            if has_calendar(m)
        }
        other = "pekka@example.fi" if deputy == "Ville Vaihto" else "ville@example.fi"
        named = "ville@example.fi" if deputy == "Ville Vaihto" else "pekka@example.fi"
        assert calendars == {named: "REQUEST", other: "CANCEL"}
