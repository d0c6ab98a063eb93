"""Staff actions that need nothing typed: a page says what will happen (GET) and its one
button does it (POST). Send the request again or with a new link, remind one organisation
now, assemble the roster, invite to the meeting, close the round."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from fastapi import APIRouter, BackgroundTasks, Request
from fastapi.responses import HTMLResponse, Response

from nimeamiset.domain.status import Category
from nimeamiset.domain.timefmt import format_meeting
from nimeamiset.runtime import Runtime
from nimeamiset.services.assembly import assemble_and_notify
from nimeamiset.services.invitations import close_round, resend_invitation
from nimeamiset.services.meetings import invite_to_meeting
from nimeamiset.services.work import RoundWork
from nimeamiset.web.auth import CoordinatorDep, StaffPerson
from nimeamiset.web.deps import RuntimeDep
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

router = APIRouter()


@dataclass(frozen=True)
class Confirmation:
    heading: str  # also the button's text
    explain: Callable[[Target], list[str]]
    blocked: Callable[[Target], str] = lambda _: ""  # why it cannot be done now, or ""


def confirm_page(
    request: Request,
    target: Target,
    what: Confirmation,
    *,
    problem: str = "",
) -> Response:
    return page(
        request,
        target,
        "staff_action_confirm.html",
        what.heading,
        status_code=409 if problem else 200,
        explain=what.explain(target),
        blocked=what.blocked(target),
        problem=problem,
    )


def confirmed(
    request: Request,
    rt: Runtime,
    person: StaffPerson,
    background: BackgroundTasks,
    target: Target,
    what: Confirmation,
    change: Callable[[RoundWork], Done],
) -> Response:
    def refused(problem: str) -> Response:
        fresh = load(rt, target.status.id, target.request_id)
        return confirm_page(request, fresh, what, problem=problem)

    return perform(rt, person, background, target, change, refused)


def _not_open(target: Target) -> str:
    return "" if target.open else f"Kierros ei ole käynnissä (tila: {target.status.state_label})."


def _replied_note(target: Target) -> list[str]:
    o = target.o
    return [f"Organisaatio on jo vastannut ({o.state_label})."] if o.replied else []


RESEND = Confirmation(
    "Lähetä pyyntö uudelleen",
    lambda t: [
        f"Nimeämispyyntö lähetetään uudelleen organisaatiolle {t.o.name} osoitteeseen {t.o.email}.",
        "Linkki pysyy samana: aiemmin lähetetty linkki toimii edelleen.",
        *_replied_note(t),
    ],
    _not_open,
)
NEW_LINK = Confirmation(
    "Uusi linkki",
    lambda t: [
        f"Organisaatiolle {t.o.name} tehdään uusi henkilökohtainen linkki, ja nimeämispyyntö "
        f"lähetetään sen kanssa osoitteeseen {t.o.email}.",
        "Vanha linkki lakkaa toimimasta heti, myös aiemmissa viesteissä ja muistutuksissa. "
        "Käytä tätä, jos linkki on päätynyt vääriin käsiin.",
        *_replied_note(t),
    ],
    _not_open,
)
REMIND_ONE = Confirmation(
    "Lähetä muistutus nyt",
    lambda t: [
        f"Organisaatiolle {t.o.name} lähetetään muistutus nyt osoitteeseen {t.o.email}, "
        "samalla linkillä kuin pyyntö.",
        "Samana päivänä muistutusta ei lähetetä kahdesti.",
    ],
    lambda t: (
        _not_open(t)
        or ("" if t.o.category is Category.MISSING else "Organisaatio on jo vastannut.")
    ),
)
ASSEMBLE = Confirmation(
    "Kokoa kokoonpano",
    lambda t: [
        "Kokoonpano kootaan nyt vastauksista. Jos jokin on muuttunut edellisestä versiosta, "
        f"tehdään uusi versio, ja se lähetetään yhteyshenkilölle {t.status.contact_name} "
        f"({t.status.contact_email}) liitteineen (Excel, Word, PDF ja CSV).",
        *([f"Vastaamatta on vielä {len(t.missing)} organisaatiota."] if t.missing else []),
    ],
)
INVITE = Confirmation(
    "Lähetä kokouskutsu",
    lambda t: [
        "Kokoonpanon jokaiselle varsinaiselle jäsenelle ja varajäsenelle lähetetään kutsu "
        f"ensimmäiseen kokoukseen "
        f"{format_meeting(t.status.meeting_start, t.status.meeting_end)}, "
        f"{t.status.meeting_place}, kalenterimerkinnän kanssa.",
        "Jo kutsutuille ei lähetetä uutta kutsua. Kokoonpanosta poistuneille lähetetään peruutus.",
    ],
)
CLOSE = Confirmation(
    "Sulje kierros",
    lambda t: [
        "Kierros suljetaan. Organisaatioiden henkilökohtaiset linkit lakkaavat toimimasta, eikä "
        "muistutuksia, yhteenvetoja tai ajastettua kokoonpanon kokoamista enää tehdä. "
        "Lähettämättömät muistutukset perutaan.",
        *([f"Vastaamatta on vielä {len(t.missing)} organisaatiota."] if t.missing else []),
        "Sulkemista ei voi perua.",
    ],
    _not_open,
)


def _resend(rt: Runtime, request_id: int, **how: Any) -> Callable[[RoundWork], Done]:
    def change(work: RoundWork) -> Done:
        resend_invitation(work, rt.mail, request_id, **how)
        if how.get("email"):
            return Done.ADDRESS
        return Done.NEW_LINK if how.get("new_link") else Done.RESENT

    return change


@router.get(ORG + "/uudelleen", response_class=HTMLResponse)
def resend_page(
    request: Request, round_id: str, request_id: int, rt: RuntimeDep, person: CoordinatorDep
) -> Response:
    return confirm_page(request, load(rt, round_id, request_id), RESEND)


@router.post(ORG + "/uudelleen", response_class=HTMLResponse, dependencies=CSRF)
def resend(
    request: Request,
    round_id: str,
    request_id: int,
    rt: RuntimeDep,
    person: CoordinatorDep,
    background: BackgroundTasks,
) -> Response:
    target = load(rt, round_id, request_id)
    return confirmed(request, rt, person, background, target, RESEND, _resend(rt, request_id))


@router.get(ORG + "/uusi-linkki", response_class=HTMLResponse)
def new_link_page(
    request: Request, round_id: str, request_id: int, rt: RuntimeDep, person: CoordinatorDep
) -> Response:
    return confirm_page(request, load(rt, round_id, request_id), NEW_LINK)


@router.post(ORG + "/uusi-linkki", response_class=HTMLResponse, dependencies=CSRF)
def new_link(
    request: Request,
    round_id: str,
    request_id: int,
    rt: RuntimeDep,
    person: CoordinatorDep,
    background: BackgroundTasks,
) -> Response:
    target = load(rt, round_id, request_id)
    change = _resend(rt, request_id, new_link=True)
    return confirmed(request, rt, person, background, target, NEW_LINK, change)


@router.get(ORG + "/muistutus", response_class=HTMLResponse)
def remind_one_page(
    request: Request, round_id: str, request_id: int, rt: RuntimeDep, person: CoordinatorDep
) -> Response:
    return confirm_page(request, load(rt, round_id, request_id), REMIND_ONE)


@router.post(ORG + "/muistutus", response_class=HTMLResponse, dependencies=CSRF)
def remind_one(
    request: Request,
    round_id: str,
    request_id: int,
    rt: RuntimeDep,
    person: CoordinatorDep,
    background: BackgroundTasks,
) -> Response:
    target = load(rt, round_id, request_id)
    change = reminding(rt, [request_id])
    return confirmed(request, rt, person, background, target, REMIND_ONE, change)


@router.get("/{round_id}/kokoa", response_class=HTMLResponse)
def assemble_page(
    request: Request, round_id: str, rt: RuntimeDep, person: CoordinatorDep
) -> Response:
    return confirm_page(request, load(rt, round_id), ASSEMBLE)


@router.post("/{round_id}/kokoa", response_class=HTMLResponse, dependencies=CSRF)
def assemble(
    request: Request,
    round_id: str,
    rt: RuntimeDep,
    person: CoordinatorDep,
    background: BackgroundTasks,
) -> Response:
    def change(work: RoundWork) -> Done:
        made = assemble_and_notify(work, rt.mail, reason="pyynnöstä")
        return Done.ASSEMBLED if made.changed else Done.UNCHANGED

    return confirmed(request, rt, person, background, load(rt, round_id), ASSEMBLE, change)


@router.get("/{round_id}/kokouskutsu", response_class=HTMLResponse)
def invite_page(
    request: Request, round_id: str, rt: RuntimeDep, person: CoordinatorDep
) -> Response:
    return confirm_page(request, load(rt, round_id), INVITE)


@router.post("/{round_id}/kokouskutsu", response_class=HTMLResponse, dependencies=CSRF)
def invite(
    request: Request,
    round_id: str,
    rt: RuntimeDep,
    person: CoordinatorDep,
    background: BackgroundTasks,
) -> Response:
    def change(work: RoundWork) -> Done:
        return Done.INVITED if invite_to_meeting(work, rt.mail) else Done.NONE_TO_INVITE

    return confirmed(request, rt, person, background, load(rt, round_id), INVITE, change)


@router.get("/{round_id}/sulje", response_class=HTMLResponse)
def close_page(request: Request, round_id: str, rt: RuntimeDep, person: CoordinatorDep) -> Response:
    return confirm_page(request, load(rt, round_id), CLOSE)


@router.post("/{round_id}/sulje", response_class=HTMLResponse, dependencies=CSRF)
def close(
    request: Request,
    round_id: str,
    rt: RuntimeDep,
    person: CoordinatorDep,
    background: BackgroundTasks,
) -> Response:
    def change(work: RoundWork) -> Done:
        close_round(work)
        return Done.CLOSED

    return confirmed(request, rt, person, background, load(rt, round_id), CLOSE, change)
