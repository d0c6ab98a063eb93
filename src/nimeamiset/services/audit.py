"""State changes go through here, so that each one leaves an audit row in the same commit."""

from __future__ import annotations

from datetime import datetime

from sqlmodel import Session

from nimeamiset.domain.states import (
    RequestState,
    RoundState,
    check_request_transition,
    check_round_transition,
)
from nimeamiset.models import AuditEvent, NominationRequest, Round


def change_request_state(
    session: Session,
    request: NominationRequest,
    new: RequestState,
    *,
    actor: str,
    now: datetime,
    detail: str = "",
) -> None:
    old = RequestState(request.state)
    check_request_transition(old, new)
    request.state = new
    session.add(request)
    session.add(
        AuditEvent(
            at=now,
            entity="request",
            entity_id=str(request.id),
            old_state=old,
            new_state=new,
            actor=actor,
            detail=detail,
        )
    )


def change_round_state(
    session: Session, round_: Round, new: RoundState, *, actor: str, now: datetime
) -> None:
    old = RoundState(round_.state)
    check_round_transition(old, new)
    round_.state = new
    session.add(round_)
    session.add(
        AuditEvent(
            at=now, entity="round", entity_id=round_.id, old_state=old, new_state=new, actor=actor
        )
    )
