"""The roster (kokoonpano): who sits in the body, seat by seat, in distribution-list order.

A live roster is read from the current replies; assembling it stores a version, and every
later change makes a new version while the earlier ones stay readable."""

from __future__ import annotations

import json
from dataclasses import asdict, replace
from datetime import datetime
from typing import Any

from sqlmodel import Session, col, func, select

from nimeamiset.domain.roster import (
    Gender,
    Roster,
    RosterPerson,
    RosterSeat,
    SeatStatus,
)
from nimeamiset.domain.states import RequestState
from nimeamiset.models import (
    NominationRequest,
    Nominee,
    Reply,
    RosterVersion,
)
from nimeamiset.services.rounds import get_round
from nimeamiset.services.status import distribution
from nimeamiset.services.work import RoundWork


class VersionNotFound(LookupError):
    pass


def _person(nominee: Nominee | None) -> RosterPerson | None:
    if nominee is None:
        return None
    gender = Gender(nominee.gender) if nominee.gender in tuple(Gender) else None
    return RosterPerson(nominee.name, nominee.title, nominee.email, nominee.phone, gender)


def _status(request: NominationRequest, reply: Reply | None) -> SeatStatus:
    if request.state == RequestState.NOMINATED and reply is not None and reply.kind == "nomination":
        return SeatStatus.NAMED
    if request.state == RequestState.DECLINED:
        return SeatStatus.DECLINED
    return SeatStatus.NOT_NAMED


def live_roster(session: Session, round_id: str) -> Roster:
    round_ = get_round(session, round_id)
    rows = distribution(session, round_id)
    reply_ids = [reply.id for _, _, reply in rows if reply is not None]
    named: dict[tuple[int, int, str], Nominee] = {}
    for nominee in session.exec(select(Nominee).where(col(Nominee.reply_id).in_(reply_ids))):
        named[(nominee.reply_id, nominee.seat, nominee.role)] = nominee

    def seat_of(
        names: tuple[str, ...], number: int, request: NominationRequest, reply: Reply | None
    ) -> RosterSeat:
        status = _status(request, reply)
        if status is not SeatStatus.NAMED or reply is None or reply.id is None:
            return RosterSeat(names, number, status)
        return RosterSeat(
            names,
            number,
            status,
            _person(named.get((reply.id, number, "member"))),
            _person(named.get((reply.id, number, "deputy"))),
        )

    seats: list[RosterSeat] = []
    groups_done: set[str] = set()
    for request, organisation, reply in rows:
        group = request.joint_group
        if group is None:
            seats += [
                seat_of((organisation.name,), n, request, reply)
                for n in range(1, request.seats + 1)
            ]
            continue
        if group in groups_done:
            continue
        groups_done.add(group)
        members = [row for row in rows if row[0].joint_group == group]
        names = tuple(org.name for _, org, _ in members)
        holder = next((row for row in members if row[0].fills_joint_seat), None)
        if holder is not None:
            seats.append(seat_of(names, 1, holder[0], holder[2]))
        elif all(r.state == RequestState.DECLINED for r, _, _ in members):
            seats.append(RosterSeat(names, 1, SeatStatus.DECLINED))
        else:
            seats.append(RosterSeat(names, 1, SeatStatus.NOT_NAMED))
    return Roster(
        round_id=round_.id,
        body=round_.body,
        meeting_start=round_.meeting_start,
        meeting_end=round_.meeting_end,
        meeting_place=round_.meeting_place,
        seats=tuple(seats),
    )


def to_json(roster: Roster) -> str:
    def default(value: Any) -> Any:
        if isinstance(value, datetime):
            return value.isoformat()
        raise TypeError(type(value))

    return json.dumps(asdict(roster), default=default, ensure_ascii=False, sort_keys=True)


def from_json(text: str) -> Roster:
    data = json.loads(text)

    def person(p: dict[str, Any] | None) -> RosterPerson | None:
        if p is None:
            return None
        return RosterPerson(
            p["name"],
            p["title"],
            p["email"],
            p["phone"],
            Gender(p["gender"]) if p["gender"] else None,
        )

    seats = tuple(
        RosterSeat(
            tuple(s["organisations"]),
            s["number"],
            SeatStatus(s["status"]),
            person(s["member"]),
            person(s["deputy"]),
        )
        for s in data["seats"]
    )
    return Roster(
        round_id=data["round_id"],
        body=data["body"],
        meeting_start=datetime.fromisoformat(data["meeting_start"]),
        meeting_end=datetime.fromisoformat(data["meeting_end"]),
        meeting_place=data["meeting_place"],
        version=data["version"],
        assembled_at=datetime.fromisoformat(data["assembled_at"]) if data["assembled_at"] else None,
        seats=seats,
    )


def latest_version(session: Session, round_id: str) -> int:
    return int(
        session.exec(
            select(func.coalesce(func.max(RosterVersion.version), 0)).where(
                RosterVersion.round_id == round_id
            )
        ).one()
    )


def load_roster(session: Session, round_id: str, version: int | None = None) -> Roster:
    """A stored version; without ``version`` the newest one, or the live roster if none is."""
    get_round(session, round_id)
    number = version if version is not None else latest_version(session, round_id)
    if number == 0 and version is None:
        return live_roster(session, round_id)
    row = session.exec(
        select(RosterVersion)
        .where(RosterVersion.round_id == round_id)
        .where(RosterVersion.version == number)
    ).first()
    if row is None:
        raise VersionNotFound(f"round {round_id!r} has no roster version {number}")
    return from_json(row.content)


def assemble(work: RoundWork, *, reason: str) -> tuple[Roster, bool]:
    """Store the live roster as a new version if it differs from the newest one, under the
    round's lock (two assemblies, or an assembly and a reply, one at a time).

    Returns the roster and whether a new version was made."""
    session, round_id, now = work.session, work.round_id, work.now
    live = live_roster(session, round_id)
    newest = latest_version(session, round_id)
    if newest:
        previous = load_roster(session, round_id, newest)
        if replace(previous, version=0, assembled_at=None) == live:
            return previous, False
    roster = replace(live, version=newest + 1, assembled_at=now)
    session.add(
        RosterVersion(
            round_id=round_id,
            version=roster.version,
            assembled_at=now,
            reason=reason[:200],
            content=to_json(roster),
        )
    )
    return roster, True
