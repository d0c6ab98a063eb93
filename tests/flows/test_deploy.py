"""deploy/: the Prefect project file, the settings example and the systemd units, checked
against the code they describe; the deployments created for real against the harness API."""

from __future__ import annotations

import configparser
import json
import os
import re
import shlex
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml
from prefect import get_client
from prefect.cli.deploy._models import PrefectYamlModel
from prefect.client.schemas.actions import WorkPoolCreate
from prefect.client.schemas.objects import Flow
from prefect.client.schemas.schedules import CronSchedule
from prefect.deployments import run_deployment
from prefect.exceptions import ObjectNotFound, PrefectHTTPStatusError
from prefect.flows import load_flow_from_entrypoint
from prefect.settings import get_current_settings
from prefect.utilities.callables import parameter_schema
from prefect.utilities.importtools import import_object
from prefect.workers.process import ProcessWorker

from flows.assemble import assemble_roster_flow
from flows.deliver import deliver_outbox_flow
from flows.deployments import local_deployments
from flows.launch import launch_round_flow
from flows.sweep import sweep_flow
from nimeamiset.config import Settings, secret_key_bytes
from tests.flows.prefect_api import run

ROOT = Path(__file__).resolve().parents[2]
DEPLOY = ROOT / "deploy"
PREFECT_FILE = DEPLOY / "prefect.yaml"
ENV_EXAMPLE = DEPLOY / "nimeamiset.env.example"
SYSTEMD = DEPLOY / "systemd"
POOL = "nimeamiset"
PROJECT_DIR = "/opt/nimeamiset"
HELSINKI = "Europe/Helsinki"
# deployment name: (entry point, flow, schedules as (cron, timezone))
EXPECTED: dict[str, tuple[str, Any, list[tuple[str, str]]]] = {
    "launch-round": ("flows/launch.py:launch_round_flow", launch_round_flow, []),
    "assemble-roster": ("flows/assemble.py:assemble_roster_flow", assemble_roster_flow, []),
    "sweep": ("flows/sweep.py:sweep_flow", sweep_flow, [("0 9-17 * * 1-5", HELSINKI)]),
    "deliver-outbox": (
        "flows/deliver.py:deliver_outbox_flow",
        deliver_outbox_flow,
        [("*/15 * * * *", HELSINKI)],
    ),
}
# What would betray personal data or a secret in a deployment's parameters.
PERSONAL = re.compile(
    r"@|/n/|token|email|sähköposti|password|salasana|\+?358|\b0\d{2} ?\d{5,}", re.IGNORECASE
)


@pytest.fixture(scope="module")
def prefect_file() -> dict[str, Any]:
    return yaml.safe_load(PREFECT_FILE.read_text(encoding="utf-8"))


def deployment(prefect_file: dict[str, Any], name: str) -> dict[str, Any]:
    (found,) = [d for d in prefect_file["deployments"] if d["name"] == name]
    return found


# --- deploy/prefect.yaml --------------------------------------------------------------------


def test_prefect_file_is_what_prefect_deploy_accepts(prefect_file: dict[str, Any]) -> None:
    model = PrefectYamlModel.model_validate(prefect_file)  # what `prefect deploy` parses
    assert [d.name for d in model.deployments] == list(EXPECTED)
    assert model.prefect_version == "3.8.8"


def test_deployments_need_neither_docker_nor_a_network_to_build(
    prefect_file: dict[str, Any],
) -> None:
    for section in ("build", "push"):
        assert not prefect_file.get(section)
        assert all(not d.get(section) for d in prefect_file["deployments"])


def test_pull_step_changes_into_the_installed_project(prefect_file: dict[str, Any]) -> None:
    ((step_name, inputs),) = [step.popitem() for step in prefect_file["pull"]]
    assert step_name == "prefect.deployments.steps.set_working_directory"
    assert import_object(step_name).__name__ == "set_working_directory"
    # Absolute: relative paths are taken from the process worker's per-run temporary directory.
    assert inputs == {"directory": PROJECT_DIR}
    assert all("pull" not in d for d in prefect_file["deployments"])


