"""Send what a web request queued, right after its response, without waiting for the
schedule of ``deliver-outbox``."""

from __future__ import annotations

import asyncio
from collections.abc import Callable

from nimeamiset.runtime import Runtime
from nimeamiset.services import delivery


def deliver_now(rt: Runtime, round_id: str) -> Callable[[], None]:
    """A background task that sends the round's due mail (a reply's confirmation, a staff
    action's invitation or reminder...). Best effort: if the mail server is down, the
    messages wait in the outbox for the next delivery run.

    A plain function: Starlette runs it in its thread pool, where it has an event loop of its
    own for SMTP, and its database work never holds up the app's loop."""

    def send() -> None:
        asyncio.run(
            delivery.deliver_all(
                rt.engine,
                rt.sender,
                now=rt.now,
                limit=rt.settings.send_batch_size,
                round_id=round_id,
                hours=rt.hours,
            )
        )

    return send
