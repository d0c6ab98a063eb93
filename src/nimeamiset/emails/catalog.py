"""One context builder per email kind. Each returns the template context and nothing else."""

from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import date
from typing import Any

from nimeamiset.domain.timefmt import format_date, format_datetime, format_meeting
from nimeamiset.models import NominationRequest, Nominee, Organisation, Reply, Round

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
) -> dict[str, Any]:
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


def summary(round_: Round, organisations: Sequence[dict[str, Any]], link: str) -> dict[str, Any]:
    """For staff: the status rows of ``round_status``, grouped."""

    def names(*states: str) -> list[dict[str, Any]]:
        return [
            {"name": o["name"], "late": o["late"], "reminders_sent": o["reminders_sent"]}
            for o in organisations
            if o["state"] in states
        ]

    return {
        "round": _round(round_, "fi"),
        "nominated": names("nominated"),
        "declined": names("declined"),
        "missing": names("pending", "invited"),
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
