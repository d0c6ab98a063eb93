"""The launch page over HTTP, without a Prefect API to run the launch: it says how many
organisations get mail, refuses to launch twice, and when no Prefect API answers says so
plainly (503) and changes nothing. A launch that Prefect runs is in
tests/flows/test_launch_deployment.py. On SQLite and PostgreSQL."""

from __future__ import annotations

import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlmodel import func, select

from nimeamiset import launching
from nimeamiset.db import session_scope
from nimeamiset.models import AuditEvent, OutboxMessage, Round
from nimeamiset.runtime import Runtime
from nimeamiset.web.app import create_app
from tests.conftest import SmtpServer, StaffLogin, free_port, sign_in
from tests.helpers import launch

LAUNCH_PAGE = "/henkilosto/testiryhma/kaynnista"
ROUND_PAGE = "/henkilosto/testiryhma"
NOT_LAUNCHED = "Ajopalvelu (Prefect) ei vastaa: kierrosta ei käynnistetty."


@pytest.fixture
def client(runtime: Runtime, round_id: str) -> Iterator[TestClient]:
    with TestClient(create_app(runtime=runtime), follow_redirects=False) as c:
        yield c


@pytest.fixture
def csrf(client: TestClient, staff_account: StaffLogin) -> str:
    return sign_in(client, staff_account.email, staff_account.password)


@pytest.fixture
def no_prefect(monkeypatch: pytest.MonkeyPatch) -> None:
    """No Prefect API configured (no PREFECT_API_URL, none in a Prefect profile)."""
    monkeypatch.setattr(launching, "configured_api_url", lambda: None)


@pytest.fixture
def prefect_down(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> str:
    """PREFECT_API_URL set, and nothing listening there."""
    if "prefect" not in sys.modules:  # its first import makes PREFECT_HOME: not ~/.prefect
        monkeypatch.setenv("PREFECT_HOME", str(tmp_path / "prefect"))
    url = f"http://127.0.0.1:{free_port()}/api"
    monkeypatch.setenv("PREFECT_API_URL", url)
    return url


def unchanged(rt: Runtime) -> tuple[str, str | None, int, int]:
    """The round's state and launch run, its audit events, the mail queued."""
    with session_scope(rt.engine) as session:
        round_ = session.get(Round, "testiryhma")
        assert round_ is not None
        events = session.exec(select(func.count()).select_from(AuditEvent)).one()
        mail = session.exec(select(func.count()).select_from(OutboxMessage)).one()
        return round_.state, round_.launch_run_id, int(events), int(mail)


def test_the_launch_page_names_how_many_organisations_get_mail(
    client: TestClient, csrf: str
) -> None:
    page = client.get(LAUNCH_PAGE)

    assert page.status_code == 200
    assert "Pyyntö lähetetään 5 organisaatiolle." in page.text
    assert '<button type="submit" class="primary">Käynnistä kierros</button>' in page.text
    round_page = client.get(ROUND_PAGE).text
    assert f'<a href="{LAUNCH_PAGE}">Käynnistä kierros</a>' in round_page
    assert f'<a href="{ROUND_PAGE}/esikatselu">Esikatsele</a>' in round_page


@pytest.mark.usefixtures("no_prefect")
def test_without_a_prefect_api_the_page_says_so_and_launches_nothing(
    client: TestClient, runtime: Runtime, smtp_server: SmtpServer, csrf: str
) -> None:
    before = unchanged(runtime)

    refused = client.post(LAUNCH_PAGE, data={"csrf": csrf})

    assert refused.status_code == 503
    assert NOT_LAUNCHED in refused.text
    assert "PREFECT_API_URL" in refused.text and "nimeamiset serve" in refused.text
    assert unchanged(runtime) == before == ("draft", None, before[2], 0)
    assert smtp_server.received() == []


def test_when_the_prefect_api_does_not_answer_the_page_says_so_at_once(
    client: TestClient, runtime: Runtime, csrf: str, prefect_down: str
) -> None:
    before = unchanged(runtime)
    started = time.monotonic()

    refused = client.post(LAUNCH_PAGE, data={"csrf": csrf})

    assert time.monotonic() - started < 10  # no retries with back-off
    assert refused.status_code == 503
    assert NOT_LAUNCHED in refused.text
    assert f"Ajopalveluun {prefect_down} ei saatu yhteyttä." in refused.text
    assert unchanged(runtime) == before


@pytest.mark.usefixtures("no_prefect")
def test_a_launched_round_is_not_launched_again(
    client: TestClient, runtime: Runtime, csrf: str
) -> None:
    launch(runtime, "testiryhma")
    before = unchanged(runtime)

    page = client.get(LAUNCH_PAGE)
    refused = client.post(LAUNCH_PAGE, data={"csrf": csrf})

    assert "Kierros on jo käynnistetty (tila: käynnissä)." in page.text
    assert "Käynnistä kierros</button>" not in page.text
    assert refused.status_code == 409
    assert "Kierrosta ei käynnistetty: kierros on jo käynnistetty." in refused.text
    assert unchanged(runtime) == before
    assert f'href="{LAUNCH_PAGE}"' not in client.get(ROUND_PAGE).text


def test_a_viewer_may_not_launch(
    client: TestClient, runtime: Runtime, viewer_account: StaffLogin
) -> None:
    csrf = sign_in(client, viewer_account.email, viewer_account.password)
    before = unchanged(runtime)

    page = client.get(LAUNCH_PAGE)
    refused = client.post(LAUNCH_PAGE, data={"csrf": csrf})

    assert page.status_code == refused.status_code == 403
    assert unchanged(runtime) == before


def test_the_round_page_says_when_the_launch_runs_state_is_unknown(
    client: TestClient, runtime: Runtime, csrf: str, prefect_down: str
) -> None:
    with session_scope(runtime.engine) as session:
        round_ = session.get(Round, "testiryhma")
        assert round_ is not None
        round_.launch_run_id = "0b6a5d3e-7d7c-4a8e-9f0e-2f3c4d5e6f70"
        session.add(round_)
        session.commit()

    page = client.get(ROUND_PAGE)
    polled = client.get(f"{ROUND_PAGE}/kaynnistys.json")

    assert page.status_code == 200
    assert "Käynnistysajo: tila ei tiedossa: ajopalvelu ei vastaa." in page.text
    assert 'aria-live="polite"' in page.text
    assert '<script src="/static/launch-status.js" defer></script>' in page.text
    assert polled.json() == {
        "state": None,
        "label": "tila ei tiedossa: ajopalvelu ei vastaa",
        "final": False,
        "sent": 0,
        "waiting": 0,
        "text": "Käynnistysajo: tila ei tiedossa: ajopalvelu ei vastaa. Kutsuja lähetetty 0, "
        "odottaa 0.",
        "hint": "",
    }
    assert client.get("/static/launch-status.js").status_code == 200


@pytest.mark.usefixtures("no_prefect")
def test_a_copy_is_not_launched_before_its_dates_are_checked(
    client: TestClient, runtime: Runtime, csrf: str
) -> None:
    from nimeamiset.services.drafts import copy_round
    from tests.helpers import TESTER

    with session_scope(runtime.engine) as session:
        copy = copy_round(session, "testiryhma", actor=TESTER, now=runtime.now()).id
    refused = client.post(f"/henkilosto/{copy}/kaynnista", data={"csrf": csrf})
    assert refused.status_code == 409
    assert "päivämäärät on kopioitu kierroksesta testiryhma" in refused.text
