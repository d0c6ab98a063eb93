"""A round made in the browser: ``Uusi kierros`` (every field of the round file and its
distribution list), a draft's ``Muokkaa``, ``Jakelulista`` and ``Poista luonnos``, and
``Kopioi kierros`` of any round. For coordinators; every POST with the session's form token.

A form with errors comes back with status 422, each message next to its field, listed at the
top, and every value as typed; nothing is saved until all of it is right. An action that does
not fit the round's state (a launched round is no longer a draft) is refused with 409.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from fastapi import APIRouter, Depends, HTTPException, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from nimeamiset.db import session_scope
from nimeamiset.domain import distribution
from nimeamiset.domain.roundfile import RoundFileError, RoundSpec
from nimeamiset.domain.states import RoundState
from nimeamiset.domain.timefmt import format_datetime
from nimeamiset.models import Round
from nimeamiset.runtime import Runtime
from nimeamiset.services.drafts import (
    check_spec,
    copy_round,
    dates_pending,
    delete_draft,
    spec_of_round,
    update_draft,
)
from nimeamiset.services.events import Actor
from nimeamiset.services.organisations import RegisterEntry, list_organisations
from nimeamiset.services.rounds import create_round
from nimeamiset.services.work import STATE_FI, RoundWork
from nimeamiset.web import round_form as form
from nimeamiset.web.auth import CoordinatorDep, current_staff, guard_staff_route
from nimeamiset.web.deps import RuntimeDep, render
from nimeamiset.web.staff_action_pages import CSRF, Done, Refused, act, page_url
from nimeamiset.web.staff_fields import day_value

router = APIRouter(
    prefix="/henkilosto", dependencies=[Depends(current_staff), Depends(guard_staff_route)]
)

NEW = "Uusi kierros"
EDIT = "Muokkaa"
LIST = "Jakelulista"
DELETE = "Poista luonnos"
COPY = "Kopioi kierros"
NEW_VALUES = {"reminders": "7, 2, -1", "assemble_days_before": "7"}


@dataclass(frozen=True)
class Head:
    """The round a page is about, as its heading shows it."""

    id: str
    body: str
    state: str

    @property
    def draft(self) -> bool:
        return self.state == RoundState.DRAFT

    @property
    def not_draft(self) -> str:
        """Why a draft's action cannot be done, or ``""``."""
        if self.draft:
            return ""
        return f"Kierros on {STATE_FI.get(self.state, self.state)}: vain luonnosta voi muuttaa."


def _head(rt: Runtime, round_id: str) -> Head:
    with session_scope(rt.engine) as session:
        round_ = session.get(Round, round_id)
        if round_ is None:
            raise HTTPException(404)
        return Head(round_.id, round_.body, round_.state)


def _register(rt: Runtime) -> list[RegisterEntry]:
    with session_scope(rt.engine) as session:
        return list_organisations(session)


def _page(
    request: Request,
    template: str,
    heading: str,
    head: Head | None,
    *,
    status_code: int = 200,
    **context: Any,
) -> HTMLResponse:
    """A page in the layout of the staff actions (``staff_action.html``)."""
    full = {
        "round": head,
        "o": None,
        "heading": heading,
        "back": page_url(head.id) if head else "/henkilosto",
        "back_label": head.body if head else "Kierrokset",
        "form_path": request.url.path,
        "values": {},
        "errors": {},
        "labels": {**form.LABELS, **form.LIST_LABELS},
        "problem": "",
        "blocked": "",
        "day": day_value,
        "when": format_datetime,
        **context,
    }
    full["errors"] = form.in_form_order(full["errors"])
    return render(request, template, full, lang="fi", status_code=status_code)


def _form_page(
    request: Request, heading: str, head: Head | None, *, status_code: int = 200, **context: Any
) -> HTMLResponse:
    defaults = {
        "chosen": [],
        "rows": {},
        "ticked": [],
        "register": [],
        "file_lost": False,
        "copied_from": "",
        "organisation_count": 0,
    }
    context = {**defaults, **context}
    return _page(
        request,
        "staff_round_form.html",
        heading,
        head,
        status_code=status_code,
        settings=form.SETTINGS,
        settings_hints=form.SETTINGS_HINTS,
        **context,
    )


def _checked(data: dict[str, Any], errors: dict[str, str]) -> tuple[RoundSpec | None, form.Found]:
    """The schema's word on the round: the spec, or its problems placed on the form."""
    try:
        return check_spec(data), form.Found(errors)
    except RoundFileError as exc:
        return None, form.problem_errors(exc.problems, errors)


