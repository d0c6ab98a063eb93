"""The sweep's cost follows the number of due reminders, not of open requests.

    .venv/bin/python benchmarks/bench_sweep.py [--small 1000] [--large 20000] [--due 20]

Two databases side by side (SQLite files), the same number of reminders due, one with
``small`` open requests and one with ``large``; each sweep is timed (median of rounds). A ratio
near 1 says the sweep asks the database for what is due instead of looking at every request.
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

from sqlmodel import SQLModel

from nimeamiset.config import Settings
from nimeamiset.db import make_engine, session_scope
from nimeamiset.domain.reminders import Hours
from nimeamiset.domain.tokens import derive_token, hash_token
from nimeamiset.models import NominationRequest, Organisation, Round
from nimeamiset.runtime import build_runtime
from nimeamiset.services.reminders import queue_due_reminders

NOW = datetime(2024, 3, 20, 7, 30, tzinfo=UTC)  # Wednesday 9.30 in Helsinki
KEY = "benchmark-key-" + "k" * 40


def populate(path: Path, open_requests: int, due: int) -> Settings:
    settings = Settings(database_url=f"sqlite:///{path}", secret_key=KEY)  # type: ignore[arg-type]
    engine = make_engine(settings)
    SQLModel.metadata.create_all(engine)
    with session_scope(engine) as session:
        session.add(
            Round(
                id="r",
                body="Ohjausryhmä",
                subject="Nimeäminen",
                letter="Kirje.",
                deadline=date(2024, 3, 27),
                meeting_start=datetime(2024, 4, 18, 6, tzinfo=UTC),
                meeting_end=datetime(2024, 4, 18, 8, tzinfo=UTC),
                meeting_place="Lahti",
                sender_name="S",
                sender_title="t",
                sender_organisation="Liitto",
                contact_name="C",
                contact_title="t",
                contact_email="c@example.fi",
                state="launched",
                created_at=NOW,
                launched_at=NOW,
            )
        )
        session.add_all(
            Organisation(id=i + 1, name=f"Organisaatio {i}", email=f"k{i}@example.fi")
            for i in range(open_requests)
        )
        session.flush()
        for i in range(open_requests):
            nonce = f"n{i}"
            session.add(
                NominationRequest(
                    id=i + 1,
                    round_id="r",
                    organisation_id=i + 1,
                    position=i,
                    email=f"k{i}@example.fi",
                    state="invited",
                    token_nonce=nonce,
                    token_hash=hash_token(derive_token(KEY.encode(), i + 1, nonce)),
                    # The first `due` are due now; the rest not before next week.
                    next_reminder_at=NOW - timedelta(minutes=30)
                    if i < due
                    else NOW + timedelta(days=7),
                )
            )
        session.commit()
    engine.dispose()
    return settings


def sweep_seconds(settings: Settings) -> float:
    rt = build_runtime(settings)
    with session_scope(rt.engine) as session:
        started = time.perf_counter()
        sent = queue_due_reminders(session, rt.mail, now=NOW, hours=Hours())
        elapsed = time.perf_counter() - started
    assert sent, "nothing was due"
    return elapsed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--small", type=int, default=1000)
    parser.add_argument("--large", type=int, default=20000)
    parser.add_argument("--due", type=int, default=20)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    times: dict[int, list[float]] = {args.small: [], args.large: []}
    with tempfile.TemporaryDirectory() as tmp:
        for r in range(args.rounds):  # fresh databases each round, interleaved
            for size in times:
                settings = populate(Path(tmp) / f"{size}-{r}.db", size, args.due)
                times[size].append(sweep_seconds(settings))
    small, large = (statistics.median(times[s]) for s in (args.small, args.large))
    print(f"{args.due} reminders due, medians of {args.rounds} sweeps")
    print(f"{args.small:>6} open requests  {small * 1000:8.1f} ms")
    print(f"{args.large:>6} open requests  {large * 1000:8.1f} ms")
    print(f"ratio {large / small:.2f} (1.0: the cost does not grow with open requests)")


if __name__ == "__main__":
    main()
