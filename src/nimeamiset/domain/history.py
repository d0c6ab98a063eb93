"""What happened to a round and to each organisation's request, as data with Finnish words:
reply versions, audit events and the access log, for the staff pages. Pure."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from nimeamiset.domain.status import REQUEST_STATE_FI, ROUND_STATE_FI, SeatView
from nimeamiset.domain.timefmt import format_date, format_datetime

REPLY_KIND_FI = {
    "nomination": "nimeäminen",
    "decline": "kieltäytyminen",
    "confirm": "vahvisti yhteisen paikan",
    "objection": "pyysi muuttamaan yhteistä paikkaa",
}
CHANNEL_FI = {
    "web": "lomakkeella",
    "email": "sähköpostitse",
    "phone": "puhelimitse",
    "letter": "kirjeitse",
    "staff": "henkilöstön vaihtama",
}
ROLE_FI = {"member": "varsinainen jäsen", "deputy": "varajäsen"}
ACCESS_ACTION_FI = {
    "sign_in": "kirjautui",
    "sign_in_failed": "kirjautuminen epäonnistui",
    "sign_out": "kirjautui ulos",
    "view": "katsoi",
    "export": "latasi",
}


@dataclass(frozen=True)
class ReplyVersion:
    """One version of an organisation's reply, with the people it named seat by seat."""

    version: int
    kind: str
    submitted_at: datetime
    late: bool = False
    channel: str = "web"
    decline_reason: str = ""
    seats: tuple[SeatView, ...] = ()
    current: bool = False

    @property
    def kind_label(self) -> str:
        return REPLY_KIND_FI.get(self.kind, self.kind)

    @property
    def channel_label(self) -> str:
        return CHANNEL_FI.get(self.channel, self.channel)


@dataclass(frozen=True)
class EventView:
    """One audit event: when, who (in words), what (in words)."""

    at: datetime
    actor: str  # as stored: staff:<email>, organisation:<id>, sweep...
    actor_label: str
    kind: str
    text: str
    organisation: str | None = None  # the request's organisation, for events about one


@dataclass(frozen=True)
class AccessRow:
    at: datetime
    staff_email: str
    action: str
    target: str
    round_id: str | None = None
    source: str = ""

    @property
    def action_label(self) -> str:
        return ACCESS_ACTION_FI.get(self.action, self.action)


@dataclass(frozen=True)
class Page:
    """Which page of a long list is shown (from 1) and how many there are."""

    number: int
    size: int
    total: int

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.size))

    @property
    def offset(self) -> int:
        return (self.number - 1) * self.size

    @property
    def previous(self) -> int | None:
        return self.number - 1 if self.number > 1 else None

    @property
    def next(self) -> int | None:
        return self.number + 1 if self.number < self.pages else None


