"""The first meeting as an iCalendar meeting request, and the two emails sent to the people named
to a body: the meeting invitation (with the request attached) and the privacy notice."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from icalendar import Calendar, Event

from nimeamiset.config import Settings
from nimeamiset.domain import calendar as ical
from nimeamiset.domain.calendar import meeting_request, meeting_uid
from nimeamiset.domain.timefmt import HELSINKI, format_meeting
from nimeamiset.emails import catalog
from nimeamiset.emails.render import EmailRenderer
from nimeamiset.models import Round

SPRING_START = datetime(2024, 4, 18, 6, tzinfo=UTC)  # torstaina 18.4.2024 klo 9–11 (EEST)
SPRING_END = datetime(2024, 4, 18, 8, tzinfo=UTC)
WINTER_START = datetime(2025, 1, 15, 7, tzinfo=UTC)  # keskiviikkona 15.1.2025 klo 9–11 (EET)
WINTER_END = datetime(2025, 1, 15, 9, tzinfo=UTC)
STAMP = datetime(2024, 3, 28, 10, 15, 30, 123456, tzinfo=UTC)


def request(**changes: Any) -> bytes:
    arguments: dict[str, Any] = {
        "uid": "ohjausryhma-2024-0123456789abcdef@paijat-hame.fi",
        "sequence": 0,
        "start": SPRING_START,
        "end": SPRING_END,
        "summary": "Päijät-Hämeen ohjausryhmä: ensimmäinen kokous",
        "location": "Hämeenkatu 9 A, Lahti",
        "description": "Kokouskutsu.",
        "organizer_name": "Tarja Parviainen",
        "organizer_email": "tarja.parviainen@paijat-hame.fi",
        "attendee_name": "Äijö Öhman",
        "attendee_email": "aijo.ohman@example.fi",
        "stamp": STAMP,
    }
    arguments.update(changes)
    return meeting_request(**arguments)


def parse(data: bytes) -> tuple[Calendar, Event]:
    calendar = Calendar.from_ical(data)
    events = calendar.walk("VEVENT")
    assert len(events) == 1 and isinstance(events[0], Event)
    return calendar, events[0]


def instant(value: object) -> datetime:
    assert isinstance(value, datetime)
    return value


def unfolded(data: bytes) -> str:
    return data.decode("utf-8").replace("\r\n ", "")


# The meeting request


def test_request_is_an_rfc5545_meeting_request() -> None:
    data = request()
    calendar, event = parse(data)

    assert calendar["METHOD"] == "REQUEST"
    assert calendar["VERSION"] == "2.0"
    assert "nimeamiset" in str(calendar["PRODID"])
    assert event["UID"] == "ohjausryhma-2024-0123456789abcdef@paijat-hame.fi"
    assert event["SEQUENCE"] == 0
    assert event["STATUS"] == "CONFIRMED"
    assert event["SUMMARY"] == "Päijät-Hämeen ohjausryhmä: ensimmäinen kokous"
    assert event["LOCATION"] == "Hämeenkatu 9 A, Lahti"
    assert event["DESCRIPTION"] == "Kokouskutsu."
    assert event.DTSTAMP == datetime(2024, 3, 28, 10, 15, 30, tzinfo=UTC)
    assert "DTSTAMP:20240328T101530Z" in unfolded(data)


def test_request_is_deterministic() -> None:
    assert request() == request()


@pytest.mark.parametrize(
    ("start", "end", "wall_start", "wall_end", "offset"),
    [
        (SPRING_START, SPRING_END, "20240418T090000", "20240418T110000", 3),
        (WINTER_START, WINTER_END, "20250115T090000", "20250115T110000", 2),
    ],
    ids=["summer", "winter"],
)
def test_times_are_helsinki_wall_clock_in_summer_and_in_winter(
    start: datetime, end: datetime, wall_start: str, wall_end: str, offset: int
) -> None:
    data = request(start=start, end=end)
    text = unfolded(data)
    _, event = parse(data)

    assert f"DTSTART;TZID=Europe/Helsinki:{wall_start}\r\n" in text
    assert f"DTEND;TZID=Europe/Helsinki:{wall_end}\r\n" in text
    assert event.start == start and event.end == end
    assert instant(event.start).astimezone(HELSINKI).hour == 9
    assert instant(event.start).utcoffset() == timedelta(hours=offset)
    assert instant(event.end).astimezone(HELSINKI).hour == 11


def test_helsinki_times_given_as_helsinki_times_are_the_same_meeting() -> None:
    local = request(
        start=datetime(2024, 4, 18, 9, tzinfo=HELSINKI),
        end=datetime(2024, 4, 18, 11, tzinfo=HELSINKI),
    )
    assert local == request()


def test_a_vtimezone_for_helsinki_is_included_and_used() -> None:
    data = request()
    calendar, _ = parse(data)
    assert [tz["TZID"] for tz in calendar.walk("VTIMEZONE")] == ["Europe/Helsinki"]
    assert calendar.get_missing_tzids() == set()
    text = unfolded(data)
    assert text.index("BEGIN:VTIMEZONE") < text.index("BEGIN:VEVENT")
    # Yearly rules, as Outlook reads them (it ignores RDATE lists).
    assert "RRULE:FREQ=YEARLY;BYDAY=-1SU;BYMONTH=3" in text
    assert "RRULE:FREQ=YEARLY;BYDAY=-1SU;BYMONTH=10" in text


@pytest.mark.parametrize(
    ("start", "end"),
    [
        (SPRING_START, SPRING_END),
        (WINTER_START, WINTER_END),
        # the night summer time begins (03:00 EET -> 04:00 EEST at 01:00 UTC)
        (datetime(2024, 3, 31, 0, 30, tzinfo=UTC), datetime(2024, 3, 31, 1, 30, tzinfo=UTC)),
        # the night it ends (04:00 EEST -> 03:00 EET at 01:00 UTC): 03:30 happens twice
        (datetime(2024, 10, 27, 0, 30, tzinfo=UTC), datetime(2024, 10, 27, 1, 30, tzinfo=UTC)),
    ],
)
def test_the_vtimezone_alone_gives_the_right_instants(start: datetime, end: datetime) -> None:
    """A client that knows no IANA names reads the times from the VTIMEZONE."""
    data = request(start=start, end=end).replace(b"Europe/Helsinki", b"Custom/Helsinki")
    _, event = parse(data)
    assert instant(event.start).astimezone(UTC) == start
    assert instant(event.end).astimezone(UTC) == end


def test_the_second_of_a_repeated_hour_is_written_in_utc() -> None:
    text = unfolded(
        request(
            start=datetime(2024, 10, 27, 0, 30, tzinfo=UTC),
            end=datetime(2024, 10, 27, 1, 30, tzinfo=UTC),
        )
    )
    assert "DTSTART;TZID=Europe/Helsinki:20241027T033000\r\n" in text
    assert "DTEND:20241027T013000Z\r\n" in text


def test_the_zone_falls_back_to_the_tz_database_when_the_eu_rules_do_not_hold(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    assert ical.follows_eu_rules(range(2020, 2031))
    assert not ical.follows_eu_rules(range(2024, 2025), ZoneInfo("Asia/Tokyo"))
    assert not ical.follows_eu_rules(range(2024, 2025), ZoneInfo("America/New_York"))

    monkeypatch.setattr(ical, "follows_eu_rules", lambda years, zone=HELSINKI: False)
    data = request(start=WINTER_START, end=WINTER_END)
    assert b"RRULE" not in data
    calendar, _ = parse(data.replace(b"Europe/Helsinki", b"Custom/Helsinki"))
    assert calendar.walk("VTIMEZONE")
    _, event = parse(data.replace(b"Europe/Helsinki", b"Custom/Helsinki"))
    assert instant(event.start).astimezone(UTC) == WINTER_START


def test_an_update_keeps_the_uid_and_raises_the_sequence() -> None:
    uid = meeting_uid("ohjausryhma-2024", "aijo.ohman@example.fi", "paijat-hame.fi")
    _, first = parse(request(uid=uid, sequence=0))
    moved = datetime(2024, 4, 25, 6, tzinfo=UTC)
    _, update = parse(request(uid=uid, sequence=1, start=moved, end=moved + timedelta(hours=2)))

    assert first["UID"] == update["UID"] == uid
    assert update.sequence > first.sequence == 0
    assert update.start == moved


def test_organizer_and_attendee_are_mailto_addresses_with_names() -> None:
    _, event = parse(request())
    organizer, attendee = event["ORGANIZER"], event["ATTENDEE"]

    assert str(organizer) == "mailto:tarja.parviainen@paijat-hame.fi"
    assert organizer.params["CN"] == "Tarja Parviainen"
    assert str(attendee) == "mailto:aijo.ohman@example.fi"
    assert attendee.params["CN"] == "Äijö Öhman"
    assert attendee.params["ROLE"] == "REQ-PARTICIPANT"
    assert attendee.params["PARTSTAT"] == "NEEDS-ACTION"
    assert attendee.params["RSVP"] == "TRUE"


def test_a_deputy_is_an_optional_participant() -> None:
    _, event = parse(request(optional=True))
    assert event["ATTENDEE"].params["ROLE"] == "OPT-PARTICIPANT"


def test_names_with_punctuation_survive_as_parameters() -> None:
    _, event = parse(request(attendee_name='Öhman, Äijö "Äkä";\nJr.: Ltd'))
    assert event["ATTENDEE"].params["CN"] == "Öhman, Äijö 'Äkä'; Jr.: Ltd"
    assert str(event["ATTENDEE"]) == "mailto:aijo.ohman@example.fi"


def test_text_with_commas_semicolons_and_newlines_survives_a_round_trip() -> None:
    summary = "Ohjausryhmä; 1. kokous, Lahti"
    location = "Hämeenkatu 9 A, 2. krs; neuvotteluhuone Päijänne"
    description = "Asialista:\n1. Avaus, läsnäolijat; päätösvaltaisuus\n2. Työjärjestys\\muut"
    data = request(summary=summary, location=location, description=description)
    _, event = parse(data)

    assert event["SUMMARY"] == summary
    assert event["LOCATION"] == location
    assert event["DESCRIPTION"] == description
    text = unfolded(data)
    assert "SUMMARY:Ohjausryhmä\\; 1. kokous\\, Lahti\r\n" in text
    assert "\\n1. Avaus\\, läsnäolijat\\; päätösvaltaisuus\\n" in text


def test_carriage_returns_become_newlines_and_control_characters_go() -> None:
    _, event = parse(request(description="Rivi 1\r\nRivi 2\rRivi 3\x00\x1b"))
    assert event["DESCRIPTION"] == "Rivi 1\nRivi 2\nRivi 3"


def test_lines_are_folded_at_75_octets_without_splitting_characters() -> None:
    data = request(description="Päijät-Hämeen liiton äänestysöhö " * 20)
    assert data.endswith(b"\r\n")
    lines = data.split(b"\r\n")[:-1]
    assert all(len(line) <= 75 for line in lines)
    assert any(line.startswith(b" ") for line in lines)
    for line in lines:
        line.decode("utf-8")  # no multibyte character cut in two
    assert b"\n" not in data.replace(b"\r\n", b"")


def test_cancel_removes_the_same_entry() -> None:
    uid = meeting_uid("ohjausryhma-2024", "aijo.ohman@example.fi", "paijat-hame.fi")
    calendar, event = parse(request(uid=uid, sequence=2, method="CANCEL"))

    assert calendar["METHOD"] == "CANCEL"
    assert event["STATUS"] == "CANCELLED"
    assert event["UID"] == uid
    assert event["SEQUENCE"] == 2
    assert str(event["ATTENDEE"]) == "mailto:aijo.ohman@example.fi"
    assert event["ATTENDEE"].params["RSVP"] == "FALSE"


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"start": datetime(2024, 4, 18, 9)}, "start must be a datetime with a time zone"),
        ({"end": datetime(2024, 4, 18, 11)}, "end must be a datetime with a time zone"),
        ({"stamp": datetime(2024, 3, 28, 10)}, "stamp must be a datetime with a time zone"),
        ({"end": SPRING_START}, "end after it starts"),
        ({"end": SPRING_START - timedelta(hours=1)}, "end after it starts"),
        ({"method": "PUBLISH"}, "method must be one of"),
        ({"method": "request"}, "method must be one of"),
        ({"sequence": -1}, "sequence"),
        ({"sequence": True}, "sequence"),
        ({"uid": ""}, "uid"),
        ({"uid": "a\r\nX-EVIL:1"}, "uid"),
        ({"summary": "  "}, "summary"),
        ({"attendee_email": "not an address"}, "not an email address"),
        ({"attendee_email": "a@b.fi\r\nX-EVIL:1"}, "not an email address"),
        ({"organizer_email": "tarja"}, "not an email address"),
    ],
)
def test_bad_input_is_refused(changes: dict[str, Any], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        request(**changes)


def test_meeting_uid_is_stable_and_reveals_no_address() -> None:
    uid = meeting_uid("ohjausryhma-2024", "Aijo.Ohman@Example.fi", "paijat-hame.fi")

    assert uid == meeting_uid("ohjausryhma-2024", " aijo.ohman@example.fi ", "Paijat-Hame.fi")
    assert uid != meeting_uid("ohjausryhma-2025", "aijo.ohman@example.fi", "paijat-hame.fi")
    assert uid != meeting_uid("ohjausryhma-2024", "pekka@example.fi", "paijat-hame.fi")
    assert re.fullmatch(r"ohjausryhma-2024-[0-9a-f]{32}@paijat-hame\.fi", uid)
    assert "aijo" not in uid.lower() and "example" not in uid.lower()


@pytest.mark.parametrize(
    ("round_id", "email", "domain"),
    [
        ("", "a@example.fi", "paijat-hame.fi"),
        ("r", "a", "paijat-hame.fi"),
        ("r", "a@example.fi", ""),
        ("r", "a@example.fi", "x@y.fi"),
        ("r", "a@example.fi", "bad domain"),
    ],
)
def test_meeting_uid_refuses_bad_input(round_id: str, email: str, domain: str) -> None:
    with pytest.raises(ValueError):
        meeting_uid(round_id, email, domain)


# The emails

RENDERER = EmailRenderer(Settings().templates_dir)
EVIL = "Åsa <b>O'Brien</b> & co"
EVIL_HTML = "Åsa &lt;b&gt;O&#39;Brien&lt;/b&gt; &amp; co"
LANGS = ("fi", "sv", "en")


def sample_round() -> Round:
    return Round(
        id="r",
        body="Päijät-Hämeen testiohjelman ohjausryhmä",
        subject="Edustajan nimeäminen",
        letter="Ensimmäinen kappale.",
        deadline=date(2024, 3, 27),
        meeting_start=SPRING_START,
        meeting_end=SPRING_END,
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


def invitation_context(
    lang: str, role: str = "member", change: str = "", pair: bool = True
) -> dict[str, Any]:
    round_ = sample_round()
    return {
        "round": catalog._round(round_, lang),
        "organisation": "Asikkala & Co",
        "person": {"name": EVIL},
        "role": role,
        "pair": {"name": "Pekka Mäkelä", "email": "pekka@example.fi"} if pair else None,
        "meeting_time": format_meeting(round_.meeting_start, round_.meeting_end, lang),
        "change": change,
        "previous_meeting": format_meeting(WINTER_START, WINTER_END, lang, weekday=True)
        if change == "updated"
        else "",
    }


def notice_context(lang: str, role: str = "member", full: bool = True) -> dict[str, Any]:
    gender = {"fi": "nainen", "sv": "kvinna", "en": "woman"}[lang]
    return {
        "round": catalog._round(sample_round(), lang),
        "organisation": "Asikkala & Co",
        "person": {
            "name": EVIL,
            "title": "johtaja" if full else "",
            "email": "asa@example.fi",
            "phone": "040 1234567" if full else "",
            "gender": gender if full else "",
        },
        "role": role,
        "retention": "10 vuotta toimikauden päättymisestä" if full else "",
        "dpo_email": "tietosuoja@example.fi",
    }


MEETING = {
    "fi": "torstaina 18.4.2024 klo 9–11",
    "sv": "torsdag 18.4.2024 kl. 9–11",
    "en": "Thursday 18.4.2024 at 9–11",
}
CALENDAR_WORD = {"fi": "kalenterimerkintä", "sv": "kalenderpost", "en": "calendar entry"}
ROLE_WORDS = {
    "fi": ("teidät varsinaiseksi jäseneksi", "teidät henkilökohtaiseksi varajäseneksi"),
    "sv": ("er till ordinarie medlem", "er till personlig ersättare"),
    "en": ("named you a member", "named you a personal deputy"),
}


def plain(html: str) -> str:
    """The HTML part without the inline markup that may sit inside a sentence."""
    return re.sub(r'</?strong>|<span lang="fi">|</span>', "", html)


def both_parts(kind: str, lang: str, context: dict[str, Any]) -> tuple[str, str, str]:
    rendered = RENDERER.render(kind, lang, context)
    assert rendered.subject and "\n" not in rendered.subject
    assert f'<html lang="{lang}">' in rendered.html
    assert "<b>" not in rendered.html and EVIL_HTML in rendered.html
    assert EVIL in rendered.text
    return rendered.subject, rendered.text, plain(rendered.html)


def test_both_kinds_exist_in_every_language() -> None:
    for kind in ("meeting_invitation", "nominee_notice"):
        assert RENDERER.languages(kind) == list(LANGS)


@pytest.mark.parametrize("lang", LANGS)
@pytest.mark.parametrize("role", ["member", "deputy"])
def test_meeting_invitation_says_who_named_whom_when_and_where(lang: str, role: str) -> None:
    subject, text, html = both_parts("meeting_invitation", lang, invitation_context(lang, role))

    assert format_meeting(SPRING_START, SPRING_END, lang) in subject
    assert "Päijät-Hämeen testiohjelman ohjausryhmä" in subject
    member_word, deputy_word = ROLE_WORDS[lang]
    for part in (text, html):
        assert "Päijät-Hämeen testiohjelman ohjausryhmä" in part
        assert MEETING[lang] in part
        assert "Hämeenkatu 9 A, Lahti" in part
        assert CALENDAR_WORD[lang] in part
        assert "Pekka Mäkelä" in part
        assert "tarja@example.fi" in part and "Tarja Parviainen" in part
        assert (member_word if role == "member" else deputy_word) in part
        assert (deputy_word if role == "member" else member_word) not in part
    assert "Asikkala & Co" in text and "Asikkala &amp; Co" in html
    if role == "member":  # the member tells the deputy: the deputy's address is at hand
        assert "pekka@example.fi" in text and 'href="mailto:pekka@example.fi"' in html
    else:
        assert "pekka@example.fi" not in text
    links = re.findall(r'href="([^"]+)"', html)
    assert links and all(link.startswith("mailto:") for link in links)


def test_meeting_invitation_subject_reads_like_the_brief() -> None:
    subject, text, _ = both_parts("meeting_invitation", "fi", invitation_context("fi"))
    assert subject == (
        "Kutsu: Päijät-Hämeen testiohjelman ohjausryhmä – ensimmäinen kokous 18.4.2024 klo 9–11"
    )
    assert "Asikkala & Co on nimennyt teidät varsinaiseksi jäseneksi" in text
    assert "Henkilökohtainen varajäsenenne on Pekka Mäkelä." in text
    assert "Aika: torstaina 18.4.2024 klo 9–11\nPaikka: Hämeenkatu 9 A, Lahti\n" in text


@pytest.mark.parametrize("lang", LANGS)
def test_meeting_invitation_without_a_pair_still_renders(lang: str) -> None:
    for role in ("member", "deputy"):
        _, text, _ = both_parts(
            "meeting_invitation", lang, invitation_context(lang, role, pair=False)
        )
        assert "Pekka" not in text


@pytest.mark.parametrize("lang", LANGS)
def test_meeting_invitation_update_says_it_replaces_the_earlier_one(lang: str) -> None:
    subject, text, html = both_parts(
        "meeting_invitation", lang, invitation_context(lang, "deputy", "updated")
    )
    assert subject.startswith({"fi": "Muutos:", "sv": "Ändring:", "en": "Change:"}[lang])
    earlier = format_meeting(WINTER_START, WINTER_END, lang, weekday=True)
    for part in (text, html):
        assert earlier in part and MEETING[lang] in part


@pytest.mark.parametrize("lang", LANGS)
@pytest.mark.parametrize("change", ["cancelled", "withdrawn"])
def test_meeting_invitation_cancel_and_withdrawal(lang: str, change: str) -> None:
    subject, text, html = both_parts(
        "meeting_invitation", lang, invitation_context(lang, "member", change)
    )
    prefix = {
        "cancelled": {"fi": "Peruttu:", "sv": "Inställt:", "en": "Cancelled:"},
        "withdrawn": {"fi": "Kutsu peruttu:", "sv": "Kallelsen återkallad:", "en": "Invitation"},
    }[change][lang]
    assert subject.startswith(prefix)
    for part in (text, html):
        assert MEETING[lang] in part
        assert "Pekka Mäkelä" not in part  # no seat details in a cancellation
        assert ROLE_WORDS[lang][0] not in part


@pytest.mark.parametrize("lang", LANGS)
@pytest.mark.parametrize("role", ["member", "deputy"])
def test_nominee_notice_covers_article_14(lang: str, role: str) -> None:
    subject, text, html = both_parts("nominee_notice", lang, notice_context(lang, role))

    assert "Päijät-Hämeen testiohjelman ohjausryhmä" in subject
    facts = [
        "Päijät-Hämeen liitto",  # the controller
        "Päijät-Hämeen testiohjelman ohjausryhmä",
        ROLE_WORDS[lang][0 if role == "member" else 1],
        "johtaja",
        "asa@example.fi",
        "040 1234567",
        {"fi": "nainen", "sv": "kvinna", "en": "woman"}[lang],
        "10 vuotta toimikauden päättymisestä",  # retention, set by the council
        "tietosuoja@example.fi",  # the data protection officer
        "tarja@example.fi",
        "Tarja Parviainen",
        "tietosuoja.fi",
        {"fi": "6 artiklan 1 kohdan e alakohta", "sv": "artikel 6.1 e", "en": "Article 6(1)(e)"}[
            lang
        ],
        {
            "fi": "tietosuojavaltuutetun toimisto",
            "sv": "dataombudsmannens byrå",
            "en": "Data Protection Ombudsman",
        }[lang],
        {"fi": "pöytäkirjoissa", "sv": "protokoll", "en": "minutes"}[lang],
        {"fi": "korjaamista", "sv": "rättas", "en": "corrected"}[lang],
        {"fi": "rajoittamista", "sv": "begränsas", "en": "restricted"}[lang],
        {"fi": "vastustaa", "sv": "invända", "en": "object"}[lang],
    ]
    for fact in facts:
        assert fact in text, fact
        assert fact in html, fact
    assert "Asikkala & Co" in text and "Asikkala &amp; Co" in html
    assert "<h2" in html
    links = re.findall(r'href="([^"]+)"', html)
    assert all(link.startswith("mailto:") for link in links), "a notice, not a request"


@pytest.mark.parametrize("lang", LANGS)
def test_nominee_notice_leaves_out_what_was_not_given(lang: str) -> None:
    _, text, html = both_parts("nominee_notice", lang, notice_context(lang, "deputy", full=False))
    gender_word = {"fi": "Sukupuoli", "sv": "Kön", "en": "Gender"}[lang]
    for part in (text, html):
        assert gender_word not in part
        assert "040 1234567" not in part
        assert {"fi": "Säilytysaika", "sv": "Förvaringstid", "en": "Retention period"}[
            lang
        ] not in part
