"""Signing in and out of the staff pages, and choosing a password through a set-up link.

The forms here are used before there is a session, so their CSRF token is a signed double
submit: a random value in a cookie of their own, and its HMAC under the secret key in the form.
"""

from __future__ import annotations

import logging
import secrets
import unicodedata
from typing import Any
from urllib.parse import urlsplit

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from nimeamiset.db import session_scope
from nimeamiset.domain.timefmt import local
from nimeamiset.runtime import Runtime
from nimeamiset.services.staff_accounts import (
    MIN_PASSWORD_LENGTH,
    SetupLinkNotValid,
    WeakPassword,
    authenticate,
    begin_attempt,
    blocked_until,
    checked_password,
    end_session,
    finish_attempt,
    normalise_email,
    redeem_setup_link,
    setup_link_account,
    start_session,
)
from nimeamiset.web.auth import (
    COOKIE_PATH,
    SESSION_COOKIE,
    SIGN_IN_PATH,
    StaffDep,
    clear_session_cookie,
    client_address,
    https_only,
    record_access,
    refusal,
    same_site_request,
    set_session_cookie,
    signed,
    tokens_equal,
    verify_csrf,
)
from nimeamiset.web.deps import FormDep, RuntimeDep, render

log = logging.getLogger("nimeamiset.web")
router = APIRouter(prefix="/henkilosto")

FORM_COOKIE = "nimeamiset_lomake"
SIGN_OUT_PATH = "/henkilosto/kirjaudu-ulos"
WRONG = "Sähköposti tai salasana on väärin."
STALE_FORM = (
    "Lomake oli vanhentunut tai tuli toiselta sivustolta. Tarkista tiedot ja lähetä uudelleen."
)


def local_next(value: str | None) -> str:
    """Where to go after signing in: a local path under /henkilosto, else /henkilosto."""
    if not value or not value.startswith("/") or value.startswith("//") or "\\" in value:
        return "/henkilosto"
    parts = urlsplit(value)
    if parts.scheme or parts.netloc or any(ord(c) < 33 for c in value):
        return "/henkilosto"
    if parts.path != "/henkilosto" and not parts.path.startswith("/henkilosto/"):
        return "/henkilosto"
    if parts.path.startswith(SIGN_IN_PATH):  # also sign-out and single sign-on
        return "/henkilosto"
    return value


def _form_cookie(request: Request) -> str | None:
    value = request.cookies.get(FORM_COOKIE, "")
    return value if 32 <= len(value) <= 64 else None


def _form_ok(request: Request, rt: Runtime, form: dict[str, str]) -> bool:
    value = _form_cookie(request)
    return (
        value is not None
        and same_site_request(request, rt)
        and tokens_equal(form.get("csrf"), signed(rt, "form", value))
    )


def _page(
    request: Request,
    rt: Runtime,
    template: str,
    context: dict[str, Any],
    status_code: int = 200,
    headers: dict[str, str] | None = None,
) -> Response:
    """A page with a pre-session form: its token in the form, its value in a cookie."""
    value = _form_cookie(request)
    new = value is None
    if value is None:
        value = secrets.token_urlsafe(32)
    response = render(
        request,
        template,
        {**context, "csrf": signed(rt, "form", value)},
        lang="fi",
        status_code=status_code,
    )
    if headers:
        response.headers.update(headers)
    if new:
        response.set_cookie(
            FORM_COOKIE,
            value,
            path=COOKIE_PATH,
            secure=https_only(request, rt),
            httponly=True,
            samesite="lax",
        )
    return response


def _sign_in_page(
    request: Request, rt: Runtime, status_code: int = 200, **context: Any
) -> Response:
    full = {
        "email": "",
        "error": None,
        "notice": None,
        "next": local_next(request.query_params.get("seuraava")),
        "oidc": rt.settings.oidc_enabled,
        **context,
    }
    headers = full.pop("headers", None)
    return _page(request, rt, "staff_signin.html", full, status_code, headers)


def signed_in_redirect(request: Request, rt: Runtime, account_id: int, to: str) -> Response:
    """Start a session for the account (ending the browser's earlier one) and send it on."""
    earlier = request.cookies.get(SESSION_COOKIE)
    with session_scope(rt.engine) as session:
        if earlier:
            end_session(session, earlier, now=rt.now())
        new = start_session(session, account_id, now=rt.now())
    response = RedirectResponse(local_next(to), status_code=303)
    set_session_cookie(response, request, rt, new.token)
    return response


@router.get("/kirjaudu", response_class=HTMLResponse)
def sign_in_form(request: Request, rt: RuntimeDep) -> Response:
    notice = None
    if "uloskirjattu" in request.query_params:
        notice = "Olet kirjautunut ulos."
    elif "asetettu" in request.query_params:
        notice = "Salasana on asetettu. Kirjaudu sisään sillä."
    return _sign_in_page(request, rt, notice=notice)


