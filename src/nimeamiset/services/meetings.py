"""The meeting invitation: every member and deputy of the newest roster gets an email with an
iCalendar request. A changed time sends the same entry again with a higher SEQUENCE, so the
calendar entry moves instead of doubling; a person replaced later gets a cancellation."""

from __future__ import annotations

from datetime import datetime

from sqlmodel import Session, col, func, select

from nimeamiset.domain.calendar import meeting_request, meeting_uid
from nimeamiset.domain.people import email_key
from nimeamiset.domain.reminders import DEFAULT_HOURS, Hours
from nimeamiset.domain.roster import Roster, RosterPerson, SeatStatus
from nimeamiset.domain.states import RoundState
from nimeamiset.domain.timefmt import format_meeting, local
from nimeamiset.emails import catalog
from nimeamiset.emails.render import domain_of
from nimeamiset.models import NominationRequest, Organisation, OutboxMessage
from nimeamiset.services.events import MeetingInvitationsSent, MeetingRescheduled
from nimeamiset.services.outbox import Mail
from nimeamiset.services.roster import load_roster
from nimeamiset.services.rounds import assembly_due
from nimeamiset.services.work import RoundWork

Person = tuple[str, str, RosterPerson, RosterPerson | None]  # organisation, role, person, pair


def people_of(roster: Roster) -> list[Person]:
    out: list[Person] = []
    for seat in roster.seats:
        if seat.status is not SeatStatus.NAMED:
            continue
        for role, person, pair in (
            ("member", seat.member, seat.deputy),
            ("deputy", seat.deputy, seat.member),
        ):
            if person is not None and person.email:
                out.append((seat.organisation, role, person, pair))
    return out


def _languages(session: Session, round_id: str) -> dict[str, str]:
    rows = session.exec(
        select(Organisation.name, NominationRequest.language)
        .join(NominationRequest, col(NominationRequest.organisation_id) == Organisation.id)
        .where(NominationRequest.round_id == round_id)
    ).all()
    return {name: lang for name, lang in rows}


def invitations_sent(session: Session, round_id: str) -> bool:
    return bool(
        session.exec(
            select(func.count())
            .select_from(OutboxMessage)
            .where(OutboxMessage.round_id == round_id)
            .where(OutboxMessage.kind == "meeting_invitation")
        ).one()
    )


def _send(
    work: RoundWork,
    mail: Mail,
    entry: Person,
    lang: str,
    *,
    change: str,
    previous: tuple[datetime, datetime] | None = None,
) -> bool:
    session, round_, now = work.session, work.round, work.now
    organisation, role, person, pair = entry
    cancel = change in ("cancelled", "withdrawn")
    ics = meeting_request(
        uid=meeting_uid(round_.id, person.email, domain_of(mail.mail_from)),
        sequence=round_.meeting_sequence,
        start=round_.meeting_start,
        end=round_.meeting_end,
        summary=round_.body,
        location=round_.meeting_place,
        description=f"{round_.body}\n{format_meeting(round_.meeting_start, round_.meeting_end)}",
        organizer_name=round_.contact_name,
        organizer_email=round_.contact_email,
        attendee_name=person.name,
        attendee_email=person.email,
        stamp=now,
        method="CANCEL" if cancel else "REQUEST",
        optional=role == "deputy",
    )
    message = work.queue(
        mail,
        kind="meeting_invitation",
        lang=lang,
        context=catalog.meeting_invitation(
            round_, organisation, person, role, pair, lang, change=change, previous=previous
        ),
        to=person.email,
        to_name=person.name,
        reply_to=(round_.contact_name, round_.contact_email),
        dedupe_key=_next_key(session, round_.id, person.email, round_.meeting_sequence, cancel),
        calendar=(ics, "CANCEL" if cancel else "REQUEST"),
    )
    return message is not None


def _base_key(round_id: str, email: str, sequence: int) -> str:
    return f"meeting:{round_id}:{email_key(email)}:{sequence}"


def _count(session: Session, prefix: str) -> int:
    return int(
        session.exec(
            select(func.count())
            .select_from(OutboxMessage)
            .where(col(OutboxMessage.dedupe_key).startswith(prefix))
        ).one()
    )


def is_invited(session: Session, round_id: str, email: str, sequence: int) -> bool:
    """Invited at this SEQUENCE and not cancelled since: more invitations than cancellations."""
    base = _base_key(round_id, email, sequence)
    return _count(session, f"{base}:invite:") > _count(session, f"{base}:cancel:")


def _next_key(session: Session, round_id: str, email: str, sequence: int, cancel: bool) -> str:
    base = _base_key(round_id, email, sequence)
    what = "cancel" if cancel else "invite"
    return f"{base}:{what}:{_count(session, f'{base}:{what}:')}"


def invite_to_meeting(
    work: RoundWork,
    mail: Mail,
    *,
    change: str = "",
    previous: tuple[datetime, datetime] | None = None,
) -> int:
    """Invite everyone on the newest roster who does not hold an invitation at this SEQUENCE,
    and cancel for everyone who holds one but is no longer on it (a person named again later
    is invited again). In the work's transaction, under the round's lock."""
    work.require_state(RoundState.LAUNCHED, RoundState.CLOSED)
    session, round_, round_id = work.session, work.round, work.round_id
    roster = load_roster(session, round_id)
    languages = _languages(session, round_id)
    seq = round_.meeting_sequence

    def lang_of(entry: Person) -> str:
        return languages.get(entry[0].split(", ")[0], "fi")

    current = people_of(roster)
    sent = 0
    for entry in current:
        if not is_invited(session, round_id, entry[2].email, seq):
            sent += _send(work, mail, entry, lang_of(entry), change=change, previous=previous)
    on_roster = {person.email.lower() for _, _, person, _ in current}
    seen: set[str] = set()
    for version in range(roster.version - 1, 0, -1):
        for entry in people_of(load_roster(session, round_id, version)):
            email = entry[2].email.lower()
            if email in on_roster or email in seen:
                continue
            seen.add(email)
            if is_invited(session, round_id, email, seq):
                sent += _send(work, mail, entry, lang_of(entry), change="withdrawn")
    if sent:
        work.record(MeetingInvitationsSent(round_.meeting_sequence, sent))
    return sent


def reschedule(
    work: RoundWork,
    mail: Mail,
    *,
    start: datetime,
    end: datetime,
    place: str | None,
    hours: Hours = DEFAULT_HOURS,
) -> int:
    """Move the first meeting; those already invited get the updated entry."""
    if end <= start:
        raise ValueError("the meeting must end after it starts")
    session, round_, round_id, now = work.session, work.round, work.round_id, work.now
    if local(start).date() <= round_.deadline:
        raise ValueError("the first meeting must be after the deadline day")
    previous = (round_.meeting_start, round_.meeting_end)
    round_.meeting_start, round_.meeting_end = start, end
    if place:
        round_.meeting_place = place
    round_.meeting_sequence += 1
    if round_.next_assembly_at is not None:  # not yet assembled: assemble for the new date
        round_.next_assembly_at = max(now, assembly_due(round_, hours))
    session.add(round_)
    work.record(MeetingRescheduled(previous[0], start, round_.meeting_sequence))
    sent = 0
    if invitations_sent(session, round_id):
        sent = invite_to_meeting(work, mail, change="updated", previous=previous)
    return sent
