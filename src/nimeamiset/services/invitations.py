"""Staff actions on one organisation's request: send the invitation again (same link or a new
one), correct the registry office's address, and closing the round."""

from __future__ import annotations

from sqlalchemy import update
from sqlmodel import col, func, select

from nimeamiset.domain.people import normalise_email
from nimeamiset.domain.states import RoundState
from nimeamiset.domain.tokens import derive_token, hash_token, new_nonce
from nimeamiset.emails import catalog
from nimeamiset.models import NominationRequest, Organisation, OutboxMessage
from nimeamiset.services.events import AddressCorrected, InvitationResent, LinkRenewed
from nimeamiset.services.outbox import QUEUED, Mail
from nimeamiset.services.reminders import CANCELLED
from nimeamiset.services.work import ActionRefused, RoundWork

__all__ = ["ActionRefused", "close_round", "resend_invitation"]


def _distribution(work: RoundWork) -> list[str]:
    return list(
        work.session.exec(
            select(Organisation.name)
            .join(NominationRequest, col(NominationRequest.organisation_id) == Organisation.id)
            .where(NominationRequest.round_id == work.round_id)
            .order_by(col(NominationRequest.position))
        ).all()
    )


def resend_invitation(
    work: RoundWork,
    mail: Mail,
    request_id: int,
    *,
    new_link: bool = False,
    email: str | None = None,
) -> OutboxMessage | None:
    """Send the request's invitation again, to its (corrected) address. With ``new_link`` the
    request gets a new personal link and the old one stops working in the same commit.

    Invitations of this request still waiting in the outbox are withdrawn: they carry the old
    address or the old link."""
    work.require_state(RoundState.LAUNCHED)
    request = work.lock_request(request_id)
    organisation = work.session.get(Organisation, request.organisation_id)
    assert organisation is not None
    changed = False
    if email is not None:
        try:
            email = normalise_email(email.strip())
        except ValueError as exc:
            raise ActionRefused(str(exc)) from None
        if email.lower() != request.email.lower():
            work.record(AddressCorrected(request_id, request.email, email))
            request.email = email
            organisation.email = email  # the next round asks the corrected address too
            work.session.add(organisation)
            changed = True
    if new_link:
        request.token_nonce = new_nonce()
        request.token_hash = hash_token(
            derive_token(mail.secret_key, request_id, request.token_nonce)
        )
        work.record(LinkRenewed(request_id))
    work.session.add(request)
    if new_link or changed:
        work.session.execute(
            update(OutboxMessage)
            .where(
                col(OutboxMessage.request_id) == request_id,
                col(OutboxMessage.kind).in_(("invitation", "reminder")),
                col(OutboxMessage.state) == QUEUED,
            )
            .values(state=CANCELLED, content=b"")
        )
    sent_before = int(
        work.session.exec(
            select(func.count())
            .select_from(OutboxMessage)
            .where(OutboxMessage.request_id == request_id)
            .where(OutboxMessage.kind == "invitation")
        ).one()
    )
    message = work.queue(
        mail,
        kind="invitation",
        lang=request.language,
        context=catalog.invitation(
            work.round, organisation, request, mail.link_for(request), _distribution(work)
        ),
        to=request.email,
        to_name=organisation.name,
        reply_to=(work.round.contact_name, work.round.contact_email),
        dedupe_key=f"invitation:{request_id}:{sent_before + 1}",
        request_id=request_id,
    )
    work.record(InvitationResent(request_id, new_link, changed))
    return message


def close_round(work: RoundWork) -> None:
    """Close the round: its links then get the same "not valid" page as unknown ones, no
    reminder, summary or assembly is due any more, and reminders not yet sent are withdrawn."""
    work.require_state(RoundState.LAUNCHED)
    work.change_round_state(RoundState.CLOSED)
    work.round.next_summary_at = None
    work.round.next_assembly_at = None
    work.session.add(work.round)
    work.session.execute(
        update(NominationRequest)
        .where(col(NominationRequest.round_id) == work.round_id)
        .values(next_reminder_at=None)
    )
    work.session.execute(
        update(OutboxMessage)
        .where(
            col(OutboxMessage.round_id) == work.round_id,
            col(OutboxMessage.kind) == "reminder",
            col(OutboxMessage.state) == QUEUED,
        )
        .values(state=CANCELLED, content=b"")
    )
