"""What the edges (CLI, web, flows) build from settings: engine, mail, sender.

Engines are made on first use and kept per database URL, so that a worker process running
many tasks shares one connection pool.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from functools import lru_cache

from sqlalchemy.engine import Engine

from nimeamiset import clock
from nimeamiset.config import Settings, get_settings, secret_key_bytes
from nimeamiset.db import make_engine
from nimeamiset.domain.reminders import Hours
from nimeamiset.emails.render import EmailRenderer
from nimeamiset.emails.senders import Sender, make_sender
from nimeamiset.services.outbox import Mail


@lru_cache(maxsize=8)
def _engine_for(url: str) -> Engine:
    return make_engine(url)


@dataclass(frozen=True)
class Runtime:
    settings: Settings
    engine: Engine
    mail: Mail
    sender: Sender

    def now(self) -> datetime:
        return clock.now(self.settings)

    @property
    def hours(self) -> Hours:
        s = self.settings
        return Hours(due_hour=s.reminder_hour, quiet_from=s.quiet_from, quiet_until=s.quiet_until)


def build_runtime(settings: Settings | None = None) -> Runtime:
    settings = settings or get_settings()
    return Runtime(
        settings=settings,
        engine=_engine_for(settings.database_url),
        mail=Mail(
            secret_key=secret_key_bytes(settings),
            renderer=EmailRenderer(settings.templates_dir),
            mail_from=settings.mail_from,
            base_url=settings.public_base_url,
            dpo_email=settings.dpo_email,
            privacy_retention=settings.privacy_retention,
            link_days_after_meeting=settings.link_days_after_meeting,
        ),
        sender=make_sender(settings),
    )
