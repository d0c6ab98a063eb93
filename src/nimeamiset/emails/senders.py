"""Sending: one interface, an SMTP implementation and an in-memory recorder.

The SMTP sender reuses connections: ``concurrency`` workers each open one connection and send
message after message over it, reconnecting only when the server drops them.
"""

from __future__ import annotations

import asyncio
import logging
import re
import ssl
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Protocol

import aiosmtplib

from nimeamiset.config import Settings, SmtpSecurity

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Envelope:
    id: int
    mail_from: str
    to: str
    content: bytes
    claim: str = ""
    """The claim that took the message: only it may record the outcome."""


@dataclass(frozen=True)
class Delivery:
    id: int
    ok: bool
    error: str = ""
    permanent: bool = False
    """The server refused the message for good (a 5xx answer): retrying will not help."""


class Sender(Protocol):
    async def send_many(self, envelopes: Sequence[Envelope]) -> list[Delivery]: ...

    def worst_case(self, count: int) -> timedelta:
        """How long sending ``count`` messages may take at most: the claim's lease must
        outlast it, or another sender would take the messages over and send them twice."""
        ...


ENHANCED_CODE = re.compile(r"^\s*([245]\.\d{1,3}\.\d{1,3})\b")


QUOTA = "5.2.0"
"""``554 5.2.0``: Microsoft 365's daily recipient quota. It passes with the day: not permanent."""


def is_permanent(exc: BaseException) -> bool:
    """A 5xx answer to this message's recipient or content, except a quota that passes with
    time. Connection trouble, time-outs, 4xx answers, and refusals of our own sender or login
    (a setting to fix, which must not fail every message) are not permanent."""
    if isinstance(exc, aiosmtplib.SMTPRecipientsRefused) and exc.recipients:
        exc = exc.recipients[0]
    if not isinstance(exc, aiosmtplib.SMTPRecipientRefused | aiosmtplib.SMTPDataError):
        return False
    enhanced = ENHANCED_CODE.match(str(exc.message or ""))
    if enhanced is not None and enhanced.group(1) == QUOTA:
        return False
    return 500 <= exc.code < 600


def _describe(exc: BaseException) -> str:
    """The error's type, SMTP reply code and enhanced status code (``550 5.1.1``).

    Never the server's text: SMTP errors can quote addresses."""
    if isinstance(exc, aiosmtplib.SMTPRecipientsRefused) and exc.recipients:
        exc = exc.recipients[0]
    code = getattr(exc, "code", None)
    enhanced = ENHANCED_CODE.match(str(getattr(exc, "message", "") or ""))
    detail = " ".join(str(part) for part in (code, enhanced and enhanced.group(1)) if part)
    return f"{type(exc).__name__}{f' {detail}' if detail else ''}"


class SmtpSender:
    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self._tls: ssl.SSLContext | None = None

    def worst_case(self, count: int) -> timedelta:
        s = self.settings
        rounds = -(-count // s.send_concurrency)  # messages per connection, rounded up
        # connect, EHLO/STARTTLS/AUTH once; MAIL, RCPT, DATA per message: each may time out.
        return timedelta(seconds=s.smtp_timeout * (4 + 3 * rounds))

    def _tls_context(self) -> ssl.SSLContext | None:
        # Loading the system's CA store takes ~0.1 s: once per sender, and only for TLS.
        if self.settings.smtp_security is SmtpSecurity.NONE:
            return None
        if self._tls is None:
            self._tls = ssl.create_default_context()
        return self._tls

    def _client(self) -> aiosmtplib.SMTP:
        s = self.settings
        return aiosmtplib.SMTP(
            hostname=s.smtp_host,
            port=s.smtp_port,
            use_tls=s.smtp_security is SmtpSecurity.TLS,
            start_tls=s.smtp_security is SmtpSecurity.STARTTLS,
            tls_context=self._tls_context(),
            username=s.smtp_username,
            password=s.smtp_password.get_secret_value() if s.smtp_password else None,
            timeout=s.smtp_timeout,
        )

    async def send_many(self, envelopes: Sequence[Envelope]) -> list[Delivery]:
        queue: asyncio.Queue[Envelope] = asyncio.Queue()
        for envelope in envelopes:
            queue.put_nowait(envelope)
        results: list[Delivery] = []
        workers = min(self.settings.send_concurrency, len(envelopes))
        await asyncio.gather(*(self._worker(queue, results) for _ in range(workers)))
        return results

    async def _worker(self, queue: asyncio.Queue[Envelope], results: list[Delivery]) -> None:
        client: aiosmtplib.SMTP | None = None
        try:
            while not queue.empty():
                envelope = queue.get_nowait()
                if client is None or not client.is_connected:
                    client = self._client()
                    try:
                        await client.connect()
                    except (aiosmtplib.SMTPException, OSError, TimeoutError) as exc:
                        # The server is unreachable: give the rest back for a later retry
                        # rather than waiting out a time-out per message.
                        log.warning("SMTP server not reachable: %s", _describe(exc))
                        results.append(Delivery(envelope.id, False, _describe(exc)))
                        while not queue.empty():
                            results.append(Delivery(queue.get_nowait().id, False, _describe(exc)))
                        client = None
                        return
                try:
                    await client.sendmail(envelope.mail_from, [envelope.to], envelope.content)
                    results.append(Delivery(envelope.id, True))
                except (aiosmtplib.SMTPException, OSError, TimeoutError) as exc:
                    log.warning("outbox message %s not delivered: %s", envelope.id, _describe(exc))
                    results.append(
                        Delivery(envelope.id, False, _describe(exc), permanent=is_permanent(exc))
                    )
                    if isinstance(exc, aiosmtplib.SMTPServerDisconnected | OSError | TimeoutError):
                        client = None
        finally:
            if client is not None and client.is_connected:
                try:
                    await client.quit()
                except (aiosmtplib.SMTPException, OSError, TimeoutError):
                    client.close()


@dataclass
class RecordingSender:
    """Keeps what it is given; can be told to fail, for tests of retries."""

    sent: list[Envelope] = field(default_factory=list)
    fail: bool = False

    def worst_case(self, count: int) -> timedelta:
        return timedelta(seconds=1)

    async def send_many(self, envelopes: Sequence[Envelope]) -> list[Delivery]:
        if self.fail:
            return [Delivery(e.id, False, "RecordingSender told to fail") for e in envelopes]
        self.sent.extend(envelopes)
        return [Delivery(e.id, True) for e in envelopes]


def make_sender(settings: Settings) -> Sender:
    return SmtpSender(settings)
