"""The round commands: create, launch, status, extend, assemble, invite to the meeting, export."""

from __future__ import annotations

import argparse
import json
import sys
from datetime import date, datetime
from pathlib import Path

from nimeamiset.cli.common import UsageError, deliver, runtime, status_or_usage
from nimeamiset.db import session_scope
from nimeamiset.domain.people import parse_person
from nimeamiset.domain.roundfile import RoundFileError, locate_problems, parse_round_file
from nimeamiset.domain.timefmt import as_helsinki, format_date, format_meeting
from nimeamiset.exports import export
from nimeamiset.services.assembly import assemble_and_notify
from nimeamiset.services.events import Actor
from nimeamiset.services.extensions import ExtensionError, extend_deadline
from nimeamiset.services.meetings import invite_to_meeting, reschedule
from nimeamiset.services.replies import NothingToReplace, replace_nominee, request_of
from nimeamiset.services.roster import VersionNotFound, load_roster
from nimeamiset.services.rounds import create_round
from nimeamiset.services.status import round_status
from nimeamiset.services.work import round_work


def cmd_round_create(args: argparse.Namespace) -> int:
    path = Path(args.file)
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise UsageError(f"{path}: cannot read: {exc}") from None
    try:
        spec = parse_round_file(text)
        rt = runtime()
        with session_scope(rt.engine) as session:
            round_ = create_round(session, spec, actor=Actor.command(), now=rt.now())
    except RoundFileError as exc:
        problems = locate_problems(text, exc.problems)
        raise UsageError("\n".join(p.format(str(path)) for p in problems)) from None
    print(
        f"kierros luotu / round created: {round_.body}, "
        f"{len(spec.invitees())} organisaatiota, määräaika {format_date(round_.deadline)}"
    )
    print(round_.id)
    return 0


def cmd_round_list(_args: argparse.Namespace) -> int:
    from sqlmodel import col, select

    from nimeamiset.models import Round

    rt = runtime()
    with session_scope(rt.engine) as session:
        for round_ in session.exec(select(Round).order_by(col(Round.created_at))):
            print(f"{round_.id}\t{round_.state}\t{format_date(round_.deadline)}\t{round_.body}")
    return 0


def cmd_round_status(args: argparse.Namespace) -> int:
    rt = runtime()
    with session_scope(rt.engine) as session:
        status_or_usage(session, args.round)
        status = round_status(session, args.round, now=rt.now())
    if args.json:
        print(json.dumps(status.as_json(), ensure_ascii=False, indent=2))
        return 0
    print(f"{status.body} – määräaika {format_date(status.deadline)}")
    rows = [
        ("Organisaatio", "Tila", "Myöhässä", "Muist.", "Paikka", "Varsinainen jäsen", "Varajäsen")
    ]
    for o in status.organisations:
        for i, seat in enumerate(o.seats):
            first = (o.name, o.state_label, o.late_label, str(o.reminders_sent))
            rows.append(
                (
                    *(first if i == 0 else ("", "", "", "")),
                    str(seat.number),
                    seat.member.name if seat.member else "",
                    seat.deputy.name if seat.deputy else "",
                )
            )
        if o.invitation is not None and not o.invitation.sent:
            rows.append(("", f"pyyntö: {o.invitation.text}", "", "", "", "", ""))
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
    for row in rows:
        print(
            "  ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=True)).rstrip()
        )
    print(f"\nYhteensä: {status.counts_text}")
    return 0


def cmd_round_extend(args: argparse.Namespace) -> int:
    rt = runtime()
    try:
        until = date.fromisoformat(args.until)
    except ValueError:
        raise UsageError(f"--until: {args.until!r} is not a date (2024-04-05)") from None
    with session_scope(rt.engine) as session:
        status_or_usage(session, args.round)
        try:
            with round_work(session, args.round, actor=Actor.command(), now=rt.now()) as work:
                extended = extend_deadline(
                    work, rt.mail, until, hours=rt.hours, organisation=args.organisation
                )
        except ExtensionError as exc:
            raise UsageError(str(exc)) from None
    who = args.organisation or "koko kierros / the whole round"
    print(f"määräaika {format_date(until)}: {who}")
    for name in extended.organisations:
        print(f"ilmoitettu / told: {name}")
    print(deliver(rt))
    return 0


