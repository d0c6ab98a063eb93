"""Staff accounts: adding, passwords, one-time set-up links, signing in, sessions, throttling.

Passwords are hashed with Argon2 (pwdlib) after NFC normalisation, so that the same password
typed on another keyboard or system still matches. Set-up links and session cookies carry a
random token; the database keeps only its SHA-256. Each function that changes something
commits once, and writes an access log row in the same commit where someone should be able
to see later who did it.
"""

from __future__ import annotations

import secrets
import unicodedata
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import cache

from pwdlib import PasswordHash
from sqlalchemy import update
from sqlmodel import Session, col, select

from nimeamiset.domain.tokens import hash_token
from nimeamiset.models import AccessLogEntry, StaffAccount, StaffSession

ROLES = ("coordinator", "viewer")
MIN_PASSWORD_LENGTH = 12
MAX_PASSWORD_LENGTH = 1024  # Argon2 takes any length; this only bounds the work per attempt
SETUP_LINK_VALID = timedelta(hours=24)
SESSION_MAX_AGE = timedelta(hours=12)
SESSION_TOUCH_EVERY = timedelta(minutes=1)  # last_seen_at is written at most this often
FAILURE_WINDOW = timedelta(minutes=15)
FAILURES_ALLOWED = 5
TOKEN_BYTES = 32


class AccountError(Exception):
    """Bad input about an account; ``str()`` is a message for the person who gave it."""


class DuplicateEmail(AccountError):
    pass


class UnknownAccount(AccountError):
    pass


class WeakPassword(AccountError):
    pass


class SetupLinkNotValid(Exception):
    """Unknown, used or expired set-up link, or a disabled account: all look the same."""


@dataclass(frozen=True)
class AccountView:
    id: int
    email: str
    name: str
    role: str
    active: bool
    has_password: bool
    last_sign_in_at: datetime | None


@dataclass(frozen=True)
class NewSession:
    """What the browser gets once: the cookie's token. ``csrf`` goes into every form."""

    token: str
    csrf: str
    account: AccountView


def _view(account: StaffAccount) -> AccountView:
    assert account.id is not None
    return AccountView(
        id=account.id,
        email=account.email,
        name=account.name,
        role=account.role,
        active=account.active,
        has_password=account.password_hash is not None,
        last_sign_in_at=account.last_sign_in_at,
    )


# --- passwords ------------------------------------------------------------------------------


@cache
def _hasher() -> PasswordHash:
    return PasswordHash.recommended()


@cache
def _dummy_hash() -> str:
    """Verified against when the account does not exist: the answer takes as long."""
    return _hasher().hash(secrets.token_urlsafe(16))


def normalise_email(email: str) -> str:
    return email.strip().lower()


def checked_password(password: str) -> str:
    """The password in NFC, or WeakPassword. Any characters are allowed."""
    text = unicodedata.normalize("NFC", password)
    if len(text) < MIN_PASSWORD_LENGTH:
        raise WeakPassword(
            f"salasanassa on oltava vähintään {MIN_PASSWORD_LENGTH} merkkiä "
            f"(the password must be at least {MIN_PASSWORD_LENGTH} characters)"
        )
    if len(text) > MAX_PASSWORD_LENGTH:
        raise WeakPassword(f"salasana on liian pitkä (at most {MAX_PASSWORD_LENGTH} characters)")
    return text


def hash_password(password: str) -> str:
    return _hasher().hash(checked_password(password))


def _verify(password: str, stored: str | None) -> tuple[bool, str | None]:
    text = unicodedata.normalize("NFC", password)
    if stored is None or len(text) > MAX_PASSWORD_LENGTH:
        _hasher().verify(text[:MAX_PASSWORD_LENGTH], _dummy_hash())
        return False, None
    return _hasher().verify_and_update(text, stored)


# --- accounts -------------------------------------------------------------------------------


def _account(session: Session, email: str) -> StaffAccount:
    found = session.exec(
        select(StaffAccount).where(StaffAccount.email == normalise_email(email))
    ).first()
    if found is None:
        raise UnknownAccount(f"ei henkilöstötiliä / no staff account: {normalise_email(email)}")
    return found


def log_access(
    session: Session,
    *,
    now: datetime,
    email: str,
    action: str,
    source: str,
    target: str = "",
    round_id: str | None = None,
) -> None:
    """One access log row (who, what, when; never the content), in the caller's transaction."""
    session.add(
        AccessLogEntry(
            at=now,
            staff_email=email[:320],
            action=action[:32],
            target=target[:200],
            round_id=round_id,
            source=source[:64],
        )
    )


def _new_setup_link(account: StaffAccount, now: datetime) -> str:
    token = secrets.token_urlsafe(TOKEN_BYTES)
    account.setup_token_hash = hash_token(token)
    account.setup_expires_at = now + SETUP_LINK_VALID
    return token


def _end_sessions(session: Session, account_id: int, now: datetime) -> None:
    session.execute(
        update(StaffSession)
        .where(col(StaffSession.account_id) == account_id, col(StaffSession.ended_at).is_(None))
        .values(ended_at=now)
    )


