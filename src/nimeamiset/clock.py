"""The one clock the edges read. Honours ``NIMEAMISET_NOW``; always returns aware UTC."""

from __future__ import annotations

from datetime import UTC, datetime

from nimeamiset.config import Settings


def now(settings: Settings) -> datetime:
    if settings.now is not None:
        return settings.now.astimezone(UTC)
    return datetime.now(UTC)
