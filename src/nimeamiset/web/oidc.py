"""Single sign-on with the council's OpenID Connect provider (when NIMEAMISET_OIDC_* are set).

The authorization code flow with PKCE (S256), ``state`` and ``nonce``; the three wait in a
short-lived cookie signed with the secret key. The ID token is checked (the provider's keys,
issuer, audience, expiry, nonce), and a person gets in only when an active staff account has
the token's email and the provider says that email is verified. The account decides the role.
"""

from __future__ import annotations

import base64
import json
import logging
import re
import secrets
import time
from dataclasses import dataclass, field
from typing import Any, cast

from authlib.integrations.httpx_client import OAuth2Client, OAuthError
from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response
from joserfc import jwt
from joserfc.errors import JoseError
from joserfc.jwk import KeySet

from nimeamiset.db import session_scope
from nimeamiset.runtime import Runtime
from nimeamiset.services.staff_accounts import active_account, record_attempt
from nimeamiset.web.auth import (
    StaffPerson,
    client_address,
    https_only,
    record_access,
    refusal,
    signed,
    tokens_equal,
)
from nimeamiset.web.deps import RuntimeDep
from nimeamiset.web.signin import local_next, signed_in_redirect

log = logging.getLogger("nimeamiset.web")

START_PATH = "/henkilosto/kirjaudu/oidc"
CALLBACK_PATH = "/henkilosto/kirjaudu/oidc/paluu"
STATE_COOKIE = "nimeamiset_oidc"
STATE_VALID_SECONDS = 600
METADATA_MAX_AGE = 3600.0
SIGNING_ALGORITHMS = ("RS256", "RS384", "RS512", "PS256", "PS384", "PS512", "ES256", "ES384")
HTTP_TIMEOUT = 10.0

router = APIRouter()


class SignOnFailed(Exception):
    """The provider's answer could not be used; the message is for the log, not the page."""


@dataclass
class _Provider:
    metadata: dict[str, Any]
    fetched_at: float
    keys: dict[str, Any] = field(default_factory=dict)


_providers: dict[str, _Provider] = {}  # by issuer: discovery and keys, fetched on first use


def _issuer(rt: Runtime) -> str:
    assert rt.settings.oidc_issuer is not None
    return str(rt.settings.oidc_issuer).rstrip("/")


def _client(rt: Runtime) -> OAuth2Client:
    s = rt.settings
    assert s.oidc_client_secret is not None
    return OAuth2Client(
        client_id=s.oidc_client_id,
        client_secret=s.oidc_client_secret.get_secret_value(),
        scope="openid email profile",
        redirect_uri=f"{s.public_base_url}{CALLBACK_PATH}",
        code_challenge_method="S256",
        timeout=HTTP_TIMEOUT,
    )


def _provider(rt: Runtime, client: OAuth2Client, *, fresh_keys: bool = False) -> _Provider:
    issuer = _issuer(rt)
    known = _providers.get(issuer)
    if known is None or time.monotonic() - known.fetched_at > METADATA_MAX_AGE:
        answer = client.request(
            "GET", f"{issuer}/.well-known/openid-configuration", withhold_token=True
        )
        answer.raise_for_status()
        metadata = answer.json()
        if str(metadata.get("issuer", "")).rstrip("/") != issuer:
            raise SignOnFailed("the discovery document names another issuer")
        known = _providers[issuer] = _Provider(metadata, time.monotonic())
        fresh_keys = True
    if fresh_keys:
        answer = client.request("GET", known.metadata["jwks_uri"], withhold_token=True)
        answer.raise_for_status()
        known.keys = answer.json()
    return known


def _seal(rt: Runtime, data: dict[str, str]) -> str:
    body = base64.urlsafe_b64encode(json.dumps(data).encode()).decode()
    return f"{body}.{signed(rt, 'oidc', body)}"


def _unseal(rt: Runtime, value: str | None) -> dict[str, str] | None:
    if not value or "." not in value:
        return None
    body, mac = value.rsplit(".", 1)
    if not tokens_equal(mac, signed(rt, "oidc", body)):
        return None
    data = json.loads(base64.urlsafe_b64decode(body))
    if not isinstance(data, dict) or time.time() - float(data["at"]) > STATE_VALID_SECONDS:
        return None
    return cast(dict[str, str], data)


@router.get(START_PATH)
def start(request: Request, rt: RuntimeDep) -> Response:
    """Send the browser to the provider, with what is needed to check its answer kept in a
    signed cookie."""
    state, nonce, verifier = (secrets.token_urlsafe(32) for _ in range(3))
    try:
        with _client(rt) as client:
            endpoint = _provider(rt, client).metadata["authorization_endpoint"]
            url, _ = client.create_authorization_url(
                endpoint, state=state, nonce=nonce, code_verifier=verifier
            )
    except Exception as exc:  # the provider unreachable or misconfigured
        log.error("single sign-on unavailable: %s", type(exc).__name__)
        return _unavailable(request)
    response = RedirectResponse(url, status_code=303)
    saved = {
        "state": state,
        "nonce": nonce,
        "verifier": verifier,
        "next": local_next(request.query_params.get("seuraava")),
        "at": str(time.time()),
    }
    response.set_cookie(
        STATE_COOKIE,
        _seal(rt, saved),
        max_age=STATE_VALID_SECONDS,
        path=START_PATH,
        secure=https_only(request, rt),
        httponly=True,
        samesite="lax",  # sent on the provider's top-level redirect back
    )
    return response


