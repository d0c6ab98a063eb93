"""A joint seat: one seat shared by several organisations. Each is asked; the first nomination
fills the seat, and the others are told by whom, to confirm it or to ask staff to change it."""

from __future__ import annotations

from dataclasses import dataclass

from sqlmodel import Session, col, select

from nimeamiset.models import NominationRequest, Nominee, Organisation


@dataclass(frozen=True)
class Holder:
    organisation: str
    member: str
    deputy: str


class SeatTaken(Exception):
    """Another organisation of the joint seat filled it first."""

    def __init__(self, holder: Holder) -> None:
        super().__init__(f"the joint seat is filled by {holder.organisation}")
        self.holder = holder


def lock_group(session: Session, request: NominationRequest) -> list[NominationRequest]:
    """Lock every request of the seat's group, always in id order (no deadlock between two
    organisations replying at once); on SQLite the write transaction already serialises."""
    return list(
        session.exec(
            select(NominationRequest)
            .where(NominationRequest.round_id == request.round_id)
            .where(NominationRequest.joint_group == request.joint_group)
            .order_by(col(NominationRequest.id))
            .with_for_update()
            .execution_options(populate_existing=True)
        ).all()
    )


def holder_of(session: Session, request: NominationRequest) -> Holder | None:
    """Who fills the seat of ``request``'s group, unless it is ``request`` itself."""
    if request.joint_group is None:
        return None
    row = session.exec(
        select(NominationRequest, Organisation)
        .join(Organisation, col(Organisation.id) == NominationRequest.organisation_id)
        .where(NominationRequest.round_id == request.round_id)
        .where(NominationRequest.joint_group == request.joint_group)
        .where(col(NominationRequest.fills_joint_seat).is_(True))
        .where(NominationRequest.id != request.id)
    ).first()
    if row is None:
        return None
    other, organisation = row
    names = {
        n.role: n.name
        for n in session.exec(select(Nominee).where(Nominee.reply_id == other.current_reply_id))
    }
    return Holder(organisation.name, names.get("member", ""), names.get("deputy", ""))


def claim(session: Session, request: NominationRequest) -> None:
    """Fill the joint seat with ``request``'s nomination, or raise SeatTaken. The caller has
    locked the group (``lock_group``)."""
    holder = holder_of(session, request)
    if holder is not None:
        raise SeatTaken(holder)
    request.fills_joint_seat = True
    session.add(request)
