"""One context builder per email kind. Each returns the template context and nothing else."""

from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import date, datetime
from typing import TYPE_CHECKING, Any

from nimeamiset.domain.roster import Gender, Roster, RosterPerson, SeatStatus
from nimeamiset.domain.status import Category, RoundStatus, StatusFilter
from nimeamiset.domain.timefmt import format_date, format_datetime, format_meeting
from nimeamiset.exports.content import balance_texts
from nimeamiset.models import NominationRequest, Nominee, Organisation, Reply, Round

if TYPE_CHECKING:
    from nimeamiset.services.joint_seats import Holder

SEAT_ROLES = ("member", "deputy")


def paragraphs(text: str) -> list[str]:
    return [" ".join(block.split()) for block in re.split(r"\n\s*\n", text.strip()) if block]


def _round(round_: Round, lang: str) -> dict[str, Any]:
    return {
        "body": round_.body,
        "subject": round_.subject,
        "paragraphs": paragraphs(round_.letter),
        "deadline": format_date(round_.deadline),
        "meeting": format_meeting(round_.meeting_start, round_.meeting_end, lang, weekday=True),
        "meeting_place": round_.meeting_place,
        "sender": {
            "name": round_.sender_name,
            "title": round_.sender_title,
            "organisation": round_.sender_organisation,
        },
        "contact": {
            "name": round_.contact_name,
            "title": round_.contact_title,
            "email": round_.contact_email,
            "phone": round_.contact_phone,
        },
    }


def invitation(
    round_: Round,
    organisation: Organisation,
    request: NominationRequest,
    link: str,
    distribution: Sequence[str],
) -> dict[str, Any]:
    return {
        "round": _round(round_, request.language),
        "organisation": organisation.name,
        "link": link,
        "distribution": list(distribution),
    }


def _people(nominees: Sequence[Nominee]) -> list[dict[str, Any]]:
    seats: dict[int, dict[str, Any]] = {}
    for nominee in sorted(nominees, key=lambda n: (n.seat, SEAT_ROLES.index(n.role))):
        seats.setdefault(nominee.seat, {"seat": nominee.seat})[nominee.role] = {
            "name": nominee.name,
            "title": nominee.title,
            "email": nominee.email,
            "phone": nominee.phone,
        }
    return list(seats.values())


def confirmation(
    round_: Round,
    organisation: Organisation,
    request: NominationRequest,
    reply: Reply,
    nominees: Sequence[Nominee],
    link: str,
    *,
    holder: Holder | None = None,
) -> dict[str, Any]:
    """The reply as received. For a joint seat filled by another organisation (``holder``),
    whether this one agreed or asked staff to change it, with its message."""
    joint = None
    if holder is not None:
        joint = {
            "agreed": reply.kind == "confirm",
            "holder": holder.organisation,
            "member": holder.member,
            "deputy": holder.deputy,
            "message": reply.decline_reason if reply.kind == "objection" else "",
        }
    return {
        "round": _round(round_, request.language),
        "organisation": organisation.name,
        "link": link,
        "version": reply.version,
        "submitted": format_datetime(reply.submitted_at, request.language),
        "late": reply.late,
        "declined": reply.declined,
        "decline_reason": reply.decline_reason,
        "seats": _people(nominees),
        "joint": joint,
    }


def reminder(
    round_: Round,
    organisation: Organisation,
    request: NominationRequest,
    link: str,
    deadline: date,
    days_left: int,
) -> dict[str, Any]:
    context = _round(round_, request.language)
    context["deadline"] = format_date(deadline)
    return {
        "round": context,
        "organisation": organisation.name,
        "link": link,
        "days_left": days_left,
    }


def extension(
    round_: Round,
    organisation: Organisation,
    request: NominationRequest,
    link: str,
    old_deadline: date,
    new_deadline: date,
) -> dict[str, Any]:
    context = _round(round_, request.language)
    context["deadline"] = format_date(new_deadline)
    return {
        "round": context,
        "organisation": organisation.name,
        "link": link,
        "old_deadline": format_date(old_deadline),
    }


def summary(round_: Round, status: RoundStatus, link: str) -> dict[str, Any]:
    """For staff: the round's status (``services.status.round_status``), grouped."""

    def rows(category: Category) -> list[dict[str, Any]]:
        return [
            {
                "name": o.name,
                "late": o.late,
                "overdue": o.overdue,
                "reminders_sent": o.reminders_sent,
                "filled_by": o.joint_filled_by or "",
            }
            for o in status.in_category(category)
        ]

    problems = [
        {
            "name": o.name,
            "invitation": o.invitation.text if o.invitation and o.invitation.problem else "",
        }
        for o in status.filtered(StatusFilter.DELIVERY)
    ]
    return {
        "round": _round(round_, "fi"),
        "counts": status.counts_text,
        "nominated": rows(Category.NOMINATED),
        "declined": rows(Category.DECLINED),
        "missing": rows(Category.MISSING),
        "joint": rows(Category.JOINT),
        "delivery_problems": problems,
        "link": link,
    }


