"""No name can add an address to a header, nor a control character reach one; no control
character survives a form."""

from __future__ import annotations

import email.policy
from datetime import UTC, datetime
from email import message_from_bytes

import pytest

from nimeamiset.domain.text import without_controls
from nimeamiset.emails.render import Rendered, build_message, display_name

HOSTILE = [
    "Virtanen, Matti Juhani Kalevi Ensio Pekka Olavi Tapani, kirjaamo@evil.example.fi, Aaa Bbb",
    'Matti "x" <kirjaamo@evil.example.fi>',
    "Matti\r\nBcc: kirjaamo@evil.example.fi",
    "Matti\x00 Meikäläinen\x1b[31m",
    "Åsa Öhman; kirjaamo@evil.example.fi",
    "(kommentti) Matti: ryhmä:;",
    "x" * 500 + ", kirjaamo@evil.example.fi",
    "Ääkkösiä, pilkkuja, ja hyvin pitkä nimi joka ylittää rivin pituuden moneen kertaan" * 3,
]


@pytest.mark.parametrize("name", HOSTILE)
def test_a_name_adds_no_address_and_no_header(name: str) -> None:
    message = build_message(
        Rendered(subject=f"Aihe {name}", text="teksti", html="<p>teksti</p>"),
        mail_from="Päijät-Hämeen liitto <kirjaamo@paijat-hame.example.fi>",
        to="matti@example.fi",
        to_name=name,
        reply_to=(name, "tarja@example.fi"),
        sent_at=datetime(2024, 3, 12, tzinfo=UTC),
    )
    parsed = message_from_bytes(message.as_bytes(), policy=email.policy.default)
    assert [a.addr_spec for a in parsed["To"].addresses] == ["matti@example.fi"]  # type: ignore[attr-defined]
    assert [a.addr_spec for a in parsed["Reply-To"].addresses] == ["tarja@example.fi"]  # type: ignore[attr-defined]
    assert parsed["Bcc"] is None
    for header in ("To", "Reply-To", "Subject"):
        assert not any(ord(c) < 32 for c in str(parsed[header]))


def test_a_plain_name_stays_as_it_was() -> None:
    assert display_name("Aino Mäkelä") == "Aino Mäkelä"
    assert display_name("Kela / Päijät-Hämeen palveluryhmä") == "Kela / Päijät-Hämeen palveluryhmä"


def test_control_characters_go_and_line_breaks_stay() -> None:
    assert without_controls("a\x00b\x1bc\x7fd\x85e\u2028f") == "abcdef"
    assert without_controls("rivi 1\r\nrivi 2\tsarake") == "rivi 1\r\nrivi 2\tsarake"