def _verified_claims(rt: Runtime, client: OAuth2Client, code: str, saved: dict[str, str]) -> Any:
    provider = _provider(rt, client)
    tokens = client.fetch_token(
        provider.metadata["token_endpoint"],
        grant_type="authorization_code",
        code=code,
        code_verifier=saved["verifier"],
    )
    id_token = tokens.get("id_token")
    if not id_token:
        raise SignOnFailed("no ID token in the answer")
    try:
        try:
            decoded = jwt.decode(
                id_token, KeySet.import_key_set(cast(Any, provider.keys)), SIGNING_ALGORITHMS
            )
        except JoseError:  # perhaps rotated keys: fetch them once more
            provider = _provider(rt, client, fresh_keys=True)
            decoded = jwt.decode(
                id_token, KeySet.import_key_set(cast(Any, provider.keys)), SIGNING_ALGORITHMS
            )
        jwt.JWTClaimsRegistry(
            leeway=60,
            iss={"essential": True, "value": provider.metadata["issuer"]},
            aud={"essential": True, "value": rt.settings.oidc_client_id or ""},
            sub={"essential": True},
            exp={"essential": True},
            iat={"essential": True},
            nonce={"essential": True, "value": saved["nonce"]},
        ).validate(decoded.claims)
    except JoseError as exc:
        raise SignOnFailed(f"ID token refused: {type(exc).__name__}") from None
    claims = dict(decoded.claims)
    audience = claims["aud"]
    if isinstance(audience, list) and len(audience) > 1 and claims.get("azp") != client.client_id:
        raise SignOnFailed("ID token for several audiences, not authorised for us")
    if "email" not in claims and provider.metadata.get("userinfo_endpoint"):
        info = client.get(provider.metadata["userinfo_endpoint"]).json()
        if info.get("sub") == claims["sub"]:
            claims.update({k: info[k] for k in ("email", *VERIFIED_CLAIMS) if k in info})
    return claims


VERIFIED_CLAIMS = ("email_verified", "xms_edov")


@router.get(CALLBACK_PATH)
def callback(request: Request, rt: RuntimeDep) -> Response:
    saved = _unseal(rt, request.cookies.get(STATE_COOKIE))
    params = request.query_params
    if saved is None or not tokens_equal(params.get("state"), saved["state"]):
        log.warning("single sign-on answer refused: no or wrong state")
        return _refused(request, rt, "", "Kirjautuminen vanhentui. Aloita alusta.")
    if "error" in params or not params.get("code"):
        answer = re.sub(r"[^A-Za-z0-9_.-]", "?", params.get("error", "no code"))[:60]
        log.warning("single sign-on: the provider answered %s", answer)
        return _refused(request, rt, "", "Kirjautuminen organisaation tunnuksella ei onnistunut.")
    try:
        with _client(rt) as client:
            claims = _verified_claims(rt, client, params["code"], saved)
    except (SignOnFailed, OAuthError) as exc:  # OAuthError: the provider refused the code
        log.warning("single sign-on failed: %s", exc)
        return _refused(request, rt, "", "Kirjautuminen organisaation tunnuksella ei onnistunut.")
    except Exception as exc:
        log.error("single sign-on failed: %s", type(exc).__name__)
        return _unavailable(request)
    email = claims.get("email")
    # Microsoft Entra ID sends no email_verified; its optional claim xms_edov ("email domain
    # owner verified") says the same. An unverified email never lets anyone in (nOAuth).
    verified = any(claims.get(claim) in (True, "true", 1, "1") for claim in VERIFIED_CLAIMS)
    account = None
    if isinstance(email, str) and verified:
        with session_scope(rt.engine) as session:
            account = active_account(session, email)
    if account is None:
        shown = email if isinstance(email, str) else ""
        return _refused(
            request,
            rt,
            shown,
            "Tunnuksellasi ei ole henkilöstötiliä tässä palvelussa, tai tili on poistettu "
            "käytöstä. Pyydä tiliä ylläpidolta.",
        )
    response = signed_in_redirect(request, rt, account.id, saved["next"])
    response.delete_cookie(STATE_COOKIE, path=START_PATH)
    record_access(rt, request, StaffPerson.of(account), "sign_in", "oidc")
    return response


def _refused(request: Request, rt: Runtime, email: str, message: str) -> Response:
    """A refusal page, and an access log row naming whom the provider vouched for, if anyone."""
    with session_scope(rt.engine) as session:
        record_attempt(
            session,
            action="sign_in_refused",
            email=email,
            source=client_address(request),
            now=rt.now(),
            target="oidc",
        )
    response = refusal(request, 403, "Kirjautuminen ei onnistunut", message, sign_in=True)
    response.delete_cookie(STATE_COOKIE, path=START_PATH)
    return response


def _unavailable(request: Request) -> Response:
    return refusal(
        request,
        503,
        "Kertakirjautuminen ei ole nyt käytettävissä",
        "Organisaation tunnistuspalveluun ei saatu yhteyttä. Kirjaudu salasanalla tai yritä "
        "hetken kuluttua uudelleen.",
        sign_in=True,
    )
