"""Signing in to the staff pages over HTTP (FastAPI's TestClient), on SQLite and PostgreSQL:
the form, cookies, throttling, idle expiry, signing out, disabled accounts, CSRF."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from datetime import timedelta
from typing import Any

import pytest
import time_machine
from fastapi import Depends, FastAPI
from fastapi.testclient import TestClient
from sqlmodel import col, select

from nimeamiset.db import session_scope
from nimeamiset.models import AccessLogEntry
from nimeamiset.runtime import Runtime
from nimeamiset.services.staff_accounts import reset_account, set_active
from nimeamiset.web.app import create_app
from nimeamiset.web.auth import SESSION_COOKIE, CoordinatorDep, StaffDep, verify_csrf
from tests.conftest import LAUNCH_TIME, STAFF_PASSWORD, StaffLogin, at, sign_in

WRONG = "Sähköposti tai salasana on väärin."
PAGE = "/henkilosto/koetin"


def probe_app(rt: Runtime) -> FastAPI:
    """The app with a staff page and a state-changing staff route of the kinds the workspace
    has, so that these tests do not depend on what the workspace's pages show."""
    app = create_app(runtime=rt)

    @app.get("/henkilosto/koetin")
    def look(person: StaffDep) -> dict[str, str]:
        return {"seen": person.email}

    @app.post("/henkilosto/koetin", dependencies=[Depends(verify_csrf)])
    def act(person: CoordinatorDep) -> dict[str, str]:
        return {"done": person.email}

    # Ahead of the workspace's /henkilosto/{round_id}, which would match first.
    app.router.routes[:0] = [app.router.routes.pop(), app.router.routes.pop()]
    return app


@pytest.fixture
def client(runtime: Runtime) -> Iterator[TestClient]:
    with TestClient(probe_app(runtime)) as c:
        yield c


def form_token(client: TestClient, path: str = "/henkilosto/kirjaudu") -> str:
    page = client.get(path)
    start = page.text.index('name="csrf" value="') + len('name="csrf" value="')
    return page.text[start : page.text.index('"', start)]


def attempt(client: TestClient, email: str, password: str, **extra: str) -> Any:
    data = {"email": email, "password": password, "csrf": form_token(client), **extra}
    return client.post("/henkilosto/kirjaudu", data=data, follow_redirects=False)


def log_actions(rt: Runtime) -> list[tuple[str, str]]:
    with session_scope(rt.engine) as session:
        rows = session.exec(select(AccessLogEntry).order_by(col(AccessLogEntry.id))).all()
        return [(r.action, r.staff_email) for r in rows]


def test_the_sign_in_page_has_labelled_fields_and_one_button(client: TestClient) -> None:
    page = client.get("/henkilosto/kirjaudu")
    assert page.status_code == 200 and '<html lang="fi">' in page.text
    assert '<label for="email">Sähköposti</label>' in page.text and 'id="email"' in page.text
    assert '<label for="password">Salasana</label>' in page.text and 'id="password"' in page.text
    assert ">Kirjaudu</button>" in page.text
    assert "organisaation tunnuksella" not in page.text  # no single sign-on configured
    home = client.get("/")
    assert 'href="/henkilosto"' in home.text


def test_signing_in_sets_a_strict_cookie_and_goes_where_asked(
    runtime: Runtime, client: TestClient, staff_account: StaffLogin
) -> None:
    done = attempt(client, "  Koordinaattori@Paijat-Hame.Example.FI ", STAFF_PASSWORD,
                   seuraava="/henkilosto/testiryhma?nayta=kaikki")  # fmt: skip
    assert done.status_code == 303
    assert done.headers["location"] == "/henkilosto/testiryhma?nayta=kaikki"
    cookie = next(c for c in done.headers.get_list("set-cookie") if c.startswith(SESSION_COOKIE))
    flags = {part.strip().lower() for part in cookie.split(";")}
    assert {"httponly", "samesite=lax", "path=/henkilosto"} <= flags
    assert "secure" not in flags  # http://testserver: a Secure cookie would never come back
    assert ("sign_in", staff_account.email) in log_actions(runtime)


def test_the_cookie_is_secure_when_the_site_is_https(
    runtime: Runtime, staff_account: StaffLogin
) -> None:
    settings = runtime.settings.model_copy(update={"base_url": "https://nimeamiset.example.fi"})
    rt = Runtime(settings=settings, engine=runtime.engine, mail=runtime.mail, sender=runtime.sender)
    with TestClient(create_app(runtime=rt), base_url="https://testserver") as https_client:
        done = attempt(https_client, staff_account.email, STAFF_PASSWORD)
    cookies = done.headers.get_list("set-cookie")
    assert any(c.startswith(SESSION_COOKIE) and "Secure" in c for c in cookies)


