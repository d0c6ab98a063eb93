"""Text as people type it, made safe to keep: control characters removed.

NUL cannot be stored in PostgreSQL (a 500 before), and control characters have no place in a
name, a title, a reason or an email header. Line breaks and tabs stay (letters, reasons)."""

from __future__ import annotations

import re
import unicodedata

_KEEP = {"\n", "\r", "\t"}
# Every Cc character lies below U+00A0.
_CONTROL_CHARS = "".join(
    chr(c) for c in range(0xA0) if unicodedata.category(chr(c)) == "Cc" and chr(c) not in _KEEP
)
_CONTROLS = re.compile(f"[{re.escape(_CONTROL_CHARS)}\u2028\u2029]")


def without_controls(text: str) -> str:
    """The text without control characters (C0, DEL, C1, line and paragraph separators),
    keeping line breaks and tabs."""
    return _CONTROLS.sub("", text)
