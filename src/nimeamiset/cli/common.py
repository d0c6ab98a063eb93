"""What the commands share: bad input as UsageError, the runtime, delivery after a change."""

from __future__ import annotations

import asyncio

from sqlmodel import Session

from nimeamiset.config import Settings
from nimeamiset.models import Round
from nimeamiset.runtime import Runtime, build_runtime
from nimeamiset.schema import upgrade
from nimeamiset.services.delivery import deliver_all
from nimeamiset.services.rounds import RoundNotFound, get_round


class UsageError(Exception):
    """Bad input from the user: printed, exit status 2."""


def runtime(settings: Settings | None = None) -> Runtime:
    """The runtime, with the database migrated first."""
    rt = build_runtime(settings)
    upgrade(rt.engine)
    return rt


def status_or_usage(session: Session, round_id: str) -> Round:
    """The round; an unknown one stops the command with a usage error."""
    try:
        return get_round(session, round_id)
    except RoundNotFound:
        raise UsageError(f"no round {round_id!r} (see 'nimeamiset round list')") from None


def deliver(rt: Runtime) -> str:
    """Send what a command queued (the sweep retries whatever fails)."""
    report = asyncio.run(
        deliver_all(
            rt.engine, rt.sender, now=rt.now, limit=rt.settings.send_batch_size, hours=rt.hours
        )
    )
    return f"lähetetty / sent: {report.sent}, odottaa / waiting: {report.failed}"
