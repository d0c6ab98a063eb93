"""Render an email kind from ``templates/emails/<kind>/<lang>/`` into a MIME message.

Text parts are rendered without escaping, ``body.html`` with autoescaping; every name must be
defined (StrictUndefined), so a template that asks for something the catalog did not give fails
loudly instead of sending a blank.
"""

from __future__ import annotations

import email.policy
import re
import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from email.headerregistry import Address
from email.message import EmailMessage
from email.utils import format_datetime, getaddresses
from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape

from nimeamiset.domain.text import without_controls
from nimeamiset.domain.timefmt import HELSINKI, LANGUAGES

PARTS = ("subject.txt", "body.txt", "body.html")


@dataclass(frozen=True)
class Attachment:
    filename: str
    media_type: str  # e.g. "application/pdf"; "text/calendar; method=REQUEST" for invitations
    content: bytes


@dataclass(frozen=True)
class Rendered:
    subject: str
    text: str
    html: str


class TemplateError(ValueError):
    pass


class EmailRenderer:
    def __init__(self, templates_dir: Path) -> None:
        self.root = templates_dir / "emails"
        self.env = Environment(
            loader=FileSystemLoader(str(self.root)),
            autoescape=select_autoescape(enabled_extensions=("html",), default_for_string=False),
            undefined=StrictUndefined,
            keep_trailing_newline=True,
            trim_blocks=True,
            lstrip_blocks=True,
        )

    def kinds(self) -> list[str]:
        return sorted(p.name for p in self.root.iterdir() if p.is_dir() and p.name[0] != "_")

    def languages(self, kind: str) -> list[str]:
        return [lang for lang in LANGUAGES if (self.root / kind / lang).is_dir()]

    def render(self, kind: str, lang: str, context: Mapping[str, Any]) -> Rendered:
        if lang not in self.languages(kind):
            lang = "fi"
        parts = [self.env.get_template(f"{kind}/{lang}/{part}").render(context) for part in PARTS]
        subject = " ".join(parts[0].split())
        if not subject:
            raise TemplateError(f"{kind}/{lang}: empty subject")
        return Rendered(subject=subject, text=parts[1].strip() + "\n", html=parts[2])


def domain_of(address: str) -> str:
    return getaddresses([address])[0][1].rpartition("@")[2] or "localhost"


_SPECIALS = re.compile(r'[,;:<>@"()\[\]\\]+')
MAX_DISPLAY_NAME = 64


def display_name(name: str) -> str:
    """A person's or organisation's name as it may stand before an address in a header: no
    control characters, none of the characters that separate or make addresses (a name like
    "Virtanen, Matti, x@evil.fi" cannot add an address, however a mail library folds it),
    one space between words, and short enough never to be folded."""
    plain = _SPECIALS.sub(" ", without_controls(name))
    return " ".join(plain.split())[:MAX_DISPLAY_NAME].strip()


def _addressed(name: str, address: str) -> Address | str:
    shown = display_name(name)
    return Address(display_name=shown, addr_spec=address) if shown else address


def build_message(
    rendered: Rendered,
    *,
    mail_from: str,
    to: str,
    to_name: str = "",
    reply_to: tuple[str, str] | None = None,
    sent_at: datetime,
    lang: str = "fi",
    auto: bool = False,
    extra_headers: Mapping[str, str] | None = None,
    attachments: Sequence[Attachment] = (),
    calendar: tuple[bytes, str] | None = None,
) -> EmailMessage:
    """A multipart/alternative message with a fixed Message-ID, ready to be stored and sent."""
    message = EmailMessage(policy=email.policy.SMTP)
    message["Subject"] = " ".join(without_controls(rendered.subject).split())
    message["From"] = mail_from
    message["To"] = _addressed(to_name, to)
    if reply_to:
        message["Reply-To"] = _addressed(*reply_to)
    message["Date"] = format_datetime(sent_at.astimezone(HELSINKI))
    message["Message-ID"] = f"<{uuid.uuid4().hex}@{domain_of(mail_from)}>"
    if auto:
        message["Auto-Submitted"] = "auto-generated"
    for key, value in (extra_headers or {}).items():
        message[key] = value
    message.set_content(rendered.text, charset="utf-8", cte="quoted-printable")
    message.add_alternative(rendered.html, subtype="html", charset="utf-8", cte="quoted-printable")
    if calendar is not None:
        # As calendar clients send it: the entry as a third alternative (what Outlook and
        # Google act on) and again as a file (what the others offer to open).
        ics, method = calendar
        message.add_alternative(
            ics.decode("utf-8"),
            subtype="calendar",
            charset="utf-8",
            cte="base64",
            params={"method": method},
        )
        message.add_attachment(ics, maintype="application", subtype="ics", filename="kokous.ics")
    for attachment in attachments:
        media, _, params = attachment.media_type.partition(";")
        maintype, subtype = media.strip().split("/")
        extra = dict(p.strip().split("=", 1) for p in params.split(";") if "=" in p)
        message.add_attachment(
            attachment.content,
            maintype=maintype,
            subtype=subtype,
            filename=attachment.filename,
            params=extra,
        )
    message["Content-Language"] = lang  # after set_content, which clears Content-* headers
    return message


def envelope_address(header_value: str) -> str:
    return getaddresses([header_value])[0][1]
