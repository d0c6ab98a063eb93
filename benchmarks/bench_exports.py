"""The roster's exports grow with the roster, not with its square.

    .venv/bin/python benchmarks/bench_exports.py [--small 50] [--large 200] [--rounds 3]

Each format is built for a roster of ``small`` and of ``large`` organisations (one seat each,
member and deputy named), side by side; the median time of ``rounds`` builds is compared. A
ratio near ``large / small`` is linear; its square would be quadratic (the DOCX export built
python-docx's row list again for every row: 18 s for 200 organisations, measured here).
"""

from __future__ import annotations

import argparse
import statistics
import time
from datetime import UTC, datetime

from nimeamiset.domain.roster import Gender, Roster, RosterPerson, RosterSeat, SeatStatus
from nimeamiset.domain.timefmt import HELSINKI
from nimeamiset.exports import FORMATS, export


def roster(organisations: int) -> Roster:
    def person(name: str, gender: Gender) -> RosterPerson:
        return RosterPerson(name=name, title="asiantuntija", gender=gender)

    return Roster(
        round_id="bench",
        body="Päijät-Hämeen ohjausryhmä",
        meeting_start=datetime(2024, 4, 18, 9, tzinfo=HELSINKI),
        meeting_end=datetime(2024, 4, 18, 11, tzinfo=HELSINKI),
        meeting_place="Hämeenkatu 9 A, Lahti",
        version=1,
        assembled_at=datetime(2024, 4, 11, 7, tzinfo=UTC),
        seats=tuple(
            RosterSeat(
                (f"Organisaatio {i}",),
                1,
                SeatStatus.NAMED,
                person(f"Jäsen {i}", Gender.WOMAN),
                person(f"Varajäsen {i}", Gender.MAN),
            )
            for i in range(organisations)
        ),
    )


def median_seconds(fmt: str, subject: Roster, rounds: int) -> float:
    times = []
    for _ in range(rounds):
        started = time.perf_counter()
        export(subject, fmt)
        times.append(time.perf_counter() - started)
    return statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--small", type=int, default=50)
    parser.add_argument("--large", type=int, default=200)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    small, large = roster(args.small), roster(args.large)
    linear = args.large / args.small
    print(f"organisations {args.small} and {args.large}: linear would be {linear:.1f}x")
    for fmt in FORMATS:
        a = median_seconds(fmt, small, args.rounds)
        b = median_seconds(fmt, large, args.rounds)
        print(f"{fmt:5} {a * 1000:8.1f} ms {b * 1000:8.1f} ms  ratio {b / a:5.1f}")


if __name__ == "__main__":
    main()
