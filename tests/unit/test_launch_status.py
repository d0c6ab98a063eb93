"""How a launch run's state reads on the round page and in the CLI: Prefect's states in
Finnish, which are final, and what to do when a run does not get going or went wrong."""

from __future__ import annotations

import pytest

from nimeamiset.launching import UNKNOWN_FI, LaunchStatus, RunState
from nimeamiset.services.launches import InvitationCounts

RUN = "0b6a5d3e-7d7c-4a8e-9f0e-2f3c4d5e6f70"


@pytest.mark.parametrize(
    "state, label, final",
    [
        (RunState("SCHEDULED", "Scheduled"), "Ajastettu", False),
        (RunState("SCHEDULED", "Late"), "Myöhässä", False),
        (RunState("SCHEDULED", "AwaitingRetry"), "Odottaa uutta yritystä", False),
        (RunState("PENDING", "Pending"), "Odottaa", False),
        (RunState("RUNNING", "Running"), "Käynnissä", False),
        (RunState("RUNNING", "Retrying"), "Yritetään uudelleen", False),
        (RunState("COMPLETED", "Completed"), "Valmis", True),
        (RunState("FAILED", "Failed"), "Epäonnistui", True),
        (RunState("CRASHED", "Crashed"), "Kaatui", True),
        (RunState("CANCELLED", "Cancelled"), "Peruttu", True),
        (RunState("CANCELLING", "Cancelling"), "Perutaan", False),
        (RunState("PAUSED", "Suspended"), "Keskeytetty", False),
    ],
)
def test_prefect_states_read_in_finnish(state: RunState, label: str, final: bool) -> None:
    assert (state.label, state.final) == (label, final)


def test_the_status_says_sent_and_waiting_and_what_to_do() -> None:
    counts = InvitationCounts(sent=3, waiting=2)
    late = LaunchStatus(RUN, RunState("SCHEDULED", "Late"), counts, "draft")
    failed = LaunchStatus(RUN, RunState("FAILED", "Failed"), counts, "draft")
    done = LaunchStatus(RUN, RunState("COMPLETED", "Completed"), counts, "launched")
    unknown = LaunchStatus(RUN, None, counts, "draft")

    assert done.text == "Käynnistysajo: Valmis. Kutsuja lähetetty 3, odottaa 2."
    assert done.hint == "" and done.final
    assert "nimeamiset serve" in late.hint and not late.final
    assert failed.hint.startswith("Kierrosta ei käynnistetty. Voit yrittää uudelleen")
    assert unknown.label == UNKNOWN_FI and not unknown.final
    assert unknown.as_json()["state"] is None and done.as_json()["state"] == "COMPLETED"