# --- a new round --------------------------------------------------------------------------------


@router.get("/uusi", response_class=HTMLResponse)
def new_page(request: Request, rt: RuntimeDep, person: CoordinatorDep) -> Response:
    return _form_page(request, NEW, None, values=dict(NEW_VALUES), register=_register(rt))


@router.post("/uusi", response_class=HTMLResponse, dependencies=CSRF)
def create(
    request: Request, rt: RuntimeDep, person: CoordinatorDep, posted: form.PostedDep
) -> Response:
    register = _register(rt)
    data, errors = form.read_round(posted)
    reading = form.read_list(posted, register)
    data["organisations"] = reading.items
    spec, found = _checked(data, errors)
    form.list_problems(reading, found.on_list)
    if spec is not None and not found.errors and not reading.errors:
        try:
            with session_scope(rt.engine) as session:
                round_ = create_round(session, spec, actor=Actor.staff(person.email), now=rt.now())
            return RedirectResponse(f"{page_url(round_.id)}?tehty={Done.DRAFT}", status_code=303)
        except RoundFileError as exc:
            found = form.problem_errors(exc.problems, errors)
    return _form_page(
        request,
        NEW,
        None,
        status_code=422,
        values=form.typed_values(posted),
        chosen=posted.lists.get("settings", []),
        errors={**found.errors, **reading.errors},
        problem=" ".join(found.whole),
        rows=reading.rows,
        register=register,
        ticked=posted.lists.get(form.LIST_REGISTER, []),
        file_lost=posted.file_data is not None,
    )


# --- a draft's fields ---------------------------------------------------------------------------


def _edit_context(rt: Runtime, head: Head) -> dict[str, Any]:
    with session_scope(rt.engine) as session:
        spec = spec_of_round(session, head.id)
        source = dates_pending(session, head.id)
    return {
        "spec": spec,
        "organisation_count": len(distribution.names(spec["organisations"])),
        "copied_from": source or "",
        "blocked": head.not_draft,
    }


@router.get("/{round_id}/muokkaa", response_class=HTMLResponse)
def edit_page(request: Request, round_id: str, rt: RuntimeDep, person: CoordinatorDep) -> Response:
    head = _head(rt, round_id)
    context = _edit_context(rt, head)
    spec = context["spec"]
    return _form_page(
        request,
        EDIT,
        head,
        values=form.values_of(spec),
        chosen=form.chosen_settings(spec),
        **context,
    )


@router.post("/{round_id}/muokkaa", response_class=HTMLResponse, dependencies=CSRF)
def edit(
    request: Request, round_id: str, rt: RuntimeDep, person: CoordinatorDep, posted: form.PostedDep
) -> Response:
    head = _head(rt, round_id)
    context = _edit_context(rt, head)
    data, errors = form.read_round(posted)
    data.update(id=round_id, organisations=context["spec"]["organisations"])
    spec, found = _checked(data, errors)
    problem = " ".join(found.on_list + found.whole)
    if spec is not None and not found.errors:
        try:
            act(rt, person, round_id, lambda work: _update(work, spec, Done.EDITED))
            return RedirectResponse(f"{page_url(round_id)}?tehty={Done.EDITED}", status_code=303)
        except RoundFileError as exc:
            found = form.problem_errors(exc.problems, errors)
        except Refused as exc:
            problem = str(exc)
    return _form_page(
        request,
        EDIT,
        head,
        status_code=409 if problem and not found.errors else 422,
        values=form.typed_values(posted),
        chosen=posted.lists.get("settings", []),
        errors=found.errors,
        **{**context, "problem": problem},
    )


def _update(work: RoundWork, spec: RoundSpec, done: Done) -> Done:
    update_draft(work, spec, dates_checked=done is Done.EDITED)
    return done


# --- the distribution list ----------------------------------------------------------------------


def _list_page(
    request: Request, rt: RuntimeDep, head: Head, *, status_code: int = 200, **context: Any
) -> HTMLResponse:
    with session_scope(rt.engine) as session:
        items = spec_of_round(session, head.id)["organisations"]
        register = list_organisations(session)
    context.setdefault("values", {form.LIST_TEXT: distribution.as_rows(items)})
    context.setdefault("rows", {})
    context.setdefault("ticked", [])
    context.setdefault("file_lost", False)
    return _page(
        request,
        "staff_distribution.html",
        LIST,
        head,
        status_code=status_code,
        items=items,
        register=register,
        blocked=head.not_draft,
        **context,
    )


