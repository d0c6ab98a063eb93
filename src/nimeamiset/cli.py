"""The ``nimeamiset`` command. It calls the same services and flows as everything else.

Exit status: 0 done, 2 bad input (a round file, an unknown round), 1 anything else.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import logging
import os
import sys
from collections.abc import Sequence
from datetime import date
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from nimeamiset.config import Settings, get_settings
from nimeamiset.db import session_scope
from nimeamiset.domain.reminders import is_quiet
from nimeamiset.domain.roundfile import RoundFileError, parse_round_file
from nimeamiset.domain.timefmt import format_date, format_datetime
from nimeamiset.exports import FORMATS, export
from nimeamiset.runtime import Runtime, build_runtime
from nimeamiset.schema import upgrade
from nimeamiset.services.delivery import deliver_all
from nimeamiset.services.extensions import ExtensionError, extend_deadline
from nimeamiset.services.reminders import queue_due_reminders
from nimeamiset.services.roster import VersionNotFound, load_roster
from nimeamiset.services.rounds import RoundNotFound, create_round
from nimeamiset.services.status import round_status
from nimeamiset.services.summaries import queue_due_summaries

STATE_FI = {
    "pending": "odottaa",
    "invited": "pyydetty",
    "nominated": "nimetty",
    "declined": "ei nimeä",
}


class UsageError(Exception):
    """Bad input from the user: printed, exit status 2."""


def _runtime(settings: Settings | None = None) -> Runtime:
    rt = build_runtime(settings)
    upgrade(rt.engine)
    return rt


def cmd_db_upgrade(_args: argparse.Namespace) -> int:
    _runtime()
    print("tietokanta ajan tasalla / database up to date")
    return 0


def cmd_round_create(args: argparse.Namespace) -> int:
    path = Path(args.file)
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise UsageError(f"{path}: cannot read: {exc}") from None
    try:
        spec = parse_round_file(text)
        rt = _runtime()
        with session_scope(rt.engine) as session:
            round_ = create_round(session, spec, now=rt.now())
    except RoundFileError as exc:
        raise UsageError("\n".join(p.format(str(path)) for p in exc.problems)) from None
    print(
        f"kierros luotu / round created: {round_.body}, "
        f"{len(spec.invitees())} organisaatiota, määräaika {format_date(round_.deadline)}"
    )
    print(round_.id)
    return 0


def cmd_round_launch(args: argparse.Namespace) -> int:
    from flows.launch import launch_round_flow

    rt = _runtime()
    with session_scope(rt.engine) as session:
        _status_or_usage(session, args.round)
    outcome = asyncio.run(launch_round_flow(args.round))
    print(f"lähetetty / sent: {outcome['sent']}")
    print(f"odottaa uutta yritystä / waiting for a retry: {outcome['waiting']}")
    return 0


def _status_or_usage(session: Any, round_id: str) -> dict[str, Any]:
    try:
        return round_status(session, round_id)
    except RoundNotFound:
        raise UsageError(f"no round {round_id!r} (see 'nimeamiset round list')") from None


def cmd_round_list(_args: argparse.Namespace) -> int:
    from sqlmodel import col, select

    from nimeamiset.models import Round

    rt = _runtime()
    with session_scope(rt.engine) as session:
        for round_ in session.exec(select(Round).order_by(col(Round.created_at))):
            print(f"{round_.id}\t{round_.state}\t{format_date(round_.deadline)}\t{round_.body}")
    return 0


def cmd_round_status(args: argparse.Namespace) -> int:
    rt = _runtime()
    with session_scope(rt.engine) as session:
        status = _status_or_usage(session, args.round)
    if args.json:
        print(json.dumps(status, ensure_ascii=False, indent=2))
        return 0
    deadline = date.fromisoformat(status["round"]["deadline"])
    print(f"{status['round']['body']} – määräaika {format_date(deadline)}")
    rows = [("Organisaatio", "Tila", "Myöhässä", "Varsinainen jäsen", "Varajäsen")]
    for o in status["organisations"]:
        rows.append(
            (
                o["name"],
                STATE_FI[o["state"]],
                "kyllä" if o["late"] else "",
                (o["member"] or {}).get("name", ""),
                (o["deputy"] or {}).get("name", ""),
            )
        )
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
    for row in rows:
        print(
            "  ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=True)).rstrip()
        )
    counts = ", ".join(f"{STATE_FI[k]} {v}" for k, v in status["round"]["counts"].items())
    print(f"\nYhteensä: {counts}")
    return 0


def cmd_roster(args: argparse.Namespace) -> int:
    rt = _runtime()
    with session_scope(rt.engine) as session:
        _status_or_usage(session, args.round)
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


def cmd_outbox_deliver(_args: argparse.Namespace) -> int:
    from flows.deliver import deliver_outbox_flow

    _runtime()
    outcome = asyncio.run(deliver_outbox_flow())
    print(f"lähetetty / sent: {outcome['sent']}")
    print(f"odottaa uutta yritystä / waiting for a retry: {outcome['waiting']}")
    return 0


def _deliver(rt: Runtime) -> str:
    report = asyncio.run(
        deliver_all(rt.engine, rt.sender, now=rt.now(), limit=rt.settings.send_batch_size)
    )
    return f"lähetetty / sent: {report.sent}, odottaa / waiting: {report.failed}"


def cmd_remind(_args: argparse.Namespace) -> int:
    rt = _runtime()
    now = rt.now()
    with session_scope(rt.engine) as session:
        sent = queue_due_reminders(session, rt.mail, now=now, hours=rt.hours)
        summaries = queue_due_summaries(session, rt.mail, now=now, hours=rt.hours)
    if is_quiet(now, rt.hours):
        print(f"{format_datetime(now)}: hiljainen aika, ei lähetetä / quiet hours, nothing sent")
    for reminder in sent:
        when = (
            f"{reminder.days_left} pv ennen määräaikaa"
            if reminder.days_left > 0
            else "määräpäivänä"
            if reminder.days_left == 0
            else f"{-reminder.days_left} pv määräajan jälkeen"
        )
        print(f"muistutus / reminder: {reminder.organisation} ({when})")
    for round_id in summaries:
        print(f"yhteenveto henkilöstölle / staff summary: {round_id}")
    if not sent and not summaries:
        print("ei erääntyneitä muistutuksia / no reminders due")
    print(_deliver(rt))
    return 0


def cmd_round_extend(args: argparse.Namespace) -> int:
    rt = _runtime()
    try:
        until = date.fromisoformat(args.until)
    except ValueError:
        raise UsageError(f"--until: {args.until!r} is not a date (2024-04-05)") from None
    with session_scope(rt.engine) as session:
        _status_or_usage(session, args.round)
        try:
            extended = extend_deadline(
                session,
                rt.mail,
                args.round,
                until,
                now=rt.now(),
                hours=rt.hours,
                organisation=args.organisation,
            )
        except ExtensionError as exc:
            raise UsageError(str(exc)) from None
    who = args.organisation or "koko kierros / the whole round"
    print(f"määräaika {format_date(until)}: {who}")
    for name in extended.organisations:
        print(f"ilmoitettu / told: {name}")
    print(_deliver(rt))
    return 0


def cmd_serve(_args: argparse.Namespace) -> int:
    from prefect import serve

    from flows.deployments import local_deployments

    _runtime()
    serve(*local_deployments())
    return 0


def cmd_web(args: argparse.Namespace) -> int:
    import uvicorn

    from nimeamiset.web.app import create_app

    rt = _runtime()
    uvicorn.run(create_app(runtime=rt), host=args.host, port=args.port, access_log=False)
    return 0


def cmd_demo(args: argparse.Namespace) -> int:
    from nimeamiset.demo import run_demo

    return run_demo(host=args.host, port=args.port, smtp_port=args.smtp_port)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="nimeamiset", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)

    db = commands.add_parser("db", help="database").add_subparsers(dest="db", required=True)
    db.add_parser("upgrade", help="apply migrations").set_defaults(func=cmd_db_upgrade)

    rounds = commands.add_parser("round", help="nomination rounds").add_subparsers(
        dest="round_command", required=True
    )
    create = rounds.add_parser("create", help="create a round from a YAML round file")
    create.add_argument("file")
    create.set_defaults(func=cmd_round_create)
    launch = rounds.add_parser("launch", help="send every organisation its request")
    launch.add_argument("round")
    launch.set_defaults(func=cmd_round_launch)
    status = rounds.add_parser("status", help="who has replied")
    status.add_argument("round")
    status.add_argument("--json", action="store_true")
    status.set_defaults(func=cmd_round_status)
    rounds.add_parser("list", help="all rounds").set_defaults(func=cmd_round_list)
    extend = rounds.add_parser("extend", help="move the deadline")
    extend.add_argument("round")
    extend.add_argument("--until", required=True, help="the new deadline, e.g. 2024-04-05")
    extend.add_argument("--organisation", help="only this organisation (its name)")
    extend.set_defaults(func=cmd_round_extend)

    commands.add_parser(
        "remind", help="one sweep now: due reminders and staff summaries, then delivery"
    ).set_defaults(func=cmd_remind)
    commands.add_parser(
        "serve", help="serve the Prefect deployments here, schedules included"
    ).set_defaults(func=cmd_serve)

    roster = commands.add_parser("roster", help="export the roster")
    roster.add_argument("round")
    roster.add_argument("--format", choices=FORMATS, default="csv")
    roster.add_argument(
        "--version", type=int, help="an assembled version (default: the newest, or live)"
    )
    roster.add_argument("-o", "--output", default="-", help="file, or - for standard output")
    roster.set_defaults(func=cmd_roster)

    outbox = commands.add_parser("outbox", help="outgoing mail").add_subparsers(
        dest="outbox_command", required=True
    )
    outbox.add_parser("deliver", help="send what is due").set_defaults(func=cmd_outbox_deliver)

    web = commands.add_parser("web", help="serve the web app")
    web.add_argument("--host", default="127.0.0.1")
    web.add_argument("--port", type=int, default=8000)
    web.set_defaults(func=cmd_web)

    demo = commands.add_parser("demo", help="everything on embedded defaults, nothing sent out")
    demo.add_argument("--host", default="127.0.0.1")
    demo.add_argument("--port", type=int, default=8000)
    demo.add_argument("--smtp-port", type=int, default=8025)
    demo.set_defaults(func=cmd_demo)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    # No telemetry from a public authority's machines; no network beyond what is configured.
    os.environ.setdefault("PREFECT_SERVER_ANALYTICS_ENABLED", "false")
    # Without PREFECT_API_URL, Prefect starts a temporary server; on a busy small machine its
    # start-up can pass Prefect's default 20 s.
    os.environ.setdefault("PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS", "120")
    args = build_parser().parse_args(argv)
    try:
        get_settings()
    except ValidationError as exc:
        print(f"nimeamiset: settings: {exc}", file=sys.stderr)
        return 2
    try:
        return int(args.func(args))
    except UsageError as exc:
        print(f"nimeamiset: {exc}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