@pytest.mark.parametrize("destination", ["https://evil.example/", "//evil.example/henkilosto",
                                         "/n/sometoken", "/henkilosto/kirjaudu-ulos"])  # fmt: skip
def test_after_signing_in_only_staff_pages_are_a_destination(
    client: TestClient, staff_account: StaffLogin, destination: str
) -> None:
    done = attempt(client, staff_account.email, STAFF_PASSWORD, seuraava=destination)
    assert done.headers["location"] == "/henkilosto"


def test_a_wrong_password_and_an_unknown_email_look_the_same(
    runtime: Runtime,
    client: TestClient,
    staff_account: StaffLogin,
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.INFO, logger="nimeamiset.web")
    wrong = attempt(client, staff_account.email, "väärä salasana tässä")
    unknown = attempt(client, "ei.ole@paijat-hame.example.fi", "väärä salasana tässä")
    for page in (wrong, unknown):
        assert page.status_code == 401 and page.text.count(WRONG) == 1
        assert "väärä salasana" not in page.text
    assert f'value="{staff_account.email}"' in wrong.text  # the email typed is kept
    assert SESSION_COOKIE not in client.cookies
    assert "väärä salasana" not in caplog.text and "sign-in failed" in caplog.text
    assert log_actions(runtime)[-2:] == [
        ("sign_in_failed", staff_account.email),
        ("sign_in_failed", "ei.ole@paijat-hame.example.fi"),
    ]


def test_five_failures_from_one_address_hold_it_back_for_a_while(
    runtime: Runtime, client: TestClient, staff_account: StaffLogin
) -> None:
    for n in range(5):
        assert attempt(client, f"arvaus{n}@example.fi", "x" * 12).status_code == 401
    held = attempt(client, staff_account.email, STAFF_PASSWORD)  # even the right password
    assert held.status_code == 429 and SESSION_COOKIE not in client.cookies
    assert "Yritä uudelleen klo 10.15." in held.text and held.headers["retry-after"] == "900"
    with TestClient(probe_app(runtime), client=("192.0.2.7", 5000)) as elsewhere:
        assert attempt(elsewhere, staff_account.email, STAFF_PASSWORD).status_code == 303
    with TestClient(probe_app(at(runtime, LAUNCH_TIME + timedelta(minutes=15)))) as later:
        assert attempt(later, staff_account.email, STAFF_PASSWORD).status_code == 303


def test_five_failures_for_one_account_hold_it_back_from_every_address(
    runtime: Runtime, staff_account: StaffLogin
) -> None:
    app = probe_app(runtime)
    for n in range(5):
        with TestClient(app, client=(f"192.0.2.{n}", 5000)) as c:
            assert attempt(c, staff_account.email, "väärin" * 3).status_code == 401
    with TestClient(app, client=("198.51.100.1", 5000)) as c:
        held = attempt(c, staff_account.email, STAFF_PASSWORD)
        assert held.status_code == 429 and "Liian monta" in held.text
        assert attempt(c, "toinen@example.fi", "x" * 12).status_code == 401  # others go on


def test_a_session_ends_after_the_idle_time_and_after_twelve_hours(
    runtime: Runtime, staff_account: StaffLogin
) -> None:
    rt = Runtime(
        settings=runtime.settings.model_copy(update={"now": None}),
        engine=runtime.engine,
        mail=runtime.mail,
        sender=runtime.sender,
    )
    with time_machine.travel(LAUNCH_TIME, tick=False) as clock, TestClient(probe_app(rt)) as c:
        sign_in(c, staff_account.email, STAFF_PASSWORD)
        for _ in range(13):  # in use every 55 minutes: the session lives on ...
            clock.shift(timedelta(minutes=55))
            assert c.get(PAGE, follow_redirects=False).status_code == 200
        clock.shift(timedelta(minutes=55))  # ... but not past 12 hours after signing in
        assert c.get(PAGE, follow_redirects=False).status_code == 303

        sign_in(c, staff_account.email, STAFF_PASSWORD)
        clock.shift(timedelta(minutes=61))
        away = c.get(PAGE, follow_redirects=False)
        assert away.status_code == 303
        assert away.headers["location"].startswith("/henkilosto/kirjaudu?seuraava=")


def test_signing_out_ends_the_session_on_the_server(
    runtime: Runtime, client: TestClient, staff_account: StaffLogin
) -> None:
    csrf = sign_in(client, staff_account.email, STAFF_PASSWORD)
    token = client.cookies[SESSION_COOKIE]
    refused = client.post("/henkilosto/kirjaudu-ulos", data={}, follow_redirects=False)
    assert refused.status_code == 403 and "Lomake hylättiin" in refused.text
    out = client.post("/henkilosto/kirjaudu-ulos", data={"csrf": csrf}, follow_redirects=False)
    assert out.status_code == 303 and out.headers["location"].endswith("?uloskirjattu=1")
    assert "Olet kirjautunut ulos." in client.get(out.headers["location"]).text
    with TestClient(probe_app(runtime), cookies={SESSION_COOKIE: token}) as copy:
        assert copy.get(PAGE, follow_redirects=False).status_code == 303
    assert ("sign_out", staff_account.email) in log_actions(runtime)


