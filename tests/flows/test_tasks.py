"""The flows' tasks as plain functions (``.fn``), without the Prefect engine, and how they are
declared."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest
from prefect import Task
from prefect.cache_policies import NO_CACHE
from prefect.logging import disable_run_logger

from flows.launch import queue_invitations
from flows.sweep import queue_reminders, queue_summaries
from flows.tasks import count_waiting, deliver_batch
from tests.flows.conftest import BATCH_SIZE, FlowEnv


def test_queue_invitations_queues_one_per_organisation_and_only_once(flow_env: FlowEnv) -> None:
    assert queue_invitations.fn(flow_env.round_id) == 5
    assert queue_invitations.fn(flow_env.round_id) == 0
    assert count_waiting.fn(flow_env.round_id) == 5
    assert flow_env.smtp.recipients() == []  # queuing sends nothing


def test_deliver_batch_sends_at_most_one_batch_and_reports_counts(flow_env: FlowEnv) -> None:
    queue_invitations.fn(flow_env.round_id)

    with disable_run_logger():
        reports = [asyncio.run(deliver_batch.fn(flow_env.round_id)) for _ in range(4)]

    assert reports == [
        {"claimed": 2, "sent": 2, "failed": 0},
        {"claimed": 2, "sent": 2, "failed": 0},
        {"claimed": 1, "sent": 1, "failed": 0},
        {"claimed": 0, "sent": 0, "failed": 0},
    ]
    assert BATCH_SIZE == 2
    assert len(set(flow_env.smtp.recipients())) == 5
    assert count_waiting.fn(flow_env.round_id) == 0


def test_deliver_batch_keeps_messages_for_a_retry_when_smtp_is_down(flow_env: FlowEnv) -> None:
    queue_invitations.fn(flow_env.round_id)
    flow_env.smtp_down()

    with disable_run_logger():
        report = asyncio.run(deliver_batch.fn(flow_env.round_id))
        again = asyncio.run(deliver_batch.fn(flow_env.round_id))

    assert report == {"claimed": 2, "sent": 0, "failed": 2}
    assert again == {"claimed": 2, "sent": 0, "failed": 2}  # the next two; the first wait
    assert count_waiting.fn(flow_env.round_id) == 5


def test_count_waiting_without_a_round_counts_the_whole_outbox(flow_env: FlowEnv) -> None:
    assert count_waiting.fn(None) == 0
    queue_invitations.fn(flow_env.round_id)
    assert count_waiting.fn(None) == count_waiting.fn(flow_env.round_id) == 5
    assert count_waiting.fn("no-such-round") == 0


@pytest.mark.parametrize(
    "task_",
    [deliver_batch, count_waiting, queue_invitations, queue_reminders, queue_summaries],
    ids=lambda t: t.name,
)
def test_tasks_with_side_effects_are_never_served_from_a_cache(task_: Task[..., Any]) -> None:
    # Prefect's default policy caches by inputs within a flow run: with results persisted,
    # every deliver_batch(round_id) after the first would return the first batch's counts
    # and deliver_until_done would never stop (see test_launch_flow.py).
    assert task_.cache_policy is NO_CACHE
