"""Staff actions with a form: correct a registry office's address, record a reply that came by
email, phone or letter, replace a member or deputy, extend a deadline (the round's or one
organisation's), remind the chosen organisations now, move the first meeting.

A form with errors comes back with status 422, each message next to its field (linked with
``aria-describedby``), listed at the top, and every value as it was typed."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Annotated, Any

from fastapi import APIRouter, BackgroundTasks, Depends, Request
from fastapi.responses import HTMLResponse, Response

from nimeamiset.domain.people import PERSON_FIELDS, parse_person
from nimeamiset.domain.timefmt import local
from nimeamiset.runtime import Runtime
from nimeamiset.services.extensions import extend_deadline
from nimeamiset.services.invitations import resend_invitation
from nimeamiset.services.meetings import reschedule
from nimeamiset.services.replies import record_reply, replace_nominee
from nimeamiset.services.work import RoundWork
from nimeamiset.web import staff_fields as fields
from nimeamiset.web.auth import CoordinatorDep, StaffPerson
from nimeamiset.web.deps import RuntimeDep
from nimeamiset.web.forms import ROLES, FormDep, error_texts, field_id, parse_nomination
from nimeamiset.web.staff_action_pages import (
    CSRF,
    ORG,
    Done,
    Target,
    load,
    page,
    perform,
    reminding,
)
from nimeamiset.web.staff_fields import CHANNELS, ROLE_LABELS, typed

router = APIRouter()

ADDRESS = "Korjaa osoite"
REPLY = "Kirjaa vastaus"
REPLACE = "Vaihda jäsen"
DEADLINE = "Pidennä määräaikaa"
REMIND = "Lähetä muistutus nyt"
RESCHEDULE = "Siirrä kokousta"
CHANNEL_LABEL = "Miten vastaus tuli"
RECEIVED_LABEL = "Vastaus saapui"
RECEIVED_HINT = (
    "Vain jos vastaus saapui ennen tätä päivää, esimerkiksi 26.3.2024: myöhästyminen "
    "arvioidaan saapumispäivän mukaan."
)


async def chosen_values(request: Request) -> list[str]:
    """The ticked organisations of the reminder form (one field, many values)."""
    return [v for v in (await request.form()).getlist("valitut") if isinstance(v, str)]


ChosenDep = Annotated[list[str], Depends(chosen_values)]


def _refused_page(
    request: Request, target: Target, template: str, heading: str, **context: Any
) -> Callable[[str], Response]:
    def show(problem: str) -> Response:
        return page(request, target, template, heading, status_code=409, problem=problem, **context)

    return show


# --- the registry office's address ------------------------------------------------------------


@router.get(ORG + "/osoite", response_class=HTMLResponse)
def address_page(
    request: Request, round_id: str, request_id: int, rt: RuntimeDep, person: CoordinatorDep
) -> Response:
    target = load(rt, round_id, request_id)
    values = {"email": target.o.email}
    return page(request, target, "staff_action_address.html", ADDRESS, values=values)


@router.post(ORG + "/osoite", response_class=HTMLResponse, dependencies=CSRF)
def correct_address(
    request: Request,
    round_id: str,
    request_id: int,
    rt: RuntimeDep,
    person: CoordinatorDep,
    background: BackgroundTasks,
    data: FormDep,
) -> Response:
    target = load(rt, round_id, request_id)
    context: dict[str, Any] = {"values": {"email": typed(data, "email")}}
    address, error = fields.registry_address(data.get("email", ""), current=target.o.email)
    if address is None:
        context.update(errors={"email": error}, labels={"email": "Sähköpostiosoite"})
        return page(
            request, target, "staff_action_address.html", ADDRESS, status_code=422, **context
        )

    def change(work: RoundWork) -> Done:
        resend_invitation(work, rt.mail, request_id, email=address)
        return Done.ADDRESS

    refused = _refused_page(request, target, "staff_action_address.html", ADDRESS, **context)
    return perform(rt, person, background, target, change, refused)


# --- a reply that came by email, phone or letter ----------------------------------------------


def _reply_page(
    request: Request, target: Target, *, status_code: int = 200, **context: Any
) -> Response:
    return page(
        request,
        target,
        "staff_action_reply.html",
        REPLY,
        status_code=status_code,
        seat_numbers=list(range(1, target.seat_count + 1)),
        roles=[str(role) for role in ROLES],
        field_id=field_id,
        gender_required=target.gender_balance,
        channels=CHANNELS,
        received_label=RECEIVED_LABEL,
        received_hint=RECEIVED_HINT,
        **context,
    )


@router.get(ORG + "/vastaus", response_class=HTMLResponse)
def reply_page(
    request: Request, round_id: str, request_id: int, rt: RuntimeDep, person: CoordinatorDep
) -> Response:
    return _reply_page(request, load(rt, round_id, request_id))


@router.post(ORG + "/vastaus", response_class=HTMLResponse, dependencies=CSRF)
def record(
    request: Request,
    round_id: str,
    request_id: int,
    rt: RuntimeDep,
    person: CoordinatorDep,
    background: BackgroundTasks,
    data: FormDep,
) -> Response:
    """Either the nomination form (members and deputies of every seat) or the decline form
    (a reason) was sent; each says how the reply came."""
    target = load(rt, round_id, request_id)
    declines = data.get("answer") == "decline"
    key = "decline-channel" if declines else "channel"
    how, how_error = fields.channel(data.get("channel", ""))
    errors, labels = {key: how_error} if how_error else {}, {key: CHANNEL_LABEL}
    values = {key: typed(data, "channel")}
    reason, reason_error = fields.decline_reason(data.get("reason", ""))
    received_key = "decline-received" if declines else "received"
    received, received_error = fields.received_day(
        data.get(received_key, ""), today=local(rt.now()).date()
    )
    values[received_key] = typed(data, received_key)
    if received_error:
        errors[received_key], labels[received_key] = received_error, RECEIVED_LABEL
    parsed = parse_nomination(data, target.seat_count, gender_required=target.gender_balance)
    if declines:
        values["reason"] = data.get("reason", "")[: fields.MAX_REASON * 2]
        if reason_error:
            errors["reason"], labels["reason"] = reason_error, "Perustelu"
    else:
        values.update(parsed.values)
        errors.update(error_texts(parsed.errors, "fi"))
        labels.update(fields.person_error_labels(parsed.errors, target.seat_count))
    if errors:
        context = {"values": values, "errors": errors, "labels": labels}
        return _reply_page(request, target, status_code=422, **context)
    assert how is not None

    def change(work: RoundWork) -> Done:
        if declines:
            record_reply(
                work,
                rt.mail,
                request_id,
                decline_reason=reason or "",
                channel=how,
                received_on=received,
            )
            return Done.DECLINE
        record_reply(
            work, rt.mail, request_id, seats=parsed.seats, channel=how, received_on=received
        )
        return Done.REPLY

    def refused(problem: str) -> Response:
        fresh = load(rt, round_id, request_id)
        return _reply_page(request, fresh, status_code=409, problem=problem, values=values)

    return perform(rt, person, background, target, change, refused)


# --- replacing a member or deputy -------------------------------------------------------------

PERSON = "person_"


def _replace_page(
    request: Request, target: Target, *, status_code: int = 200, **context: Any
) -> Response:
    return page(
        request,
        target,
        "staff_action_replace.html",
        REPLACE,
        status_code=status_code,
        prefix=PERSON,
        role_labels=ROLE_LABELS,
        gender_required=target.gender_balance,
        blocked=""
        if target.o.reply_kind == "nomination"
        else "Organisaatio ei ole nimennyt ketään, joten vaihdettavaa ei ole. Kirjaa ensin "
        "vastaus.",
        **context,
    )


@router.get(ORG + "/vaihda", response_class=HTMLResponse)
def replace_page(
    request: Request, round_id: str, request_id: int, rt: RuntimeDep, person: CoordinatorDep
) -> Response:
    return _replace_page(request, load(rt, round_id, request_id), values={"seat": "1"})


@router.post(ORG + "/vaihda", response_class=HTMLResponse, dependencies=CSRF)
def replace(
    request: Request,
    round_id: str,
    request_id: int,
    rt: RuntimeDep,
    person: CoordinatorDep,
    background: BackgroundTasks,
    data: FormDep,
) -> Response:
    target = load(rt, round_id, request_id)
    names = (*PERSON_FIELDS, "gender")
    values = {key: typed(data, key) for key in ("seat", "role", *(PERSON + n for n in names))}
    errors: dict[str, str] = {}
    seat_text, role = values["seat"], values["role"]
    seat = int(seat_text) if seat_text.isdigit() and len(seat_text) < 4 else 0
    if not 1 <= seat <= len(target.o.seats):
        errors["seat"] = "Valitse paikka."
    if role not in ROLE_LABELS:
        errors["role"] = "Valitse, vaihdetaanko varsinainen jäsen vai varajäsen."
    raw = {name: data.get(PERSON + name, "") for name in names}
    new, person_errors = parse_person(raw, gender_required=target.gender_balance)
    errors.update(error_texts({PERSON + k: e for k, e in person_errors.items()}, "fi"))
    if errors:
        labels = {key: "Uusi henkilö" for key in errors}
        labels.update({"seat": "Paikka", "role": "Vaihdettava"})
        context = {"values": values, "errors": errors, "labels": labels}
        return _replace_page(request, target, status_code=422, **context)
    assert new is not None

    def change(work: RoundWork) -> Done:
        replace_nominee(work, rt.mail, request_id, seat=seat, role=role, person=new)
        return Done.REPLACED

    def refused(problem: str) -> Response:
        fresh = load(rt, round_id, request_id)
        return _replace_page(request, fresh, status_code=409, problem=problem, values=values)

    return perform(rt, person, background, target, change, refused)


# --- deadlines --------------------------------------------------------------------------------


def _deadline_of(target: Target) -> date:
    return target.o.deadline if target.organisation is not None else target.status.deadline


def _deadline_page(
    request: Request, target: Target, *, status_code: int = 200, **context: Any
) -> Response:
    context.setdefault("values", {"until": fields.day_value(_deadline_of(target))})
    return page(
        request,
        target,
        "staff_action_deadline.html",
        DEADLINE,
        status_code=status_code,
        current=_deadline_of(target),
        **context,
    )


def _extend(
    request: Request,
    target: Target,
    rt: Runtime,
    person: StaffPerson,
    background: BackgroundTasks,
    data: dict[str, str],
) -> Response:
    values = {"until": typed(data, "until")}
    until, error = fields.new_deadline(
        data.get("until", ""),
        today=local(rt.now()).date(),
        current=_deadline_of(target),
        meeting_day=local(target.status.meeting_start).date(),
    )
    if until is None:
        context = {"errors": {"until": error}, "labels": {"until": "Uusi määräaika"}}
        return _deadline_page(request, target, status_code=422, values=values, **context)

    def change(work: RoundWork) -> Done:
        extend_deadline(work, rt.mail, until, hours=rt.hours, request_id=target.request_id)
        return Done.DEADLINE

    def refused(problem: str) -> Response:
        return _deadline_page(request, target, status_code=409, problem=problem, values=values)

    return perform(rt, person, background, target, change, refused)


@router.get("/{round_id}/maaraaika", response_class=HTMLResponse)
def round_deadline_page(
    request: Request, round_id: str, rt: RuntimeDep, person: CoordinatorDep
) -> Response:
    return _deadline_page(request, load(rt, round_id))


@router.post("/{round_id}/maaraaika", response_class=HTMLResponse, dependencies=CSRF)
def extend_round(
    request: Request,
    round_id: str,
    rt: RuntimeDep,
    person: CoordinatorDep,
    background: BackgroundTasks,
    data: FormDep,
) -> Response:
    return _extend(request, load(rt, round_id), rt, person, background, data)


@router.get(ORG + "/maaraaika", response_class=HTMLResponse)
def organisation_deadline_page(
    request: Request, round_id: str, request_id: int, rt: RuntimeDep, person: CoordinatorDep
) -> Response:
    return _deadline_page(request, load(rt, round_id, request_id))


@router.post(ORG + "/maaraaika", response_class=HTMLResponse, dependencies=CSRF)
def extend_organisation(
    request: Request,
    round_id: str,
    request_id: int,
    rt: RuntimeDep,
    person: CoordinatorDep,
    background: BackgroundTasks,
    data: FormDep,
) -> Response:
    return _extend(request, load(rt, round_id, request_id), rt, person, background, data)


# --- reminding the chosen organisations now ---------------------------------------------------


def _remind_page(
    request: Request, target: Target, *, status_code: int = 200, **context: Any
) -> Response:
    context.setdefault("chosen", [])
    return page(
        request,
        target,
        "staff_action_remind.html",
        REMIND,
        status_code=status_code,
        missing=target.missing,
        **context,
    )


@router.get("/{round_id}/muistutus", response_class=HTMLResponse)
def remind_page(
    request: Request, round_id: str, rt: RuntimeDep, person: CoordinatorDep
) -> Response:
    return _remind_page(request, load(rt, round_id))


@router.post("/{round_id}/muistutus", response_class=HTMLResponse, dependencies=CSRF)
def remind(
    request: Request,
    round_id: str,
    rt: RuntimeDep,
    person: CoordinatorDep,
    background: BackgroundTasks,
    ticked: ChosenDep,
) -> Response:
    target = load(rt, round_id)
    chosen = fields.chosen_requests(ticked, [o.request_id for o in target.missing])
    if not chosen:
        errors = {"valitut": "Valitse vähintään yksi organisaatio."}
        labels = {"valitut": "Organisaatiot"}
        return _remind_page(request, target, status_code=422, errors=errors, labels=labels)

    def refused(problem: str) -> Response:
        return _remind_page(request, target, status_code=409, problem=problem, chosen=chosen)

    return perform(rt, person, background, target, reminding(rt, chosen), refused)


# --- moving the first meeting -----------------------------------------------------------------


def _reschedule_page(
    request: Request, target: Target, *, status_code: int = 200, **context: Any
) -> Response:
    status = target.status
    context.setdefault(
        "values",
        {
            "day": fields.day_value(status.meeting_start),
            "start": fields.clock_value(status.meeting_start),
            "end": fields.clock_value(status.meeting_end),
            "place": status.meeting_place,
        },
    )
    return page(
        request,
        target,
        "staff_action_reschedule.html",
        RESCHEDULE,
        status_code=status_code,
        **context,
    )


@router.get("/{round_id}/siirra-kokous", response_class=HTMLResponse)
def reschedule_page(
    request: Request, round_id: str, rt: RuntimeDep, person: CoordinatorDep
) -> Response:
    return _reschedule_page(request, load(rt, round_id))


@router.post("/{round_id}/siirra-kokous", response_class=HTMLResponse, dependencies=CSRF)
def move_meeting(
    request: Request,
    round_id: str,
    rt: RuntimeDep,
    person: CoordinatorDep,
    background: BackgroundTasks,
    data: FormDep,
) -> Response:
    target = load(rt, round_id)
    status = target.status
    values = {key: typed(data, key) for key in ("day", "start", "end", "place")}
    meeting, errors = fields.meeting_time(
        data, today=local(rt.now()).date(), deadline=status.deadline
    )
    if meeting is not None:
        start, end, place = meeting
        if (start, end, place) == (status.meeting_start, status.meeting_end, status.meeting_place):
            errors = {"day": "Kokous on jo tähän aikaan tässä paikassa."}
    if meeting is None or errors:
        labels = {"day": "Päivä", "start": "Alkaa klo", "end": "Päättyy klo", "place": "Paikka"}
        context = {"values": values, "errors": errors, "labels": labels}
        return _reschedule_page(request, target, status_code=422, **context)

    def change(work: RoundWork) -> Done:
        reschedule(work, rt.mail, start=start, end=end, place=place, hours=rt.hours)
        return Done.RESCHEDULED

    def refused(problem: str) -> Response:
        return _reschedule_page(request, target, status_code=409, problem=problem, values=values)

    return perform(rt, person, background, target, change, refused)
