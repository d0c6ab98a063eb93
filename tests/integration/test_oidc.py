"""Single sign-on against a real OpenID Connect provider (oidc-provider-mock) on 127.0.0.1:
the authorization code flow with PKCE, state and nonce, driven as a browser would."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from datetime import timedelta
from urllib.parse import parse_qs, quote, urlsplit

import httpx2
import pytest
from fastapi.testclient import TestClient
from pydantic import AnyHttpUrl, SecretStr
from sqlmodel import col, select
from werkzeug.serving import make_server

from nimeamiset.db import session_scope
from nimeamiset.models import AccessLogEntry
from nimeamiset.runtime import Runtime
from nimeamiset.services.staff_accounts import session_account, set_active
from nimeamiset.web.app import create_app
from nimeamiset.web.auth import SESSION_COOKIE
from tests.conftest import StaffLogin


@pytest.fixture
def provider() -> Iterator[str]:
    """The provider's issuer URL; it lets any client in and asks which user to be."""
    import oidc_provider_mock  # here, where pytest's warning filters apply

    server = make_server("127.0.0.1", 0, oidc_provider_mock.app(require_nonce=True), threaded=True)
    thread = threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    thread.join(timeout=5)
    server.server_close()


@pytest.fixture
def sso(runtime: Runtime, provider: str) -> Runtime:
    settings = runtime.settings.model_copy(
        update={
            "oidc_issuer": AnyHttpUrl(provider),
            "oidc_client_id": "nimeamiset",
            "oidc_client_secret": SecretStr("asiakkaan-salaisuus"),
        }
    )
    return Runtime(
        settings=settings, engine=runtime.engine, mail=runtime.mail, sender=runtime.sender
    )


@pytest.fixture
def client(sso: Runtime) -> Iterator[TestClient]:
    with TestClient(create_app(runtime=sso), follow_redirects=False) as c:
        yield c


def person_at_provider(
    provider: str, email: str, *, verified: bool = True, claim: str = "email_verified"
) -> None:
    claims = {"email": email, claim: verified, "name": "Kaisa K"}
    answer = httpx2.put(f"{provider}/users/{quote(email)}", json=claims)
    assert answer.status_code == 204


def sign_on(client: TestClient, provider: str, sub: str) -> httpx2.Response:
    """Start on our sign-in page, choose the user at the provider, come back."""
    page = client.get("/henkilosto/kirjaudu?seuraava=/henkilosto/testiryhma")
    assert 'href="/henkilosto/kirjaudu/oidc?seuraava=/henkilosto/testiryhma"' in page.text
    assert "Kirjaudu organisaation tunnuksella" in page.text
    start = client.get("/henkilosto/kirjaudu/oidc?seuraava=/henkilosto/testiryhma")
    assert start.status_code == 303
    authorize = start.headers["location"]
    asked = parse_qs(urlsplit(authorize).query)
    assert authorize.startswith(f"{provider}/")
    assert asked["code_challenge_method"] == ["S256"] and asked["nonce"] and asked["state"]
    assert asked["redirect_uri"] == ["http://testserver/henkilosto/kirjaudu/oidc/paluu"]
    chosen = httpx2.post(authorize, data={"sub": sub})
    assert chosen.status_code == 302, chosen.text
    back = urlsplit(chosen.headers["location"])
    assert back.path == "/henkilosto/kirjaudu/oidc/paluu"
    return client.get(f"{back.path}?{back.query}")


def access_log(rt: Runtime) -> list[tuple[str, str, str]]:
    with session_scope(rt.engine) as session:
        rows = session.exec(select(AccessLogEntry).order_by(col(AccessLogEntry.id))).all()
        return [(r.action, r.staff_email, r.target) for r in rows]


def test_a_known_email_signs_on(
    sso: Runtime, client: TestClient, provider: str, staff_account: StaffLogin
) -> None:
    person_at_provider(provider, staff_account.email.upper())
    done = sign_on(client, provider, staff_account.email.upper())
    assert done.status_code == 303 and done.headers["location"] == "/henkilosto/testiryhma"
    token = client.cookies[SESSION_COOKIE]
    with session_scope(sso.engine) as session:
        live = session_account(session, token, now=sso.now(), idle=timedelta(minutes=60))
    assert live is not None and live[0].email == staff_account.email
    assert access_log(sso)[-1] == ("sign_in", staff_account.email, "oidc")


def test_an_email_without_an_account_is_refused(
    sso: Runtime, client: TestClient, provider: str, staff_account: StaffLogin
) -> None:
    person_at_provider(provider, "vieras@example.fi")
    refused = sign_on(client, provider, "vieras@example.fi")
    assert refused.status_code == 403
    assert "Tunnuksellasi ei ole henkilöstötiliä" in refused.text
    assert SESSION_COOKIE not in client.cookies
    assert access_log(sso)[-1] == ("sign_in_refused", "vieras@example.fi", "oidc")


def test_an_unverified_email_or_a_disabled_account_is_refused(
    sso: Runtime, client: TestClient, provider: str, staff_account: StaffLogin
) -> None:
    person_at_provider(provider, staff_account.email, verified=False)
    assert sign_on(client, provider, staff_account.email).status_code == 403
    person_at_provider(provider, staff_account.email)
    with session_scope(sso.engine) as session:
        set_active(session, staff_account.email, active=False, now=sso.now())
    assert sign_on(client, provider, staff_account.email).status_code == 403
    assert SESSION_COOKIE not in client.cookies


def test_an_answer_without_our_state_is_refused(
    client: TestClient, provider: str, staff_account: StaffLogin
) -> None:
    person_at_provider(provider, staff_account.email)
    start = client.get("/henkilosto/kirjaudu/oidc")
    chosen = httpx2.post(start.headers["location"], data={"sub": staff_account.email})
    back = urlsplit(chosen.headers["location"])
    code = parse_qs(back.query)["code"][0]
    forged = client.get(f"{back.path}?code={code}&state=toinen")
    assert forged.status_code == 403 and SESSION_COOKIE not in client.cookies
    client.cookies.clear()  # another browser, without the state cookie
    assert client.get(f"{back.path}?{back.query}").status_code == 403


def test_entra_ids_domain_verified_claim_counts_as_verified(
    sso: Runtime, client: TestClient, provider: str, staff_account: StaffLogin
) -> None:
    """Microsoft Entra ID sends no email_verified, but the optional claim xms_edov."""
    person_at_provider(provider, staff_account.email, claim="xms_edov")
    assert sign_on(client, provider, staff_account.email).status_code == 303
    client.cookies.clear()
    person_at_provider(provider, staff_account.email, verified=False, claim="xms_edov")
    assert sign_on(client, provider, staff_account.email).status_code == 403
