"""The privacy notice (GDPR article 14) to every person an organisation names: once per person
and round, however often the organisation corrects its reply."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlmodel import Session

from nimeamiset.domain.people import email_key
from nimeamiset.domain.roster import Gender, RosterPerson
from nimeamiset.emails import catalog
from nimeamiset.models import NominationRequest, Nominee, Round
from nimeamiset.services.outbox import Mail, queue_email


def queue_nominee_notices(
    session: Session,
    mail: Mail,
    round_: Round,
    organisation: str,
    request: NominationRequest,
    nominees: Sequence[Nominee],
    *,
    now: datetime,
) -> int:
    """Queue a notice to each nominee not told before in this round; returns how many."""
    queued = 0
    lang = request.language
    for nominee in nominees:
        person = RosterPerson(
            nominee.name,
            nominee.title,
            nominee.email,
            nominee.phone,
            Gender(nominee.gender) if nominee.gender else None,
        )
        message = queue_email(
            session,
            mail,
            kind="nominee_notice",
            lang=lang,
            context=catalog.nominee_notice(
                round_,
                organisation,
                person,
                nominee.role,
                lang,
                retention=mail.privacy_retention if lang == "fi" else "",
                dpo_email=mail.dpo_email or round_.contact_email,
            ),
            to=nominee.email,
            to_name=nominee.name,
            reply_to=(round_.contact_name, round_.contact_email),
            dedupe_key=f"notice:{round_.id}:{email_key(nominee.email)}",
            now=now,
            round_id=round_.id,
            auto=True,
        )
        queued += message is not None
    return queued
