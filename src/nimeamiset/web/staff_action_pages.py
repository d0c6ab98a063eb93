"""What every staff action shares: the round (and organisation) it is about, its page, running
the change in a unit of work as the signed-in person, and going back with a fixed message."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from fastapi import BackgroundTasks, Depends, HTTPException, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from nimeamiset.db import session_scope
from nimeamiset.domain.status import Category, OrganisationStatus, RoundStatus
from nimeamiset.domain.timefmt import format_datetime, format_meeting
from nimeamiset.models import NominationRequest, Round
from nimeamiset.runtime import Runtime
from nimeamiset.services.events import Actor
from nimeamiset.services.extensions import ExtensionError
from nimeamiset.services.invitations import ActionRefused
from nimeamiset.services.joint_seats import SeatTaken
from nimeamiset.services.reminders import AlreadyReminded, remind_now
from nimeamiset.services.replies import NothingToReplace
from nimeamiset.services.status import round_status
from nimeamiset.services.work import RoundNotFound, RoundWork, round_work
from nimeamiset.web.auth import StaffPerson, record_access, verify_csrf
from nimeamiset.web.delivery import deliver_now
from nimeamiset.web.deps import render
from nimeamiset.web.staff_fields import day_value

ORG = "/{round_id}/organisaatiot/{request_id}"
CSRF = [Depends(verify_csrf)]


class Done(StrEnum):
    """What was done, as the ``?tehty=`` parameter of the page staff return to. The page shows
    a fixed message for each (``_staff_done.html``); an unknown value shows nothing."""

    RESENT = "uudelleen"
    NEW_LINK = "uusi-linkki"
    ADDRESS = "osoite"
    REPLY = "vastaus"
    DECLINE = "kieltaytyminen"
    DEADLINE = "maaraaika"
    REMINDED = "muistutus"
    NOT_REMINDED = "ei-muistutettavia"
    ASSEMBLED = "kokoa"
    UNCHANGED = "kokoonpano-ennallaan"
    INVITED = "kokouskutsu"
    NONE_TO_INVITE = "ei-kutsuttavia"
    RESCHEDULED = "siirra-kokous"
    CLOSED = "sulje"
    REPLACED = "vaihda"
    DRAFT = "luonnos"
    EDITED = "muokattu"
    LIST = "jakelulista"
    DELETED = "poistettu"
    ORGANISATION = "organisaatio"


REFUSED: dict[type[Exception], Callable[[Exception], str]] = {
    ActionRefused: lambda exc: f"Toimintoa ei tehty: {exc}.",
    AlreadyReminded: lambda _: "Muistutusta ei lähetetty: kierros ei ole käynnissä.",
    NothingToReplace: lambda _: (
        "Vaihdettavaa ei ole: organisaatio ei ole nimennyt ketään. Kirjaa ensin vastaus."
    ),
    ExtensionError: lambda exc: f"Määräaikaa ei muutettu: {getattr(exc, 'fi', exc)}.",
    SeatTaken: lambda _: (
        "Yhteinen paikka on jo täytetty toisen organisaation nimeämillä henkilöillä. "
        "Vastausta ei kirjattu."
    ),
}
"""The services' refusals, in Finnish (ActionRefused already speaks it)."""


class Refused(Exception):
    """The service refused the action; the message (Finnish) says why."""


@dataclass(frozen=True)
class Target:
    """The round (and organisation) an action is about, as the pages show them."""

    status: RoundStatus
    organisation: OrganisationStatus | None
    gender_balance: bool
    seat_count: int  # the organisation's seats (0 for a round action)

    @property
    def o(self) -> OrganisationStatus:
        assert self.organisation is not None
        return self.organisation

    @property
    def request_id(self) -> int | None:
        return self.organisation.request_id if self.organisation is not None else None

    @property
    def open(self) -> bool:
        return self.status.state == "launched"

    @property
    def missing(self) -> tuple[OrganisationStatus, ...]:
        """Those who have not replied (a joint seat filled by another counts as replied)."""
        return self.status.in_category(Category.MISSING)