def add_account(
    session: Session,
    *,
    email: str,
    name: str,
    role: str,
    now: datetime,
    password: str | None = None,
    source: str = "cli",
) -> tuple[AccountView, str | None]:
    """Add an account with a password, or without one and with a one-time set-up link: the
    link's token is returned (only its hash is kept). Commits."""
    address = normalise_email(email)
    if "@" not in address or len(address) > 320 or any(c.isspace() for c in address):
        raise AccountError(f"not an email address: {email!r}")
    if role not in ROLES:
        raise AccountError(f"role must be one of {', '.join(ROLES)}")
    if not name.strip():
        raise AccountError("name is required")
    hashed = hash_password(password) if password is not None else None
    if session.exec(select(StaffAccount.id).where(StaffAccount.email == address)).first():
        raise DuplicateEmail(f"henkilöstötili on jo olemassa / account exists: {address}")
    account = StaffAccount(
        email=address, name=name.strip()[:200], role=role, password_hash=hashed, created_at=now
    )
    token = None if hashed is not None else _new_setup_link(account, now)
    session.add(account)
    log_access(session, now=now, email=address, action="account_added", source=source)
    session.commit()
    return _view(account), token


def set_password(
    session: Session, email: str, password: str, *, now: datetime, source: str = "cli"
) -> AccountView:
    """A new password: any set-up link is spent and every session ends. Commits."""
    hashed = hash_password(password)
    account = _account(session, email)
    assert account.id is not None
    account.password_hash = hashed
    account.setup_token_hash = account.setup_expires_at = None
    _end_sessions(session, account.id, now)
    log_access(session, now=now, email=account.email, action="password_set", source=source)
    session.commit()
    return _view(account)


def reset_account(session: Session, email: str, *, now: datetime, source: str = "cli") -> str:
    """For a forgotten or leaked password: the password stops working at once, every session
    ends, and a new one-time set-up link (returned) is the only way back in. Commits."""
    account = _account(session, email)
    assert account.id is not None
    if not account.active:
        raise AccountError(f"tili on poistettu käytöstä / account is disabled: {account.email}")
    account.password_hash = None
    token = _new_setup_link(account, now)
    _end_sessions(session, account.id, now)
    log_access(session, now=now, email=account.email, action="account_reset", source=source)
    session.commit()
    return token


def set_active(
    session: Session, email: str, *, active: bool, now: datetime, source: str = "cli"
) -> AccountView:
    """Disable (every session ends at once, set-up links die) or enable again. Commits."""
    account = _account(session, email)
    assert account.id is not None
    account.active = active
    if not active:
        account.setup_token_hash = account.setup_expires_at = None
        _end_sessions(session, account.id, now)
    action = "account_enabled" if active else "account_disabled"
    log_access(session, now=now, email=account.email, action=action, source=source)
    session.commit()
    return _view(account)


def list_accounts(session: Session) -> list[AccountView]:
    return [_view(a) for a in session.exec(select(StaffAccount).order_by(col(StaffAccount.email)))]


def _setup_account(session: Session, token: str, now: datetime) -> StaffAccount:
    account = session.exec(
        select(StaffAccount).where(StaffAccount.setup_token_hash == hash_token(token))
    ).first()
    if (
        account is None
        or not account.active
        or account.setup_expires_at is None
        or account.setup_expires_at <= now
    ):
        raise SetupLinkNotValid
    return account


def setup_link_account(session: Session, token: str, *, now: datetime) -> AccountView:
    """Whose set-up link this is (SetupLinkNotValid otherwise). Changes nothing."""
    return _view(_setup_account(session, token, now))


def redeem_setup_link(
    session: Session, token: str, password: str, *, now: datetime, source: str
) -> AccountView:
    """Set the password through a set-up link, which is then spent. Commits."""
    hashed = hash_password(password)  # WeakPassword first: the link stays usable
    account = _setup_account(session, token, now)
    assert account.id is not None
    claimed = session.execute(
        update(StaffAccount)
        .where(
            col(StaffAccount.id) == account.id,
            col(StaffAccount.setup_token_hash) == hash_token(token),
        )
        .values(password_hash=hashed, setup_token_hash=None, setup_expires_at=None)
    )
    if claimed.rowcount != 1:  # type: ignore[attr-defined]
        raise SetupLinkNotValid  # spent by a request a moment earlier
    _end_sessions(session, account.id, now)
    log_access(session, now=now, email=account.email, action="password_set", source=source)
    session.commit()
    session.refresh(account)
    return _view(account)


# --- signing in ---------------------------------------------------------------------------


def authenticate(session: Session, email: str, password: str) -> AccountView | None:
    """The active account with this email and password, or None (whichever was wrong).
    No transaction is open while the hash is checked: Argon2 takes its time on purpose."""
    account = session.exec(
        select(StaffAccount).where(StaffAccount.email == normalise_email(email)[:320])
    ).first()
    view = _view(account) if account is not None and account.active else None
    stored = account.password_hash if view is not None and account is not None else None
    session.rollback()
    ok, new_hash = _verify(password, stored)
    if not ok or view is None:
        return None
    if new_hash is not None:  # stronger parameters since it was stored
        session.execute(
            update(StaffAccount)
            .where(col(StaffAccount.id) == view.id, col(StaffAccount.password_hash) == stored)
            .values(password_hash=new_hash)
        )
        session.commit()
    return view


