"""Every email kind in every language renders with sample data: no undefined names, one-line
subjects, the key facts in both parts, and people's data escaped in HTML."""

from __future__ import annotations

from datetime import UTC, date, datetime
from email import message_from_bytes, policy
from typing import Any

import pytest

from nimeamiset.config import Settings
from nimeamiset.domain.roster import Gender, Roster, RosterPerson, RosterSeat, SeatStatus
from nimeamiset.domain.status import DeliveryStatus, OrganisationStatus, RoundStatus
from nimeamiset.emails import catalog
from nimeamiset.emails.render import EmailRenderer, build_message
from nimeamiset.models import NominationRequest, Nominee, Organisation, Reply, Round
from nimeamiset.services.joint_seats import Holder

RENDERER = EmailRenderer(Settings().templates_dir)
NO_DEADLINE = {
    "roster",
    "confirmation-declined",
    "confirmation-joint",
    "joint_seat_answer",
    "joint_seat_answer-confirm",
}
LINK = "https://nimeamiset.example.fi/n/AbCdEfGhIjKlMnOpQrStUvWxYz012345"
EVIL = "Åsa <b>O'Brien</b> & co"
# Kinds sent to the people named, not to a registry office: no deadline, no personal link.
PERSONAL = ("meeting_invitation", "nominee_notice")


def sample_round() -> Round:
    return Round(
        id="r",
        body="Päijät-Hämeen testiohjelman ohjausryhmä",
        subject="Edustajan nimeäminen",
        letter="Ensimmäinen kappale.\n\nToinen kappale.",
        deadline=date(2024, 3, 27),
        meeting_start=datetime(2024, 4, 18, 6, tzinfo=UTC),
        meeting_end=datetime(2024, 4, 18, 8, tzinfo=UTC),
        meeting_place="Hämeenkatu 9 A, Lahti",
        sender_name="Niina Pautola-Mol",
        sender_title="maakuntajohtaja",
        sender_organisation="Päijät-Hämeen liitto",
        contact_name="Tarja Parviainen",
        contact_title="kuntayhteistyöpäällikkö",
        contact_email="tarja@example.fi",
        contact_phone="044 0773431",
        created_at=datetime(2024, 3, 12, tzinfo=UTC),
    )


def summary_status(round_: Round) -> RoundStatus:
    """After the deadline: one missing (its invitation waiting after an error), one late
    nomination, one decline, one joint seat filled by another organisation."""
    at = datetime(2024, 3, 12, 8, tzinfo=UTC)
    waiting = DeliveryStatus("invitation", "queued", at, "x@example.fi", 3, None, at, "451 busy")
    deadline = round_.deadline
    return RoundStatus(
        id="r",
        body=round_.body,
        subject=round_.subject,
        state="launched",
        deadline=deadline,
        meeting_start=round_.meeting_start,
        meeting_end=round_.meeting_end,
        meeting_place=round_.meeting_place,
        contact_name=round_.contact_name,
        contact_email=round_.contact_email,
        as_of=datetime(2024, 3, 28, 8, tzinfo=UTC),
        organisations=(
            OrganisationStatus(
                1,
                "Asikkala & Co",
                "a@example.fi",
                deadline,
                reminders_sent=2,
                overdue=True,
                invitation=waiting,
                delivery_problem=True,
            ),
            OrganisationStatus(2, "Hartola", "h@example.fi", deadline, "nominated", late=True),
            OrganisationStatus(3, "Kela", "k@example.fi", deadline, "declined"),
            OrganisationStatus(
                4, "Orimattila", "o@example.fi", deadline, joint_group="g", joint_filled_by=EVIL
            ),
        ),
    )


