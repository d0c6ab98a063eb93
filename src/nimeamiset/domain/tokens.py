"""Personal link tokens.

A token is an HMAC of the request id and a random nonce under the installation's secret key:
192 bits an outsider cannot guess. The database keeps only the token's SHA-256 (to find the
request from a link) and the nonce, so that a copy of the database alone gives no working link,
while the mail side, holding the key, can write the same link again in a reminder.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets

TOKEN_BYTES = 24
NONCE_BYTES = 16


def new_token() -> str:
    """A random token nobody holds (a placeholder before launch)."""
    return secrets.token_urlsafe(TOKEN_BYTES)


def new_nonce() -> str:
    return secrets.token_urlsafe(NONCE_BYTES)


def derive_token(key: bytes, request_id: int, nonce: str) -> str:
    digest = hmac.new(key, f"link:{request_id}:{nonce}".encode(), hashlib.sha256).digest()
    return base64.urlsafe_b64encode(digest[:TOKEN_BYTES]).decode().rstrip("=")


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8", "surrogatepass")).hexdigest()


class KeyMismatch(RuntimeError):
    """The secret key is not the one the link was made with: a reminder would carry a dead link."""
