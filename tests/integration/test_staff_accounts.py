"""Staff accounts: password hashes, one-time set-up links (service and pages), on SQLite and
PostgreSQL."""

from __future__ import annotations

import unicodedata
from collections.abc import Iterator
from datetime import timedelta
from typing import Any

import pytest
from fastapi.testclient import TestClient

from nimeamiset.db import session_scope
from nimeamiset.models import StaffAccount
from nimeamiset.runtime import Runtime
from nimeamiset.services.staff_accounts import (
    DuplicateEmail,
    WeakPassword,
    add_account,
    authenticate,
    hash_password,
    list_accounts,
    set_active,
)
from nimeamiset.web.app import create_app
from tests.conftest import LAUNCH_TIME, STAFF_PASSWORD, StaffLogin, at, sign_in

NEW_PASSWORD = "Tämä on uusi salasana ☀"


def new_account(rt: Runtime, email: str = "uusi@paijat-hame.example.fi") -> str:
    """An account without a password; returns its set-up link's token."""
    with session_scope(rt.engine) as session:
        _, token = add_account(
            session, email=email, name="Uusi Työntekijä", role="viewer", now=rt.now()
        )
    assert token is not None
    return token


@pytest.fixture
def client(runtime: Runtime) -> Iterator[TestClient]:
    with TestClient(create_app(runtime=runtime)) as c:
        yield c


def choose(client: TestClient, token: str, password: str, again: str | None = None) -> Any:
    path = f"/henkilosto/aseta-salasana/{token}"
    page = client.get(path)
    csrf = page.text.split('name="csrf" value="', 1)[1].split('"', 1)[0]
    data = {"password": password, "password2": password if again is None else again}
    return client.post(path, data={**data, "csrf": csrf}, follow_redirects=False)


def test_passwords_are_argon2_and_match_however_the_letters_were_composed(
    runtime: Runtime, staff_account: StaffLogin
) -> None:
    assert hash_password(STAFF_PASSWORD).startswith("$argon2id$")
    decomposed = unicodedata.normalize("NFD", STAFF_PASSWORD)
    assert decomposed != STAFF_PASSWORD
    with session_scope(runtime.engine) as session:
        stored = session.get(StaffAccount, staff_account.id)
        assert stored is not None and STAFF_PASSWORD not in (stored.password_hash or "")
        assert authenticate(session, staff_account.email.upper(), decomposed) is not None
        assert authenticate(session, staff_account.email, STAFF_PASSWORD + " ") is None


def test_a_password_needs_twelve_characters_of_any_kind() -> None:
    with pytest.raises(WeakPassword, match="12"):
        hash_password("lyhyt salas")  # 11
    hash_password("e\u0301" * 12)  # 24 code points typed, 12 letters é: enough
    hash_password("🙂" * 12)
    with pytest.raises(WeakPassword):
        hash_password("e\u0301" * 11)


def test_an_email_is_one_account_whatever_its_case(runtime: Runtime) -> None:
    new_account(runtime, "Anna.Aalto@Paijat-Hame.example.fi")
    with session_scope(runtime.engine) as session, pytest.raises(DuplicateEmail):
        add_account(
            session,
            email="anna.aalto@paijat-hame.example.fi",
            name="Anna",
            role="viewer",
            now=runtime.now(),
        )
    with session_scope(runtime.engine) as session:
        (account,) = list_accounts(session)
    assert account.email == "anna.aalto@paijat-hame.example.fi" and not account.has_password


def test_a_set_up_link_sets_the_password_once(runtime: Runtime, client: TestClient) -> None:
    token = new_account(runtime)
    page = client.get(f"/henkilosto/aseta-salasana/{token}")
    assert page.status_code == 200 and "uusi@paijat-hame.example.fi" in page.text
    assert '<label for="password">Uusi salasana</label>' in page.text
    assert '<label for="password2">Uusi salasana uudelleen</label>' in page.text

    done = choose(client, token, NEW_PASSWORD)
    assert done.status_code == 303
    assert done.headers["location"] == "/henkilosto/kirjaudu?asetettu=1"
    assert "Salasana on asetettu." in client.get("/henkilosto/kirjaudu?asetettu=1").text
    sign_in(client, "uusi@paijat-hame.example.fi", NEW_PASSWORD)

    again = client.get(f"/henkilosto/aseta-salasana/{token}")
    assert again.status_code == 404 and "Linkki ei ole voimassa" in again.text


def test_the_set_password_form_shows_errors_beside_the_fields(
    runtime: Runtime, client: TestClient
) -> None:
    token = new_account(runtime)
    short = choose(client, token, "lyhyt")
    assert short.status_code == 422
    assert 'id="password-error"' in short.text and "vähintään 12 merkkiä" in short.text
    differ = choose(client, token, NEW_PASSWORD, NEW_PASSWORD + "!")
    assert differ.status_code == 422
    assert 'id="password2-error"' in differ.text and "Salasanat eivät ole samat." in differ.text
    assert choose(client, token, NEW_PASSWORD).status_code == 303


def test_a_set_up_link_lasts_24_hours(runtime: Runtime) -> None:
    token = new_account(runtime)
    path = f"/henkilosto/aseta-salasana/{token}"
    day = timedelta(hours=24)
    with TestClient(create_app(runtime=at(runtime, LAUNCH_TIME + day - timedelta(seconds=1)))) as c:
        assert c.get(path).status_code == 200
    with TestClient(create_app(runtime=at(runtime, LAUNCH_TIME + day))) as c:
        assert c.get(path).status_code == 404
        late = c.post(path, data={"password": NEW_PASSWORD, "password2": NEW_PASSWORD})
        assert late.status_code == 404


def test_a_disabled_accounts_set_up_link_is_dead(runtime: Runtime, client: TestClient) -> None:
    token = new_account(runtime)
    with session_scope(runtime.engine) as session:
        set_active(session, "uusi@paijat-hame.example.fi", active=False, now=runtime.now())
    assert client.get(f"/henkilosto/aseta-salasana/{token}").status_code == 404


def test_attempts_sent_all_at_once_cannot_slip_past_the_limit_together(
    runtime: Runtime, staff_account: StaffLogin
) -> None:
    """Each attempt is recorded before it is checked, so ten guesses arriving together see
    each other: no more than the five allowed get their password checked."""
    import threading

    from nimeamiset.services.staff_accounts import (
        FAILURES_ALLOWED,
        begin_attempt,
        blocked_until,
        finish_attempt,
    )

    recorded = threading.Barrier(10)
    checked: list[bool] = []

    def guess() -> None:
        with session_scope(runtime.engine) as session:
            attempt = begin_attempt(
                session, email=staff_account.email, source="203.0.113.7", now=runtime.now()
            )
            recorded.wait(10)  # the worst case: all recorded before any is checked
            until = blocked_until(
                session,
                source="203.0.113.7",
                email=staff_account.email,
                now=runtime.now(),
                attempt_id=attempt,
            )
            checked.append(until is None)
            finish_attempt(
                session, attempt, action="sign_in_throttled" if until else "sign_in_failed"
            )

    threads = [threading.Thread(target=guess) for _ in range(10)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    assert len(checked) == 10
    assert checked.count(True) <= FAILURES_ALLOWED