def contexts(lang: str) -> dict[str, dict[str, Any]]:
    round_ = sample_round()
    organisation = Organisation(id=1, name="Asikkala & Co", email="k@example.fi", language=lang)
    request = NominationRequest(
        id=1,
        round_id="r",
        organisation_id=1,
        position=0,
        email="k@example.fi",
        language=lang,
        token_hash="0" * 64,
    )
    reply = Reply(
        id=1, request_id=1, version=2, submitted_at=datetime(2024, 3, 28, 10, tzinfo=UTC), late=True
    )
    nominees = [
        Nominee(
            reply_id=1,
            seat=1,
            role="member",
            name=EVIL,
            title="johtaja",
            email="asa@example.fi",
            phone="040 1234567",
        ),
        Nominee(
            reply_id=1,
            seat=1,
            role="deputy",
            name="Pekka Mäkelä",
            title="",
            email="pekka@example.fi",
            phone="",
        ),
    ]
    declined = Reply(
        id=2,
        request_id=1,
        version=3,
        declined=True,
        decline_reason=EVIL,
        submitted_at=datetime(2024, 3, 20, 10, tzinfo=UTC),
    )
    member = RosterPerson(
        name=EVIL, title="johtaja", email="asa@example.fi", phone="040 1234567", gender=Gender.WOMAN
    )
    deputy = RosterPerson(name="Pekka Mäkelä", email="pekka@example.fi")
    earlier = (datetime(2024, 4, 16, 6, tzinfo=UTC), datetime(2024, 4, 16, 8, tzinfo=UTC))
    privacy = {"retention": "10 vuotta toimikauden päättymisestä", "dpo_email": "dpo@example.fi"}
    roster = Roster(
        "r",
        round_.body,
        round_.meeting_start,
        round_.meeting_end,
        round_.meeting_place,
        version=2,
        assembled_at=datetime(2024, 4, 11, 6, tzinfo=UTC),
        seats=(
            RosterSeat(("Hartola",), 1, SeatStatus.NAMED, member, deputy),
            RosterSeat(("Asikkala & Co", "Iitti"), 1, SeatStatus.NOT_NAMED),
        ),
    )
    return {
        "roster": catalog.roster_assembled(round_, roster, "ajastettu", LINK),
        "meeting_invitation": catalog.meeting_invitation(
            round_, "Asikkala & Co", member, "member", deputy, lang
        ),
        "meeting_invitation-deputy": catalog.meeting_invitation(
            round_,
            "Asikkala & Co",
            deputy,
            "deputy",
            member,
            lang,
            change="updated",
            previous=earlier,
        ),
        "meeting_invitation-cancelled": catalog.meeting_invitation(
            round_, "Asikkala & Co", member, "member", deputy, lang, change="cancelled"
        ),
        "meeting_invitation-withdrawn": catalog.meeting_invitation(
            round_, "Asikkala & Co", member, "member", None, lang, change="withdrawn"
        ),
        "nominee_notice": catalog.nominee_notice(
            round_, "Asikkala & Co", member, "member", lang, **privacy
        ),
        "nominee_notice-deputy": catalog.nominee_notice(
            round_,
            "Asikkala & Co",
            RosterPerson(name=EVIL, email="asa@example.fi"),
            "deputy",
            lang,
            retention="",
            dpo_email="dpo@example.fi",
        ),
        "invitation": catalog.invitation(
            round_, organisation, request, LINK, ["Asikkala & Co", "Hartola"]
        ),
        "confirmation": catalog.confirmation(round_, organisation, request, reply, nominees, LINK),
        "reminder": catalog.reminder(round_, organisation, request, LINK, date(2024, 3, 27), 7),
        "reminder-today": catalog.reminder(
            round_, organisation, request, LINK, date(2024, 3, 27), 0
        ),
        "reminder-passed": catalog.reminder(
            round_, organisation, request, LINK, date(2024, 3, 27), -2
        ),
        "extension": catalog.extension(
            round_, organisation, request, LINK, date(2024, 3, 20), date(2024, 3, 27)
        ),
        "summary": catalog.summary(round_, summary_status(round_), LINK),
        "joint_seat_answer": catalog.joint_seat_answer(
            round_,
            organisation,
            Holder("Heinola", EVIL, "Pekka Mäkelä"),
            Reply(
                request_id=1,
                version=1,
                kind="objection",
                decline_reason="Vaihtakaa.",
                submitted_at=datetime(2024, 3, 20, tzinfo=UTC),
            ),
            LINK,
        ),
        "joint_seat_answer-confirm": catalog.joint_seat_answer(
            round_,
            organisation,
            Holder("Heinola", EVIL, "Pekka Mäkelä"),
            Reply(
                request_id=1,
                version=1,
                kind="confirm",
                submitted_at=datetime(2024, 3, 20, tzinfo=UTC),
            ),
            LINK,
        ),
        "confirmation-declined": catalog.confirmation(
            round_, organisation, request, declined, [], LINK
        ),
        "confirmation-joint": catalog.confirmation(
            round_,
            organisation,
            request,
            Reply(
                request_id=1,
                version=1,
                kind="objection",
                decline_reason=EVIL,
                submitted_at=datetime(2024, 3, 20, tzinfo=UTC),
            ),
            [],
            LINK,
            holder=Holder("Heinola", EVIL, "Pekka Mäkelä"),
        ),
    }


def cases() -> list[tuple[str, str, str]]:
    out = []
    for kind in RENDERER.kinds():
        for lang in RENDERER.languages(kind):
            variants = [k for k in contexts(lang) if k.split("-")[0] == kind]
            assert variants, f"no sample context for the email kind {kind!r}"
            out += [(kind, lang, variant) for variant in variants]
    return out


def test_every_kind_has_finnish() -> None:
    assert RENDERER.kinds()
    for kind in RENDERER.kinds():
        assert "fi" in RENDERER.languages(kind)


