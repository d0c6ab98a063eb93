"""Running the product: migrations, delivery, the sweep, the web app, Prefect serve, the demo."""

from __future__ import annotations

import argparse
import asyncio
from pathlib import Path

from nimeamiset.cli.common import UsageError, deliver, runtime
from nimeamiset.db import session_scope
from nimeamiset.domain.reminders import is_quiet
from nimeamiset.domain.timefmt import format_datetime
from nimeamiset.services.assembly import queue_due_assemblies
from nimeamiset.services.reminders import queue_due_reminders
from nimeamiset.services.summaries import queue_due_summaries


def cmd_db_upgrade(_args: argparse.Namespace) -> int:
    runtime()
    print("tietokanta ajan tasalla / database up to date")
    return 0


def cmd_outbox_deliver(_args: argparse.Namespace) -> int:
    from flows.deliver import deliver_outbox_flow

    runtime()
    outcome = asyncio.run(deliver_outbox_flow())
    print(f"lähetetty / sent: {outcome['sent']}")
    print(f"odottaa uutta yritystä / waiting for a retry: {outcome['waiting']}")
    return 0


def cmd_remind(_args: argparse.Namespace) -> int:
    rt = runtime()
    now = rt.now()
    with session_scope(rt.engine) as session:
        sent = queue_due_reminders(session, rt.mail, now=now, hours=rt.hours)
        summaries = queue_due_summaries(session, rt.mail, now=now, hours=rt.hours)
        assemblies = queue_due_assemblies(session, rt.mail, now=now, hours=rt.hours)
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
    for done in assemblies:
        print(f"kokoonpano / roster: {done.round_id} versio {done.version}")
    if not sent and not summaries and not assemblies:
        print("ei erääntyneitä muistutuksia / no reminders due")
    print(deliver(rt))
    return 0


def cmd_serve(args: argparse.Namespace) -> int:
    from prefect import serve

    from flows.deployments import local_deployments
    from nimeamiset.prefect_server import PrefectServerError, prefect_api

    rt = runtime()
    home = prefect_home()
    try:
        with prefect_api(port=args.prefect_port, log_file=home / "server.log") as api_url:
            print(f"Prefect: {api_url.removesuffix('/api')}")
            serve(
                *local_deployments(
                    sweep_cron=rt.settings.sweep_schedule,
                    deliver_cron=rt.settings.deliver_schedule,
                )
            )
    except PrefectServerError as exc:
        raise UsageError(str(exc)) from None
    return 0


def prefect_home() -> Path:
    """Where Prefect keeps its database and our server's log (made if missing)."""
    from prefect.settings import PREFECT_HOME

    home = Path(PREFECT_HOME.value()).expanduser()
    home.mkdir(parents=True, exist_ok=True)
    return home


def cmd_web(args: argparse.Namespace) -> int:
    import uvicorn

    from nimeamiset.web.app import create_app

    rt = runtime()
    uvicorn.run(create_app(runtime=rt), host=args.host, port=args.port, access_log=False)
    return 0


def cmd_demo(args: argparse.Namespace) -> int:
    from nimeamiset.demo import run_demo

    return run_demo(
        host=args.host, port=args.port, smtp_port=args.smtp_port, prefect_port=args.prefect_port
    )
