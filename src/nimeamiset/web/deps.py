"""Shared pieces of the routers: the runtime, page rendering, the language choice."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import Depends, Request
from fastapi.responses import HTMLResponse
from fastapi.templating import Jinja2Templates
from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape

from nimeamiset.domain.text import without_controls
from nimeamiset.runtime import Runtime
from nimeamiset.web.texts import LANGUAGE_NAMES, translate


def make_templates(directory: str) -> Jinja2Templates:
    env = Environment(
        loader=FileSystemLoader(directory),
        autoescape=select_autoescape(enabled_extensions=("html",), default_for_string=True),
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    return Jinja2Templates(env=env)


def get_runtime(request: Request) -> Runtime:
    runtime: Runtime = request.app.state.runtime
    return runtime


RuntimeDep = Annotated[Runtime, Depends(get_runtime)]


def pick_language(request: Request, default: str) -> str:
    asked = request.query_params.get("kieli", "")
    return asked if asked in LANGUAGE_NAMES else (default if default in LANGUAGE_NAMES else "fi")


def render(
    request: Request,
    template: str,
    context: dict[str, Any],
    *,
    lang: str,
    status_code: int = 200,
) -> HTMLResponse:
    """Render a page. Every page gets ``staff`` (the signed-in staff member or None) and
    ``csrf`` (their session's form token, for ``<input type="hidden" name="csrf">``)."""
    templates: Jinja2Templates = request.app.state.templates
    full = {
        "t": translate(lang),
        "lang": lang,
        "languages": LANGUAGE_NAMES,
        "path": request.url.path,
        "staff": getattr(request.state, "staff", None),
        "csrf": getattr(request.state, "csrf", ""),
        **context,
    }
    return templates.TemplateResponse(request, template, full, status_code=status_code)


async def form_fields(request: Request) -> dict[str, str]:
    """The posted form's text fields. Read here, asynchronously, so that the handlers can be
    plain functions: FastAPI runs those in its thread pool, and their database work (which
    may wait for a lock) never stalls the event loop and every other visitor with it.
    Control characters are removed here, from every field of every form."""
    return {k: without_controls(v) for k, v in (await request.form()).items() if isinstance(v, str)}


FormDep = Annotated[dict[str, str], Depends(form_fields)]
