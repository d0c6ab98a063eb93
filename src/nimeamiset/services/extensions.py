"""Moving a deadline, for the whole round or for one organisation."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlmodel import col, select

from nimeamiset.domain.reminders import Hours, effective_deadline, summary_due
from nimeamiset.domain.states import RoundState
from nimeamiset.domain.timefmt import format_date, local
from nimeamiset.emails import catalog
from nimeamiset.models import NominationRequest, Organisation
from nimeamiset.services.events import DeadlineExtended
from nimeamiset.services.outbox import Mail
from nimeamiset.services.reminders import REMINDABLE, deadline_of, replan
from nimeamiset.services.work import RoundWork


class ExtensionError(ValueError):
    """The new deadline does not fit; ``str()`` in English for the CLI, ``fi`` for staff."""

    def __init__(self, message: str, fi: str) -> None:
        super().__init__(message)
        self.fi = fi


@dataclass(frozen=True)
class Extended:
    organisations: list[str]  # those told of the new deadline


def extend_deadline(
    work: RoundWork,
    mail: Mail,
    until: date,
    *,
    hours: Hours,
    organisation: str | None = None,
    request_id: int | None = None,
) -> Extended:
    """Move the deadline of the round, or of one organisation (by name or request id);
    unsent reminder slots move with it, sent ones stay sent; every organisation affected that
    has not replied gets a short note. Under the round's lock: a reply arriving meanwhile
    waits, then is judged late or not against the new deadline."""
    work.require_state(RoundState.LAUNCHED)
    session, round_, round_id, now = work.session, work.round, work.round_id, work.now
    if until < local(now).date():
        raise ExtensionError(
            f"{until.isoformat()} has already passed", "uusi määräaika on jo mennyt"
        )
    if until >= local(round_.meeting_start).date():
        raise ExtensionError(
            "the new deadline must be before the first meeting",
            "uuden määräajan on oltava ennen ensimmäistä kokousta",
        )
    query = (
        select(NominationRequest, Organisation)
        .join(Organisation, col(Organisation.id) == NominationRequest.organisation_id)
        .where(NominationRequest.round_id == round_id)
        .order_by(col(NominationRequest.position))
    )
    if organisation is not None:
        query = query.where(col(Organisation.name) == organisation)
    if request_id is not None:
        query = query.where(col(NominationRequest.id) == request_id)
    one = organisation is not None or request_id is not None
    rows = session.exec(query.with_for_update(of=NominationRequest)).all()
    if one and not rows:
        raise ExtensionError(
            f"no organisation {organisation or request_id!r} in round {round_id!r}",
            "organisaatiota ei ole tällä kierroksella",
        )
    old_round_deadline = round_.deadline
    current = (
        effective_deadline(old_round_deadline, rows[0][0].deadline) if one else old_round_deadline
    )
    if until <= current:
        raise ExtensionError(
            f"the new deadline must be later than the current one, {current.isoformat()}",
            f"uuden määräajan on oltava myöhemmin kuin nykyinen, {format_date(current)}",
        )
    if not one:
        round_.deadline = until
        if round_.summary_sent_for != until:
            round_.next_summary_at = summary_due(until, hours)
        session.add(round_)
    told = []
    for request, org in rows:
        old = effective_deadline(old_round_deadline, request.deadline)
        if one:
            request.deadline = until
        replan(round_, request, hours=hours)
        session.add(request)
        assert request.id is not None
        work.record(DeadlineExtended(request.id, old, until))
        if request.state in REMINDABLE and round_.launched_at is not None:
            work.queue(
                mail,
                kind="extension",
                lang=request.language,
                context=catalog.extension(
                    round_, org, request, mail.link_for(request), old, deadline_of(round_, request)
                ),
                to=request.email,
                to_name=org.name,
                reply_to=(round_.contact_name, round_.contact_email),
                dedupe_key=f"extension:{request.id}:{until.isoformat()}",
                request_id=request.id,
            )
            told.append(org.name)
    return Extended(told)
