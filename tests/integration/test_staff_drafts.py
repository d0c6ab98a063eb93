"""A round made in the browser, over HTTP as a signed-in coordinator: ``Uusi kierros`` with
every field and its distribution list (pasted, a file as Finnish Excel saves it, the
register), errors next to their fields with nothing saved, ``Muokkaa``, ``Jakelulista``,
``Poista luonnos``, ``Kopioi kierros`` and the organisation register. On SQLite and PostgreSQL."""

from __future__ import annotations

import html
import io
import re
from collections.abc import Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient
from httpx import Response
from openpyxl import Workbook  # type: ignore[import-untyped]
from sqlmodel import col, func, select

from nimeamiset.db import session_scope
from nimeamiset.domain.roundfile import parse_round_file
from nimeamiset.models import AuditEvent, NominationRequest, Organisation, Round
from nimeamiset.runtime import Runtime
from nimeamiset.services.drafts import dates_pending, spec_of_round
from nimeamiset.services.events import payload_of
from nimeamiset.services.rounds import create_round
from nimeamiset.web.app import create_app
from tests.conftest import (
    AFTER_DEADLINE,
    FIXTURES,
    ROUND_ID,
    STAFF_EMAIL,
    StaffLogin,
    at,
    sign_in,
)
from tests.helpers import TESTER, launch

NEW = "/henkilosto/uusi"
LETTER = (
    "Päijät-Hämeen kunnat laativat syksyllä 2023 aiesopimuksen.\n\n"
    "Pyydämme teitä nimeämään edustajanne ja varajäsenen ohjausryhmään."
)
FORM = {
    "id": "tyollisyysryhma-2024",
    "body": "Päijät-Hämeen työllisyyden ja kotoutumisen edistämisohjelman ohjausryhmä",
    "subject": "Edustajan nimeäminen työllisyyden ja kotoutumisen edistämisohjelman ohjausryhmään",
    "letter": LETTER,
    "deadline": "27.3.2024",
    "meeting_day": "18.4.2024",
    "meeting_start": "9.00",
    "meeting_end": "11",
    "meeting_place": "Hämeenkatu 9 A, Lahti",
    "sender_name": "Niina Pautola-Mol",
    "sender_title": "maakuntajohtaja",
    "sender_organisation": "Päijät-Hämeen liitto",
    "contact_name": "Tarja Parviainen",
    "contact_title": "kuntayhteistyöpäällikkö",
    "contact_email": "tarja.parviainen@example.fi",
    "contact_phone": "044 077 3431",
    "reminders": "7, 2, 0, -1",
    "assemble_days_before": "5",
    "settings": ["gender_balance", "invite_to_meeting"],
}
PASTED = (
    "nimi\tsähköposti\tkieli\tpaikat\tyhteinen\n"
    "Lahti\tkirjaamo@lahti.example.fi\tfi\t2\t\n"
    "LUT\tkirjaamo@lut.example.fi\t\t\tkorkeakoulut\n"
    "LAB\tkirjaamo@lab.example.fi\ten\t\tkorkeakoulut\n"
)
EXCEL_CSV = (
    "Organisaatio;Sähköposti;Kieli;Paikat\r\n"
    "Hämeenkoski;kirjaamo@hameenkoski.example.fi;suomi;1\r\n"
    "Pääkallion yrittäjät;toimisto@paakallio.example.fi;ruotsi;\r\n"
).encode("cp1252")


@pytest.fixture
def client(runtime: Runtime) -> Iterator[TestClient]:
    with TestClient(create_app(runtime=runtime), follow_redirects=False) as c:
        yield c


@pytest.fixture
def csrf(client: TestClient, staff_account: StaffLogin) -> str:
    return sign_in(client, staff_account.email, staff_account.password)


def post(client: TestClient, path: str, csrf: str, data: Any = None, **kwargs: Any) -> Response:
    return client.post(path, data={"csrf": csrf, **(data or {})}, **kwargs)


