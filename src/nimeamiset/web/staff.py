"""The staff workspace: rounds, who has replied, the roster download. Only for signed-in staff
(:mod:`nimeamiset.web.auth`)."""

from __future__ import annotations

from datetime import datetime

from fastapi import APIRouter, Depends, HTTPException, Request
from fastapi.responses import HTMLResponse, Response
from sqlmodel import col, select

from nimeamiset.db import session_scope
from nimeamiset.domain.timefmt import format_date, format_datetime, format_meeting
from nimeamiset.exports import FORMATS, MEDIA_TYPES, export
from nimeamiset.exports.content import balance_texts
from nimeamiset.models import RosterVersion, Round
from nimeamiset.services.roster import VersionNotFound, load_roster
from nimeamiset.services.rounds import RoundNotFound
from nimeamiset.services.status import round_status
from nimeamiset.web.auth import current_staff, guard_staff_route
from nimeamiset.web.deps import RuntimeDep, render

router = APIRouter(
    prefix="/henkilosto", dependencies=[Depends(current_staff), Depends(guard_staff_route)]
)

STATE_FI = {
    "pending": "odottaa lähetystä",
    "invited": "pyydetty",
    "nominated": "nimetty",
    "declined": "ei nimeä",
}


@router.get("", response_class=HTMLResponse)
def rounds_index(request: Request, rt: RuntimeDep) -> Response:
    with session_scope(rt.engine) as session:
        rounds = session.exec(select(Round).order_by(col(Round.created_at).desc())).all()
        items = [
            {"id": r.id, "body": r.body, "deadline": format_date(r.deadline), "state": r.state}
            for r in rounds
        ]
    return render(request, "staff_rounds.html", {"rounds": items}, lang="fi")


@router.get("/{round_id}", response_class=HTMLResponse)
def round_page(request: Request, round_id: str, rt: RuntimeDep) -> Response:
    with session_scope(rt.engine) as session:
        try:
            status = round_status(session, round_id)
        except RoundNotFound:
            raise HTTPException(404) from None
        round_ = session.get(Round, round_id)
        assert round_ is not None
        meeting = format_meeting(round_.meeting_start, round_.meeting_end, "fi")
        versions = [
            {"version": v.version, "assembled": format_datetime(v.assembled_at), "reason": v.reason}
            for v in session.exec(
                select(RosterVersion)
                .where(RosterVersion.round_id == round_id)
                .order_by(col(RosterVersion.version).desc())
            )
        ]
        balance = [text.sentence for text in balance_texts(load_roster(session, round_id))]
    for organisation in status["organisations"]:
        organisation["state_fi"] = STATE_FI[organisation["state"]]
        replied = organisation["replied_at"]
        organisation["replied_fi"] = (
            format_datetime(datetime.fromisoformat(replied)) if replied else ""
        )
    return render(
        request,
        "staff_round.html",
        {
            "status": status,
            "deadline": format_date(round_.deadline),
            "meeting": meeting,
            "versions": versions,
            "balance": balance,
        },
        lang="fi",
    )


@router.get("/{round_id}/kokoonpano.{fmt}")
def roster_download(round_id: str, fmt: str, rt: RuntimeDep, versio: int | None = None) -> Response:
    if fmt not in FORMATS:
        raise HTTPException(404)
    with session_scope(rt.engine) as session:
        try:
            roster = load_roster(session, round_id, versio)
        except (RoundNotFound, VersionNotFound):
            raise HTTPException(404) from None
    suffix = f"-v{roster.version}" if roster.version else ""
    return Response(
        export(roster, fmt),
        media_type=MEDIA_TYPES[fmt],
        headers={
            "Content-Disposition": f'attachment; filename="kokoonpano-{round_id}{suffix}.{fmt}"'
        },
    )
