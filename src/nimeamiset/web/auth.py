"""Who is signed in to the staff pages, what they may do, and the guards of every staff form.

``current_staff`` reads the session cookie; a visitor without a live session is sent to the
sign-in page (GET, HEAD) or refused (anything else). ``require_coordinator`` refuses viewers.
``verify_csrf`` guards every state-changing request: the form's ``csrf`` field must equal the
session's token, and a request another site made the browser send is refused.
"""

from __future__ import annotations

import hashlib
import hmac
import logging
from dataclasses import dataclass
from datetime import timedelta
from typing import Annotated
from urllib.parse import quote, urlsplit

from fastapi import Depends, FastAPI, Request
from fastapi.responses import RedirectResponse, Response

from nimeamiset.db import session_scope
from nimeamiset.runtime import Runtime
from nimeamiset.services.staff_accounts import (
    SESSION_MAX_AGE,
    AccountView,
    log_access,
    session_account,
)
from nimeamiset.web.deps import RuntimeDep, render

log = logging.getLogger("nimeamiset.web")

SESSION_COOKIE = "nimeamiset_henkilosto"
COOKIE_PATH = "/henkilosto"
SIGN_IN_PATH = "/henkilosto/kirjaudu"
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


@dataclass(frozen=True)
class StaffPerson:
    id: int
    email: str
    name: str
    role: str

    @classmethod
    def of(cls, account: AccountView) -> StaffPerson:
        return cls(id=account.id, email=account.email, name=account.name, role=account.role)

    @property
    def can_act(self) -> bool:
        """Coordinators change things; viewers only look."""
        return self.role == "coordinator"


class NotSignedIn(Exception):
    """No live session: sign in first."""


class NotAllowed(Exception):
    """Signed in, but a viewer may not do this."""


class CsrfRefused(Exception):
    """A state-changing request without the session's form token, or from another site."""


def client_address(request: Request) -> str:
    return request.client.host[:64] if request.client else ""


def current_staff(request: Request, rt: RuntimeDep) -> StaffPerson:
    """The signed-in staff member (FastAPI dependency). Sets ``request.state.staff`` and
    ``request.state.csrf`` for the templates."""
    token = request.cookies.get(SESSION_COOKIE)
    if not token:
        raise NotSignedIn
    idle = timedelta(minutes=rt.settings.staff_session_idle_minutes)
    with session_scope(rt.engine) as session:
        found = session_account(session, token, now=rt.now(), idle=idle)
    if found is None:
        raise NotSignedIn
    account, csrf = found
    person = StaffPerson.of(account)
    request.state.staff = person
    request.state.csrf = csrf
    return person


StaffDep = Annotated[StaffPerson, Depends(current_staff)]


def require_coordinator(person: StaffDep) -> StaffPerson:
    """The signed-in coordinator (FastAPI dependency); a viewer gets a 403 page."""
    if not person.can_act:
        raise NotAllowed
    return person


CoordinatorDep = Annotated[StaffPerson, Depends(require_coordinator)]


def origin_of(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}".lower()


def same_site_request(request: Request, rt: Runtime) -> bool:
    """False when the browser says another site made it send this request: by
    ``Sec-Fetch-Site`` where the browser sends it, else by ``Origin``."""
    site = request.headers.get("sec-fetch-site")
    if site is not None:
        return site in ("same-origin", "none")
    origin = request.headers.get("origin")
    if origin is None:
        return True
    allowed = {
        origin_of(rt.settings.public_base_url),
        f"{request.url.scheme}://{request.headers.get('host', '')}".lower(),
    }
    return origin.rstrip("/").lower() in allowed


def tokens_equal(given: object, expected: str) -> bool:
    return isinstance(given, str) and hmac.compare_digest(given.encode(), expected.encode())


async def verify_csrf(request: Request, person: StaffDep, rt: RuntimeDep) -> None:
    """Dependency for every state-changing request of the staff pages: the form field
    ``csrf`` must be the session's token, and the request must not come from another site."""
    del person  # depended on so that the session (and its token) is read first
    if request.method in SAFE_METHODS:
        return
    if not same_site_request(request, rt):
        raise CsrfRefused
    form = await request.form()
    if not tokens_equal(form.get("csrf"), request.state.csrf):
        raise CsrfRefused


