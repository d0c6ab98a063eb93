"""The round's status as data: labels, counts, filters, delivery states, the JSON of
``round status``; and the words of the staff pages' histories. Pure: no database."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime

import pytest

from nimeamiset.domain.history import describe_actor, describe_event, page
from nimeamiset.domain.status import (
    Category,
    DeliveryStatus,
    OrganisationStatus,
    PersonView,
    RoundStatus,
    SeatView,
    StatusFilter,
)

CREATED = datetime(2024, 3, 12, 8, 0, tzinfo=UTC)
SENT_AT = datetime(2024, 3, 12, 8, 5, tzinfo=UTC)  # 10.05 in Helsinki
RETRY_AT = datetime(2024, 3, 12, 8, 37, tzinfo=UTC)
DEADLINE = date(2024, 3, 27)

SENT = DeliveryStatus("invitation", "sent", CREATED, "kirjaamo@asikkala.example.fi", 1, SENT_AT)
WAITING = DeliveryStatus(
    "invitation", "queued", CREATED, "x@example.fi", 2, None, RETRY_AT, "451 mailbox busy"
)
FAILED = DeliveryStatus(
    "reminder", "failed", CREATED, "x@example.fi", 9, None, RETRY_AT, "550 no such user"
)
QUEUED = DeliveryStatus("invitation", "queued", CREATED, "x@example.fi", 0, None, CREATED)

AINO = PersonView("Aino Virtanen", "kunnanjohtaja", "aino@example.fi", "044 1234567")
PEKKA = PersonView("Pekka Mäkelä", "", "pekka@example.fi")


def org(name: str, **changes: object) -> OrganisationStatus:
    base = OrganisationStatus(
        request_id=len(name),
        name=name,
        email=f"kirjaamo@{name.lower()}.example.fi",
        deadline=DEADLINE,
        seats=(SeatView(1),),
        invitation=SENT,
    )
    return replace(base, **changes)  # type: ignore[arg-type]


def status(*organisations: OrganisationStatus) -> RoundStatus:
    return RoundStatus(
        id="testiryhma",
        body="Ohjausryhmä",
        subject="Nimeäminen",
        state="launched",
        deadline=DEADLINE,
        meeting_start=datetime(2024, 4, 18, 6, tzinfo=UTC),
        meeting_end=datetime(2024, 4, 18, 8, tzinfo=UTC),
        meeting_place="Lahti",
        contact_name="Tarja Parviainen",
        contact_email="tarja@example.fi",
        as_of=datetime(2024, 3, 28, 9, tzinfo=UTC),
        reminder_offsets=(7, 2, -1),
        organisations=organisations,
    )


NOMINATED = org(
    "Asikkala",
    state="nominated",
    replied_at=SENT_AT,
    seats=(SeatView(1, AINO, PEKKA), SeatView(2, PEKKA, AINO)),
)
LATE = org("Hartola", state="nominated", late=True, replied_at=SENT_AT)
DECLINED = org("Kela", state="declined", decline_reason="Ei edustajaa.")
OVERDUE = org("Sysmä", overdue=True, reminders_sent=3, invitation=WAITING, delivery_problem=True)
HOLDER = org("Heinola", state="nominated", joint_group="g1", joint_with=("Hollola",))
FILLED = org(
    "Hollola",
    state="nominated",
    reply_kind="confirm",
    joint_group="g1",
    joint_with=("Heinola",),
    joint_filled_by="Heinola",
    seats=(SeatView(1, joint=True, filled_by="Heinola"),),
)
ROUND = status(NOMINATED, LATE, DECLINED, OVERDUE, HOLDER, FILLED)


def test_each_organisation_counts_once_and_the_counts_read_in_finnish() -> None:
    assert ROUND.counts == {
        Category.NOMINATED: 3,
        Category.DECLINED: 1,
        Category.JOINT: 1,
        Category.MISSING: 1,
    }
    assert ROUND.counts_text == (
        "Nimenneet 3 · Kieltäytyneet 1 · Vastaamatta 1 · Yhteinen paikka täytetty 1"
    )
    assert status(NOMINATED, OVERDUE).counts_text == "Nimenneet 1 · Kieltäytyneet 0 · Vastaamatta 1"


def test_states_have_finnish_labels_and_a_joint_seat_says_who_filled_it() -> None:
    assert [o.state_label for o in ROUND.organisations] == [
        "nimetty",
        "nimetty",
        "kieltäytyi",
        "pyydetty",
        "nimetty",
        "yhteinen paikka: nimennyt Heinola (vahvistanut)",
    ]
    assert org("Iitti", state="pending").state_label == "odottaa lähetystä"
    assert replace(FILLED, reply_kind=None, state="invited").state_label == (
        "yhteinen paikka: nimennyt Heinola"
    )
    assert (LATE.late_label, OVERDUE.late_label, NOMINATED.late_label) == (
        "myöhässä",
        "määräaika ohi",
        "",
    )


@pytest.mark.parametrize(
    ("which", "names"),
    [
        (None, ["Asikkala", "Hartola", "Kela", "Sysmä", "Heinola", "Hollola"]),
        (StatusFilter.MISSING, ["Sysmä"]),
        (StatusFilter.LATE, ["Hartola", "Sysmä"]),
        (StatusFilter.DECLINED, ["Kela"]),
        (StatusFilter.DELIVERY, ["Sysmä"]),
    ],
)
def test_filters_pick_the_organisations(which: StatusFilter | None, names: list[str]) -> None:
    assert [o.name for o in ROUND.filtered(which)] == names


def test_filter_names_are_the_page_links() -> None:
    assert [(f.value, f.label) for f in StatusFilter] == [
        ("puuttuvat", "Puuttuvat"),
        ("myohastyneet", "Myöhästyneet"),
        ("kieltaytyneet", "Kieltäytyneet"),
        ("toimitusongelmat", "Toimitusongelmat"),
    ]


def test_delivery_sent_waiting_and_failed_read_in_finnish() -> None:
    assert (SENT.label, SENT.detail, SENT.problem) == ("lähetetty 12.3.2024 klo 10.05", "", False)
    assert WAITING.label == "odottaa uutta yritystä" and WAITING.problem
    assert WAITING.detail == "Virhe: 451 mailbox busy. Seuraava yritys 12.3.2024 klo 10.37."
    assert FAILED.label == "lähetys epäonnistui pysyvästi" and FAILED.problem
    assert FAILED.detail == "Virhe: 550 no such user."
    assert (QUEUED.label, QUEUED.problem) == ("odottaa lähetystä", False)
    assert DeliveryStatus("invitation", "sending", CREATED).label == "lähetetään"
    assert FAILED.kind_label == "Muistutus"


def test_the_json_keeps_the_old_keys_and_adds_seats_and_delivery() -> None:
    data = ROUND.as_json()
    assert data["round"]["counts"] == {"nominated": 4, "declined": 1, "invited": 1}
    assert data["round"]["deadline"] == "2024-03-27"
    assert data["round"]["deadline_at"] == "2024-03-27T22:00:00+00:00"
    first = data["organisations"][0]
    old = {"name", "email", "state", "reminders_sent", "late", "member", "deputy", "seats"}
    assert old <= set(first)
    assert first["member"] == {
        "name": "Aino Virtanen",
        "title": "kunnanjohtaja",
        "email": "aino@example.fi",
        "phone": "044 1234567",
    }
    assert [s["member"]["name"] for s in first["seats"]] == ["Aino Virtanen", "Pekka Mäkelä"]
    sysma = data["organisations"][3]
    assert sysma["invitation_waiting"] is True and sysma["delivery_problem"] is True
    assert sysma["invitation"]["last_error"] == "451 mailbox busy"
    assert sysma["overdue"] is True and sysma["state_label"] == "pyydetty"
    hollola = data["organisations"][5]
    assert hollola["member"] is None
    assert hollola["joint"] == {"group": "g1", "with": ["Heinola"], "filled_by": "Heinola"}
    assert hollola["seats"] == [
        {"seat": 1, "member": None, "deputy": None, "joint": True, "filled_by": "Heinola"}
    ]


def test_events_read_as_finnish_sentences() -> None:
    reply = {"version": 2, "reply_kind": "nomination", "late": False, "channel": "phone"}
    assert describe_event("reply.recorded", reply, old="", new="", detail="") == (
        "Vastaus kirjattu (versio 2, puhelimitse)"
    )
    late_decline = {"version": 1, "reply_kind": "decline", "late": True, "channel": "web"}
    assert describe_event("reply.recorded", late_decline, old="", new="", detail="") == (
        "Kieltäytyminen kirjattu (versio 1, lomakkeella, myöhässä)"
    )
    extended = {"old": "2024-03-27", "new": "2024-04-05"}
    assert describe_event("deadline.extended", extended, old="", new="", detail="") == (
        "Määräaikaa pidennetty: 27.3.2024 → 5.4.2024"
    )
    state = {"old": "invited", "new": "nominated"}
    assert describe_event("request.state", state, old="", new="", detail="") == (
        "Tila: pyydetty → nimetty"
    )
    assert describe_event("reminder.queued", {"offset": -1}, old="", new="", detail="") == (
        "Muistutus jonossa (1 pv määräajan jälkeen)"
    )
    # Rows from before typed events: their states and detail text.
    assert describe_event(
        "", {}, old="invited", new="nominated", detail="nomination version 1"
    ) == ("Tila: pyydetty → nimetty (nomination version 1)")


def test_actors_are_named() -> None:
    organisations, staff = {"12": "Asikkala"}, {"tarja@example.fi": "Tarja Parviainen"}
    assert describe_actor("staff:tarja@example.fi", organisations, staff) == "Tarja Parviainen"
    assert describe_actor("staff:muu@example.fi", organisations, staff) == "muu@example.fi"
    assert describe_actor("organisation:12", organisations, staff) == "Asikkala"
    assert describe_actor("sweep", organisations, staff) == "ajastettu ajo"
    assert describe_actor("command:tarja", organisations, staff) == "komentorivi (tarja)"


def test_pages_are_clamped() -> None:
    assert (page(None, 50, 0).number, page(None, 50, 0).pages) == (1, 1)
    shown = page(9, 50, 120)
    assert (shown.number, shown.offset, shown.previous, shown.next) == (3, 100, 2, None)
    assert page(0, 50, 120).next == 2