def csv_file(content: bytes, name: str = "jakelu.csv") -> dict[str, Any]:
    return {"tiedosto": (name, content, "text/csv")}


def register_ids(rt: Runtime) -> dict[str, int]:
    with session_scope(rt.engine) as session:
        return {o.name: o.id for o in session.exec(select(Organisation)) if o.id is not None}


def round_count(rt: Runtime) -> int:
    with session_scope(rt.engine) as session:
        return session.exec(select(func.count()).select_from(Round)).one()


def error_next_to(page: str, field: str) -> str:
    """The message shown next to a field, which must point at it with aria-describedby."""
    found = re.search(
        rf'id="{field}-error">\s*(?:<p>)?<span class="visually-hidden">Virhe: </span>([^<]*)', page
    )
    assert found, f"no error next to {field}"
    assert re.search(rf'aria-describedby="[^"]*{field}-error', page), f"{field} not linked"
    return found.group(1)


def events(rt: Runtime, round_id: str) -> list[tuple[str, str, dict[str, Any]]]:
    with session_scope(rt.engine) as session:
        rows = session.exec(
            select(AuditEvent).where(AuditEvent.round_id == round_id).order_by(col(AuditEvent.id))
        ).all()
        return [(r.kind, r.actor, dict(payload_of(r))) for r in rows]


# --- a new round ------------------------------------------------------------------------------


def test_a_new_round_with_every_field_is_saved_as_a_draft(
    client: TestClient, csrf: str, runtime: Runtime, round_id: str
) -> None:
    register = register_ids(runtime)
    data = {**FORM, "jakelu": PASTED, "rekisteri": [str(register["Hartola"])]}
    answer = post(client, NEW, csrf, data, files=csv_file(EXCEL_CSV))
    assert answer.status_code == 303, answer.text
    assert answer.headers["location"] == "/henkilosto/tyollisyysryhma-2024?tehty=luonnos"
    page = client.get(answer.headers["location"]).text
    assert "Kierros tallennettiin luonnoksena" in page
    for action in ("muokkaa", "jakelulista", "poista", "kopioi"):
        assert f'href="/henkilosto/tyollisyysryhma-2024/{action}"' in page
    with session_scope(runtime.engine) as session:
        spec = spec_of_round(session, "tyollisyysryhma-2024")
        state = session.get(Round, "tyollisyysryhma-2024").state  # type: ignore[union-attr]
    assert state == "draft"
    assert spec == {
        "id": "tyollisyysryhma-2024",
        "body": FORM["body"],
        "subject": FORM["subject"],
        "letter": LETTER,
        "deadline": "2024-03-27",
        "first_meeting": {
            "start": "2024-04-18T09:00:00+03:00",
            "end": "2024-04-18T11:00:00+03:00",
            "place": "Hämeenkatu 9 A, Lahti",
        },
        "sender": {
            "name": "Niina Pautola-Mol",
            "title": "maakuntajohtaja",
            "organisation": "Päijät-Hämeen liitto",
        },
        "contact": {
            "name": "Tarja Parviainen",
            "title": "kuntayhteistyöpäällikkö",
            "email": "tarja.parviainen@example.fi",
            "phone": "044 077 3431",
        },
        "organisations": [
            {"name": "Lahti", "email": "kirjaamo@lahti.example.fi", "language": "fi", "seats": 2},
            {
                "joint": [
                    {"name": "LUT", "email": "kirjaamo@lut.example.fi", "language": "fi"},
                    {"name": "LAB", "email": "kirjaamo@lab.example.fi", "language": "en"},
                ]
            },
            {
                "name": "Hämeenkoski",
                "email": "kirjaamo@hameenkoski.example.fi",
                "language": "fi",
                "seats": 1,
            },
            {
                "name": "Pääkallion yrittäjät",
                "email": "toimisto@paakallio.example.fi",
                "language": "sv",
                "seats": 1,
            },
            {
                "name": "Hartola",
                "email": "kirjaamo@hartola.example.fi",
                "language": "fi",
                "seats": 1,
            },
        ],
        "gender_balance": True,
        "assemble_days_before": 5,
        "invite_to_meeting": True,
        "reminders": [7, 2, 0, -1],
    }
    assert [(kind, actor) for kind, actor, _ in events(runtime, "tyollisyysryhma-2024")] == [
        ("round.created", f"staff:{STAFF_EMAIL}")
    ]