async def guard_staff_route(request: Request, person: StaffDep, rt: RuntimeDep) -> None:
    """A router-wide guard: anything but GET/HEAD/OPTIONS needs a coordinator and a valid
    form token. Routes still declare ``CoordinatorDep`` and ``verify_csrf`` themselves."""
    if request.method not in SAFE_METHODS:
        require_coordinator(person)
        await verify_csrf(request, person, rt)


def record_access(
    rt: Runtime,
    request: Request,
    person: StaffPerson | None,
    action: str,
    target: str,
    round_id: str | None = None,
) -> None:
    """Write one access log row (who viewed or exported what, when; never the content) in a
    short transaction of its own."""
    with session_scope(rt.engine) as session:
        log_access(
            session,
            now=rt.now(),
            email=person.email if person else "",
            action=action,
            target=target,
            round_id=round_id,
            source=client_address(request),
        )
        session.commit()


# --- cookies and signed values ---------------------------------------------------------------


def https_only(request: Request, rt: Runtime) -> bool:
    return request.url.scheme == "https" or rt.settings.public_base_url.startswith("https:")


def set_session_cookie(response: Response, request: Request, rt: Runtime, token: str) -> None:
    response.set_cookie(
        SESSION_COOKIE,
        token,
        max_age=int(SESSION_MAX_AGE.total_seconds()),
        path=COOKIE_PATH,
        secure=https_only(request, rt),
        httponly=True,
        samesite="lax",
    )


def clear_session_cookie(response: Response, request: Request, rt: Runtime) -> None:
    response.delete_cookie(
        SESSION_COOKIE, path=COOKIE_PATH, secure=https_only(request, rt), httponly=True
    )


def signed(rt: Runtime, purpose: str, value: str) -> str:
    """An HMAC of ``value`` under a key derived from the secret key for ``purpose``."""
    key = hmac.new(rt.mail.secret_key, f"staff:{purpose}".encode(), hashlib.sha256).digest()
    return hmac.new(key, value.encode(), hashlib.sha256).hexdigest()


# --- refusals ---------------------------------------------------------------------------------


def refusal(
    request: Request, status_code: int, title: str, message: str, *, sign_in: bool | None = None
) -> Response:
    """A Finnish page saying no; with a link to the sign-in page when ``sign_in`` (by default
    for 401)."""
    return render(
        request,
        "staff_refusal.html",
        {"title": title, "message": message, "sign_in": status_code == 401 or bool(sign_in)},
        lang="fi",
        status_code=status_code,
    )


async def not_signed_in(request: Request, _exc: Exception) -> Response:
    rt: Runtime = request.app.state.runtime
    if request.method in ("GET", "HEAD"):
        here = request.url.path + (f"?{request.url.query}" if request.url.query else "")
        response: Response = RedirectResponse(
            f"{SIGN_IN_PATH}?seuraava={quote(here, safe='/')}", status_code=303
        )
    else:
        response = refusal(
            request,
            401,
            "Et ole kirjautunut sisään",
            "Istuntosi on päättynyt tai et ole kirjautunut sisään. Kirjaudu sisään ja yritä "
            "uudelleen.",
        )
    if SESSION_COOKIE in request.cookies:
        clear_session_cookie(response, request, rt)
    return response


async def not_allowed(request: Request, _exc: Exception) -> Response:
    return refusal(
        request,
        403,
        "Ei oikeutta",
        "Sinulla on lukuoikeus: voit katsoa kierroksia, mutta et muuttaa niitä. Pyydä "
        "koordinaattorin oikeudet ylläpidolta.",
    )


async def csrf_refused(request: Request, _exc: Exception) -> Response:
    log.warning("staff form refused: no valid form token or another site's request")
    return refusal(
        request,
        403,
        "Lomake hylättiin",
        "Lomakkeen tarkiste puuttui tai oli vanhentunut, tai pyyntö tuli toiselta sivustolta. "
        "Palaa sivulle, lataa se uudelleen ja yritä uudestaan.",
    )


def install(app: FastAPI) -> None:
    """Register the refusal pages of the exceptions above."""
    app.add_exception_handler(NotSignedIn, not_signed_in)
    app.add_exception_handler(NotAllowed, not_allowed)
    app.add_exception_handler(CsrfRefused, csrf_refused)
