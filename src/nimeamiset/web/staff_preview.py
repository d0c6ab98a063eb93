"""Preview a round's invitation as a chosen organisation will receive it (``Esikatsele``), and
send that message to oneself as a test (``Lähetä testiviesti``).

The page shows the headers, the text part, and the HTML part in a sandboxed frame. The HTML
part is served at a URL of its own with a policy of its own: a ``srcdoc`` frame would inherit
the staff pages' policy (``style-src 'self'``), which drops the inline styles every email
relies on, so it would not look as it does in a mail client. Its own policy allows those
styles and nothing else: no scripts, no fetching, no forms, framed by these pages only.
"""

from __future__ import annotations

from fastapi import APIRouter, BackgroundTasks, HTTPException, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from nimeamiset.db import session_scope
from nimeamiset.domain.status import ROUND_STATE_FI
from nimeamiset.models import Round
from nimeamiset.runtime import Runtime
from nimeamiset.services.events import Actor
from nimeamiset.services.previews import (
    InvitationPreview,
    Recipient,
    RequestNotInRound,
    preview_invitation,
    recipients,
    send_test_message,
)
from nimeamiset.services.work import RoundNotFound, round_work
from nimeamiset.web.auth import CoordinatorDep, StaffDep, record_access
from nimeamiset.web.delivery import deliver_now
from nimeamiset.web.deps import RuntimeDep, render
from nimeamiset.web.forms import FormDep
from nimeamiset.web.staff_action_pages import CSRF

router = APIRouter()

PREVIEW = "/{round_id}/esikatselu"
SENT = "testiviesti"  # ?tehty= after a test send
# The HTML part's own policy: its inline styles and data: images, nothing else; and a
# sandbox (a unique origin, no scripts) even when opened outside the frame.
MESSAGE_CSP = (
    "default-src 'none'; style-src 'unsafe-inline'; img-src data:; base-uri 'none'; "
    "form-action 'none'; frame-ancestors 'self'; sandbox"
)


def _chosen(choices: list[Recipient], asked: str) -> Recipient | None:
    by_id = {str(r.request_id): r for r in choices}
    return by_id.get(asked.strip()) or (choices[0] if choices else None)


def _load(
    rt: Runtime, round_id: str, asked: str
) -> tuple[Round, list[Recipient], InvitationPreview | None]:
    with session_scope(rt.engine) as session:
        round_ = session.get(Round, round_id)
        if round_ is None:
            raise HTTPException(404)
        choices = recipients(session, round_id)
        chosen = _chosen(choices, asked)
        preview = None
        if chosen is not None:
            preview = preview_invitation(
                session, rt.mail, round_id, chosen.request_id, now=rt.now()
            )
        session.expunge(round_)
    return round_, choices, preview


@router.get(PREVIEW, response_class=HTMLResponse)
def preview_page(
    request: Request, round_id: str, rt: RuntimeDep, person: StaffDep, organisaatio: str = ""
) -> Response:
    round_, choices, preview = _load(rt, round_id, organisaatio)
    record_access(rt, request, person, "view", request.url.path, round_id=round_id)
    return render(
        request,
        "staff_preview.html",
        {
            "round": round_,
            "state_label": ROUND_STATE_FI.get(round_.state, round_.state),
            "choices": choices,
            "preview": preview,
            "sent": request.query_params.get("tehty") == SENT,
        },
        lang="fi",
    )


@router.get(PREVIEW + "/viesti.html")
def preview_html_part(
    round_id: str, rt: RuntimeDep, person: StaffDep, organisaatio: str = ""
) -> Response:
    """The HTML part alone, for the preview's frame."""
    _, _, preview = _load(rt, round_id, organisaatio)
    if preview is None:
        raise HTTPException(404)
    return HTMLResponse(preview.html, headers={"Content-Security-Policy": MESSAGE_CSP})


@router.post(PREVIEW + "/testiviesti", dependencies=CSRF)
def send_test(
    round_id: str,
    rt: RuntimeDep,
    person: CoordinatorDep,
    data: FormDep,
    background: BackgroundTasks,
) -> Response:
    """The previewed message, marked as a test, to the signed-in person's own address."""
    asked = data.get("organisaatio", "").strip()
    if not asked.isdigit() or len(asked) > 9:
        raise HTTPException(404)
    try:
        with (
            session_scope(rt.engine) as session,
            round_work(session, round_id, actor=Actor.staff(person.email), now=rt.now()) as work,
        ):
            send_test_message(work, rt.mail, int(asked), to=person.email, to_name=person.name)
    except (RoundNotFound, RequestNotInRound):
        raise HTTPException(404) from None
    background.add_task(deliver_now(rt, round_id))
    return RedirectResponse(
        f"/henkilosto/{round_id}/esikatselu?organisaatio={asked}&tehty={SENT}", status_code=303
    )