def test_without_an_id_the_round_is_named_after_its_body(
    client: TestClient, csrf: str, runtime: Runtime
) -> None:
    data = {**FORM, "id": "", "settings": [], "jakelu": "Asikkala;kirjaamo@asikkala.example.fi"}
    answer = post(client, NEW, csrf, data)
    assert answer.status_code == 303, answer.text
    assert answer.headers["location"].startswith(
        "/henkilosto/paijat-hameen-tyollisyyden-ja-kotoutumisen"
    )


def test_errors_come_back_next_to_their_fields_with_what_was_typed(
    client: TestClient, csrf: str, runtime: Runtime
) -> None:
    data = {
        **FORM,
        "body": "",
        "deadline": "30.2.2024",
        "meeting_start": "25.00",
        "contact_email": "tarja(at)example.fi",
        "reminders": "viikkoa ennen",
        "assemble_days_before": "-3",
        "jakelu": "Asikkala;kirjaamo@asikkala.example.fi",
    }
    answer = post(client, NEW, csrf, data)
    assert answer.status_code == 422
    page = answer.text
    assert "Tarkista nämä kohdat" in page
    assert error_next_to(page, "deadline").startswith("Päivämäärä ei kelpaa")
    assert error_next_to(page, "meeting_start").startswith("Kellonaika ei kelpaa")
    assert "tarja(at)example.fi" in error_next_to(page, "contact_email")
    assert error_next_to(page, "reminders").startswith("Kirjoita päivät")
    assert error_next_to(page, "assemble_days_before").startswith("Kirjoita päivien määrä")
    assert error_next_to(page, "body")
    for typed in (
        "30.2.2024",
        "25.00",
        "tarja(at)example.fi",
        "viikkoa ennen",
        "Hämeenkatu 9 A, Lahti",
    ):
        assert f'value="{typed}"' in page, typed
    assert "Asikkala;kirjaamo@asikkala.example.fi</textarea>" in page
    assert 'value="gender_balance" checked' in page
    summary = page.index("Tarkista nämä kohdat")
    assert page.index('href="#body"', summary) < page.index('href="#deadline"', summary)
    assert round_count(runtime) == 0


def test_the_schema_tells_a_deadline_after_the_meeting_next_to_it(
    client: TestClient, csrf: str, runtime: Runtime
) -> None:
    data = {**FORM, "deadline": "19.4.2024", "jakelu": "Asikkala;kirjaamo@asikkala.example.fi"}
    answer = post(client, NEW, csrf, data)
    assert answer.status_code == 422
    assert "kokous" in error_next_to(answer.text, "deadline").lower()
    assert round_count(runtime) == 0


def test_a_passed_deadline_and_a_taken_id_are_refused(
    client: TestClient, csrf: str, runtime: Runtime, round_id: str
) -> None:
    rows = {"jakelu": "Asikkala;kirjaamo@asikkala.example.fi"}
    answer = post(client, NEW, csrf, {**FORM, **rows, "deadline": "11.3.2024"})
    assert answer.status_code == 422
    assert "on jo mennyt" in error_next_to(answer.text, "deadline")
    answer = post(client, NEW, csrf, {**FORM, **rows, "id": ROUND_ID})
    assert answer.status_code == 422
    assert ROUND_ID in error_next_to(answer.text, "id")
    assert round_count(runtime) == 1


