"""The organisation's reply form, reached through its personal link.

GET only shows; POST records."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, BackgroundTasks, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from sqlmodel import Session

from nimeamiset.db import session_scope
from nimeamiset.domain.timefmt import format_date, format_datetime, format_meeting, is_late
from nimeamiset.runtime import Runtime
from nimeamiset.services.joint_seats import SeatTaken
from nimeamiset.services.reminders import deadline_of
from nimeamiset.services.replies import (
    MAX_WEB_VERSIONS_PER_DAY,
    RequestView,
    submit_decline,
    submit_joint_answer,
    submit_nomination,
    view_request,
)
from nimeamiset.web.delivery import deliver_now
from nimeamiset.web.deps import RuntimeDep, pick_language, render
from nimeamiset.web.forms import (
    ROLES,
    FormDep,
    error_texts,
    field_id,
    parse_nomination,
    values_from_reply,
)
from nimeamiset.web.texts import translate

router = APIRouter(prefix="/n")


MAX_REASON = 2000


async def invalid_link(request: Request, _exc: Exception) -> Response:
    """For every route: the same page and status whatever the token was, nothing to probe."""
    return render(
        request, "invalid_link.html", {}, lang=pick_language(request, "fi"), status_code=404
    )


async def too_many(request: Request, _exc: Exception) -> Response:
    lang = pick_language(request, "fi")
    return render(
        request,
        "too_many.html",
        {"limit": MAX_WEB_VERSIONS_PER_DAY},
        lang=lang,
        status_code=429,
    )


def _form_context(view: RequestView, lang: str, rt: Runtime, token: str) -> dict[str, Any]:
    round_ = view.round
    deadline = deadline_of(round_, view.request)  # an organisation's own extension counts
    form_path = f"/n/{token}"
    return {
        # Forms post, and language links point, to the form's own address, also when the
        # page is re-rendered under a POST address after an error.
        "form_path": form_path,
        "switch_path": form_path,
        "organisation": view.organisation.name,
        "round": {
            "body": round_.body,
            "subject": round_.subject,
            "deadline": format_date(deadline),
            "meeting": format_meeting(round_.meeting_start, round_.meeting_end, lang),
            "meeting_place": round_.meeting_place,
            "contact": {
                "name": round_.contact_name,
                "title": round_.contact_title,
                "email": round_.contact_email,
                "phone": round_.contact_phone,
            },
        },
        "past_deadline": is_late(deadline, rt.now()),
        "replied": view.reply is not None,
        "declined": bool(view.reply and view.reply.declined),
        "replied_when": format_datetime(view.reply.submitted_at, lang) if view.reply else "",
        "seat_numbers": list(range(1, view.request.seats + 1)),
        "gender_required": round_.gender_balance,
        "holder": view.holder,
        "joint": view.request.joint_group is not None,
        "message": "",
        "message_error": "",
        "roles": [str(role) for role in ROLES],
        "field_id": field_id,
        "values": {},
        "errors": {},
        "reason": view.reply.decline_reason if view.reply and view.reply.declined else "",
        "reason_error": "",
    }


def _view(session: Session, rt: Runtime, token: str) -> RequestView:
    """The link's request, if the link still works now (see view_request)."""
    return view_request(session, token, now=rt.now(), days=rt.mail.link_days_after_meeting)


@router.get("/{token}", response_class=HTMLResponse)
def show_form(request: Request, token: str, rt: RuntimeDep) -> Response:
    with session_scope(rt.engine) as session:
        view = _view(session, rt, token)
    lang = pick_language(request, view.request.language)
    context = _form_context(view, lang, rt, token)
    if view.reply is not None and not view.reply.declined:
        context["values"] = values_from_reply(view.seats)
    return render(request, "reply_form.html", context, lang=lang)


@router.post("/{token}", response_class=HTMLResponse)
def post_nomination(
    request: Request, token: str, rt: RuntimeDep, background: BackgroundTasks, data: FormDep
) -> Response:
    with session_scope(rt.engine) as session:
        view = _view(session, rt, token)
        lang = pick_language(request, view.request.language)
        parsed = parse_nomination(
            data, view.request.seats, gender_required=view.round.gender_balance
        )
        if parsed.errors:
            context = _form_context(view, lang, rt, token)
            context.update(values=parsed.values, errors=error_texts(parsed.errors, lang))
            return render(request, "reply_form.html", context, lang=lang, status_code=422)
        try:
            submit_nomination(session, rt.mail, token, parsed.seats, now=rt.now())
        except SeatTaken:
            # Another organisation of the joint seat was first: show whom, keep nothing typed.
            session.rollback()
            context = _form_context(
                _view(session, rt, token),
                lang,
                rt,
                token,
            )
            return render(request, "reply_form.html", context, lang=lang, status_code=409)
    background.add_task(deliver_now(rt, view.round.id))
    return RedirectResponse(f"/n/{token}/kiitos?kieli={lang}", status_code=303)


@router.post("/{token}/kieltaytyminen", response_class=HTMLResponse)
def post_decline(
    request: Request, token: str, rt: RuntimeDep, background: BackgroundTasks, data: FormDep
) -> Response:
    reason = data.get("reason", "")
    with session_scope(rt.engine) as session:
        view = _view(session, rt, token)
        lang = pick_language(request, view.request.language)
        cleaned = reason.strip()
        if not cleaned or len(cleaned) > MAX_REASON:
            context = _form_context(view, lang, rt, token)
            context.update(reason=reason[:5000], reason_error=translate(lang)["err_reason"])
            return render(request, "reply_form.html", context, lang=lang, status_code=422)
        submit_decline(session, rt.mail, token, cleaned, now=rt.now())
    background.add_task(deliver_now(rt, view.round.id))
    return RedirectResponse(f"/n/{token}/kiitos?kieli={lang}", status_code=303)


@router.post("/{token}/yhteinen-paikka", response_class=HTMLResponse)
def post_joint_answer(
    request: Request, token: str, rt: RuntimeDep, background: BackgroundTasks, data: FormDep
) -> Response:
    """A joint seat filled by another organisation: confirm it, or ask staff to change it."""
    agree = data.get("answer") == "confirm"
    message = data.get("message", "")
    with session_scope(rt.engine) as session:
        view = _view(session, rt, token)
        lang = pick_language(request, view.request.language)
        if view.holder is None:
            return RedirectResponse(f"/n/{token}?kieli={lang}", status_code=303)
        if not agree and (not message.strip() or len(message) > MAX_REASON):
            context = _form_context(view, lang, rt, token)
            context.update(message=message[:5000], message_error=translate(lang)["err_message"])
            return render(request, "reply_form.html", context, lang=lang, status_code=422)
        submit_joint_answer(session, rt.mail, token, agree=agree, message=message, now=rt.now())
    background.add_task(deliver_now(rt, view.round.id))
    return RedirectResponse(f"/n/{token}/kiitos?kieli={lang}", status_code=303)


@router.get("/{token}/kiitos", response_class=HTMLResponse)
def thanks(request: Request, token: str, rt: RuntimeDep) -> Response:
    with session_scope(rt.engine) as session:
        view = _view(session, rt, token)
    if view.reply is None:
        return RedirectResponse(f"/n/{token}", status_code=303)
    lang = pick_language(request, view.request.language)
    context = _form_context(view, lang, rt, token)
    context.update(
        switch_path=f"/n/{token}/kiitos",
        seats=view.seats,
        email=view.request.email,
        late=view.reply.late,
        answer=view.reply.kind,
        message=view.reply.decline_reason,
    )
    return render(request, "reply_done.html", context, lang=lang)
