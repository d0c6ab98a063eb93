"""Delivery throughput: the outbox path against raw aiosmtplib, side by side, same machine.

    .venv/bin/python benchmarks/bench_send.py [--messages 2000] [--concurrency 4] [--rounds 3]

Both send the same rendered messages to one aiosmtpd server on 127.0.0.1. The baseline is
aiosmtplib alone over `concurrency` reused connections; the product's path adds claiming from
the database, recording each outcome, and the batch loop. The ratio is what matters: speed is
measured here, never asserted in tests.
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

import aiosmtplib
from aiosmtpd.controller import Controller
from sqlmodel import SQLModel

from nimeamiset.config import Settings
from nimeamiset.db import make_engine, session_scope
from nimeamiset.emails.render import Rendered, build_message
from nimeamiset.emails.senders import SmtpSender
from nimeamiset.models import OutboxMessage
from nimeamiset.services.delivery import deliver_all

NOW = datetime(2024, 3, 12, 8, tzinfo=UTC)


class _Sink:
    count = 0

    async def handle_DATA(self, server: object, session: object, envelope: object) -> str:
        _Sink.count += 1
        return "250 OK"


def message_bytes(n: int) -> list[bytes]:
    text = "Hyvä vastaanottaja,\n\n" + "Pyydämme nimeämään edustajan. " * 40
    rendered = Rendered("Edustajan nimeäminen", text, f"<p>{text}</p>")
    return [
        build_message(
            rendered,
            mail_from="Liitto <kirjaamo@example.fi>",
            to=f"kirjaamo{i}@example.fi",
            sent_at=NOW,
        ).as_bytes()
        for i in range(n)
    ]


async def baseline(port: int, messages: list[bytes], concurrency: int) -> float:
    queue: asyncio.Queue[tuple[int, bytes]] = asyncio.Queue()
    for item in enumerate(messages):
        queue.put_nowait(item)

    async def worker() -> None:
        client = aiosmtplib.SMTP(hostname="127.0.0.1", port=port)
        await client.connect()
        while not queue.empty():
            i, content = queue.get_nowait()
            await client.sendmail("kirjaamo@example.fi", [f"kirjaamo{i}@example.fi"], content)
        await client.quit()

    started = time.perf_counter()
    await asyncio.gather(*(worker() for _ in range(concurrency)))
    return time.perf_counter() - started


async def product(port: int, messages: list[bytes], concurrency: int, db: Path) -> float:
    settings = Settings(
        database_url=f"sqlite:///{db}", smtp_port=port, send_concurrency=concurrency
    )
    engine = make_engine(settings)
    SQLModel.metadata.drop_all(engine)
    SQLModel.metadata.create_all(engine)
    with session_scope(engine) as session:
        session.add_all(
            OutboxMessage(
                dedupe_key=f"bench:{i}",
                kind="bench",
                message_id=f"<{i}@example.fi>",
                envelope_from="kirjaamo@example.fi",
                envelope_to=f"kirjaamo{i}@example.fi",
                content=content,
                created_at=NOW,
                next_attempt_at=NOW,
            )
            for i, content in enumerate(messages)
        )
        session.commit()
    started = time.perf_counter()
    report = await deliver_all(
        engine, SmtpSender(settings), now=NOW, limit=settings.send_batch_size
    )
    elapsed = time.perf_counter() - started
    assert report.sent == len(messages), report
    engine.dispose()
    return elapsed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--messages", type=int, default=2000)
    parser.add_argument("--concurrency", type=int, default=4)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    controller = Controller(_Sink(), hostname="127.0.0.1", port=8031)
    controller.start()
    messages = message_bytes(args.messages)
    base_times, product_times = [], []
    try:
        with tempfile.TemporaryDirectory() as tmp:
            for r in range(args.rounds):  # interleaved so that machine noise hits both alike
                base_times.append(asyncio.run(baseline(8031, messages, args.concurrency)))
                product_times.append(
                    asyncio.run(product(8031, messages, args.concurrency, Path(tmp) / f"b{r}.db"))
                )
    finally:
        controller.stop()
    base, prod = statistics.median(base_times), statistics.median(product_times)
    n = args.messages
    print(f"messages {n}, concurrency {args.concurrency}, rounds {args.rounds} (medians)")
    print(f"raw aiosmtplib   {n / base:8.0f} msg/s")
    print(f"outbox delivery  {n / prod:8.0f} msg/s")
    print(f"ratio            {base / prod:8.2f} of the baseline's throughput")


if __name__ == "__main__":
    main()