def test_a_disabled_account_is_shut_out_at_once(
    runtime: Runtime, client: TestClient, staff_account: StaffLogin
) -> None:
    sign_in(client, staff_account.email, STAFF_PASSWORD)
    assert client.get(PAGE, follow_redirects=False).status_code == 200
    with session_scope(runtime.engine) as session:
        set_active(session, staff_account.email, active=False, now=runtime.now())
    assert client.get(PAGE, follow_redirects=False).status_code == 303
    assert WRONG in attempt(client, staff_account.email, STAFF_PASSWORD).text


def test_a_reset_stops_the_old_password_and_every_session(
    runtime: Runtime, client: TestClient, staff_account: StaffLogin
) -> None:
    sign_in(client, staff_account.email, STAFF_PASSWORD)
    with session_scope(runtime.engine) as session:
        token = reset_account(session, staff_account.email, now=runtime.now())
    assert client.get(PAGE, follow_redirects=False).status_code == 303
    assert attempt(client, staff_account.email, STAFF_PASSWORD).status_code == 401
    assert client.get(f"/henkilosto/aseta-salasana/{token}").status_code == 200


def test_a_viewer_may_look_but_not_post(
    client: TestClient, viewer_account: StaffLogin, staff_account: StaffLogin
) -> None:
    csrf = sign_in(client, viewer_account.email, STAFF_PASSWORD)
    assert client.get(PAGE).json() == {"seen": viewer_account.email}
    refused = client.post("/henkilosto/koetin", data={"csrf": csrf})
    assert refused.status_code == 403 and "Ei oikeutta" in refused.text
    csrf = sign_in(client, staff_account.email, STAFF_PASSWORD)
    done = client.post("/henkilosto/koetin", data={"csrf": csrf})
    assert done.json() == {"done": staff_account.email}


@pytest.mark.parametrize(
    ("headers", "with_token", "status"),
    [
        ({}, False, 403),
        ({"sec-fetch-site": "cross-site"}, True, 403),
        ({"sec-fetch-site": "same-site"}, True, 403),
        ({"origin": "https://evil.example"}, True, 403),
        ({"origin": "null"}, True, 403),
        ({"sec-fetch-site": "same-origin"}, True, 200),
        ({"origin": "http://testserver"}, True, 200),
    ],
)
def test_a_post_needs_the_sessions_token_and_this_site(
    client: TestClient,
    staff_account: StaffLogin,
    headers: dict[str, str],
    with_token: bool,
    status: int,
) -> None:
    csrf = sign_in(client, staff_account.email, STAFF_PASSWORD)
    data = {"csrf": csrf} if with_token else {"csrf": "x" * len(csrf)}
    answer = client.post("/henkilosto/koetin", data=data, headers=headers)
    assert answer.status_code == status
    if status == 403:
        assert "Lomake hylättiin" in answer.text and '<html lang="fi">' in answer.text


def test_the_sign_in_form_needs_its_own_token(
    client: TestClient, staff_account: StaffLogin
) -> None:
    data = {"email": staff_account.email, "password": STAFF_PASSWORD}
    refused = client.post("/henkilosto/kirjaudu", data=data, follow_redirects=False)
    assert refused.status_code == 403 and SESSION_COOKIE not in client.cookies
    token = form_token(client)
    cross = client.post(
        "/henkilosto/kirjaudu",
        data={**data, "csrf": token},
        headers={"sec-fetch-site": "cross-site"},
        follow_redirects=False,
    )
    assert cross.status_code == 403 and SESSION_COOKIE not in client.cookies
    assert f'value="{staff_account.email}"' in cross.text


def test_the_request_log_names_the_staff_member_and_never_the_path(
    client: TestClient, staff_account: StaffLogin, caplog: pytest.LogCaptureFixture
) -> None:
    sign_in(client, staff_account.email, STAFF_PASSWORD)
    caplog.set_level(logging.INFO, logger="nimeamiset.web")
    client.get("/henkilosto/aseta-salasana/salainen-tunniste")
    client.get(PAGE)
    lines = [r.getMessage() for r in caplog.records if r.name == "nimeamiset.web"]
    assert any(
        line.startswith("GET /henkilosto/aseta-salasana/{token} 404") and line.endswith(" -")
        for line in lines
    )
    assert any(
        line.startswith(f"GET {PAGE} 200") and line.endswith(staff_account.email) for line in lines
    )
    assert "salainen-tunniste" not in caplog.text
