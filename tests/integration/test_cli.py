"""The nimeamiset command, in process, against SQLite and PostgreSQL."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import openpyxl
import pytest
from sqlmodel import SQLModel, func, select

from nimeamiset.cli import main
from nimeamiset.db import session_scope
from nimeamiset.domain.people import Person
from nimeamiset.models import NominationRequest, Organisation, Round
from nimeamiset.runtime import Runtime
from nimeamiset.schema import upgrade
from nimeamiset.services.replies import Seat, submit_nomination
from tests.conftest import ROUND_FILE, SmtpServer
from tests.helpers import launch, link_in, message_to, parts, to_address, token_of

GOOD = ROUND_FILE.read_text(encoding="utf-8")


@pytest.fixture
def env(monkeypatch: pytest.MonkeyPatch, runtime: Runtime) -> Runtime:
    """Settings in the environment; the schema made by the migrations, as in production."""
    SQLModel.metadata.drop_all(runtime.engine)
    upgrade(runtime.engine)
    s = runtime.settings
    monkeypatch.setenv("NIMEAMISET_DATABASE_URL", s.database_url)
    monkeypatch.setenv("NIMEAMISET_SMTP_PORT", str(s.smtp_port))
    monkeypatch.setenv("NIMEAMISET_NOW", "2024-03-12T10:00:00+02:00")
    assert s.secret_key is not None
    monkeypatch.setenv("NIMEAMISET_SECRET_KEY", s.secret_key.get_secret_value())
    return runtime


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def table_counts(rt: Runtime) -> tuple[int, ...]:
    with session_scope(rt.engine) as session:
        return tuple(
            session.exec(select(func.count()).select_from(t)).one()
            for t in (Round, Organisation, NominationRequest)
        )


def test_create_prints_the_round_id_last(
    env: Runtime, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "kierros.yaml"
    path.write_text(GOOD.replace("id: testiryhma\n", ""), encoding="utf-8")
    code, out, _ = run(capsys, "round", "create", str(path))
    assert code == 0
    assert out.splitlines()[-1] == "paijat-hameen-testiohjelman-ohjausryhma"
    assert table_counts(env) == (1, 5, 5)

    code, out, _ = run(capsys, "round", "create", str(path))
    assert code == 0 and out.splitlines()[-1] == "paijat-hameen-testiohjelman-ohjausryhma-2"


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        (("deadline: 2024-03-27\n", ""), ":2: deadline: Määräaika: puuttuu."),
        (
            ("deadline: 2024-03-27", "deadline: 2024-13-01"),
            ":9: deadline: Määräaika: päivämäärä ei kelpaa (2024-13-01). Muoto on 31.3.2025.",
        ),
        (("deadline: 2024-03-27", "deadline: 1.3.2024"), ":9: deadline: Määräaika: 1.3.2024 on"),
        (
            ("kirjaamo@hartola.example.fi", "hartola"),
            ":15: organisations.1.email: Organisaatio 2: sähköposti ei kelpaa (hartola)",
        ),
        (
            ("name: Hartola", "name: Asikkala"),
            ':15: organisations.1.name: Organisaatio 2: organisaatio "Asikkala" on listassa jo',
        ),
        (
            ("body:", "vastaanottaja: x\nbody:"),
            ':3: vastaanottaja: Tuntematon kenttä "vastaanottaja" – tarkista kirjoitusasu.',
        ),
    ],
)
def test_bad_round_file_is_refused_with_key_and_line_and_nothing_written(
    env: Runtime,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    change: tuple[str, str],
    expected: str,
) -> None:
    path = tmp_path / "kierros.yaml"
    path.write_text(GOOD.replace(*change), encoding="utf-8")
    code, _, err = run(capsys, "round", "create", str(path))
    assert code == 2
    assert f"{path}{expected}" in err, err
    assert table_counts(env) == (0, 0, 0)


def test_round_with_an_existing_id_is_refused(
    env: Runtime, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "kierros.yaml"
    path.write_text(GOOD, encoding="utf-8")
    assert run(capsys, "round", "create", str(path))[0] == 0
    code, _, err = run(capsys, "round", "create", str(path))
    assert code == 2
    assert f"{path}:2: id: Tunnus: kierros testiryhma on jo olemassa" in err, err


def test_missing_file_and_unknown_round_exit_2(
    env: Runtime, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert run(capsys, "round", "create", str(tmp_path / "ei-ole.yaml"))[0] == 2
    code, _, err = run(capsys, "round", "status", "ei-ole")
    assert code == 2 and "no round 'ei-ole'" in err


def test_status_json_and_roster(
    env: Runtime,
    round_id: str,
    smtp_server: SmtpServer,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    launch(env, round_id)
    code, out, _ = run(capsys, "round", "status", round_id, "--json")
    assert code == 0
    status = json.loads(out)
    assert status["round"]["id"] == round_id and status["round"]["deadline"] == "2024-03-27"
    first = status["organisations"][0]
    assert {"name", "email", "state", "reminders_sent", "late", "member", "deputy"} <= set(first)
    assert (first["name"], first["state"], first["member"]) == ("Asikkala", "invited", None)

    code, out, _ = run(capsys, "round", "status", round_id)
    assert code == 0 and "Asikkala" in out and "pyydetty" in out

    target = tmp_path / "kokoonpano.csv"
    code, _, _ = run(capsys, "roster", round_id, "--format", "csv", "-o", str(target))
    assert code == 0
    rows = list(csv.reader(io.StringIO(target.read_text(encoding="utf-8-sig")), delimiter=";"))
    assert [r[0] for r in rows[1:]] == [o["name"] for o in status["organisations"]]
    assert {r[1] for r in rows[1:]} == {"ei nimetty"}


def test_half_filled_smtp_settings_fail_fast(
    env: Runtime, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("NIMEAMISET_SMTP_USERNAME", "liitto")
    code, _, err = run(capsys, "round", "list")
    assert code == 2 and "SMTP_USERNAME and NIMEAMISET_SMTP_PASSWORD go together" in err


def replace(
    round_id: str, organisation: str, role: str, name: str, email: str, *extra: str
) -> list[str]:
    """The arguments of 'round replace'."""
    return [
        "round",
        "replace",
        round_id,
        "--organisation",
        organisation,
        "--role",
        role,
        "--name",
        name,
        "--email",
        email,
        *extra,
    ]


def test_staff_replace_a_deputy_after_assembly_and_export_both_versions(
    env: Runtime,
    round_id: str,
    smtp_server: SmtpServer,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    launch(env, round_id)
    link = link_in(message_to(smtp_server.received(), "kirjaamo@asikkala.example.fi"))
    with session_scope(env.engine) as session:
        submit_nomination(
            session,
            env.mail,
            token_of(link),
            [
                Seat(
                    Person("Aino Mäkelä", "", "aino@example.fi", ""),
                    Person("Pekka O'Brien", "", "pekka@example.fi", ""),
                )
            ],
            now=env.now(),
        )
    assert run(capsys, "round", "assemble", round_id)[0] == 0

    code, out, _ = run(
        capsys,
        *replace(
            round_id,
            "Asikkala",
            "deputy",
            "Ville Vaihto",
            "ville@example.fi",
            "--phone",
            "040 765 4321",
        ),
    )
    assert code == 0 and "Asikkala, paikka 1: varajäsen Ville Vaihto" in out
    code, _, err = run(capsys, *replace(round_id, "Hartola", "member", "X", "x@example.fi"))
    assert code == 2 and "Hartola has named nobody to replace" in err
    code, _, err = run(capsys, *replace(round_id, "Asikkala", "member", "X", "x(at)example"))
    assert code == 2 and "--email: email" in err

    for version, deputy in (("1", "Pekka O'Brien"), ("2", "Ville Vaihto")):
        target = tmp_path / f"v{version}.xlsx"
        assert (
            run(
                capsys,
                "roster",
                round_id,
                "--format",
                "xlsx",
                "--version",
                version,
                "-o",
                str(target),
            )[0]
            == 0
        )
        sheet = openpyxl.load_workbook(target).worksheets[0]
        assert deputy in [c.value for row in sheet.iter_rows() for c in row]
    assert run(capsys, "roster", round_id, "--version", "3")[0] == 2
    confirmation = [
        m for m in smtp_server.received() if to_address(m) == "kirjaamo@asikkala.example.fi"
    ][-1]
    assert "Ville Vaihto" in parts(confirmation)[0]
    assert token_of(link_in(confirmation)) == token_of(link)  # the same link, written again


def test_a_refused_secret_key_is_never_printed(
    env: Runtime, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("NIMEAMISET_SECRET_KEY", "lyhyt-mutta-salainen")
    code, out, err = run(capsys, "round", "list")
    assert code == 2 and "NIMEAMISET_SECRET_KEY" in err and "at least 32" in err
    assert "lyhyt-mutta-salainen" not in err + out
