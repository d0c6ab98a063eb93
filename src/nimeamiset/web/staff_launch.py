"""Launch a round from the staff pages (``Käynnistä kierros``), and how its launch run stands.

The page says how many organisations get mail; its button creates a run of the Prefect
deployment ``launch-round`` (:mod:`nimeamiset.launching`) and goes back to the round page,
which shows the run's state and the invitations sent and waiting. When no Prefect API
answers, the page says so (503) and nothing is launched or changed.
"""

from __future__ import annotations

from fastapi import APIRouter, HTTPException, Request
from fastapi.responses import HTMLResponse, JSONResponse, RedirectResponse, Response

from nimeamiset.db import session_scope
from nimeamiset.launching import (
    PrefectUnavailable,
    launch_status,
    read_run_state,
    request_launch,
)
from nimeamiset.models import Round
from nimeamiset.runtime import Runtime
from nimeamiset.services.events import Actor
from nimeamiset.services.launches import LaunchRefused
from nimeamiset.services.work import RoundNotFound
from nimeamiset.web.auth import CoordinatorDep, StaffDep
from nimeamiset.web.deps import RuntimeDep
from nimeamiset.web.staff_action_pages import CSRF, Target, load, page, page_url

router = APIRouter()

HEADING = "Käynnistä kierros"
LAUNCHED = "kaynnista"  # ?tehty= on the round page


def _explain(target: Target) -> list[str]:
    count = len(target.status.organisations)
    return [
        f"Pyyntö lähetetään {count} organisaatiolle.",
        "Jokainen organisaatio saa oman henkilökohtaisen linkkinsä, ja muistutukset lähtevät "
        "kierroksen aikataulun mukaan. Käynnistystä ei voi perua.",
        "Lähetyksen tekee ajopalvelu (Prefect). Kierroksen sivulla näkyy, miten se etenee.",
    ]


def _blocked(rt: Runtime, target: Target) -> str:
    """Why the round cannot be launched now, or "" (a run whose state Prefect does not tell
    does not block: the button then says whether Prefect answers)."""
    if target.status.state != "draft":
        return f"Kierros on jo käynnistetty (tila: {target.status.state_label})."
    if not target.status.organisations:
        return "Jakelulistalla ei ole organisaatioita: lisää ne ensin."
    with session_scope(rt.engine) as session:
        round_ = session.get(Round, target.status.id)
        run_id = round_.launch_run_id if round_ is not None else None
    if run_id:
        try:
            state = read_run_state(run_id)
        except PrefectUnavailable:
            return ""
        if not state.final:
            return (
                f"Käynnistys on jo pyydetty, ja ajo on kesken (tila: {state.label.lower()}). "
                "Seuraa sitä kierroksen sivulta."
            )
    return ""


def _page(
    request: Request, rt: Runtime, target: Target, *, problem: str = "", status_code: int = 200
) -> Response:
    return page(
        request,
        target,
        "staff_action_confirm.html",
        HEADING,
        status_code=status_code,
        explain=_explain(target),
        blocked="" if problem else _blocked(rt, target),
        problem=problem,
    )


@router.get("/{round_id}/kaynnista", response_class=HTMLResponse)
def launch_page(
    request: Request, round_id: str, rt: RuntimeDep, person: CoordinatorDep
) -> Response:
    return _page(request, rt, load(rt, round_id))


@router.post("/{round_id}/kaynnista", response_class=HTMLResponse, dependencies=CSRF)
def launch(request: Request, round_id: str, rt: RuntimeDep, person: CoordinatorDep) -> Response:
    target = load(rt, round_id)
    try:
        request_launch(rt, round_id, actor=Actor.staff(person.email), requested_by=person.id)
    except RoundNotFound:
        raise HTTPException(404) from None
    except PrefectUnavailable as exc:
        return _page(request, rt, target, problem=exc.not_launched, status_code=503)
    except LaunchRefused as exc:
        problem = f"Kierrosta ei käynnistetty: {exc}."
        return _page(request, rt, load(rt, round_id), problem=problem, status_code=409)
    return RedirectResponse(f"{page_url(round_id)}?tehty={LAUNCHED}#kaynnistys", status_code=303)


@router.get("/{round_id}/kaynnistys.json")
def launch_state(round_id: str, rt: RuntimeDep, person: StaffDep) -> Response:
    """The launch run's state and the invitations' counts, for the round page's script to
    poll. Not in the access log: it holds no personal data, and it is asked every few
    seconds while the page is open (the page view itself is logged)."""
    try:
        status = launch_status(rt, round_id)
    except RoundNotFound:
        raise HTTPException(404) from None
    if status is None:
        return JSONResponse({"state": None, "final": True, "text": "", "hint": ""})
    return JSONResponse(status.as_json())
