"""Launching a round as a run of the Prefect deployment ``launch-round``, and how that run
stands: the one launch path of the staff pages and of ``nimeamiset round launch``.

The deployment is the one ``nimeamiset serve`` and the demo serve (flows/deployments.py), or
the one ``prefect deploy`` made from deploy/prefect.yaml for a server with workers: the same
name either way. ``request_launch`` locks the round, checks that it is a draft with no launch
run still going, creates the run through the Prefect API and records its id on the round with
an audit event by whoever asked, in one commit. The run then launches the round (its tasks do
the database work) and acts as the staff member whose account id it was given.

Every call to the Prefect API has a short time-out and no retries: a page that asks Prefect
answers within seconds, and says so plainly when Prefect does not (``PrefectUnavailable``).
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any
from uuid import UUID

from nimeamiset.db import session_scope
from nimeamiset.models import Round
from nimeamiset.prefect_server import configured_api_url
from nimeamiset.runtime import Runtime
from nimeamiset.services.events import Actor
from nimeamiset.services.launches import (
    LAUNCH_FLOW,
    InvitationCounts,
    LaunchRefused,
    check_launchable,
    invitation_counts,
    record_launch_request,
)
from nimeamiset.services.work import RoundNotFound, round_work

if TYPE_CHECKING:
    from prefect.client.orchestration import SyncPrefectClient

LAUNCH_DEPLOYMENT = f"{LAUNCH_FLOW}/launch-round"
API_TIMEOUT = 5.0  # seconds, for one call to the Prefect API
STATE_TIMEOUT = 2.0  # reading a run's state for a page: less still
HOW_TO_START = (
    "Käynnistä ajopalvelu komennolla nimeamiset serve, tai aseta PREFECT_API_URL osoittamaan "
    f"Prefect-palvelimeen, jossa on käyttöönotto {LAUNCH_DEPLOYMENT} ja sitä ajava työntekijä."
)

# Prefect's state types and the names of some of their states, in Finnish.
STATE_FI = {
    "SCHEDULED": "Ajastettu",
    "PENDING": "Odottaa",
    "RUNNING": "Käynnissä",
    "COMPLETED": "Valmis",
    "FAILED": "Epäonnistui",
    "CANCELLED": "Peruttu",
    "CANCELLING": "Perutaan",
    "CRASHED": "Kaatui",
    "PAUSED": "Keskeytetty",
}
STATE_NAME_FI = {
    "Late": "Myöhässä",
    "AwaitingRetry": "Odottaa uutta yritystä",
    "Retrying": "Yritetään uudelleen",
    "AwaitingConcurrencySlot": "Odottaa vuoroa",
}
FINAL = frozenset({"COMPLETED", "FAILED", "CANCELLED", "CRASHED"})
UNKNOWN_FI = "tila ei tiedossa: ajopalvelu ei vastaa"


class PrefectUnavailable(RuntimeError):
    """No Prefect API answered as it should; ``reason`` says what happened, in Finnish."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason

    @property
    def not_launched(self) -> str:
        """What the launch page says."""
        return (
            f"Ajopalvelu (Prefect) ei vastaa: kierrosta ei käynnistetty. {self.reason} "
            f"{HOW_TO_START}"
        )


@dataclass(frozen=True)
class RunState:
    """A flow run's state as Prefect gives it: its type (``COMPLETED``) and name (``Late``)."""

    type: str
    name: str = ""

    @property
    def final(self) -> bool:
        return self.type in FINAL

    @property
    def label(self) -> str:
        return STATE_NAME_FI.get(self.name) or STATE_FI.get(self.type, self.name or self.type)

    @property
    def completed(self) -> bool:
        return self.type == "COMPLETED"


class RunNotFound(PrefectUnavailable):
    """Prefect answers, but does not know the run (its database was reset, say)."""


class LaunchPending(LaunchRefused):
    """A launch run was asked for already and has not finished."""

    def __init__(self, run_id: str, state: RunState) -> None:
        super().__init__(
            f"kierroksen käynnistys on jo pyydetty, eikä ajo ole päättynyt (tila: "
            f"{state.label.lower()}). Seuraa sitä kierroksen sivulta"
        )
        self.run_id = run_id
        self.state = state


@contextmanager
def prefect_client(timeout: float = API_TIMEOUT) -> Iterator[SyncPrefectClient]:
    """A client of the configured Prefect API with a short time-out and no retries; the ways
    it can fail become ``PrefectUnavailable``. Never starts a Prefect server of its own."""
    api = configured_api_url()
    if not api:
        raise PrefectUnavailable("Ajopalvelun osoitetta (PREFECT_API_URL) ei ole asetettu.")
    import httpx
    from prefect.client.orchestration import SyncPrefectClient
    from prefect.settings import (
        PREFECT_API_AUTH_STRING,
        PREFECT_API_KEY,
        PREFECT_CLIENT_MAX_RETRIES,
        temporary_settings,
    )

    try:
        with (
            temporary_settings(updates={PREFECT_CLIENT_MAX_RETRIES: 0}),
            SyncPrefectClient(
                api,
                auth_string=PREFECT_API_AUTH_STRING.value(),
                api_key=PREFECT_API_KEY.value(),
                httpx_settings={"timeout": httpx.Timeout(timeout)},
            ) as client,
        ):
            yield client
    except httpx.HTTPStatusError as exc:
        raise PrefectUnavailable(
            f"Ajopalvelu {api} vastasi virheellä {exc.response.status_code}."
        ) from exc
    except (httpx.HTTPError, OSError) as exc:
        raise PrefectUnavailable(f"Ajopalveluun {api} ei saatu yhteyttä.") from exc