def record_attempt(
    session: Session, *, action: str, email: str, source: str, now: datetime, target: str = ""
) -> None:
    """An access log row for an attempt to sign in that let nobody in: ``sign_in_failed``
    (counted by :func:`blocked_until`) or ``sign_in_refused``. Commits."""
    log_access(
        session, now=now, email=normalise_email(email), action=action, source=source, target=target
    )
    session.commit()


def active_account(session: Session, email: str) -> AccountView | None:
    """The active account with this email (single sign-on vouched for it), or None."""
    account = session.exec(
        select(StaffAccount).where(StaffAccount.email == normalise_email(email)[:320])
    ).first()
    return _view(account) if account is not None and account.active else None


ATTEMPT = "sign_in_attempt"
"""A password sign-in being checked: counted like a failure until it is known not to be one,
so that attempts sent all at once cannot slip past the limit together."""


def begin_attempt(session: Session, *, email: str, source: str, now: datetime) -> int:
    """Record a password sign-in before it is checked. Commits; returns the row's id."""
    row = AccessLogEntry(
        at=now, staff_email=normalise_email(email)[:320], action=ATTEMPT, source=source[:64]
    )
    session.add(row)
    session.commit()
    assert row.id is not None
    return row.id


def finish_attempt(session: Session, attempt_id: int, *, action: str, target: str = "") -> None:
    """What the attempt came to: ``sign_in``, ``sign_in_failed`` or ``sign_in_throttled``."""
    session.execute(
        update(AccessLogEntry)
        .where(col(AccessLogEntry.id) == attempt_id)
        .values(action=action, target=target[:200])
    )
    session.commit()


def blocked_until(
    session: Session, *, source: str, email: str, now: datetime, attempt_id: int | None = None
) -> datetime | None:
    """When sign-in attempts from this address, or for this account, are let through again
    after too many failures (or attempts still being checked) within the window; None when
    they are let through now. ``attempt_id``, the attempt asking, is not counted."""
    since = now - FAILURE_WINDOW
    latest: list[datetime] = []
    for column, value in ((AccessLogEntry.source, source), (AccessLogEntry.staff_email, email)):
        failures = session.exec(
            select(AccessLogEntry.at)
            .where(
                col(AccessLogEntry.action).in_(("sign_in_failed", ATTEMPT)),
                column == value,
                col(AccessLogEntry.at) > since,
                col(AccessLogEntry.id) != (attempt_id or 0),
            )
            .order_by(col(AccessLogEntry.at).desc())
            .limit(FAILURES_ALLOWED)
        ).all()
        if len(failures) >= FAILURES_ALLOWED:
            latest.append(failures[FAILURES_ALLOWED - 1] + FAILURE_WINDOW)
    return max(latest) if latest else None


def start_session(session: Session, account_id: int, *, now: datetime) -> NewSession:
    """A new signed-in session for the account. Commits."""
    account = session.get(StaffAccount, account_id)
    assert account is not None and account.active
    token, csrf = secrets.token_urlsafe(TOKEN_BYTES), secrets.token_urlsafe(TOKEN_BYTES)
    session.add(
        StaffSession(
            token_hash=hash_token(token),
            account_id=account_id,
            csrf_token=csrf,
            created_at=now,
            last_seen_at=now,
        )
    )
    account.last_sign_in_at = now
    session.commit()
    return NewSession(token=token, csrf=csrf, account=_view(account))


def session_account(
    session: Session, token: str, *, now: datetime, idle: timedelta
) -> tuple[AccountView, str] | None:
    """The account and CSRF token of a live session; None when the session is unknown, has
    ended, has been idle too long, is older than SESSION_MAX_AGE, or its account is disabled.
    Commits when it notes the session as seen or ends it."""
    found = session.exec(
        select(StaffSession, StaffAccount)
        .join(StaffAccount, col(StaffAccount.id) == col(StaffSession.account_id))
        .where(StaffSession.token_hash == hash_token(token), col(StaffSession.ended_at).is_(None))
    ).first()
    if found is None:
        return None
    staff_session, account = found
    if not account.active:
        return None
    if now - staff_session.last_seen_at > idle or now - staff_session.created_at > SESSION_MAX_AGE:
        staff_session.ended_at = now
        session.commit()
        return None
    if now - staff_session.last_seen_at >= SESSION_TOUCH_EVERY:
        staff_session.last_seen_at = now
        session.commit()
    return _view(account), staff_session.csrf_token


def end_session(session: Session, token: str, *, now: datetime) -> None:
    """Sign out: the session stops working whatever the browser keeps. Commits."""
    session.execute(
        update(StaffSession)
        .where(
            col(StaffSession.token_hash) == hash_token(token), col(StaffSession.ended_at).is_(None)
        )
        .values(ended_at=now)
    )
    session.commit()
