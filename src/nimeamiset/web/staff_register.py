"""The organisation register (``Organisaatiot``): every organisation a round has asked, with its
registry office's address and language, and a page to correct one (coordinators only)."""

from __future__ import annotations

from fastapi import APIRouter, Depends, HTTPException, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from nimeamiset.db import session_scope
from nimeamiset.services.events import Actor
from nimeamiset.services.organisations import (
    LANGUAGE_NAMES,
    OrganisationNotFound,
    OrganisationRefused,
    RegisterEntry,
    get_organisation,
    list_organisations,
    update_organisation,
)
from nimeamiset.web.auth import CoordinatorDep, StaffDep, current_staff, guard_staff_route
from nimeamiset.web.deps import RuntimeDep, render
from nimeamiset.web.forms import FormDep
from nimeamiset.web.staff_action_pages import CSRF, Done
from nimeamiset.web.staff_fields import MAX_TYPED

router = APIRouter(
    prefix="/henkilosto", dependencies=[Depends(current_staff), Depends(guard_staff_route)]
)

REGISTER = "/henkilosto/organisaatiot"
EDIT = "Muokkaa organisaatiota"
LABELS = {"name": "Nimi", "email": "Kirjaamon sähköposti", "language": "Kieli"}


@router.get("/organisaatiot", response_class=HTMLResponse)
def register_page(request: Request, rt: RuntimeDep, person: StaffDep) -> Response:
    with session_scope(rt.engine) as session:
        entries = list_organisations(session)
    return render(request, "staff_register.html", {"entries": entries}, lang="fi")


def _edit_page(
    request: Request,
    entry: RegisterEntry,
    values: dict[str, str],
    errors: dict[str, str] | None = None,
) -> Response:
    context = {
        "round": None,
        "o": None,
        "heading": EDIT,
        "back": REGISTER,
        "back_label": "Organisaatiot",
        "form_path": request.url.path,
        "entry": entry,
        "values": values,
        "errors": errors or {},
        "labels": LABELS,
        "problem": "",
        "language_choices": [
            (code, name.capitalize(), "") for code, name in LANGUAGE_NAMES.items()
        ],
    }
    return render(
        request, "staff_register_edit.html", context, lang="fi", status_code=422 if errors else 200
    )


def _entry(rt: RuntimeDep, organisation_id: str) -> RegisterEntry:
    if not organisation_id.isdigit() or len(organisation_id) > 9:
        raise HTTPException(404)
    with session_scope(rt.engine) as session:
        try:
            return get_organisation(session, int(organisation_id))
        except OrganisationNotFound:
            raise HTTPException(404) from None


@router.get("/organisaatiot/{organisation_id}", response_class=HTMLResponse)
def edit_page(
    request: Request, organisation_id: str, rt: RuntimeDep, person: CoordinatorDep
) -> Response:
    entry = _entry(rt, organisation_id)
    values = {"name": entry.name, "email": entry.email, "language": entry.language}
    return _edit_page(request, entry, values)


@router.post("/organisaatiot/{organisation_id}", response_class=HTMLResponse, dependencies=CSRF)
def edit(
    request: Request, organisation_id: str, rt: RuntimeDep, person: CoordinatorDep, data: FormDep
) -> Response:
    entry = _entry(rt, organisation_id)
    values = {key: data.get(key, "")[:MAX_TYPED] for key in LABELS}
    try:
        with session_scope(rt.engine) as session:
            update_organisation(
                session,
                entry.id,
                name=values["name"],
                email=values["email"],
                language=values["language"],
                actor=Actor.staff(person.email),
                now=rt.now(),
            )
    except OrganisationRefused as exc:
        return _edit_page(request, entry, values, exc.errors)
    return RedirectResponse(f"{REGISTER}?tehty={Done.ORGANISATION}", status_code=303)
