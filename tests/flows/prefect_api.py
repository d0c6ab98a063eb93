"""Reading flow and task runs back from the harness's Prefect API."""

from __future__ import annotations

import asyncio
import time
from typing import Any
from uuid import UUID

from prefect import get_client
from prefect.client.schemas.filters import (
    FlowRunFilter,
    FlowRunFilterId,
    LogFilter,
    LogFilterFlowRunId,
)
from prefect.client.schemas.objects import FlowRun, Log, TaskRun
from prefect.events.worker import EventsWorker
from prefect.logging.handlers import APILogWorker

SETTLE_TIMEOUT = 30.0


def run(coro: Any) -> Any:
    return asyncio.run(coro)


async def read_flow_run(flow_run_id: UUID) -> FlowRun:
    async with get_client() as client:
        return await client.read_flow_run(flow_run_id)


async def _drain(drained: Any) -> None:
    if asyncio.iscoroutine(drained) or isinstance(drained, asyncio.Future):
        await drained


async def _read_task_runs(flow_run_id: UUID) -> list[TaskRun]:
    async with get_client() as client:
        return await client.read_task_runs(
            flow_run_filter=FlowRunFilter(id=FlowRunFilterId(any_=[flow_run_id]))
        )


async def settled_task_runs(flow_run_id: UUID, expected: int) -> list[TaskRun]:
    """The flow run's task runs once the API has recorded them all in a final state.

    Task runs reach the API as events, a moment after they ran: drain the client's events
    and wait until ``expected`` runs are final (or the time-out passes; the caller checks).
    """
    await _drain(EventsWorker.drain_all())
    deadline = time.monotonic() + SETTLE_TIMEOUT
    while True:
        task_runs = await _read_task_runs(flow_run_id)
        final = [t for t in task_runs if t.state is not None and t.state.is_final()]
        if len(final) >= expected or time.monotonic() > deadline:
            return task_runs
        await asyncio.sleep(0.2)


def count_by_name(task_runs: list[TaskRun]) -> dict[str, int]:
    counts: dict[str, int] = {}
    for task_run in task_runs:
        name = task_run.name.rsplit("-", 1)[0]  # "deliver-batch-a1b" -> "deliver-batch"
        counts[name] = counts.get(name, 0) + 1
    return counts


async def read_logs(flow_run_id: UUID, containing: str) -> list[Log]:
    """The flow run's logs (its task runs' included), once one containing ``containing``
    has reached the API (logs are sent in the background)."""
    await _drain(APILogWorker.drain_all())
    deadline = time.monotonic() + SETTLE_TIMEOUT
    log_filter = LogFilter(flow_run_id=LogFilterFlowRunId(any_=[flow_run_id]))
    while True:
        async with get_client() as client:
            logs = await client.read_logs(log_filter=log_filter)
        if any(containing in log.message for log in logs) or time.monotonic() > deadline:
            return logs
        await asyncio.sleep(0.2)