def page(number: int | None, size: int, total: int) -> Page:
    """A page number clamped to the pages there are."""
    pages = max(1, -(-total // size))
    return Page(min(max(number or 1, 1), pages), size, total)


def describe_actor(actor: str, organisations: Mapping[str, str], staff: Mapping[str, str]) -> str:
    """``staff:tarja@...`` → ``Tarja Parviainen``; ``organisation:12`` → its name."""
    kind, _, ref = actor.partition(":")
    if kind == "staff":
        return staff.get(ref, ref) if ref else "henkilöstö"
    if kind == "organisation":
        return organisations.get(ref, "organisaatio") if ref else "organisaatio"
    if kind == "command":
        return f"komentorivi ({ref})" if ref else "komentorivi"
    if kind == "prefect":
        return f"Prefect ({ref})" if ref else "Prefect"
    return {"sweep": "ajastettu ajo", "outbox": "postitus"}.get(kind, actor)


def _day(value: Any) -> str:
    try:
        return format_date(date.fromisoformat(str(value)[:10]))
    except ValueError:
        return str(value)


def _moment(value: Any) -> str:
    try:
        return format_datetime(datetime.fromisoformat(str(value)))
    except ValueError:
        return str(value)


def _state(value: Any) -> str:
    text = str(value)
    return REQUEST_STATE_FI.get(text, ROUND_STATE_FI.get(text, text))


def _reply(p: Mapping[str, Any]) -> str:
    kind = {
        "nomination": "Vastaus kirjattu",
        "decline": "Kieltäytyminen kirjattu",
        "confirm": "Yhteinen paikka vahvistettu",
        "objection": "Yhteiseen paikkaan pyydetty muutosta",
    }.get(str(p.get("reply_kind")), "Vastaus kirjattu")
    details = [f"versio {p.get('version')}", CHANNEL_FI.get(str(p.get("channel")), "lomakkeella")]
    if p.get("late"):
        details.append("myöhässä")
    return f"{kind} ({', '.join(details)})"


def _reminder(p: Mapping[str, Any]) -> str:
    if p.get("by_staff"):
        return "Muistutus lähetetty henkilöstön pyynnöstä"
    offset = int(p.get("offset", 0))
    if offset > 0:
        return f"Muistutus jonossa ({offset} pv ennen määräaikaa)"
    if offset == 0:
        return "Muistutus jonossa (määräaikapäivänä)"
    return f"Muistutus jonossa ({-offset} pv määräajan jälkeen)"


def _resent(p: Mapping[str, Any]) -> str:
    extra = []
    if p.get("new_link"):
        extra.append("uusi linkki")
    if p.get("address_changed"):
        extra.append("uuteen osoitteeseen")
    return "Nimeämispyyntö lähetetty uudelleen" + (f" ({', '.join(extra)})" if extra else "")


def _draft_edited(p: Mapping[str, Any]) -> str:
    fields = list(p.get("fields") or [])
    if fields == ["organisations"]:
        return f"Jakelulista muutettu ({p.get('organisations')} organisaatiota)"
    return f"Luonnosta muokattu ({len(fields)} kohtaa)" if fields else "Luonnos tallennettu"


def describe_event(
    kind: str, payload: Mapping[str, Any], *, old: str, new: str, detail: str
) -> str:
    """The event in Finnish. Rows written before events were typed have no kind: their old
    and new state and their ``detail`` text say what happened."""
    p = payload
    texts: dict[str, Callable[[], str]] = {
        "round.created": lambda: f"Kierros luotu ({p.get('organisations')} organisaatiota)",
        "round.state": lambda: f"Kierroksen tila: {_state(p.get('old'))} → {_state(p.get('new'))}",
        "request.state": lambda: f"Tila: {_state(p.get('old'))} → {_state(p.get('new'))}",
        "reply.recorded": lambda: _reply(p),
        "nominee.replaced": lambda: (
            f"{ROLE_FI.get(str(p.get('role')), 'henkilö').capitalize()} vaihdettu, paikka "
            f"{p.get('seat')} (versio {p.get('version')})"
        ),
        "deadline.extended": lambda: (
            f"Määräaikaa pidennetty: {_day(p.get('old'))} → {_day(p.get('new'))}"
        ),
        "reminder.queued": lambda: _reminder(p),
        "invitation.resent": lambda: _resent(p),
        "link.renewed": lambda: "Uusi henkilökohtainen linkki tehty",
        "test_message.sent": lambda: "Testiviesti lähetetty henkilöstölle (ei organisaatiolle)",
        "launch.requested": lambda: f"Kierroksen käynnistys pyydetty (ajo {p.get('flow_run_id')})",
        "address.corrected": lambda: f"Kirjaamon osoite korjattu: {p.get('old')} → {p.get('new')}",
        "roster.assembled": lambda: (
            f"Kokoonpano koottu (versio {p.get('version')}, nimeämättä {p.get('missing')})"
        ),
        "meeting.invitations": lambda: f"Kokouskutsuja lähetetty {p.get('messages')}",
        "draft.edited": lambda: _draft_edited(p),
        "draft.deleted": lambda: f"Luonnos poistettu ({p.get('organisations')} organisaatiota)",
        "round.copied": lambda: f"Kopioitu kierroksesta {p.get('source')}",
        "organisation.updated": lambda: "Organisaation tiedot korjattu rekisterissä",
        "meeting.rescheduled": lambda: (
            f"Kokous siirretty: {_moment(p.get('old_start'))} → {_moment(p.get('new_start'))}"
        ),
    }
    if kind in texts:
        return texts[kind]()
    if kind:
        return f"Tapahtuma {kind}"
    text = f"Tila: {_state(old)} → {_state(new)}" if old else f"Tila: {_state(new)}"
    return f"{text} ({detail})" if detail else text
