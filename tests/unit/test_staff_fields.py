"""Reading the staff actions' fields (days, clock times, the moved meeting, a new deadline,
an address), and the fixed message shown after each action."""

from __future__ import annotations

from datetime import date, datetime, time
from types import SimpleNamespace

import pytest
from jinja2 import Environment, FileSystemLoader, StrictUndefined

from nimeamiset.config import Settings
from nimeamiset.domain.timefmt import HELSINKI
from nimeamiset.web import staff_fields as fields
from nimeamiset.web.staff_action_pages import Done

TODAY = date(2024, 3, 20)
DEADLINE = date(2024, 3, 27)
MEETING_DAY = date(2024, 4, 18)


@pytest.mark.parametrize(
    ("typed", "day"),
    [
        ("5.4.2024", date(2024, 4, 5)),
        (" 05.04.2024 ", date(2024, 4, 5)),
        ("2024-04-05", date(2024, 4, 5)),
        ("31.2.2024", None),
        ("5.4.24", None),
        ("huomenna", None),
        ("2024-4-5", None),
    ],
)
def test_a_day_is_read_as_finns_write_it_or_as_a_date_picker_sends_it(
    typed: str, day: date | None
) -> None:
    assert fields.read_day(typed) == day


@pytest.mark.parametrize(
    ("typed", "clock"),
    [
        ("9", time(9)),
        ("9.30", time(9, 30)),
        ("09:30", time(9, 30)),
        ("13,45", time(13, 45)),
        ("24", None),
        ("9.60", None),
        ("9.3", None),
        ("klo 9", None),
    ],
)
def test_a_clock_time_is_read_with_a_dot_colon_or_comma(typed: str, clock: time | None) -> None:
    assert fields.read_clock(typed) == clock


@pytest.mark.parametrize(
    ("typed", "error"),
    [
        ("", "Kirjoita päivämäärä."),
        ("1.3.2024", "Päivä on jo mennyt. Valitse 20.3.2024 tai myöhempi päivä."),
        ("18.4.2024", "Määräajan on oltava ennen ensimmäistä kokousta (18.4.2024)."),
        ("27.3.2024", "Määräaika on jo 27.3.2024. Valitse toinen päivä."),
        ("20.3.2024", ""),
        ("17.4.2024", ""),
    ],
)
def test_a_new_deadline_is_today_or_later_and_before_the_meeting(typed: str, error: str) -> None:
    day, message = fields.new_deadline(
        typed, today=TODAY, current=DEADLINE, meeting_day=MEETING_DAY
    )
    assert message == error
    assert (day is None) == bool(error)


def test_a_moved_meeting_is_read_as_helsinki_time() -> None:
    data = {"day": "25.4.2024", "start": "13.30", "end": "15", "place": "  Kirkkokatu  1 "}
    meeting, errors = fields.meeting_time(data, today=TODAY, deadline=DEADLINE)
    assert errors == {}
    assert meeting == (
        datetime(2024, 4, 25, 13, 30, tzinfo=HELSINKI),
        datetime(2024, 4, 25, 15, tzinfo=HELSINKI),
        "Kirkkokatu 1",
    )


def test_every_wrong_field_of_a_moved_meeting_gets_its_message() -> None:
    _, errors = fields.meeting_time(
        {"day": "27.3.2024", "start": "14", "end": "13", "place": ""},
        today=TODAY,
        deadline=DEADLINE,
    )
    assert errors == {
        "day": "Kokouksen on oltava määräajan (27.3.2024) jälkeen.",
        "end": "Kokouksen on päätyttävä alkamisen jälkeen.",
        "place": "Kirjoita paikka.",
    }


def test_a_registry_address_must_be_valid_and_new() -> None:
    current = "kirjaamo@asikkala.fi"
    assert fields.registry_address(" Kirjaamo@Hollola.fi ", current=current)[0] == (
        "Kirjaamo@hollola.fi"
    )
    assert fields.registry_address("KIRJAAMO@asikkala.fi", current=current)[0] is None
    assert "ei kelpaa" in fields.registry_address("kirjaamo@", current=current)[1]


def test_only_organisations_that_may_be_chosen_are_chosen() -> None:
    assert fields.chosen_requests(["3", "1", "1", "x", "99", "-2"], [1, 2, 3]) == [1, 3]


def test_every_action_has_its_message_and_nothing_else_shows_one() -> None:
    env = Environment(
        loader=FileSystemLoader(Settings().templates_dir / "web"),
        autoescape=True,
        undefined=StrictUndefined,
    )
    template = env.get_template("_staff_done.html")

    def shown(value: str) -> str:
        request = SimpleNamespace(query_params={"tehty": value})
        return template.render(request=request).strip()

    messages = {what: shown(what.value) for what in Done}
    assert all(m.startswith('<p class="notice" role="status">') for m in messages.values())
    assert len(set(messages.values())) == len(Done)
    assert shown("<script>") == "" and shown("") == ""