def test_a_bad_list_is_refused_row_by_row_and_nothing_is_saved(
    client: TestClient, csrf: str, runtime: Runtime
) -> None:
    pasted = (
        "nimi;sähköposti;kieli\n"
        "Asikkala;kirjaamo@asikkala.example.fi;fi\n"
        "Hartola;;fi\n"
        "Heinola;kirjaamo(at)heinola.fi;fi\n"
        "Asikkala;toinen@asikkala.example.fi;fi\n"
        "Orimattila;kirjaamo@orimattila.example.fi;de\n"
    )
    bad_file = "nimi;sähköposti;paikat\nPääkallio;k@paakallio.example.fi;nolla\n".encode("cp1252")
    answer = post(client, NEW, csrf, {**FORM, "jakelu": pasted}, files=csv_file(bad_file))
    assert answer.status_code == 422
    page = answer.text.replace("&#34;", '"')
    assert error_next_to(page, "jakelu").startswith("4 virhettä")
    for problem in (
        "Rivi 3: sähköposti puuttuu",
        "Rivi 4: sähköposti ei kelpaa (kirjaamo(at)heinola.fi)",
        'Rivi 5: organisaatio "Asikkala" on listassa jo rivillä 2',
        'Rivi 6: kieli "de" ei kelpaa (fi, sv tai en)',
    ):
        assert f"<li>{problem}</li>" in page, problem
    assert '<li>Rivi 2: paikkoja "nolla" ei kelpaa' in page
    assert "Tiedostoa ei säilytetty: valitse se uudelleen." in page
    assert round_count(runtime) == 0
    with session_scope(runtime.engine) as session:
        assert session.exec(select(func.count()).select_from(Organisation)).one() == 0


def test_an_organisation_both_pasted_and_ticked_in_the_register_is_refused(
    client: TestClient, csrf: str, runtime: Runtime, round_id: str
) -> None:
    register = register_ids(runtime)
    data = {
        **FORM,
        "jakelu": "asikkala;kirjaamo@asikkala.example.fi",
        "rekisteri": [str(register["Asikkala"])],
    }
    answer = post(client, NEW, csrf, data)
    assert answer.status_code == 422
    assert "Sama organisaatio kahdesti" in error_next_to(answer.text, "rekisteri")
    assert round_count(runtime) == 1


def test_an_empty_list_is_refused(client: TestClient, csrf: str, runtime: Runtime) -> None:
    answer = post(client, NEW, csrf, FORM)
    assert answer.status_code == 422
    assert error_next_to(answer.text, "jakelu").startswith("Jakelulista on tyhjä")


# --- a draft: edit, list, delete --------------------------------------------------------------


def edit_form(client: TestClient, round_id: str) -> dict[str, Any]:
    """The edit page's fields as the browser would post them back."""
    page = html.unescape(client.get(f"/henkilosto/{round_id}/muokkaa").text)
    fields = r'<input type="(?:text|email|tel)" id="(\w+)" name="\w+" value="([^"]*)"'
    values: dict[str, Any] = dict(re.findall(fields, page))
    letter = re.search(r'<textarea id="letter"[^>]*>([^<]*)</textarea>', page)
    assert letter is not None
    values["letter"] = letter.group(1)
    values["settings"] = re.findall(r'name="settings" value="(\w+)" checked', page)
    return values