@pytest.mark.parametrize("name", list(EXPECTED))
def test_entrypoint_resolves_to_the_flow_from_the_project_root(
    prefect_file: dict[str, Any],
    name: str,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    entrypoint, expected, _ = EXPECTED[name]
    assert deployment(prefect_file, name)["entrypoint"] == entrypoint

    monkeypatch.chdir(ROOT)  # `prefect deploy` runs from the root
    loaded = load_flow_from_entrypoint(entrypoint)

    assert loaded.name == expected.name
    assert (
        Path(loaded.fn.__code__.co_filename).resolve()
        == Path(expected.fn.__code__.co_filename).resolve()
    )
    assert loaded.fn.__qualname__ == expected.fn.__qualname__


@pytest.mark.parametrize("name", list(EXPECTED))
def test_deployment_runs_on_the_nimeamiset_process_pool(
    prefect_file: dict[str, Any], name: str
) -> None:
    assert deployment(prefect_file, name)["work_pool"]["name"] == POOL


@pytest.mark.parametrize(
    "name, optional",
    # A launch may also name the staff account that asked for it (its id, never an email),
    # so that the audit events of a launch from the staff pages name that person.
    [("launch-round", ["requested_by"]), ("assemble-roster", [])],
)
def test_on_demand_deployments_have_no_schedule_and_need_a_round_id(
    prefect_file: dict[str, Any], name: str, optional: list[str]
) -> None:
    item = deployment(prefect_file, name)
    assert item["schedules"] == []
    assert item["parameters"] == {}  # no default round: every run names its own
    assert item["enforce_parameter_schema"] is True
    schema = parameter_schema(EXPECTED[name][1])
    assert schema.required == ["round_id"]
    assert list(schema.properties) == ["round_id", *optional]


@pytest.mark.parametrize("name", list(EXPECTED))
def test_schedules_are_on_helsinki_time(prefect_file: dict[str, Any], name: str) -> None:
    schedules = deployment(prefect_file, name)["schedules"]
    assert [(s["cron"], s["timezone"]) for s in schedules] == EXPECTED[name][2]
    for schedule in schedules:
        assert schedule.get("active", True) is True
        CronSchedule(cron=schedule["cron"], timezone=schedule["timezone"])  # valid for Prefect


@pytest.mark.parametrize("name", ["sweep", "deliver-outbox"])
def test_scheduled_flows_take_no_parameters(name: str) -> None:
    assert parameter_schema(EXPECTED[name][1]).properties == {}


def test_deliver_outbox_runs_every_15_minutes_one_run_at_a_time(
    prefect_file: dict[str, Any],
) -> None:
    deliver = deployment(prefect_file, "deliver-outbox")
    assert [s["cron"] for s in deliver["schedules"]] == ["*/15 * * * *"]
    assert deliver["concurrency_limit"] == {"limit": 1, "collision_strategy": "CANCEL_NEW"}


def test_prefect_file_matches_what_nimeamiset_serve_serves(
    prefect_file: dict[str, Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(ROOT)  # entry points are computed relative to the working directory
    served = {
        d.name: (
            d.entrypoint,
            [(s.schedule.cron, s.schedule.timezone, s.slug) for s in d.schedules],
        )
        for d in local_deployments()
    }
    in_file = {
        d["name"]: (
            d["entrypoint"],
            [(s["cron"], s["timezone"], s["slug"]) for s in d["schedules"]],
        )
        for d in prefect_file["deployments"]
    }
    assert served == in_file


def test_no_parameters_in_the_prefect_file_hold_personal_data(
    prefect_file: dict[str, Any],
) -> None:
    for item in prefect_file["deployments"]:
        found = [item.get("parameters") or {}]
        found += [s.get("parameters") or {} for s in item.get("schedules") or []]
        for parameters in found:
            assert set(parameters) <= {"round_id"}
            assert not PERSONAL.search(json.dumps(parameters, ensure_ascii=False))


# --- deploy/nimeamiset.env.example ----------------------------------------------------------


def env_example() -> tuple[dict[str, str], set[str]]:
    """Active assignments (values unquoted as systemd does) and every name mentioned."""
    active: dict[str, str] = {}
    mentioned: set[str] = set()
    for line in ENV_EXAMPLE.read_text(encoding="utf-8").splitlines():
        mentioned.update(re.findall(r"\b(NIMEAMISET_[A-Z_]+)=", line))
        if line.strip() and not line.lstrip().startswith("#"):
            name, value = line.split("=", 1)
            (active[name],) = shlex.split(value) or [""]
    return active, mentioned


def test_env_example_names_every_setting_and_nothing_else() -> None:
    _, mentioned = env_example()
    settings = {f"NIMEAMISET_{name.upper()}" for name in Settings.model_fields}
    assert mentioned == settings


def test_env_example_is_a_valid_configuration(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    active, _ = env_example()
    # The web app and the flow runs have different working directories: one key file for both.
    assert Path(active["NIMEAMISET_SECRET_KEY_FILE"]).is_absolute()
    secret = tmp_path / "smtp-password"
    secret.write_text("not-a-real-secret\n")
    active["NIMEAMISET_SMTP_PASSWORD_FILE"] = str(secret)
    active["NIMEAMISET_SECRET_KEY_FILE"] = str(tmp_path / "key" / "secret.key")
    for name in list(os.environ):
        if name.startswith("NIMEAMISET_"):
            monkeypatch.delenv(name)
    for name, value in active.items():
        monkeypatch.setenv(name, value)

    settings = Settings()

    assert settings.smtp_password is not None
    assert settings.smtp_password.get_secret_value() == "not-a-real-secret"
    assert settings.staff_session_idle_minutes == 60 and not settings.oidc_enabled
    assert settings.now is None and settings.mail_capture_dir is None  # production
    assert settings.public_base_url.startswith("https://")
    assert settings.database_url.startswith("postgresql://")
    key = secret_key_bytes(settings)  # made on first use, then read back by the other side
    assert len(key) >= 32 and secret_key_bytes(settings) == key
    assert active["PREFECT_RESULTS_PERSIST_BY_DEFAULT"] == "false"
    assert active["PREFECT_SERVER_ANALYTICS_ENABLED"] == "false"


# --- deploy/systemd -------------------------------------------------------------------------


def unit(name: str) -> configparser.RawConfigParser:
    parser = configparser.RawConfigParser(strict=False, interpolation=None)
    parser.optionxform = str  # type: ignore[assignment,method-assign]
    parser.read(SYSTEMD / name, encoding="utf-8")
    return parser


@pytest.mark.parametrize(
    "name, command",
    [
        ("nimeamiset-web.service", ["nimeamiset", "web"]),
        ("nimeamiset-worker.service", ["prefect", "worker", "start", "--pool", POOL]),
    ],
)
def test_units_run_unprivileged_with_the_settings_file(name: str, command: list[str]) -> None:
    service = unit(name)["Service"]
    assert service["User"] == service["Group"] == "nimeamiset"
    assert service["EnvironmentFile"] == "/etc/nimeamiset/nimeamiset.env"
    assert service["WorkingDirectory"] == PROJECT_DIR
    assert service["NoNewPrivileges"] == "yes" and service["ProtectSystem"] == "strict"
    argv = shlex.split(service["ExecStart"])
    assert argv[0].startswith(f"{PROJECT_DIR}/.venv/bin/")
    assert [Path(argv[0]).name, *argv[1 : len(command)]] == command


def test_worker_serves_the_pool_of_the_prefect_file(prefect_file: dict[str, Any]) -> None:
    argv = shlex.split(unit("nimeamiset-worker.service")["Service"]["ExecStart"])
    assert argv[argv.index("--pool") + 1] == POOL
    assert argv[argv.index("--type") + 1] == "process"
    assert {d["work_pool"]["name"] for d in prefect_file["deployments"]} == {POOL}


# --- against the harness's Prefect API ------------------------------------------------------


@pytest.fixture(scope="module")
def deployed() -> dict[str, Any]:
    """`prefect deploy --prefect-file deploy/prefect.yaml --all`, as the README says, run
    from the project root against the harness API; the deployments read back."""

    async def create_pool() -> None:
        async with get_client() as client:
            try:
                await client.read_work_pool(POOL)
            except ObjectNotFound:
                await client.create_work_pool(
                    WorkPoolCreate(
                        name=POOL,
                        type="process",
                        base_job_template=ProcessWorker.get_default_base_job_template(),
                    )
                )

    run(create_pool())
    env = {**os.environ, **get_current_settings().to_environment_variables(exclude_unset=True)}
    env = {k: v for k, v in env.items() if not k.startswith("NIMEAMISET_")}
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "prefect",
            "--no-prompt",
            "deploy",
            "--prefect-file",
            "deploy/prefect.yaml",
            "--all",
        ],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "successfully created" in result.stdout, result.stdout

    async def read_back() -> dict[str, Any]:
        async with get_client() as client:
            return {
                name: await client.read_deployment_by_name(f"{flow.name}/{name}")
                for name, (_, flow, _) in EXPECTED.items()
            }

    return run(read_back())


def test_prefect_deploy_creates_the_deployments_as_the_file_says(
    deployed: dict[str, Any],
) -> None:
    assert set(deployed) == set(EXPECTED)
    for name, item in deployed.items():
        entrypoint, _, schedules = EXPECTED[name]
        assert item.entrypoint == entrypoint
        assert item.work_pool_name == POOL
        assert item.pull_steps == [
            {"prefect.deployments.steps.set_working_directory": {"directory": PROJECT_DIR}}
        ]
        assert item.parameters == {}
        assert item.enforce_parameter_schema is True
        assert all(isinstance(s.schedule, CronSchedule) and s.active for s in item.schedules)
        assert [(s.schedule.cron, s.schedule.timezone) for s in item.schedules] == schedules

    deliver = deployed["deliver-outbox"]
    assert deliver.global_concurrency_limit is not None
    assert deliver.global_concurrency_limit.limit == 1
    assert deliver.concurrency_options is not None
    assert deliver.concurrency_options.collision_strategy == "CANCEL_NEW"
    assert deployed["launch-round"].global_concurrency_limit is None


def test_a_launch_run_must_name_its_round_and_holds_nothing_else(
    deployed: dict[str, Any],
) -> None:
    """Besides the round's id, only the id of the staff account that asked for the launch
    (the staff pages pass it, so that the launch's audit events name the person): the schema
    refuses anything else there, an email above all."""
    name = f"{launch_round_flow.name}/launch-round"

    with pytest.raises(PrefectHTTPStatusError) as refused:
        run_deployment(name, timeout=0)
    assert refused.value.response.status_code == 409  # parameters fail the schema
    for requested_by in ("koordinaattori@paijat-hame.fi", {"email": "x@example.fi"}):
        with pytest.raises(PrefectHTTPStatusError) as refused:
            run_deployment(
                name,
                parameters={"round_id": "ohjausryhma-2024", "requested_by": requested_by},
                timeout=0,
            )
        assert refused.value.response.status_code == 409

    flow_run = run_deployment(name, parameters={"round_id": "ohjausryhma-2024"}, timeout=0)
    assert flow_run.parameters == {"round_id": "ohjausryhma-2024"}
    assert flow_run.state is not None and flow_run.state.is_scheduled()  # no worker here
    by_staff = run_deployment(
        name, parameters={"round_id": "ohjausryhma-2024", "requested_by": 7}, timeout=0
    )
    assert by_staff.parameters == {"round_id": "ohjausryhma-2024", "requested_by": 7}
    assert not PERSONAL.search(json.dumps(by_staff.parameters))

    async def cancel() -> None:
        from prefect.states import Cancelled

        async with get_client() as client:
            for created in (flow_run, by_staff):
                await client.set_flow_run_state(created.id, Cancelled(), force=True)

    run(cancel())


def test_flow_names_match_the_deployments(deployed: dict[str, Any]) -> None:
    async def flows() -> list[Flow]:
        async with get_client() as client:
            return [await client.read_flow(d.flow_id) for d in deployed.values()]

    assert sorted(f.name for f in run(flows())) == sorted(f.name for _, f, _ in EXPECTED.values())
