"""Small helpers the tests share: launch a round, find a link in a received email."""

from __future__ import annotations

import asyncio
import re
from collections.abc import Iterator
from contextlib import contextmanager
from email.message import EmailMessage

from nimeamiset.db import session_scope
from nimeamiset.runtime import Runtime
from nimeamiset.services.delivery import BatchReport, deliver_all
from nimeamiset.services.events import Actor
from nimeamiset.services.rounds import launch_round
from nimeamiset.services.work import RoundWork, round_work

TESTER = Actor.staff("testaaja@paijat-hame.fi")

LINK = re.compile(r"https?://[^\s\"<>]+/n/[A-Za-z0-9_-]+")


@contextmanager
def work(rt: Runtime, round_id: str, actor: Actor = TESTER) -> Iterator[RoundWork]:
    """A unit of work on the round at the runtime's time, committed when the block ends."""
    with (
        session_scope(rt.engine) as session,
        round_work(session, round_id, actor=actor, now=rt.now()) as unit,
    ):
        yield unit


def launch(rt: Runtime, round_id: str) -> tuple[int, BatchReport]:
    with work(rt, round_id) as unit:
        queued = launch_round(unit, rt.mail, hours=rt.hours)
    return queued, deliver(rt)


def deliver(rt: Runtime) -> BatchReport:
    return asyncio.run(deliver_all(rt.engine, rt.sender, now=rt.now(), limit=50))


def parts(message: EmailMessage) -> tuple[str, str]:
    """The text and the HTML part, as a mail client shows them."""
    text = message.get_body(preferencelist=("plain",))
    html = message.get_body(preferencelist=("html",))
    assert text is not None and html is not None, "expected both a text and an HTML part"
    return (
        str(text.get_content()).replace("\r\n", "\n"),
        str(html.get_content()).replace("\r\n", "\n"),
    )


def to_address(message: EmailMessage) -> str:
    return str(message["To"].addresses[0].addr_spec)


def message_to(messages: list[EmailMessage], address: str) -> EmailMessage:
    found = [m for m in messages if to_address(m) == address]
    assert len(found) == 1, f"expected one message to {address}, got {len(found)}"
    return found[0]


def link_in(message: EmailMessage) -> str:
    text, _ = parts(message)
    links = LINK.findall(text)
    assert len(set(links)) == 1, f"expected one personal link, found {links}"
    return links[0]


def token_of(link: str) -> str:
    return link.rsplit("/", 1)[1]
