"""The ``nimeamiset`` command. It calls the same services and flows as everything else.

Exit status: 0 done, 2 bad input (a round file, an unknown round, settings), 1 anything else.
"""

from __future__ import annotations

import argparse
import logging
import os
import sys
from collections.abc import Sequence

from pydantic import ValidationError

from nimeamiset.cli import launch as launching
from nimeamiset.cli import operations as ops
from nimeamiset.cli import rounds as rnd
from nimeamiset.cli import staff as staff_accounts
from nimeamiset.cli.common import UsageError
from nimeamiset.config import get_settings
from nimeamiset.domain.people import GENDERS
from nimeamiset.exports import FORMATS
from nimeamiset.prefect_server import DEFAULT_PORT as DEFAULT_PREFECT_PORT


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="nimeamiset", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)

    db = commands.add_parser("db", help="database").add_subparsers(dest="db", required=True)
    db.add_parser("upgrade", help="apply migrations").set_defaults(func=ops.cmd_db_upgrade)

    rounds = commands.add_parser("round", help="nomination rounds").add_subparsers(
        dest="round_command", required=True
    )
    create = rounds.add_parser("create", help="create a round from a YAML round file")
    create.add_argument("file")
    create.set_defaults(func=rnd.cmd_round_create)
    launch = rounds.add_parser("launch", help="send every organisation its request")
    launch.add_argument("round")
    launch.set_defaults(func=launching.cmd_round_launch)
    status = rounds.add_parser("status", help="who has replied")
    status.add_argument("round")
    status.add_argument("--json", action="store_true")
    status.set_defaults(func=rnd.cmd_round_status)
    rounds.add_parser("list", help="all rounds").set_defaults(func=rnd.cmd_round_list)
    extend = rounds.add_parser("extend", help="move the deadline")
    extend.add_argument("round")
    extend.add_argument("--until", required=True, help="the new deadline, e.g. 2024-04-05")
    extend.add_argument("--organisation", help="only this organisation (its name)")
    extend.set_defaults(func=rnd.cmd_round_extend)
    assemble = rounds.add_parser("assemble", help="assemble the roster now and mail it to staff")
    assemble.add_argument("round")
    assemble.set_defaults(func=rnd.cmd_round_assemble)
    invite = rounds.add_parser(
        "invite-meeting", help="invite every member and deputy to the first meeting"
    )
    invite.add_argument("round")
    invite.set_defaults(func=rnd.cmd_round_invite_meeting)
    move = rounds.add_parser("reschedule", help="move the first meeting (updates invitations)")
    move.add_argument("round")
    move.add_argument("--start", required=True, help="e.g. 2024-04-18T09:00 (Helsinki time)")
    move.add_argument("--end", required=True, help="e.g. 2024-04-18T11:00")
    move.add_argument("--place")
    move.set_defaults(func=rnd.cmd_round_reschedule)

    replace = rounds.add_parser("replace", help="staff replace a member or a deputy")
    replace.add_argument("round")
    replace.add_argument("--organisation", required=True, help="whose seat (its name)")
    replace.add_argument("--seat", type=int, default=1, help="the seat's number (default 1)")
    replace.add_argument("--role", required=True, choices=["member", "deputy"])
    replace.add_argument("--name", required=True)
    replace.add_argument("--email", required=True)
    replace.add_argument("--title", default="")
    replace.add_argument("--phone", default="")
    replace.add_argument("--gender", default="", choices=["", *GENDERS])
    replace.set_defaults(func=rnd.cmd_round_replace)

    roster = commands.add_parser("roster", help="export the roster")
    roster.add_argument("round")
    roster.add_argument("--format", choices=FORMATS, default="csv")
    roster.add_argument(
        "--version", type=int, help="an assembled version (default: the newest, or live)"
    )
    roster.add_argument("-o", "--output", default="-", help="file, or - for standard output")
    roster.set_defaults(func=rnd.cmd_roster)

    staff_accounts.add_arguments(commands)

    outbox = commands.add_parser("outbox", help="outgoing mail").add_subparsers(
        dest="outbox_command", required=True
    )
    outbox.add_parser("deliver", help="send what is due").set_defaults(func=ops.cmd_outbox_deliver)
    commands.add_parser(
        "remind", help="one sweep now: reminders, staff summaries, rosters due, then delivery"
    ).set_defaults(func=ops.cmd_remind)
    serve = commands.add_parser(
        "serve",
        help="serve the Prefect deployments here, schedules included (starts a local Prefect "
        "server with its scheduler unless PREFECT_API_URL names one)",
    )
    serve.add_argument("--prefect-port", type=int, default=DEFAULT_PREFECT_PORT)
    serve.set_defaults(func=ops.cmd_serve)

    web = commands.add_parser("web", help="serve the web app")
    web.add_argument("--host", default="127.0.0.1")
    web.add_argument("--port", type=int, default=8000)
    web.set_defaults(func=ops.cmd_web)

    demo = commands.add_parser("demo", help="everything on embedded defaults, nothing sent out")
    demo.add_argument("--host", default="127.0.0.1")
    demo.add_argument("--port", type=int, default=8000)
    demo.add_argument("--smtp-port", type=int, default=8025)
    demo.add_argument("--prefect-port", type=int, default=DEFAULT_PREFECT_PORT)
    demo.set_defaults(func=ops.cmd_demo)
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
        # Never the values given: one of them may be a secret key or a password.
        for error in exc.errors(include_input=False, include_url=False):
            where = ".".join(str(part) for part in error["loc"]) or "settings"
            print(
                f"nimeamiset: settings: NIMEAMISET_{where.upper()}: {error['msg']}", file=sys.stderr
            )
        return 2
    try:
        return int(args.func(args))
    except UsageError as exc:
        print(f"nimeamiset: {exc}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
