"""States of a nomination request and of a round, and the transitions allowed between them."""

from __future__ import annotations

from enum import StrEnum


class RequestState(StrEnum):
    PENDING = "pending"  # created, invitation not yet delivered
    INVITED = "invited"  # invitation delivered to the registry office
    NOMINATED = "nominated"  # the organisation named its member and deputy
    DECLINED = "declined"  # the organisation said, with a reason, it names nobody


class RoundState(StrEnum):
    DRAFT = "draft"
    LAUNCHED = "launched"
    CLOSED = "closed"


_REPLIED = {RequestState.NOMINATED, RequestState.DECLINED}

REQUEST_TRANSITIONS: dict[RequestState, frozenset[RequestState]] = {
    # A reply can overtake the "delivered" mark: the message went out, the mark did not.
    RequestState.PENDING: frozenset({RequestState.INVITED, *_REPLIED}),
    RequestState.INVITED: frozenset(_REPLIED),
    # An organisation may correct its reply, or change its mind, as often as it likes.
    RequestState.NOMINATED: frozenset(_REPLIED),
    RequestState.DECLINED: frozenset(_REPLIED),
}

ROUND_TRANSITIONS: dict[RoundState, frozenset[RoundState]] = {
    RoundState.DRAFT: frozenset({RoundState.LAUNCHED}),
    RoundState.LAUNCHED: frozenset({RoundState.CLOSED}),
    RoundState.CLOSED: frozenset(),
}


class TransitionError(ValueError):
    def __init__(self, kind: str, old: str, new: str) -> None:
        super().__init__(f"{kind} cannot go from {old!r} to {new!r}")
        self.old, self.new = old, new


def check_request_transition(old: RequestState, new: RequestState) -> None:
    if new not in REQUEST_TRANSITIONS[old]:
        raise TransitionError("a nomination request", old, new)


def check_round_transition(old: RoundState, new: RoundState) -> None:
    if new not in ROUND_TRANSITIONS[old]:
        raise TransitionError("a round", old, new)


def has_replied(state: RequestState) -> bool:
    return state in _REPLIED
