"""One way to change a round: a round-scoped unit of work.

Every state-changing use case (a staff action on the web, a CLI command, a flow's task, an
organisation's reply) runs as::

    with round_work(session, round_id, actor=Actor.staff(email), now=now) as work:
        extend_deadline(work, mail, until, hours=hours)

The unit of work locks the round first (PostgreSQL: ``SELECT ... FOR UPDATE``; SQLite: its
``BEGIN IMMEDIATE`` write transaction), so one writer at a time changes a round. It carries
``now`` and the acting person, collects typed audit events (written with the round's id, the
actor and a payload that never holds a token), queues outbox messages in the same
transaction, and commits once when the block ends; an exception rolls everything back.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime
from typing import Any

from sqlmodel import Session, select

from nimeamiset.domain.states import (
    RequestState,
    RoundState,
    check_request_transition,
    check_round_transition,
)
from nimeamiset.models import NominationRequest, OutboxMessage, Round
from nimeamiset.services.events import (
    Actor,
    Event,
    RequestStateChanged,
    RoundStateChanged,
    event_row,
)
from nimeamiset.services.outbox import Mail, queue_email


class ActionRefused(ValueError):
    """The change does not fit the round's or the request's state; the message, in Finnish,
    says why."""


STATE_FI = {"draft": "luonnos", "launched": "käynnissä", "closed": "suljettu"}


class RoundNotFound(LookupError):
    def __init__(self, round_id: str) -> None:
        super().__init__(f"no round {round_id!r}")
        self.round_id = round_id


# --- the unit of work -------------------------------------------------------------------------


class RoundWork:
    """A round locked for one transaction, with the actor and time of the change."""

    def __init__(self, session: Session, round_: Round, *, actor: Actor, now: datetime) -> None:
        self.session = session
        self.round = round_
        self.actor = actor
        self.now = now
        self.events: list[Event] = []

    @property
    def round_id(self) -> str:
        return self.round.id

    def require_state(self, *allowed: RoundState) -> None:
        """Refuse the change unless the round is in one of these states (checked under the
        lock, so a round closed a moment ago is seen closed)."""
        state = RoundState(self.round.state)
        if state not in allowed:
            raise ActionRefused(f"kierros on {STATE_FI[state.value]}")

    def record(self, event: Event, *, detail: str = "") -> None:
        self.events.append(event)
        self.session.add(
            event_row(event, round_id=self.round_id, actor=self.actor, now=self.now, detail=detail)
        )

    def queue(
        self, mail: Mail, *, request_id: int | None = None, **kwargs: Any
    ) -> OutboxMessage | None:
        """Render and store a message of this round in this transaction (see queue_email)."""
        return queue_email(
            self.session,
            mail,
            now=self.now,
            round_id=self.round_id,
            request_id=request_id,
            **kwargs,
        )

    def lock_request(self, request_id: int) -> NominationRequest:
        request = self.session.exec(
            select(NominationRequest)
            .where(NominationRequest.id == request_id)
            .where(NominationRequest.round_id == self.round_id)
            .with_for_update()
            .execution_options(populate_existing=True)
        ).first()
        if request is None:
            raise LookupError(f"no request {request_id} in round {self.round_id!r}")
        return request

    def change_request_state(self, request: NominationRequest, new: RequestState) -> None:
        old = RequestState(request.state)
        check_request_transition(old, new)
        request.state = new
        self.session.add(request)
        assert request.id is not None
        self.record(RequestStateChanged(request.id, old.value, new.value))

    def change_round_state(self, new: RoundState) -> None:
        old = RoundState(self.round.state)
        check_round_transition(old, new)
        self.round.state = new
        self.session.add(self.round)
        self.record(RoundStateChanged(old.value, new.value))


def lock_round(session: Session, round_id: str) -> Round:
    """The round, locked for this transaction (PostgreSQL: FOR UPDATE; SQLite's write
    transaction already excludes other writers). Always the first lock a change of a round
    takes, then its requests: no two changes deadlock."""
    round_ = session.exec(
        select(Round)
        .where(Round.id == round_id)
        .with_for_update()
        .execution_options(populate_existing=True)
    ).first()
    if round_ is None:
        raise RoundNotFound(round_id)
    return round_


@contextmanager
def round_work(
    session: Session, round_id: str, *, actor: Actor, now: datetime
) -> Iterator[RoundWork]:
    """Lock the round, run the block, commit once; roll back on any exception."""
    try:
        work = RoundWork(session, lock_round(session, round_id), actor=actor, now=now)
        yield work
        session.commit()
    except BaseException:
        session.rollback()
        raise