def joint_seat_answer(
    round_: Round, organisation: Organisation, holder: Any, reply: Reply, link: str
) -> dict[str, Any]:
    """For staff: an organisation of a joint seat answered the nomination another made."""
    return {
        "round": _round(round_, "fi"),
        "organisation": organisation.name,
        "holder": {
            "organisation": holder.organisation,
            "member": holder.member,
            "deputy": holder.deputy,
        },
        "agrees": reply.kind == "confirm",
        "message": reply.decline_reason,
        "link": link,
    }


def roster_assembled(round_: Round, roster: Roster, reason: str, link: str) -> dict[str, Any]:
    """For staff: a roster version, with what is still missing and the gender balance."""
    named = sum(1 for seat in roster.seats if seat.status is SeatStatus.NAMED)
    return {
        "round": _round(round_, "fi"),
        "version": roster.version,
        "assembled": format_datetime(roster.assembled_at) if roster.assembled_at else "",
        "reason": reason,
        "seats": len(roster.seats),
        "named": named,
        "missing": roster.missing,
        "declined": [s.organisation for s in roster.seats if s.status is SeatStatus.DECLINED],
        "balance": [text.sentence for text in balance_texts(roster)],
        "link": link,
    }


MEETING_CHANGES = ("", "updated", "cancelled", "withdrawn")

GENDER_LABELS: dict[str, dict[Gender, str]] = {
    "fi": {Gender.WOMAN: "nainen", Gender.MAN: "mies", Gender.OTHER: "muu"},
    "sv": {Gender.WOMAN: "kvinna", Gender.MAN: "man", Gender.OTHER: "annat"},
    "en": {Gender.WOMAN: "woman", Gender.MAN: "man", Gender.OTHER: "other"},
}


def _seat_role(role: str) -> str:
    if role not in SEAT_ROLES:
        raise ValueError(f"role must be one of {', '.join(SEAT_ROLES)}, not {role!r}")
    return role


def meeting_invitation(
    round_: Round,
    organisation: str,
    person: RosterPerson,
    role: str,
    pair: RosterPerson | None,
    lang: str,
    *,
    change: str = "",
    previous: tuple[datetime, datetime] | None = None,
) -> dict[str, Any]:
    """To a member or a personal deputy: the first meeting; the calendar entry goes with it.

    ``organisation`` is the seat's (``RosterSeat.organisation``), ``pair`` the other person of
    the seat (the deputy for a member, the member for a deputy). ``change`` is ``""`` for the
    first invitation, ``"updated"`` when the time, place or the person's role changed
    (``previous``: the earlier start and end, if the time changed), ``"cancelled"`` when the
    meeting is off, ``"withdrawn"`` when the organisation named someone else in their place.
    """
    if change not in MEETING_CHANGES:
        raise ValueError(f"change must be one of {MEETING_CHANGES}, not {change!r}")
    return {
        "round": _round(round_, lang),
        "organisation": organisation,
        "person": {"name": person.name},
        "role": _seat_role(role),
        "pair": {"name": pair.name, "email": pair.email} if pair and pair.name else None,
        "meeting_time": format_meeting(round_.meeting_start, round_.meeting_end, lang),
        "change": change,
        "previous_meeting": (
            format_meeting(previous[0], previous[1], lang, weekday=True) if previous else ""
        ),
    }


def nominee_notice(
    round_: Round,
    organisation: str,
    person: RosterPerson,
    role: str,
    lang: str,
    *,
    retention: str,
    dpo_email: str,
) -> dict[str, Any]:
    """To a person an organisation named: the privacy notice of GDPR article 14.

    ``retention`` (in ``lang``, no final full stop) is how long the council keeps the data after
    the body's term, e.g. ``"10 vuotta toimikauden päättymisestä"``; it may be empty, and the
    notice then refers to the council's records management plan only. ``dpo_email`` is the
    council's data protection officer, required by article 14(1)(b).
    """
    if not dpo_email.strip():
        raise ValueError("the privacy notice needs the data protection officer's address")
    return {
        "round": _round(round_, lang),
        "organisation": organisation,
        "person": {
            "name": person.name,
            "title": person.title,
            "email": person.email,
            "phone": person.phone,
            "gender": GENDER_LABELS.get(lang, GENDER_LABELS["fi"])[person.gender]
            if person.gender
            else "",
        },
        "role": _seat_role(role),
        "retention": retention.strip(),
        "dpo_email": dpo_email.strip(),
    }