def test_a_draft_is_edited_and_its_change_audited(
    client: TestClient, csrf: str, runtime: Runtime, round_id: str
) -> None:
    page = client.get(f"/henkilosto/{round_id}/muokkaa").text
    assert 'value="27.3.2024"' in page and 'value="9.00"' in page and 'value="11.00"' in page
    assert "Jakelulistalla on 5 organisaatiota" in page
    data = {**edit_form(client, round_id), "deadline": "29.3.2024", "letter": "Uusi kirje."}
    answer = post(client, f"/henkilosto/{round_id}/muokkaa", csrf, data)
    assert answer.status_code == 303, answer.text
    assert answer.headers["location"] == f"/henkilosto/{round_id}?tehty=muokattu"
    with session_scope(runtime.engine) as session:
        spec = spec_of_round(session, round_id)
        requests = session.exec(select(func.count()).select_from(NominationRequest)).one()
    assert (spec["deadline"], spec["letter"], requests) == ("2024-03-29", "Uusi kirje.", 5)
    kind, actor, payload = events(runtime, round_id)[-1]
    assert (kind, actor) == ("draft.edited", f"staff:{STAFF_EMAIL}")
    assert payload == {"fields": ["letter", "deadline"], "organisations": 5, "dates_checked": True}


def test_a_bad_edit_comes_back_with_errors_and_changes_nothing(
    client: TestClient, csrf: str, runtime: Runtime, round_id: str
) -> None:
    data = {**edit_form(client, round_id), "meeting_day": "1.1.2024", "subject": ""}
    answer = post(client, f"/henkilosto/{round_id}/muokkaa", csrf, data)
    assert answer.status_code == 422
    assert error_next_to(answer.text, "subject")
    assert 'value="1.1.2024"' in answer.text
    with session_scope(runtime.engine) as session:
        assert spec_of_round(session, round_id)["first_meeting"]["start"].startswith("2024-04-18")


def test_the_list_of_a_draft_is_replaced_from_an_xlsx_file(
    client: TestClient, csrf: str, runtime: Runtime, round_id: str
) -> None:
    page = client.get(f"/henkilosto/{round_id}/jakelulista").text
    assert "Asikkala;kirjaamo@asikkala.example.fi;fi;1;" in page
    book = Workbook()
    book.active.append(["name", "email", "language", "seats"])
    book.active.append(["Heinola", "kirjaamo@heinola.example.fi", "fi", 3])
    book.active.append(["Svenska Folkskolans Vänner", "kansli@sfv.example.fi", "sv", None])
    out = io.BytesIO()
    book.save(out)
    files = {"tiedosto": ("jakelu.xlsx", out.getvalue(), "application/octet-stream")}
    answer = post(client, f"/henkilosto/{round_id}/jakelulista", csrf, {"jakelu": ""}, files=files)
    assert answer.status_code == 303, answer.text
    assert answer.headers["location"] == f"/henkilosto/{round_id}?tehty=jakelulista"
    with session_scope(runtime.engine) as session:
        items = spec_of_round(session, round_id)["organisations"]
    assert [(i["name"], i["seats"]) for i in items] == [
        ("Heinola", 3),
        ("Svenska Folkskolans Vänner", 1),
    ]
    assert events(runtime, round_id)[-1][2] == {
        "fields": ["organisations"],
        "organisations": 2,
        "dates_checked": False,
    }


def test_a_bad_list_leaves_the_drafts_list_as_it_was(
    client: TestClient, csrf: str, runtime: Runtime, round_id: str
) -> None:
    pasted = "nimi;sähköposti\nAsikkala;kirjaamo@asikkala.example.fi\nHartola;\n"
    answer = post(client, f"/henkilosto/{round_id}/jakelulista", csrf, {"jakelu": pasted})
    assert answer.status_code == 422
    assert "<li>Rivi 3: sähköposti puuttuu</li>" in answer.text
    assert "Hartola;\n</textarea>" in answer.text
    with session_scope(runtime.engine) as session:
        assert len(spec_of_round(session, round_id)["organisations"]) == 5