@router.post("/kirjaudu", response_class=HTMLResponse)
def sign_in(request: Request, rt: RuntimeDep, form: FormDep) -> Response:
    email = form.get("email", "").strip()[:320]
    target = local_next(form.get("seuraava"))
    if not _form_ok(request, rt, form):
        return _sign_in_page(request, rt, 403, email=email, error=STALE_FORM, next=target)
    now, source = rt.now(), client_address(request)
    with session_scope(rt.engine) as session:
        # Recorded before it is checked: parallel attempts see each other (see begin_attempt).
        attempt = begin_attempt(session, email=email, source=source, now=now)
        until = blocked_until(
            session, source=source, email=normalise_email(email), now=now, attempt_id=attempt
        )
        account = None if until else authenticate(session, email, form.get("password", ""))
        finish_attempt(
            session,
            attempt,
            action="sign_in_throttled"
            if until
            else "sign_in_failed"
            if account is None
            else "sign_in",
            target=SIGN_IN_PATH if account is None else "password",
        )
    if until is not None:
        log.warning("staff sign-in refused: too many failures (address %s)", source)
        message = (
            "Liian monta epäonnistunutta kirjautumisyritystä. Yritä uudelleen klo "
            f"{local(until):%H.%M}."
        )
        retry = str(max(1, int((until - now).total_seconds())))
        return _sign_in_page(
            request,
            rt,
            429,
            email=email,
            error=message,
            next=target,
            headers={"Retry-After": retry},
        )
    if account is None:
        log.warning("staff sign-in failed (address %s)", source)
        return _sign_in_page(request, rt, 401, email=email, error=WRONG, next=target)
    return signed_in_redirect(request, rt, account.id, target)


@router.post(SIGN_OUT_PATH.removeprefix("/henkilosto"), dependencies=[Depends(verify_csrf)])
def sign_out(request: Request, rt: RuntimeDep, person: StaffDep) -> Response:
    token = request.cookies.get(SESSION_COOKIE, "")
    with session_scope(rt.engine) as session:
        end_session(session, token, now=rt.now())
    record_access(rt, request, person, "sign_out", SIGN_OUT_PATH)
    response = RedirectResponse(f"{SIGN_IN_PATH}?uloskirjattu=1", status_code=303)
    clear_session_cookie(response, request, rt)
    return response


def _link_not_valid(request: Request) -> Response:
    return refusal(
        request,
        404,
        "Linkki ei ole voimassa",
        "Salasanan asetuslinkki on jo käytetty, vanhentunut (voimassa 24 tuntia) tai "
        "virheellinen. Pyydä uusi linkki ylläpidolta.",
    )


@router.get("/aseta-salasana/{token}", response_class=HTMLResponse)
def set_password_form(request: Request, token: str, rt: RuntimeDep) -> Response:
    with session_scope(rt.engine) as session:
        try:
            account = setup_link_account(session, token, now=rt.now())
        except SetupLinkNotValid:
            return _link_not_valid(request)
    return _page(request, rt, "staff_set_password.html", _password_context(account.email))


def _password_context(email: str, **errors: str) -> dict[str, Any]:
    return {"email": email, "errors": errors, "min_length": MIN_PASSWORD_LENGTH, "error": None}


@router.post("/aseta-salasana/{token}", response_class=HTMLResponse)
def set_password(request: Request, token: str, rt: RuntimeDep, form: FormDep) -> Response:
    with session_scope(rt.engine) as session:
        try:
            email = setup_link_account(session, token, now=rt.now()).email
        except SetupLinkNotValid:
            return _link_not_valid(request)
    if not _form_ok(request, rt, form):
        context = {**_password_context(email), "error": STALE_FORM}
        return _page(request, rt, "staff_set_password.html", context, 403)
    password, again = form.get("password", ""), form.get("password2", "")
    errors: dict[str, str] = {}
    try:
        password = checked_password(password)
    except WeakPassword:
        errors["password"] = f"Salasanassa on oltava vähintään {MIN_PASSWORD_LENGTH} merkkiä."
    if not errors and unicodedata.normalize("NFC", again) != password:
        errors["password2"] = "Salasanat eivät ole samat."
    if errors:
        context = _password_context(email, **errors)
        return _page(request, rt, "staff_set_password.html", context, 422)
    with session_scope(rt.engine) as session:
        try:
            redeem_setup_link(
                session, token, password, now=rt.now(), source=client_address(request)
            )
        except SetupLinkNotValid:
            return _link_not_valid(request)
    return RedirectResponse(f"{SIGN_IN_PATH}?asetettu=1", status_code=303)
