"""The built-in mail capture for the embedded default: an aiosmtpd server on 127.0.0.1 that
keeps every message it receives as a file, and a reader for the web app's mailbox page."""

from __future__ import annotations

import email
import email.policy
import time
import uuid
from dataclasses import dataclass
from email.message import EmailMessage
from pathlib import Path
from typing import Any

from aiosmtpd.controller import Controller

NAME_OK = frozenset("0123456789abcdef-")


class _SaveHandler:
    def __init__(self, directory: Path) -> None:
        self.directory = directory

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        name = f"{time.time_ns():020d}-{uuid.uuid4().hex[:8]}"
        temporary = self.directory / f".{name}.tmp"
        temporary.write_bytes(envelope.original_content or envelope.content)
        temporary.rename(self.directory / f"{name}.eml")
        return "250 Message accepted for delivery"


class MailCapture:
    """Start with :meth:`start`, stop with :meth:`stop`; listens on 127.0.0.1 only."""

    def __init__(self, directory: Path, port: int = 8025) -> None:
        directory.mkdir(parents=True, exist_ok=True)
        self.directory = directory
        self.controller = Controller(_SaveHandler(directory), hostname="127.0.0.1", port=port)

    @property
    def port(self) -> int:
        return int(self.controller.port)

    def start(self) -> None:
        self.controller.start()

    def stop(self) -> None:
        self.controller.stop()


@dataclass(frozen=True)
class CapturedMessage:
    name: str
    subject: str
    sender: str
    to: str
    date: str
    text: str
    html: str
    attachments: list[str]


def parse_message(raw: bytes, name: str = "") -> CapturedMessage:
    message = email.message_from_bytes(raw, policy=email.policy.default)
    assert isinstance(message, EmailMessage)
    text = message.get_body(preferencelist=("plain",))
    html = message.get_body(preferencelist=("html",))
    return CapturedMessage(
        name=name,
        subject=str(message["Subject"] or ""),
        sender=str(message["From"] or ""),
        to=str(message["To"] or ""),
        date=str(message["Date"] or ""),
        text=text.get_content() if text is not None else "",
        html=html.get_content() if html is not None else "",
        attachments=[part.get_filename() or "" for part in message.iter_attachments()],
    )


class Mailbox:
    def __init__(self, directory: Path) -> None:
        self.directory = directory

    def list(self) -> list[CapturedMessage]:
        if not self.directory.is_dir():
            return []
        files = sorted(self.directory.glob("*.eml"), reverse=True)
        return [parse_message(path.read_bytes(), path.stem) for path in files]

    def read(self, name: str) -> CapturedMessage | None:
        if not name or not set(name) <= NAME_OK:
            return None
        path = self.directory / f"{name}.eml"
        return parse_message(path.read_bytes(), name) if path.is_file() else None
