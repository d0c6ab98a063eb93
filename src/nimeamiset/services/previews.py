"""The invitation as an organisation will receive it, for staff to check before launch, and
the same message sent to a staff member as a test.

The preview is rendered by the same catalog function, templates and message builder as the
invitations the launch queues, with one difference: its personal link is an example that opens
nothing. A real link is never shown to staff (it would let them answer as the organisation),
and a draft's requests have none yet: they are made at launch.
"""

from __future__ import annotations

import re
import uuid
from dataclasses import dataclass
from datetime import datetime

from markupsafe import escape
from sqlmodel import Session, col, select

from nimeamiset.emails import catalog
from nimeamiset.emails.render import Rendered, build_message
from nimeamiset.models import NominationRequest, Organisation, OutboxMessage
from nimeamiset.services.events import TestMessageSent
from nimeamiset.services.outbox import Mail, store_email
from nimeamiset.services.rounds import get_round
from nimeamiset.services.work import RoundWork

EXAMPLE_TOKEN = "ESIKATSELU-esimerkkilinkki-ei-toimi"  # noqa: S105 (shown to all: no secret)
TEST_SUBJECT_PREFIX = "[TESTIVIESTI] "
LANGUAGE_FI = {"fi": "suomi", "sv": "ruotsi", "en": "englanti"}
_BODY_TAG = re.compile(r"<body\b[^>]*>", re.IGNORECASE)


class RequestNotInRound(LookupError):
    """No such organisation on the round's distribution list."""


@dataclass(frozen=True)
class Recipient:
    """An organisation on the distribution list, as the preview's choice shows it."""

    request_id: int
    name: str
    email: str
    language: str

    @property
    def language_fi(self) -> str:
        return LANGUAGE_FI.get(self.language, self.language)


@dataclass(frozen=True)
class InvitationPreview:
    recipient: Recipient
    subject: str
    mail_from: str
    reply_to: str
    to: str
    text: str
    html: str
    link: str  # the example link in place of the personal one
    rendered: Rendered
    reply_to_address: tuple[str, str]


def example_link(mail: Mail) -> str:
    """A link that looks like a personal link and opens nothing (the "not valid" page)."""
    return mail.link(EXAMPLE_TOKEN)


def _rows(session: Session, round_id: str) -> list[tuple[NominationRequest, Organisation]]:
    return list(
        session.exec(
            select(NominationRequest, Organisation)
            .join(Organisation, col(Organisation.id) == NominationRequest.organisation_id)
            .where(NominationRequest.round_id == round_id)
            .order_by(col(NominationRequest.position))
        ).all()
    )


def recipients(session: Session, round_id: str) -> list[Recipient]:
    """The round's distribution list, in order (RoundNotFound for an unknown round)."""
    get_round(session, round_id)
    return [
        Recipient(request.id, organisation.name, request.email, request.language)
        for request, organisation in _rows(session, round_id)
        if request.id is not None
    ]


def preview_invitation(
    session: Session, mail: Mail, round_id: str, request_id: int, *, now: datetime
) -> InvitationPreview:
    """The invitation of this request as the launch would queue it, but for the link."""
    round_ = get_round(session, round_id)
    rows = _rows(session, round_id)
    found = [(r, o) for r, o in rows if r.id == request_id]
    if not found:
        raise RequestNotInRound(request_id)
    ((request, organisation),) = found
    link = example_link(mail)
    distribution = [o.name for _, o in rows]
    rendered = mail.renderer.render(
        "invitation",
        request.language,
        catalog.invitation(round_, organisation, request, link, distribution),
    )
    reply_to = (round_.contact_name, round_.contact_email)
    message = build_message(
        rendered,
        mail_from=mail.mail_from,
        to=request.email,
        to_name=organisation.name,
        reply_to=reply_to,
        sent_at=now,
        lang=request.language,
    )
    return InvitationPreview(
        recipient=Recipient(request_id, organisation.name, request.email, request.language),
        subject=str(message["Subject"]),
        mail_from=str(message["From"]),
        reply_to=str(message["Reply-To"]),
        to=str(message["To"]),
        text=rendered.text,
        html=rendered.html,
        link=link,
        rendered=rendered,
        reply_to_address=reply_to,
    )


def note_for_test(recipient: Recipient) -> str:
    return (
        f"TESTIVIESTI: tämä on esikatselusta lähetetty testiviesti. Sitä ei lähetetty "
        f"organisaatiolle {recipient.name} ({recipient.email}). Viestin linkki on esimerkki, "
        "joka ei avaa lomaketta: oikea henkilökohtainen linkki tehdään, kun kierros "
        "käynnistetään."
    )


def marked_as_test(preview: InvitationPreview) -> Rendered:
    """The previewed message with ``[TESTIVIESTI]`` before its subject and a note at the top
    of both parts saying it is a test that the organisation did not get."""
    note = note_for_test(preview.recipient)
    banner = (
        '<div style="margin:0;padding:12px 16px;background:#fff3cd;border-bottom:2px solid '
        f'#8a6d00;font-family:Arial,Helvetica,sans-serif;font-size:16px;color:#1a1a1a;">'
        f"<strong>{escape(note)}</strong></div>"
    )
    html, added = _BODY_TAG.subn(lambda m: m.group(0) + "\n" + banner, preview.html, count=1)
    return Rendered(
        subject=TEST_SUBJECT_PREFIX + preview.subject,
        text=f"{note}\n\n{preview.text}",
        html=html if added else banner + html,
    )


def send_test_message(
    work: RoundWork, mail: Mail, request_id: int, *, to: str, to_name: str = ""
) -> OutboxMessage:
    """Queue the request's invitation, marked as a test, to a staff member (``to``), in the
    work's commit with its audit event. Every test send is a message of its own."""
    preview = preview_invitation(work.session, mail, work.round_id, request_id, now=work.now)
    row = store_email(
        work.session,
        mail,
        marked_as_test(preview),
        kind="test_message",
        lang=preview.recipient.language,
        to=to,
        to_name=to_name,
        reply_to=preview.reply_to_address,
        dedupe_key=f"test_message:{request_id}:{uuid.uuid4().hex}",
        now=work.now,
        round_id=work.round_id,
    )
    work.record(TestMessageSent(request_id))
    return row