def test_a_draft_is_deleted_and_its_events_stay(
    client: TestClient, csrf: str, runtime: Runtime, round_id: str
) -> None:
    page = client.get(f"/henkilosto/{round_id}/poista").text
    assert "Poistoa ei voi perua" in page
    answer = post(client, f"/henkilosto/{round_id}/poista", csrf)
    assert answer.status_code == 303
    assert answer.headers["location"] == "/henkilosto?tehty=poistettu"
    assert "Luonnos poistettiin." in client.get(answer.headers["location"]).text
    assert client.get(f"/henkilosto/{round_id}").status_code == 404
    with session_scope(runtime.engine) as session:
        assert session.exec(select(func.count()).select_from(NominationRequest)).one() == 0
    assert [kind for kind, _, _ in events(runtime, round_id)] == ["round.created", "draft.deleted"]


def test_a_launched_round_is_neither_edited_nor_deleted(
    client: TestClient, csrf: str, runtime: Runtime, round_id: str
) -> None:
    data = edit_form(client, round_id)
    launch(runtime, round_id)
    assert "vain luonnosta voi muuttaa" in client.get(f"/henkilosto/{round_id}/muokkaa").text
    answer = post(client, f"/henkilosto/{round_id}/muokkaa", csrf, {**data, "letter": "Muutettu"})
    assert answer.status_code == 409
    assert "kierros on käynnissä" in answer.text
    answer = post(client, f"/henkilosto/{round_id}/jakelulista", csrf, {"jakelu": "A;a@a.fi"})
    assert answer.status_code == 409
    answer = post(client, f"/henkilosto/{round_id}/poista", csrf)
    assert answer.status_code == 409
    with session_scope(runtime.engine) as session:
        round_ = session.get(Round, round_id)
        assert round_ is not None and round_.letter != "Muutettu"
    page = client.get(f"/henkilosto/{round_id}").text
    assert f'href="/henkilosto/{round_id}/muokkaa"' not in page
    assert f'href="/henkilosto/{round_id}/kopioi"' in page


# --- a copy -----------------------------------------------------------------------------------


@pytest.fixture
def shapes(runtime: Runtime) -> str:
    """The round of the test cast's shapes (two seats, a joint seat, gender asked), launched."""
    spec = parse_round_file((FIXTURES / "round_shapes.yaml").read_text(encoding="utf-8"))
    with session_scope(runtime.engine) as session:
        create_round(session, spec, actor=TESTER, now=runtime.now())
    launch(runtime, "muotoryhma")
    return "muotoryhma"


def test_a_copy_is_a_draft_with_the_letter_list_and_settings_and_dates_to_check(
    runtime: Runtime, shapes: str, staff_account: StaffLogin
) -> None:
    later = at(runtime, AFTER_DEADLINE)  # the old round's deadline has passed
    with TestClient(create_app(runtime=later), follow_redirects=False) as client:
        csrf = sign_in(client, staff_account.email, staff_account.password)
        assert "Kopioi kierros" in client.get(f"/henkilosto/{shapes}/kopioi").text
        answer = post(client, f"/henkilosto/{shapes}/kopioi", csrf)
        assert answer.status_code == 303
        assert answer.headers["location"] == "/henkilosto/muotoryhma-2/muokkaa"
        page = client.get(answer.headers["location"]).text
        assert "Tarkista päivämäärät: luonnos on kopioitu kierroksesta muotoryhma" in page
        with session_scope(runtime.engine) as session:
            source, copy = spec_of_round(session, shapes), spec_of_round(session, "muotoryhma-2")
            assert dates_pending(session, "muotoryhma-2") == shapes
            assert session.get(Round, "muotoryhma-2").state == "draft"  # type: ignore[union-attr]
        assert copy == {**source, "id": "muotoryhma-2"}
        assert [kind for kind, _, _ in events(runtime, "muotoryhma-2")] == [
            "round.created",
            "round.copied",
        ]

        # Saving with the old, passed deadline is refused; new dates clear the notice.
        data = edit_form(client, "muotoryhma-2")
        answer = post(client, "/henkilosto/muotoryhma-2/muokkaa", csrf, data)
        assert answer.status_code == 422
        assert "on jo mennyt" in error_next_to(answer.text, "deadline")
        data.update(deadline="15.4.2024", meeting_day="7.5.2024")
        answer = post(client, "/henkilosto/muotoryhma-2/muokkaa", csrf, data)
        assert answer.status_code == 303, answer.text
        assert "Tarkista päivämäärät" not in client.get("/henkilosto/muotoryhma-2/muokkaa").text
    with session_scope(runtime.engine) as session:
        assert dates_pending(session, "muotoryhma-2") is None
        assert session.get(Round, shapes).deadline.isoformat() == "2024-03-27"  # type: ignore[union-attr]


