from __future__ import annotations

import pytest

from nimeamiset.domain.states import (
    RequestState,
    RoundState,
    TransitionError,
    check_request_transition,
    check_round_transition,
    has_replied,
)


@pytest.mark.parametrize(
    ("old", "new"),
    [
        (RequestState.PENDING, RequestState.INVITED),
        (RequestState.INVITED, RequestState.NOMINATED),
        (RequestState.INVITED, RequestState.DECLINED),
        (RequestState.NOMINATED, RequestState.NOMINATED),  # a correction
        (RequestState.NOMINATED, RequestState.DECLINED),
        (RequestState.DECLINED, RequestState.NOMINATED),
        (RequestState.PENDING, RequestState.NOMINATED),  # reply overtook the delivery mark
    ],
)
def test_allowed_request_transitions(old: RequestState, new: RequestState) -> None:
    check_request_transition(old, new)


@pytest.mark.parametrize(
    ("old", "new"),
    [
        (RequestState.INVITED, RequestState.PENDING),
        (RequestState.NOMINATED, RequestState.INVITED),
        (RequestState.DECLINED, RequestState.PENDING),
        (RequestState.INVITED, RequestState.INVITED),
    ],
)
def test_forbidden_request_transitions(old: RequestState, new: RequestState) -> None:
    with pytest.raises(TransitionError):
        check_request_transition(old, new)


def test_rounds_only_move_forward() -> None:
    check_round_transition(RoundState.DRAFT, RoundState.LAUNCHED)
    check_round_transition(RoundState.LAUNCHED, RoundState.CLOSED)
    with pytest.raises(TransitionError):
        check_round_transition(RoundState.LAUNCHED, RoundState.DRAFT)
    with pytest.raises(TransitionError):
        check_round_transition(RoundState.DRAFT, RoundState.DRAFT)


def test_replied_means_nominated_or_declined() -> None:
    assert [s for s in RequestState if has_replied(s)] == [
        RequestState.NOMINATED,
        RequestState.DECLINED,
    ]