@pytest.mark.parametrize(("kind", "lang", "variant"), cases())
def test_kind_renders_with_its_key_facts(kind: str, lang: str, variant: str) -> None:
    rendered = RENDERER.render(kind, lang, contexts(lang)[variant])

    assert "\n" not in rendered.subject and rendered.subject
    for part in (rendered.text, rendered.html):
        assert "27.3.2024" in part or variant in NO_DEADLINE or kind in PERSONAL
        assert "Asikkala &" in part or variant == "meeting_invitation-cancelled"
    if kind in PERSONAL:  # a notice to a person: no personal link to act on
        assert LINK not in rendered.text and LINK not in rendered.html
    else:
        assert f"\n{LINK}\n" in rendered.text, "the link stands on a line of its own"
        assert f'href="{LINK}"' in rendered.html
    assert f'lang="{lang}"' in rendered.html
    assert "<b>" not in rendered.html
    assert "Asikkala &amp; Co" in rendered.html or variant == "meeting_invitation-cancelled"
    if kind in ("confirmation", "joint_seat_answer", *PERSONAL):
        assert EVIL in rendered.text
        assert "Åsa &lt;b&gt;O&#39;Brien&lt;/b&gt; &amp; co" in rendered.html


def test_invitation_reads_like_the_seed_letter() -> None:
    rendered = RENDERER.render("invitation", "fi", contexts("fi")["invitation"])
    assert "27.3.2024 mennessä" in rendered.text
    assert "torstaina 18.4.2024 klo 9–11" in rendered.text
    assert "varsinainen jäsen" in rendered.text and "henkilökohtaisen varajäsenen" in rendered.text
    assert "Ensimmäinen kappale.\n\nToinen kappale." in rendered.text
    assert "kuntayhteistyöpäällikkö Tarja Parviainen" in rendered.text
    assert rendered.text.index("Niina Pautola-Mol") < rendered.text.index("Jakelu")


def test_message_is_multipart_with_fixed_headers() -> None:
    rendered = RENDERER.render("invitation", "fi", contexts("fi")["invitation"])
    message = build_message(
        rendered,
        mail_from="Päijät-Hämeen liitto <kirjaamo@example.fi>",
        to="k@example.fi",
        to_name="Asikkala, kunta",
        reply_to=("Tarja Parviainen", "tarja@example.fi"),
        sent_at=datetime(2024, 3, 12, 8, tzinfo=UTC),
    )
    parsed = message_from_bytes(message.as_bytes(), policy=policy.default)
    assert parsed.get_content_type() == "multipart/alternative"
    assert [p.get_content_type() for p in parsed.iter_parts()] == ["text/plain", "text/html"]
    # Commas are left out of display names: no folding can turn one into an address list.
    assert parsed["To"].addresses[0].display_name == "Asikkala kunta"
    assert parsed["Reply-To"].addresses[0].addr_spec == "tarja@example.fi"
    assert parsed["Message-ID"].endswith("@example.fi>")
    assert parsed["Date"] == "Tue, 12 Mar 2024 10:00:00 +0200"
    assert all(len(line) <= 998 for line in message.as_bytes().split(b"\r\n"))


def test_reminder_says_how_many_days_are_left_or_that_the_deadline_passed() -> None:
    texts = {
        v: RENDERER.render("reminder", "fi", contexts("fi")[v]).text
        for v in ("reminder", "reminder-today", "reminder-passed")
    }
    assert "27.3.2024, 7 päivän kuluttua" in texts["reminder"]
    assert "Määräaika on tänään 27.3.2024" in texts["reminder-today"]
    assert "Määräaika päättyi 27.3.2024" in texts["reminder-passed"]
    assert all(
        "Muistutus" in RENDERER.render("reminder", "fi", contexts("fi")[v]).subject for v in texts
    )
    assert all("Tarja Parviainen" in t for t in texts.values())


def test_summary_lists_who_is_missing() -> None:
    rendered = RENDERER.render("summary", "fi", contexts("fi")["summary"])
    missing = rendered.text.split("Vastaamatta")[1].split("Nimenneet")[0]
    assert "Asikkala & Co" in missing and "Hartola" not in missing
    assert "Hartola (myöhässä)" in rendered.text
    assert "1 vastaamatta" in rendered.subject
    assert "Orimattila: nimennyt Åsa <b>O'Brien</b> & co" in rendered.text
    assert "Orimattila: nimennyt Åsa &lt;b&gt;O&#39;Brien&lt;/b&gt; &amp; co" in rendered.html
    problems = rendered.text.split("Toimitusongelmat (1):")[1]
    assert "Asikkala & Co: odottaa uutta yritystä. Virhe: 451 busy." in problems