@router.get("/{round_id}/jakelulista", response_class=HTMLResponse)
def list_page(request: Request, round_id: str, rt: RuntimeDep, person: CoordinatorDep) -> Response:
    return _list_page(request, rt, _head(rt, round_id))


@router.post("/{round_id}/jakelulista", response_class=HTMLResponse, dependencies=CSRF)
def replace_list(
    request: Request, round_id: str, rt: RuntimeDep, person: CoordinatorDep, posted: form.PostedDep
) -> Response:
    head = _head(rt, round_id)
    reading = form.read_list(posted, _register(rt))
    problem = ""
    if not reading.errors:
        with session_scope(rt.engine) as session:
            data = {**spec_of_round(session, round_id), "organisations": reading.items}
        spec, found = _checked(data, {})
        form.list_problems(reading, found.on_list)
        problem = " ".join([*found.errors.values(), *found.whole])
        if spec is not None:
            try:
                act(rt, person, round_id, lambda work: _update(work, spec, Done.LIST))
                return RedirectResponse(f"{page_url(round_id)}?tehty={Done.LIST}", status_code=303)
            except Refused as exc:
                problem = str(exc)
    return _list_page(
        request,
        rt,
        head,
        status_code=422 if reading.errors else 409,
        values={form.LIST_TEXT: posted.fields.get(form.LIST_TEXT, "")[:400_000]},
        errors=reading.errors,
        rows=reading.rows,
        ticked=posted.lists.get(form.LIST_REGISTER, []),
        file_lost=posted.file_data is not None,
        problem=problem,
    )


# --- deleting a draft, copying a round ----------------------------------------------------------


def _confirm_page(
    request: Request, heading: str, head: Head, explain: list[str], **context: Any
) -> HTMLResponse:
    return _page(request, "staff_action_confirm.html", heading, head, explain=explain, **context)


def _delete_explain(head: Head) -> list[str]:
    return [
        f"Luonnos {head.body} poistetaan jakelulistoineen. Poistoa ei voi perua.",
        "Luonnoksen tapahtumat jäävät tapahtumalokiin.",
    ]


@router.get("/{round_id}/poista", response_class=HTMLResponse)
def delete_page(
    request: Request, round_id: str, rt: RuntimeDep, person: CoordinatorDep
) -> Response:
    head = _head(rt, round_id)
    return _confirm_page(request, DELETE, head, _delete_explain(head), blocked=head.not_draft)


@router.post("/{round_id}/poista", response_class=HTMLResponse, dependencies=CSRF)
def delete(request: Request, round_id: str, rt: RuntimeDep, person: CoordinatorDep) -> Response:
    def change(work: RoundWork) -> Done:
        delete_draft(work)
        return Done.DELETED

    try:
        act(rt, person, round_id, change)
    except Refused as exc:
        fresh = _head(rt, round_id)
        return _confirm_page(
            request, DELETE, fresh, _delete_explain(fresh), problem=str(exc), status_code=409
        )
    return RedirectResponse(f"/henkilosto?tehty={Done.DELETED}", status_code=303)


COPY_EXPLAIN = [
    "Kierroksesta tehdään uusi luonnos: sama pyyntökirje, allekirjoittaja ja yhteyshenkilö, "
    "jakelulista paikkoineen ja yhteisine paikkoineen sekä muistutukset ja muut asetukset.",
    "Päivämäärät ovat aluksi tämän kierroksen: aseta uusi määräaika ja kokouksen aika "
    "luonnoksen muokkaussivulla ennen käynnistämistä. Tähän kierrokseen kopiointi ei vaikuta.",
]


@router.get("/{round_id}/kopioi", response_class=HTMLResponse)
def copy_page(request: Request, round_id: str, rt: RuntimeDep, person: CoordinatorDep) -> Response:
    return _confirm_page(request, COPY, _head(rt, round_id), COPY_EXPLAIN)


@router.post("/{round_id}/kopioi", response_class=HTMLResponse, dependencies=CSRF)
def copy(request: Request, round_id: str, rt: RuntimeDep, person: CoordinatorDep) -> Response:
    head = _head(rt, round_id)
    try:
        with session_scope(rt.engine) as session:
            new = copy_round(session, round_id, actor=Actor.staff(person.email), now=rt.now())
    except RoundFileError as exc:
        why = " ".join(p.message for p in exc.problems)
        problem = f"Kierrosta ei kopioitu: {why}"
        return _confirm_page(request, COPY, head, COPY_EXPLAIN, problem=problem, status_code=409)
    return RedirectResponse(f"{page_url(new.id)}/muokkaa", status_code=303)
