"""The outbox: messages are rendered and stored in the transaction that causes them, then
claimed by a sender with a conditional UPDATE and a lease, so any number of senders and
retries deliver each one and record it exactly once. A failed message waits and is retried;
it is never dropped."""

from __future__ import annotations

import secrets
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import and_, func, or_, update
from sqlmodel import Session, col, select

from nimeamiset.domain.states import RequestState
from nimeamiset.domain.tokens import KeyMismatch, derive_token, hash_token
from nimeamiset.emails.render import (
    Attachment,
    EmailRenderer,
    Rendered,
    build_message,
    envelope_address,
)
from nimeamiset.emails.senders import Delivery, Envelope
from nimeamiset.models import NominationRequest, OutboxMessage, Round
from nimeamiset.services.events import OUTBOX, RequestStateChanged, event_row

QUEUED, SENDING, SENT, FAILED = "queued", "sending", "sent", "failed"
LEASE = timedelta(minutes=10)
MAX_BACKOFF = timedelta(hours=6)


@dataclass(frozen=True)
class Mail:
    """What services need to write an email: templates, the council's address, link base."""

    renderer: EmailRenderer
    mail_from: str
    base_url: str
    secret_key: bytes
    dpo_email: str | None = None
    privacy_retention: str = ""
    link_days_after_meeting: int = 90
    """Personal links stop working this many days after the first meeting."""

    def link(self, token: str) -> str:
        return f"{self.base_url}/n/{token}"

    def link_for(self, request: NominationRequest) -> str:
        """The request's personal link, written again from its nonce and the secret key."""
        assert request.id is not None
        token = derive_token(self.secret_key, request.id, request.token_nonce)
        if hash_token(token) != request.token_hash:
            raise KeyMismatch(
                "the secret key differs from the one the links were made with: check "
                "NIMEAMISET_SECRET_KEY / SECRET_KEY_FILE on this machine"
            )
        return self.link(token)


def queue_email(
    session: Session,
    mail: Mail,
    *,
    kind: str,
    lang: str,
    context: Mapping[str, Any],
    to: str,
    dedupe_key: str,
    now: datetime,
    to_name: str = "",
    reply_to: tuple[str, str] | None = None,
    round_id: str | None = None,
    request_id: int | None = None,
    auto: bool = False,
    attachments: Sequence[Attachment] = (),
    calendar: tuple[bytes, str] | None = None,
) -> OutboxMessage | None:
    """Render and store one message; None if one with this key was queued before."""
    existing = session.exec(
        select(OutboxMessage.id).where(OutboxMessage.dedupe_key == dedupe_key)
    ).first()
    if existing is not None:
        return None
    return store_email(
        session,
        mail,
        mail.renderer.render(kind, lang, context),
        kind=kind,
        lang=lang,
        to=to,
        dedupe_key=dedupe_key,
        now=now,
        to_name=to_name,
        reply_to=reply_to,
        round_id=round_id,
        request_id=request_id,
        auto=auto,
        attachments=attachments,
        calendar=calendar,
    )


def store_email(
    session: Session,
    mail: Mail,
    rendered: Rendered,
    *,
    kind: str,
    lang: str,
    to: str,
    dedupe_key: str,
    now: datetime,
    to_name: str = "",
    reply_to: tuple[str, str] | None = None,
    round_id: str | None = None,
    request_id: int | None = None,
    auto: bool = False,
    attachments: Sequence[Attachment] = (),
    calendar: tuple[bytes, str] | None = None,
) -> OutboxMessage:
    """Store a message already rendered (``queue_email`` renders it from its kind's
    templates); ``kind`` then only names it. The key must be new."""
    message = build_message(
        rendered,
        mail_from=mail.mail_from,
        to=to,
        to_name=to_name,
        reply_to=reply_to,
        sent_at=now,
        lang=lang,
        auto=auto,
        attachments=attachments,
        calendar=calendar,
    )
    row = OutboxMessage(
        dedupe_key=dedupe_key,
        round_id=round_id,
        request_id=request_id,
        kind=kind,
        message_id=str(message["Message-ID"]),
        envelope_from=envelope_address(mail.mail_from),
        envelope_to=to,
        content=message.as_bytes(),
        created_at=now,
        next_attempt_at=now,
    )
    session.add(row)
    return row


def _due(now: datetime) -> Any:
    return or_(
        and_(col(OutboxMessage.state) == QUEUED, col(OutboxMessage.next_attempt_at) <= now),
        and_(col(OutboxMessage.state) == SENDING, col(OutboxMessage.lease_until) < now),
    )