# --- the organisation register ---------------------------------------------------------------


def test_the_register_lists_every_organisation_and_one_is_corrected(
    client: TestClient, csrf: str, runtime: Runtime, round_id: str
) -> None:
    page = client.get("/henkilosto").text
    assert 'href="/henkilosto/uusi"' in page and 'href="/henkilosto/organisaatiot"' in page
    page = client.get("/henkilosto/organisaatiot").text
    assert "5 organisaatiota aakkosjärjestyksessä" in page
    assert page.index("Asikkala") < page.index("Hämeen ELY-keskus") < page.index("Svenska")
    assert "kansli@sfv.example.fi" in page and "ruotsi" in page
    hartola = register_ids(runtime)["Hartola"]
    path = f"/henkilosto/organisaatiot/{hartola}"
    assert 'value="kirjaamo@hartola.example.fi"' in client.get(path).text

    answer = post(client, path, csrf, {"name": "asikkala", "email": "x(at)y", "language": "de"})
    assert answer.status_code == 422
    assert "Asikkala" in error_next_to(answer.text, "name")
    assert error_next_to(answer.text, "email").startswith("Sähköpostiosoite ei kelpaa")
    assert 'value="x(at)y"' in answer.text

    data = {"name": "Hartolan kunta", "email": "kirjaamo@hartola.example.fi", "language": "sv"}
    answer = post(client, path, csrf, data)
    assert answer.status_code == 303
    assert answer.headers["location"] == "/henkilosto/organisaatiot?tehty=organisaatio"
    page = client.get(answer.headers["location"]).text
    assert "Organisaation tiedot tallennettiin." in page and "Hartolan kunta" in page
    with session_scope(runtime.engine) as session:
        row = session.exec(
            select(AuditEvent).where(AuditEvent.kind == "organisation.updated")
        ).one()
        assert (row.entity_id, row.round_id, row.actor) == (
            str(hartola),
            None,
            f"staff:{STAFF_EMAIL}",
        )
        assert payload_of(row)["changes"] == {
            "name": ["Hartola", "Hartolan kunta"],
            "language": ["fi", "sv"],
        }
    assert client.get("/henkilosto/organisaatiot/999999").status_code == 404


def test_a_viewer_sees_the_register_but_can_create_edit_nor_copy(
    client: TestClient, runtime: Runtime, round_id: str, viewer_account: StaffLogin
) -> None:
    csrf = sign_in(client, viewer_account.email, viewer_account.password)
    page = client.get("/henkilosto").text
    assert 'href="/henkilosto/uusi"' not in page and 'href="/henkilosto/organisaatiot"' in page
    register = client.get("/henkilosto/organisaatiot")
    assert register.status_code == 200 and "Muokkaa" not in register.text
    hartola = register_ids(runtime)["Hartola"]
    for path in (
        NEW,
        f"/henkilosto/{round_id}/muokkaa",
        f"/henkilosto/{round_id}/jakelulista",
        f"/henkilosto/{round_id}/kopioi",
        f"/henkilosto/{round_id}/poista",
        f"/henkilosto/organisaatiot/{hartola}",
    ):
        assert client.get(path).status_code == 403, path
        answer = post(client, path, csrf, {**FORM, "jakelu": "A;a@a.fi"})
        assert answer.status_code == 403 and "Ei oikeutta" in answer.text, path
    assert round_count(runtime) == 1