def page_url(round_id: str, request_id: int | None = None) -> str:
    base = f"/henkilosto/{round_id}"
    return f"{base}/organisaatiot/{request_id}" if request_id is not None else base


def load(rt: Runtime, round_id: str, request_id: int | None = None) -> Target:
    """The round as it stands now, and the organisation's request; 404 if either is absent."""
    with session_scope(rt.engine) as session:
        try:
            status = round_status(session, round_id, now=rt.now())
        except RoundNotFound:
            raise HTTPException(404) from None
        round_ = session.get(Round, round_id)
        assert round_ is not None
        organisation, seats = None, 0
        if request_id is not None:
            organisation = next(
                (o for o in status.organisations if o.request_id == request_id), None
            )
            request = session.get(NominationRequest, request_id)
            if organisation is None or request is None:
                raise HTTPException(404)
            seats = request.seats
        return Target(status, organisation, round_.gender_balance, seats)


def page(
    request: Request,
    target: Target,
    template: str,
    heading: str,
    *,
    status_code: int = 200,
    **context: Any,
) -> HTMLResponse:
    """An action's page. ``errors`` (field id to message) with ``labels`` (field id to what
    the error summary calls it), ``values`` as typed, ``problem`` for a refusal."""
    o = target.organisation
    full = {
        "round": target.status,
        "o": o,
        "heading": heading,
        "back": page_url(target.status.id, target.request_id),
        "back_label": o.name if o else target.status.body,
        "meeting": format_meeting(target.status.meeting_start, target.status.meeting_end),
        "form_path": request.url.path,  # a page re-rendered after an error posts to itself
        "values": {},
        "errors": {},
        "labels": {},
        "problem": "",
        "day": day_value,
        "when": format_datetime,
        **context,
    }
    # Action pages show organisations' replies and people: their views are logged too.
    record_access(
        request.app.state.runtime,
        request,
        getattr(request.state, "staff", None),
        "view",
        request.url.path,
        round_id=target.status.id,
    )
    return render(request, template, full, lang="fi", status_code=status_code)


def act(
    rt: Runtime, person: StaffPerson, round_id: str, change: Callable[[RoundWork], Done]
) -> Done:
    """Run one change of the round in a unit of work acting as the signed-in person: one
    commit with its audit events and queued mail, or nothing at all."""
    try:
        with (
            session_scope(rt.engine) as session,
            round_work(session, round_id, actor=Actor.staff(person.email), now=rt.now()) as work,
        ):
            return change(work)
    except RoundNotFound:
        raise HTTPException(404) from None
    except tuple(REFUSED) as exc:
        message = next(say for kind, say in REFUSED.items() if isinstance(exc, kind))
        raise Refused(message(exc)) from None


def done(
    background: BackgroundTasks, rt: Runtime, round_id: str, request_id: int | None, what: Done
) -> Response:
    """Send what the action queued right away, and go back to the page it started from."""
    background.add_task(deliver_now(rt, round_id))
    return RedirectResponse(f"{page_url(round_id, request_id)}?tehty={what}", status_code=303)


def perform(
    rt: Runtime,
    person: StaffPerson,
    background: BackgroundTasks,
    target: Target,
    change: Callable[[RoundWork], Done],
    refused: Callable[[str], Response],
) -> Response:
    """Do the change; then back to the page it started from, or ``refused(why)``."""
    try:
        result = act(rt, person, target.status.id, change)
    except Refused as exc:
        return refused(str(exc))
    return done(background, rt, target.status.id, target.request_id, result)


def reminding(rt: Runtime, request_ids: list[int]) -> Callable[[RoundWork], Done]:
    """Remind the chosen organisations now (those that replied or were reminded today are
    skipped by the service)."""

    def change(work: RoundWork) -> Done:
        return Done.REMINDED if remind_now(work, rt.mail, request_ids) else Done.NOT_REMINDED

    return change
