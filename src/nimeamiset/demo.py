"""``nimeamiset demo``: the whole product on embedded defaults, nothing sent outside.

SQLite under ./var/demo/, a built-in SMTP capture on 127.0.0.1, the example round from the seed
letter (dates moved so that its deadline lies ahead), launched through the Prefect flow, and the
web app. Everything it sends can be read at /postilaatikko.
"""

from __future__ import annotations

import asyncio
import os
import secrets
import threading
from datetime import date, datetime, time, timedelta
from pathlib import Path
from typing import Any

import yaml
from sqlmodel import Session

from nimeamiset.config import PACKAGE_DIR, Settings
from nimeamiset.db import session_scope
from nimeamiset.domain.roundfile import parse_round_file
from nimeamiset.domain.timefmt import local
from nimeamiset.domain.workdays import is_business_day, next_business_day
from nimeamiset.emails.capture import MailCapture
from nimeamiset.models import Round
from nimeamiset.prefect_server import DEFAULT_PORT as DEFAULT_PREFECT_PORT
from nimeamiset.prefect_server import prefect_api
from nimeamiset.runtime import build_runtime
from nimeamiset.schema import upgrade
from nimeamiset.services.events import Actor
from nimeamiset.services.rounds import create_round
from nimeamiset.services.staff_accounts import (
    DuplicateEmail,
    add_account,
    set_active,
    set_password,
)
from nimeamiset.web.app import create_app

EXAMPLE = PACKAGE_DIR / "examples" / "ohjausryhma-2024.yaml"
DEMO_STAFF_EMAIL = "koordinaattori@paijat-hame.fi"
STAFF_PASSWORD_BYTES = 12  # a fresh 16-character password each time the demo starts


def _holiday_season(day: date) -> bool:
    """Between Christmas and Epiphany nobody sets a first meeting, holiday or not."""
    return (day.month, day.day) >= (12, 20) or (day.month, day.day) <= (1, 6)


def example_round_text(today: date) -> str:
    """The example round file with its dates moved: the deadline a business day about two weeks
    ahead, the first meeting on a Thursday (as in the seed letter) three weeks after it."""
    data: dict[str, Any] = yaml.safe_load(EXAMPLE.read_text(encoding="utf-8"))
    deadline = next_business_day(today + timedelta(days=14))
    meeting = deadline + timedelta(days=21)
    while meeting.weekday() != 3 or not is_business_day(meeting) or _holiday_season(meeting):
        meeting += timedelta(days=1)
    data["id"] = f"ohjausryhma-demo-{today:%Y%m%d}"
    data["deadline"] = deadline.isoformat()
    data["first_meeting"]["start"] = datetime.combine(meeting, time(9)).isoformat()
    data["first_meeting"]["end"] = datetime.combine(meeting, time(11)).isoformat()
    return yaml.safe_dump(data, allow_unicode=True, sort_keys=False)


def demo_environment(var: Path, host: str, port: int, smtp_port: int) -> dict[str, str]:
    return {
        "NIMEAMISET_DATABASE_URL": f"sqlite:///{var / 'demo.db'}",
        "NIMEAMISET_SMTP_HOST": "127.0.0.1",
        "NIMEAMISET_SMTP_PORT": str(smtp_port),
        "NIMEAMISET_SMTP_SECURITY": "none",
        "NIMEAMISET_MAIL_CAPTURE_DIR": str(var / "mail"),
        "NIMEAMISET_BASE_URL": f"http://{host}:{port}",
        "NIMEAMISET_SECRET_KEY_FILE": str(var / "secret.key"),
        "PREFECT_HOME": str(var / "prefect"),
    }


def demo_staff_account(session: Session, now: datetime) -> str:
    """The demo's coordinator account, with a password made for this run (returned)."""
    password = secrets.token_urlsafe(STAFF_PASSWORD_BYTES)
    try:
        add_account(
            session,
            email=DEMO_STAFF_EMAIL,
            name="Demon koordinaattori",
            role="coordinator",
            now=now,
            password=password,
            source="demo",
        )
    except DuplicateEmail:
        set_active(session, DEMO_STAFF_EMAIL, active=True, now=now, source="demo")
        set_password(session, DEMO_STAFF_EMAIL, password, now=now, source="demo")
    return password


def serve_web_and_flows(app: Any, *, host: str, port: int, settings: Settings) -> None:
    """The web app in a thread, the Prefect deployments (schedules included) in this one."""
    import uvicorn
    from prefect import serve

    from flows.deployments import local_deployments

    server = uvicorn.Server(
        uvicorn.Config(app, host=host, port=port, access_log=False, log_level="warning")
    )
    thread = threading.Thread(target=server.run, name="web", daemon=True)
    thread.start()
    try:
        serve(
            *local_deployments(
                sweep_cron=settings.sweep_schedule, deliver_cron=settings.deliver_schedule
            ),
            print_starting_message=False,
        )
    finally:
        server.should_exit = True
        thread.join(timeout=10)


def run_demo(
    *,
    host: str,
    port: int,
    smtp_port: int,
    prefect_port: int = DEFAULT_PREFECT_PORT,
    var: Path = Path("var/demo"),
) -> int:
    var = var.resolve()
    var.mkdir(parents=True, exist_ok=True)
    # The flows read their settings from the environment, as a deployed worker would.
    for key in (
        "NIMEAMISET_SMTP_USERNAME",
        "NIMEAMISET_SMTP_PASSWORD",
        "NIMEAMISET_SMTP_PASSWORD_FILE",
    ):
        os.environ.pop(key, None)
    os.environ.update(demo_environment(var, host, port, smtp_port))
    settings = Settings()
    capture = MailCapture(var / "mail", port=smtp_port)
    capture.start()
    prefect_home = var / "prefect"
    prefect_home.mkdir(exist_ok=True)
    try:
        with prefect_api(port=prefect_port, log_file=prefect_home / "server.log") as api_url:
            _launch_and_serve(settings, api_url, host=host, port=port)
    finally:
        capture.stop()
    return 0


def _launch_and_serve(settings: Settings, api_url: str, *, host: str, port: int) -> None:
    """Launch the example round through the flow on that Prefect API, then serve."""
    rt = build_runtime(settings)
    upgrade(rt.engine)
    spec = parse_round_file(example_round_text(local(rt.now()).date()))
    with session_scope(rt.engine) as session:
        staff_password = demo_staff_account(session, rt.now())
        if session.get(Round, spec.id) is None:
            create_round(session, spec, actor=Actor.command(), now=rt.now())
    from flows.launch import launch_round_flow  # after PREFECT_HOME is set

    assert spec.id is not None
    outcome = asyncio.run(launch_round_flow(spec.id))
    base = settings.public_base_url
    print()
    print(
        f"Kierros {spec.id} käynnistetty: {outcome['sent']} pyyntöä lähetetty "
        f"(round launched, requests sent)."
    )
    print(
        f"Avaa / open: {base}/postilaatikko  (demon postilaatikko: avaa kutsu ja "
        f"sen henkilökohtainen linkki)"
    )
    print(
        f"Henkilöstö / staff: {base}/henkilosto/{spec.id}  "
        f"(sähköposti {DEMO_STAFF_EMAIL}, salasana {staff_password})"
    )
    print(f"Prefect: {api_url.removesuffix('/api')}")
    print(
        "Muistutukset ja toimitus ajastettuina / reminders and delivery on schedule "
        "(Prefect serve). Lopeta / stop: Ctrl+C"
    )
    serve_web_and_flows(create_app(runtime=rt), host=host, port=port, settings=settings)
