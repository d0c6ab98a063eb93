"""The staff workspace: rounds, where each stands, each organisation's history, the round's
events, the roster downloads and (for coordinators) the access log. Only for signed-in staff
(:mod:`nimeamiset.web.auth`); every view of personal data and every download is logged."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Any

from fastapi import APIRouter, Depends, HTTPException, Query, Request
from fastapi.responses import HTMLResponse, Response
from sqlmodel import col, select

from nimeamiset.db import session_scope
from nimeamiset.domain.status import ROUND_STATE_FI, StatusFilter
from nimeamiset.domain.timefmt import format_date, format_datetime, format_meeting
from nimeamiset.exports import FORMATS, MEDIA_TYPES, export
from nimeamiset.exports.content import balance_texts
from nimeamiset.launching import launch_status
from nimeamiset.models import RosterVersion, Round
from nimeamiset.services.history import (
    RequestNotFound,
    access_log,
    organisation_history,
    round_events,
)
from nimeamiset.services.roster import VersionNotFound, load_roster
from nimeamiset.services.rounds import RoundNotFound
from nimeamiset.services.status import round_status
from nimeamiset.web.auth import (
    CoordinatorDep,
    StaffDep,
    StaffPerson,
    current_staff,
    guard_staff_route,
    record_access,
)
from nimeamiset.web.deps import RuntimeDep, render

router = APIRouter(
    prefix="/henkilosto", dependencies=[Depends(current_staff), Depends(guard_staff_route)]
)


def _when(moment: datetime | None) -> str:
    """``27.3.2024 klo 9.05``, or nothing."""
    return format_datetime(moment) if moment is not None else ""


def _day(day: date | None) -> str:
    return format_date(day) if day is not None else ""


def _number(text: str) -> int | None:
    return int(text) if text.isdigit() and len(text) < 10 else None


def _page(
    request: Request, person: StaffPerson, template: str, context: dict[str, Any]
) -> HTMLResponse:
    """A staff page: the signed-in person and the form token for the header's sign-out."""
    full = {
        "staff": person,
        "csrf": getattr(request.state, "csrf", ""),
        "when": _when,
        "day": _day,
        **context,
    }
    return render(request, template, full, lang="fi")


@router.get("", response_class=HTMLResponse)
def rounds_index(request: Request, rt: RuntimeDep, person: StaffDep) -> Response:
    with session_scope(rt.engine) as session:
        rounds = session.exec(select(Round).order_by(col(Round.created_at).desc())).all()
        items = [
            {
                "id": r.id,
                "body": r.body,
                "deadline": format_date(r.deadline),
                "state": ROUND_STATE_FI.get(r.state, r.state),
            }
            for r in rounds
        ]
    return _page(request, person, "staff_rounds.html", {"rounds": items})


@router.get("/kayttoloki", response_class=HTMLResponse)
def access_log_page(
    request: Request, rt: RuntimeDep, person: CoordinatorDep, henkilo: str = "", sivu: str = ""
) -> Response:
    with session_scope(rt.engine) as session:
        log = access_log(session, email=henkilo.strip() or None, page_number=_number(sivu))
    record_access(rt, request, person, "view", request.url.path)
    return _page(request, person, "staff_access_log.html", {"log": log, "chosen": henkilo})


@router.get("/{round_id}", response_class=HTMLResponse)
def round_page(
    request: Request, round_id: str, rt: RuntimeDep, person: StaffDep, nayta: str = ""
) -> Response:
    chosen = StatusFilter(nayta) if nayta in tuple(StatusFilter) else None
    with session_scope(rt.engine) as session:
        try:
            status = round_status(session, round_id, now=rt.now())
        except RoundNotFound:
            raise HTTPException(404) from None
        versions = [
            {"version": v.version, "assembled": format_datetime(v.assembled_at), "reason": v.reason}
            for v in session.exec(
                select(RosterVersion)
                .where(RosterVersion.round_id == round_id)
                .order_by(col(RosterVersion.version).desc())
            )
        ]
        balance = [text.sentence for text in balance_texts(load_roster(session, round_id))]
    launch = launch_status(rt, round_id)  # asks Prefect: outside the database session
    record_access(rt, request, person, "view", request.url.path, round_id=round_id)
    return _page(
        request,
        person,
        "staff_round.html",
        {
            "status": status,
            "filters": list(StatusFilter),
            "chosen": chosen,
            "shown": status.filtered(chosen),
            "filter_counts": status.filter_counts(),
            "meeting": format_meeting(status.meeting_start, status.meeting_end, "fi"),
            "versions": versions,
            "balance": balance,
            "launch": launch,
        },
    )


@router.get("/{round_id}/organisaatiot/{request_id}", response_class=HTMLResponse)
def organisation_page(
    request: Request, round_id: str, request_id: int, rt: RuntimeDep, person: StaffDep
) -> Response:
    with session_scope(rt.engine) as session:
        try:
            history = organisation_history(session, round_id, request_id, now=rt.now())
        except (RoundNotFound, RequestNotFound):
            raise HTTPException(404) from None
    record_access(rt, request, person, "view", request.url.path, round_id=round_id)
    seats = max([len(v.seats) for v in history.replies] + [0])
    return _page(
        request,
        person,
        "staff_organisation.html",
        {"history": history, "o": history.organisation, "seat_numbers": range(1, seats + 1)},
    )


@router.get("/{round_id}/tapahtumat", response_class=HTMLResponse)
def events_page(
    request: Request,
    round_id: str,
    rt: RuntimeDep,
    person: StaffDep,
    organisaatio: str = "",
    henkilo: str = "",
    sivu: str = "",
) -> Response:
    request_id = _number(organisaatio)
    with session_scope(rt.engine) as session:
        try:
            log = round_events(
                session,
                round_id,
                request_id=request_id,
                actor=henkilo or None,
                page_number=_number(sivu),
            )
        except RoundNotFound:
            raise HTTPException(404) from None
    record_access(rt, request, person, "view", request.url.path, round_id=round_id)
    return _page(
        request,
        person,
        "staff_events.html",
        {"log": log, "request_id": request_id, "actor": henkilo},
    )


@router.get("/{round_id}/kokoonpano.{fmt}")
def roster_download(
    request: Request,
    round_id: str,
    fmt: str,
    rt: RuntimeDep,
    person: StaffDep,
    versio: Annotated[int | None, Query(ge=1, le=1_000_000)] = None,
) -> Response:
    if fmt not in FORMATS:
        raise HTTPException(404)
    with session_scope(rt.engine) as session:
        try:
            roster = load_roster(session, round_id, versio)
        except (RoundNotFound, VersionNotFound):
            raise HTTPException(404) from None
    suffix = f"-v{roster.version}" if roster.version else ""
    target = request.url.path + (f"?versio={versio}" if versio is not None else "")
    record_access(rt, request, person, "export", target, round_id=round_id)
    return Response(
        export(roster, fmt),
        media_type=MEDIA_TYPES[fmt],
        headers={
            "Content-Disposition": f'attachment; filename="kokoonpano-{round_id}{suffix}.{fmt}"'
        },
    )