def cmd_roster(args: argparse.Namespace) -> int:
    rt = runtime()
    with session_scope(rt.engine) as session:
        status_or_usage(session, args.round)
        try:
            roster = load_roster(session, args.round, args.version)
        except VersionNotFound as exc:
            raise UsageError(str(exc)) from None
    content = export(roster, args.format)
    if args.output == "-":
        sys.stdout.buffer.write(content)
    else:
        Path(args.output).write_bytes(content)
        print(f"kokoonpano kirjoitettu / roster written: {args.output}")
    return 0


def cmd_round_assemble(args: argparse.Namespace) -> int:
    rt = runtime()
    with session_scope(rt.engine) as session:
        status_or_usage(session, args.round)
        with round_work(session, args.round, actor=Actor.command(), now=rt.now()) as work:
            done = assemble_and_notify(work, rt.mail, reason="pyynnöstä")
    state = "uusi / new" if done.changed else "ennallaan / unchanged"
    print(f"kokoonpano / roster: versio {done.version} ({state})")
    for name in done.missing:
        print(f"nimeämättä / missing: {name}")
    print(deliver(rt))
    return 0


def cmd_round_invite_meeting(args: argparse.Namespace) -> int:
    rt = runtime()
    with session_scope(rt.engine) as session:
        status_or_usage(session, args.round)
        with round_work(session, args.round, actor=Actor.command(), now=rt.now()) as work:
            sent = invite_to_meeting(work, rt.mail)
    print(f"kokouskutsuja jonossa / meeting invitations queued: {sent}")
    print(deliver(rt))
    return 0


def _local_time(text: str, key: str) -> datetime:
    try:
        return as_helsinki(datetime.fromisoformat(text))
    except ValueError:
        raise UsageError(f"{key}: {text!r} is not a time like 2024-04-18T09:00") from None


def cmd_round_reschedule(args: argparse.Namespace) -> int:
    start, end = _local_time(args.start, "--start"), _local_time(args.end, "--end")
    rt = runtime()
    with session_scope(rt.engine) as session:
        status_or_usage(session, args.round)
        try:
            with round_work(session, args.round, actor=Actor.command(), now=rt.now()) as work:
                sent = reschedule(
                    work, rt.mail, start=start, end=end, place=args.place, hours=rt.hours
                )
        except ValueError as exc:
            raise UsageError(str(exc)) from None
    print(f"kokous / meeting: {format_meeting(start, end)}; päivitettyjä kutsuja / updated: {sent}")
    print(deliver(rt))
    return 0


def cmd_round_replace(args: argparse.Namespace) -> int:
    raw = {
        "name": args.name,
        "title": args.title,
        "email": args.email,
        "phone": args.phone,
        "gender": args.gender,
    }
    person, errors = parse_person(raw)
    if person is None:
        problems = ", ".join(f"--{key}: {error.value}" for key, error in errors.items())
        raise UsageError(f"the new person: {problems}")
    rt = runtime()
    with session_scope(rt.engine) as session:
        status_or_usage(session, args.round)
        try:
            with round_work(session, args.round, actor=Actor.command(), now=rt.now()) as work:
                outcome = replace_nominee(
                    work,
                    rt.mail,
                    request_of(work, args.organisation),
                    seat=args.seat,
                    role=args.role,
                    person=person,
                )
        except NothingToReplace as exc:
            raise UsageError(str(exc)) from None
    role = "varsinainen jäsen" if args.role == "member" else "varajäsen"
    print(
        f"{args.organisation}, paikka {args.seat}: {role} {person.name} "
        f"(vastausversio / reply version {outcome.version})"
    )
    print(deliver(rt))
    return 0
