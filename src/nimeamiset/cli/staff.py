"""The staff account commands: add, list, disable, enable, reset."""

from __future__ import annotations

import argparse
import sys
from datetime import datetime

from nimeamiset.cli.common import UsageError, runtime
from nimeamiset.db import session_scope
from nimeamiset.domain.timefmt import format_datetime
from nimeamiset.runtime import Runtime
from nimeamiset.services.staff_accounts import (
    ROLES,
    SETUP_LINK_VALID,
    AccountError,
    add_account,
    list_accounts,
    reset_account,
    set_active,
)

ROLE_FI = {"coordinator": "koordinaattori", "viewer": "lukuoikeus"}


def add_arguments(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    staff = commands.add_parser("staff", help="staff accounts of the web pages").add_subparsers(
        dest="staff_command", required=True
    )
    add = staff.add_parser(
        "add",
        help="add an account: a password from standard input when it is not a terminal, "
        "otherwise a one-time set-up link is printed",
    )
    add.add_argument("email")
    add.add_argument("--name", required=True)
    add.add_argument("--role", choices=ROLES, default="coordinator")
    add.set_defaults(func=cmd_staff_add)
    staff.add_parser("list", help="all accounts").set_defaults(func=cmd_staff_list)
    disable = staff.add_parser("disable", help="disable an account: its sessions end at once")
    disable.add_argument("email")
    disable.set_defaults(func=cmd_staff_disable)
    enable = staff.add_parser("enable", help="enable a disabled account again")
    enable.add_argument("email")
    enable.set_defaults(func=cmd_staff_enable)
    reset = staff.add_parser(
        "reset", help="forgotten or leaked password: it stops working; prints a set-up link"
    )
    reset.add_argument("email")
    reset.set_defaults(func=cmd_staff_reset)


def _link(rt: Runtime, token: str, now: datetime) -> str:
    link = f"{rt.settings.public_base_url}/henkilosto/aseta-salasana/{token}"
    until = format_datetime(now + SETUP_LINK_VALID)
    return (
        f"Salasanan asetuslinkki, kertakäyttöinen, voimassa {until} asti "
        f"(one-time set-up link, valid 24 h):\n{link}"
    )


def _password_from_stdin() -> str | None:
    """The password piped in (its first line), or None when standard input is a terminal or
    gives nothing at all (a cron job, ``</dev/null``): then a set-up link is printed."""
    if sys.stdin is None or sys.stdin.isatty():
        return None
    line = sys.stdin.readline()
    return line.rstrip("\r\n") if line else None


def cmd_staff_add(args: argparse.Namespace) -> int:
    password = _password_from_stdin()
    rt = runtime()
    now = rt.now()
    try:
        with session_scope(rt.engine) as session:
            account, token = add_account(
                session,
                email=args.email,
                name=args.name,
                role=args.role,
                now=now,
                password=password,
            )
    except AccountError as exc:
        raise UsageError(str(exc)) from None
    print(
        f"henkilöstötili lisätty / staff account added: {account.email} ({ROLE_FI[account.role]})"
    )
    if token is not None:
        print(_link(rt, token, now))
    return 0


def cmd_staff_list(_args: argparse.Namespace) -> int:
    rt = runtime()
    with session_scope(rt.engine) as session:
        accounts = list_accounts(session)
    if not accounts:
        print("ei henkilöstötilejä / no staff accounts (nimeamiset staff add)")
    for a in accounts:
        state = "käytössä" if a.active else "poistettu käytöstä"
        if a.active and not a.has_password:
            state = "odottaa salasanaa"
        seen = format_datetime(a.last_sign_in_at) if a.last_sign_in_at else "ei koskaan"
        print(f"{a.email}\t{a.name}\t{ROLE_FI[a.role]}\t{state}\tkirjautunut: {seen}")
    return 0


def _set_active(email: str, *, active: bool) -> None:
    rt = runtime()
    try:
        with session_scope(rt.engine) as session:
            set_active(session, email, active=active, now=rt.now())
    except AccountError as exc:
        raise UsageError(str(exc)) from None


def cmd_staff_disable(args: argparse.Namespace) -> int:
    _set_active(args.email, active=False)
    print(f"tili poistettu käytöstä / account disabled: {args.email.strip().lower()}")
    return 0


def cmd_staff_enable(args: argparse.Namespace) -> int:
    _set_active(args.email, active=True)
    print(f"tili otettu käyttöön / account enabled: {args.email.strip().lower()}")
    return 0


def cmd_staff_reset(args: argparse.Namespace) -> int:
    rt = runtime()
    now = rt.now()
    try:
        with session_scope(rt.engine) as session:
            token = reset_account(session, args.email, now=now)
    except AccountError as exc:
        raise UsageError(str(exc)) from None
    print(
        f"salasana mitätöity ja istunnot päätetty / password cleared, sessions ended: "
        f"{args.email.strip().lower()}"
    )
    print(_link(rt, token, now))
    return 0
