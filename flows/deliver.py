"""Deliver whatever mail is due: retries after an SMTP outage, confirmations the web app
could not send at once."""

from __future__ import annotations

from prefect import flow

from flows.tasks import deliver_until_done


@flow(name="deliver-outbox")
async def deliver_outbox_flow() -> dict[str, int]:
    return await deliver_until_done(None)