def _not_found(exc: Exception) -> bool:
    from prefect.exceptions import ObjectNotFound

    return isinstance(exc, ObjectNotFound)


def create_launch_run(round_id: str, *, requested_by: int | None = None) -> str:
    """A run of ``launch-round`` for the round, to start now; its id. Parameters: the round's
    id and the asking staff account's id (never personal data)."""
    parameters: dict[str, Any] = {"round_id": round_id}
    if requested_by is not None:
        parameters["requested_by"] = requested_by
    with prefect_client() as client:
        try:
            deployment = client.read_deployment_by_name(LAUNCH_DEPLOYMENT)
        except Exception as exc:
            if _not_found(exc):
                raise PrefectUnavailable(
                    f"Ajopalvelussa ei ole käyttöönottoa {LAUNCH_DEPLOYMENT}."
                ) from exc
            raise
        run = client.create_flow_run_from_deployment(
            deployment.id, parameters=parameters, name=f"kaynnista-{round_id}"
        )
    return str(run.id)


def read_run_state(run_id: str, *, timeout: float = STATE_TIMEOUT) -> RunState:
    with prefect_client(timeout) as client:
        try:
            run = client.read_flow_run(UUID(run_id))
        except Exception as exc:
            if _not_found(exc):
                raise RunNotFound(f"Ajopalvelu ei tunne ajoa {run_id}.") from exc
            raise
    state = run.state
    return RunState(state.type.value, state.name or "") if state else RunState("PENDING")


def request_launch(
    rt: Runtime, round_id: str, *, actor: Actor, requested_by: int | None = None
) -> str:
    """Launch a draft round through a deployment run; the run's id.

    Under the round's lock: refused (``LaunchRefused``) unless the round is a draft, and
    (``LaunchPending``) while an earlier launch run has not finished; a run that failed or
    was cancelled may be followed by a new one. Nothing is changed when Prefect does not
    answer (``PrefectUnavailable``)."""
    with (
        session_scope(rt.engine) as session,
        round_work(session, round_id, actor=actor, now=rt.now()) as work,
    ):
        check_launchable(work)
        earlier = work.round.launch_run_id
        if earlier:
            try:
                state = read_run_state(earlier, timeout=API_TIMEOUT)
            except RunNotFound:
                state = RunState("CANCELLED", "Unknown")  # gone with Prefect's database
            if not state.final:
                raise LaunchPending(earlier, state)
        run_id = create_launch_run(round_id, requested_by=requested_by)
        record_launch_request(work, run_id)
    return run_id


@dataclass(frozen=True)
class LaunchStatus:
    """A round's launch run and its invitations, as the round page and the CLI show them."""

    run_id: str
    state: RunState | None  # None: Prefect did not answer
    counts: InvitationCounts
    round_state: str

    @property
    def final(self) -> bool:
        return self.state is not None and self.state.final

    @property
    def label(self) -> str:
        return self.state.label if self.state is not None else UNKNOWN_FI

    @property
    def text(self) -> str:
        return (
            f"Käynnistysajo: {self.label}. Kutsuja lähetetty {self.counts.sent}, "
            f"odottaa {self.counts.waiting}."
        )

    @property
    def hint(self) -> str:
        """What to do when the run does not get going, or went wrong."""
        state = self.state
        if state is None:
            return ""
        if state.type == "SCHEDULED" and state.name == "Late":
            return (
                "Ajo ei ole alkanut ajallaan: onko nimeamiset serve (tai Prefect-työntekijä) "
                "käynnissä?"
            )
        if state.final and not state.completed and self.round_state == "draft":
            return "Kierrosta ei käynnistetty. Voit yrittää uudelleen: Käynnistä kierros."
        return ""

    def as_json(self) -> dict[str, Any]:
        return {
            "state": self.state.type if self.state is not None else None,
            "label": self.label,
            "final": self.final,
            "sent": self.counts.sent,
            "waiting": self.counts.waiting,
            "text": self.text,
            "hint": self.hint,
        }


def launch_status(rt: Runtime, round_id: str) -> LaunchStatus | None:
    """The round's launch run as Prefect tells it (briefly: ``STATE_TIMEOUT``), and its
    invitations; None for a round launched without one (RoundNotFound for no round)."""
    with session_scope(rt.engine) as session:
        round_ = session.get(Round, round_id)
        if round_ is None:
            raise RoundNotFound(round_id)
        run_id, round_state = round_.launch_run_id, round_.state
        counts = invitation_counts(session, round_id)
    if run_id is None:
        return None
    try:
        state: RunState | None = read_run_state(run_id)
    except PrefectUnavailable:
        state = None
    return LaunchStatus(run_id, state, counts, round_state)


def follow_run(
    rt: Runtime,
    round_id: str,
    run_id: str,
    *,
    on_change: Callable[[LaunchStatus], None],
    poll: float = 2.0,
    patience: int = 30,
) -> LaunchStatus:
    """Wait until the run is final, calling ``on_change`` whenever its state or counts
    change. Gives up (``PrefectUnavailable``) after ``patience`` polls in a row without an
    answer from Prefect."""
    seen: LaunchStatus | None = None
    failures = 0
    while True:
        try:
            state: RunState | None = read_run_state(run_id, timeout=API_TIMEOUT)
            failures = 0
        except PrefectUnavailable:
            failures += 1
            if failures >= patience:
                raise
            state = None
        with session_scope(rt.engine) as session:
            counts = invitation_counts(session, round_id)
            round_ = session.get(Round, round_id)
            round_state = round_.state if round_ is not None else ""
        status = LaunchStatus(run_id, state, counts, round_state)
        if seen is None or (status.label, status.counts) != (seen.label, seen.counts):
            on_change(status)
            seen = status
        if status.final:
            return status
        time.sleep(poll)
