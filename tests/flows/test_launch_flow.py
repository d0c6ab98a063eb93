"""The launch and delivery flows, run by Prefect (test harness) against a real SMTP server and
SQLite / PostgreSQL."""

from __future__ import annotations

import asyncio
import json
import math
from datetime import timedelta
from email.message import EmailMessage

import prefect.settings
from sqlmodel import select

from flows.deliver import deliver_outbox_flow
from flows.launch import launch_round_flow
from nimeamiset.db import session_scope
from nimeamiset.domain.tokens import hash_token
from nimeamiset.models import NominationRequest
from nimeamiset.runtime import build_runtime
from nimeamiset.services.status import round_status
from tests.conftest import LAUNCH_TIME
from tests.flows.conftest import BATCH_SIZE, FlowEnv
from tests.flows.prefect_api import (
    count_by_name,
    read_flow_run,
    read_logs,
    run,
    settled_task_runs,
)
from tests.helpers import LINK, link_in, token_of

ORGANISATIONS = 5
NOTHING = {"sent": 0, "failed": 0, "waiting": 0}


def links_open_a_request(messages: list[EmailMessage]) -> bool:
    """Every personal link in these messages is one the database knows (made under the key
    the web app uses, not one the flow run made up)."""
    with session_scope(build_runtime().engine) as session:
        stored = set(session.exec(select(NominationRequest.token_hash)).all())
    return all(hash_token(token_of(link_in(m))) in stored for m in messages)


def organisation_states(round_id: str) -> set[str]:
    rt = build_runtime()
    with session_scope(rt.engine) as session:
        return {o.state for o in round_status(session, round_id, now=rt.now()).organisations}


def test_launch_flow_sends_one_invitation_per_organisation_in_batches(flow_env: FlowEnv) -> None:
    state = run(launch_round_flow(flow_env.round_id, return_state=True))

    assert state.is_completed(), state
    assert state.result() == {"queued": 5, "sent": 5, "failed": 0, "waiting": 0}
    recipients = flow_env.smtp.recipients()
    assert len(recipients) == ORGANISATIONS and len(set(recipients)) == ORGANISATIONS
    assert organisation_states(flow_env.round_id) == {"invited"}
    assert links_open_a_request(flow_env.smtp.received())

    # Batches of BATCH_SIZE, then one that claims nothing: not one task run per message.
    batches = math.ceil(ORGANISATIONS / BATCH_SIZE) + 1
    task_runs = run(settled_task_runs(state.state_details.flow_run_id, batches + 2))
    assert count_by_name(task_runs) == {
        "queue-invitations": 1,
        "deliver-batch": batches,
        "count-waiting": 1,
    }
    assert all(t.state is not None and t.state.is_completed() for t in task_runs)


def test_running_the_launch_flow_again_sends_nothing_new(flow_env: FlowEnv) -> None:
    run(launch_round_flow(flow_env.round_id))

    again = run(launch_round_flow(flow_env.round_id))

    assert again == {"queued": 0, **NOTHING}
    assert len(flow_env.smtp.recipients()) == ORGANISATIONS


def test_smtp_outage_loses_nothing_and_the_outbox_flow_delivers_each_invitation_once(
    flow_env: FlowEnv,
) -> None:
    flow_env.smtp_down()
    outage = run(launch_round_flow(flow_env.round_id, return_state=True))

    assert outage.is_completed(), outage  # an outage is not a failed flow run
    assert outage.result() == {"queued": 5, "sent": 0, "failed": 5, "waiting": 5}
    assert flow_env.smtp.recipients() == []
    assert organisation_states(flow_env.round_id) == {"pending"}

    flow_env.smtp_up()
    assert run(deliver_outbox_flow()) == {**NOTHING, "waiting": 5}  # back-off not over yet

    flow_env.set_now((LAUNCH_TIME + timedelta(days=1)).isoformat())
    assert run(deliver_outbox_flow()) == {"sent": 5, "failed": 0, "waiting": 0}
    assert run(deliver_outbox_flow()) == NOTHING

    recipients = flow_env.smtp.recipients()
    assert len(recipients) == ORGANISATIONS and len(set(recipients)) == ORGANISATIONS
    assert organisation_states(flow_env.round_id) == {"invited"}


def test_launch_flow_run_records_only_the_round_id_and_counts(flow_env: FlowEnv) -> None:
    state = run(launch_round_flow(flow_env.round_id, return_state=True))
    flow_run_id = state.state_details.flow_run_id

    flow_run = run(read_flow_run(flow_run_id))
    # The round's id, and no staff account's (the CLI's run names nobody: it acts as itself).
    assert flow_run.parameters == {"round_id": flow_env.round_id, "requested_by": None}

    # Nothing the API keeps about the run (the run, its task runs, its logs) holds an
    # address or a personal link.
    task_runs = run(settled_task_runs(flow_run_id, 6))
    logs = run(read_logs(flow_run_id, containing="queued"))
    kept = json.dumps(
        [
            flow_run.model_dump(mode="json"),
            *(t.model_dump(mode="json") for t in task_runs),
            *(log.model_dump(mode="json") for log in logs),
        ]
    )
    addresses = set(flow_env.smtp.recipients())
    assert len(addresses) == ORGANISATIONS
    assert not [a for a in addresses if a in kept]
    assert not LINK.findall(kept) and "/n/" not in kept
    assert any("5 queued, 5 sent" in log.message for log in logs)


def test_launch_flow_delivers_everything_when_results_are_persisted(flow_env: FlowEnv) -> None:
    """With PREFECT_RESULTS_PERSIST_BY_DEFAULT=true, tasks on Prefect's default cache policy
    would answer every deliver-batch after the first from the cache and the flow would loop
    forever; the time-out turns that into a failure."""
    persisted = {prefect.settings.PREFECT_RESULTS_PERSIST_BY_DEFAULT: True}
    with prefect.settings.temporary_settings(updates=persisted):
        outcome = run(asyncio.wait_for(launch_round_flow(flow_env.round_id), timeout=30))
    assert outcome == {"queued": 5, "sent": 5, "failed": 0, "waiting": 0}
    assert len(set(flow_env.smtp.recipients())) == ORGANISATIONS
