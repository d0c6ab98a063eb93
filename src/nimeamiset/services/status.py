"""Where a round stands: each organisation's state and what it named."""

from __future__ import annotations

from collections import Counter
from datetime import datetime
from typing import Any

from sqlmodel import Session, col, select

from nimeamiset.domain.timefmt import deadline_instant
from nimeamiset.models import NominationRequest, Nominee, Organisation, OutboxMessage, Reply
from nimeamiset.services.outbox import SENT
from nimeamiset.services.reminders import deadline_of
from nimeamiset.services.rounds import get_round


def _iso(moment: datetime | None) -> str | None:
    return moment.isoformat() if moment is not None else None


def _person(nominee: Nominee | None) -> dict[str, str] | None:
    if nominee is None:
        return None
    return {
        "name": nominee.name,
        "title": nominee.title,
        "email": nominee.email,
        "phone": nominee.phone,
    }


def distribution(
    session: Session, round_id: str
) -> list[tuple[NominationRequest, Organisation, Reply | None]]:
    """Each request of the round with its organisation and current reply, in list order."""
    return list(
        session.exec(
            select(NominationRequest, Organisation, Reply)
            .join(Organisation, col(Organisation.id) == NominationRequest.organisation_id)
            .join(Reply, col(Reply.id) == NominationRequest.current_reply_id, isouter=True)
            .where(NominationRequest.round_id == round_id)
            .order_by(col(NominationRequest.position))
        ).all()
    )


def round_status(session: Session, round_id: str) -> dict[str, Any]:
    round_ = get_round(session, round_id)
    rows = distribution(session, round_id)
    reply_ids = [reply.id for _, _, reply in rows if reply is not None]
    nominees: dict[int, list[Nominee]] = {}
    if reply_ids:
        for nominee in session.exec(
            select(Nominee)
            .where(col(Nominee.reply_id).in_(reply_ids))
            .order_by(col(Nominee.seat), col(Nominee.id))
        ):
            nominees.setdefault(nominee.reply_id, []).append(nominee)
    undelivered = {
        request_id
        for request_id in session.exec(
            select(OutboxMessage.request_id)
            .where(OutboxMessage.round_id == round_id)
            .where(OutboxMessage.kind == "invitation")
            .where(col(OutboxMessage.state) != SENT)
        )
    }
    organisations = []
    for request, organisation, reply in rows:
        named = nominees.get(reply.id, []) if reply is not None and reply.id else []
        seats: dict[int, dict[str, Nominee]] = {}
        for nominee in named:
            seats.setdefault(nominee.seat, {})[nominee.role] = nominee
        first = seats.get(1, {})
        organisations.append(
            {
                "name": organisation.name,
                "email": request.email,
                "language": request.language,
                "state": str(request.state),
                "invited_at": _iso(request.invited_at),
                "invitation_waiting": request.id in undelivered,
                "replied_at": _iso(request.replied_at),
                "late": request.late,
                "reminders_sent": request.reminders_sent,
                "next_reminder_at": _iso(request.next_reminder_at),
                "deadline": deadline_of(round_, request).isoformat(),
                "reply_version": reply.version if reply is not None else None,
                "member": _person(first.get("member")),
                "deputy": _person(first.get("deputy")),
                "seats": [
                    {
                        "seat": number,
                        "member": _person(pair.get("member")),
                        "deputy": _person(pair.get("deputy")),
                    }
                    for number, pair in sorted(seats.items())
                ],
                "decline_reason": reply.decline_reason
                if reply is not None and reply.declined
                else None,
            }
        )
    counts = dict(Counter(str(request.state) for request, _, _ in rows))
    return {
        "round": {
            "id": round_.id,
            "body": round_.body,
            "subject": round_.subject,
            "state": str(round_.state),
            "deadline": round_.deadline.isoformat(),
            "deadline_at": deadline_instant(round_.deadline).isoformat(),
            "first_meeting": {
                "start": round_.meeting_start.isoformat(),
                "end": round_.meeting_end.isoformat(),
                "place": round_.meeting_place,
            },
            "contact": {"name": round_.contact_name, "email": round_.contact_email},
            "launched_at": _iso(round_.launched_at),
            "reminders": [int(o) for o in round_.reminder_offsets.split(",") if o],
            "next_summary_at": _iso(round_.next_summary_at),
            "counts": counts,
        },
        "organisations": organisations,
    }
