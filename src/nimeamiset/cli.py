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
from nimeamiset.domain.roundfile import RoundFileError, parse_round_file
from nimeamiset.domain.timefmt import format_date
from nimeamiset.runtime import Runtime, build_runtime
from nimeamiset.schema import upgrade
from nimeamiset.services.roster import roster_csv
from nimeamiset.services.rounds import RoundNotFound, create_round
from nimeamiset.services.status import round_status

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
        f"{len(spec.organisations)} organisaatiota, määräaika {format_date(round_.deadline)}"
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
        content = roster_csv(session, args.round)
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

    roster = commands.add_parser("roster", help="export the roster")
    roster.add_argument("round")
    roster.add_argument("--format", choices=["csv"], default="csv")
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