def claim_due(
    session: Session,
    *,
    now: datetime,
    limit: int,
    round_id: str | None = None,
    ids: Sequence[int] | None = None,
    lease: timedelta = LEASE,
    hold: Sequence[str] = (),
) -> list[Envelope]:
    """Take up to ``limit`` due messages under a lease (at least ``LEASE``). Commits."""
    candidates = select(OutboxMessage.id).where(_due(now))
    if round_id is not None:
        candidates = candidates.where(OutboxMessage.round_id == round_id)
    if ids is not None:
        candidates = candidates.where(col(OutboxMessage.id).in_(ids))
    if hold:
        candidates = candidates.where(col(OutboxMessage.kind).not_in(hold))
    candidates = candidates.order_by(col(OutboxMessage.id)).limit(limit)
    # The state test is repeated outside the subquery: a row that another sender claimed in
    # the meantime no longer matches when this UPDATE reaches it, and is skipped.
    claim = secrets.token_hex(16)
    claimed = session.execute(
        update(OutboxMessage)
        .where(col(OutboxMessage.id).in_(candidates.scalar_subquery()), _due(now))
        .values(state=SENDING, lease_until=now + max(lease, LEASE), claim_token=claim)
        .returning(
            col(OutboxMessage.id),
            col(OutboxMessage.envelope_from),
            col(OutboxMessage.envelope_to),
            col(OutboxMessage.content),
        )
    ).all()
    session.commit()
    envelopes = (Envelope(id_, sender, to, content, claim) for id_, sender, to, content in claimed)
    return sorted(envelopes, key=lambda e: e.id)


def backoff(attempts: int) -> timedelta:
    return min(timedelta(minutes=2 ** min(attempts, 10)), MAX_BACKOFF)


def record_deliveries(
    session: Session, deliveries: Sequence[Delivery], *, now: datetime, claim: str | None = None
) -> None:
    """Write what the sender did; an invitation delivered marks its request invited. Commits.

    Fenced to the claim: a sender whose lease ran out, and whose messages another sender has
    claimed since, records nothing (it would otherwise put back to "queued" a message the
    other sent, and undo the other's success)."""
    by_id = {d.id: d for d in deliveries}
    rows = session.exec(select(OutboxMessage).where(col(OutboxMessage.id).in_(by_id))).all()
    # A delivered invitation changes its request's state: take the rounds' locks first, in
    # id order, as every change of a round does (no deadlock with a reply in progress).
    marking = sorted(
        {
            row.round_id
            for row in rows
            if row.kind == "invitation" and row.round_id and by_id[row.id].ok  # type: ignore[index]
        }
    )
    for round_id in marking:
        session.exec(select(Round.id).where(Round.id == round_id).with_for_update()).first()
    for row in rows:
        delivery = by_id[row.id]  # type: ignore[index]
        if row.state != SENDING or (claim is not None and row.claim_token != claim):
            continue
        row.claim_token = None
        row.attempts += 1
        row.lease_until = None
        if delivery.ok:
            row.state, row.sent_at, row.last_error = SENT, now, ""
            # Once delivered, the content is not kept: it holds a personal link and people's
            # details. What stays is who got which kind of message when, and its Message-ID.
            row.content = b""
            if row.kind == "invitation" and row.request_id is not None:
                _mark_invited(session, row.request_id, now)
        elif delivery.permanent:
            # Refused for good (550 5.1.1, say): staff see it under Toimitusongelmat and fix
            # the address, which sends a new message. Its content is not kept either.
            row.state, row.last_error, row.content = FAILED, delivery.error[:500], b""
        else:
            row.state, row.last_error = QUEUED, delivery.error[:500]
            row.next_attempt_at = now + backoff(row.attempts)
        session.add(row)
    session.commit()


def _mark_invited(session: Session, request_id: int, now: datetime) -> None:
    request = session.get(NominationRequest, request_id)
    if request is None:
        return
    if request.invited_at is None:
        request.invited_at = now
    if request.state == RequestState.PENDING:
        request.state = RequestState.INVITED
        session.add(
            event_row(
                RequestStateChanged(request_id, RequestState.PENDING, RequestState.INVITED),
                round_id=request.round_id,
                actor=OUTBOX,
                now=now,
            )
        )
    session.add(request)


def waiting_count(session: Session, *, round_id: str | None = None) -> int:
    """Messages not yet delivered: queued, waiting for a retry, or being sent."""
    query = (
        select(func.count())
        .select_from(OutboxMessage)
        .where(col(OutboxMessage.state).in_((QUEUED, SENDING)))
    )
    if round_id is not None:
        query = query.where(OutboxMessage.round_id == round_id)
    return int(session.exec(query).one())
