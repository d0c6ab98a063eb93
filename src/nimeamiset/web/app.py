"""``create_app(settings)``: the FastAPI application, built only when asked for."""

from __future__ import annotations

import logging
import time
from collections.abc import Awaitable, Callable

from fastapi import FastAPI, Request
from fastapi.responses import HTMLResponse, PlainTextResponse, Response
from fastapi.staticfiles import StaticFiles

from nimeamiset.config import Settings
from nimeamiset.runtime import Runtime, build_runtime
from nimeamiset.services.replies import LinkNotValid, TooManyReplies
from nimeamiset.web import (
    auth,
    capture_view,
    oidc,
    reply,
    signin,
    staff,
    staff_actions,
    staff_drafts,
    staff_register,
)
from nimeamiset.web.deps import make_templates, pick_language, render

log = logging.getLogger("nimeamiset.web")

SECURITY_HEADERS = {
    "Content-Security-Policy": "default-src 'self'; img-src 'self' data:; style-src 'self'; "
    "frame-src 'self'; frame-ancestors 'self'; form-action 'self'",
    "Referrer-Policy": "no-referrer",  # personal links must not leak through Referer
    "X-Content-Type-Options": "nosniff",
    "Cache-Control": "no-store",
}


MAX_FORM_BYTES = 256 * 1024
"""A reply form with every seat filled is a few kilobytes; nothing an organisation sends
needs more. Staff pages take a distribution list file (2 MB) besides their fields."""
MAX_STAFF_BYTES = 3 * 1024 * 1024


def _too_large(request: Request) -> Response | None:
    """Refuse a body larger than the page could need before any of it is read (a personal
    link's form must not make the app read hundreds of megabytes)."""
    declared = request.headers.get("content-length")
    if declared is None or not declared.isdigit():
        return None
    limit = MAX_STAFF_BYTES if request.url.path.startswith("/henkilosto") else MAX_FORM_BYTES
    if int(declared) <= limit:
        return None
    return PlainTextResponse(
        "Lähetys on liian suuri. / Inlämningen är för stor. / The request is too large.",
        status_code=413,
    )


def create_app(settings: Settings | None = None, runtime: Runtime | None = None) -> FastAPI:
    rt = runtime or build_runtime(settings)
    app = FastAPI(title="nimeamiset", docs_url=None, redoc_url=None, openapi_url=None)
    app.state.runtime = rt
    app.state.templates = make_templates(str(rt.settings.templates_dir / "web"))
    app.mount(
        "/static",
        StaticFiles(directory=rt.settings.templates_dir / "web" / "static"),
        name="static",
    )
    app.include_router(reply.router)
    app.add_exception_handler(LinkNotValid, reply.invalid_link)
    app.add_exception_handler(TooManyReplies, reply.too_many)
    # Sign-in routes first: the staff router's /henkilosto/{round_id} would match them too.
    app.include_router(signin.router)
    if rt.settings.oidc_enabled:
        app.include_router(oidc.router)
    auth.install(app)
    app.include_router(staff_drafts.router)  # before staff: /henkilosto/uusi is no round
    app.include_router(staff_register.router)  # before staff: /henkilosto/organisaatiot
    app.include_router(staff.router)
    app.include_router(staff_actions.router)
    app.include_router(capture_view.router)

    @app.middleware("http")
    async def headers_and_log(
        request: Request, call_next: Callable[[Request], Awaitable[Response]]
    ) -> Response:
        started = time.perf_counter()
        too_large = _too_large(request)
        response = too_large if too_large is not None else await call_next(request)
        for key, value in SECURITY_HEADERS.items():
            response.headers.setdefault(key, value)
        # Log the route's pattern, never the path itself: it carries personal link tokens.
        route = request.scope.get("route")
        person = getattr(request.state, "staff", None)
        log.info(
            "%s %s %d %.0fms %s",
            request.method,
            getattr(route, "path", "-"),
            response.status_code,
            (time.perf_counter() - started) * 1000,
            person.email if person is not None else "-",
        )
        return response

    @app.get("/", response_class=HTMLResponse)
    def home(request: Request) -> Response:
        return render(
            request,
            "home.html",
            {"capture": rt.settings.mail_capture_dir is not None},
            lang=pick_language(request, "fi"),
        )

    @app.get("/healthz")
    def healthz() -> dict[str, str]:
        return {"status": "ok"}

    @app.exception_handler(404)
    async def not_found(request: Request, _exc: Exception) -> Response:
        return render(
            request, "not_found.html", {}, lang=pick_language(request, "fi"), status_code=404
        )

    return app
