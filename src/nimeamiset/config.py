"""Settings: one class, read from the environment (prefix ``NIMEAMISET_``).

Nothing is read at import time; call :func:`get_settings` at the edges (CLI, web, flows)
and pass the result down.
"""

from __future__ import annotations

import os
import re
import secrets
from datetime import datetime
from enum import StrEnum
from pathlib import Path
from typing import Self

from pydantic import AnyHttpUrl, Field, SecretStr, field_validator, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

PACKAGE_DIR = Path(__file__).resolve().parent


def _default_templates_dir() -> Path:
    """The repository's ``templates/`` in a checkout, the packaged copy in a wheel."""
    for candidate in (PACKAGE_DIR.parent.parent / "templates", PACKAGE_DIR / "templates"):
        if (candidate / "emails").is_dir():
            return candidate
    return PACKAGE_DIR / "templates"


CRON_LINE = re.compile(r"[0-9A-Za-z*/,-]+(\s+[0-9A-Za-z*/,-]+){4}")
LOOPBACK = frozenset({"127.0.0.1", "localhost", "::1", "[::1]"})
PLACEHOLDERS = frozenset({"changeme", "change-me", "secret", "salasana", "password"})


class SmtpSecurity(StrEnum):
    NONE = "none"
    STARTTLS = "starttls"
    TLS = "tls"


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="NIMEAMISET_", extra="ignore")

    database_url: str = "sqlite:///./var/nimeamiset.db"

    smtp_host: str = "127.0.0.1"
    smtp_port: int = Field(default=25, ge=1, le=65535)
    smtp_username: str | None = None
    smtp_password: SecretStr | None = None
    smtp_password_file: Path | None = None
    smtp_security: SmtpSecurity = SmtpSecurity.NONE
    smtp_timeout: float = Field(default=30.0, gt=0)

    mail_from: str = "Päijät-Hämeen liitto <kirjaamo@paijat-hame.fi>"
    base_url: AnyHttpUrl = AnyHttpUrl("http://127.0.0.1:8000")

    send_concurrency: int = Field(default=4, ge=1, le=64)
    send_batch_size: int = Field(default=200, ge=1, le=5000)

    now: datetime | None = None
    """Pretend the current time is this (rehearsals and tests). Must carry an offset."""

    staff_session_idle_minutes: int = Field(default=60, ge=1, le=720)
    """A signed-in staff member is signed out after this many minutes without a request."""

    oidc_issuer: AnyHttpUrl | None = None
    """Single sign-on (OpenID Connect) with the council's identity provider: its issuer URL.
    Only a staff member with an active account of the same (verified) email gets in."""
    oidc_client_id: str | None = None
    oidc_client_secret: SecretStr | None = None
    oidc_client_secret_file: Path | None = None

    secret_key: SecretStr | None = None
    """Makes the personal links (with the nonce stored per request). Web and worker share it."""
    secret_key_file: Path = Path("var/secret.key")
    """Read when SECRET_KEY is unset; made (mode 0600) on first use if it does not exist."""

    dpo_email: str | None = None
    """The council's data protection officer, named in the privacy notice to nominees; the
    round's contact person when unset."""
    privacy_retention: str = ""
    """How long nominees' data is kept after the body's term, in Finnish, e.g.
    "10 vuotta toimikauden päättymisestä"; empty: the notice refers to the records plan."""

    link_days_after_meeting: int = Field(default=90, ge=1, le=3650)
    """Personal links stop working this many days after the round's first meeting (and at
    once when the round is closed), with the same page as an unknown link."""

    reminder_hour: int = Field(default=9, ge=0, le=23)
    """A reminder is due from this hour (Europe/Helsinki) on its day."""
    quiet_from: int = Field(default=18, ge=0, le=23)
    quiet_until: int = Field(default=8, ge=0, le=23)
    """No reminder or summary goes out from ``quiet_from`` until ``quiet_until`` o'clock."""

    sweep_schedule: str = "0 9-17 * * 1-5"
    """When ``nimeamiset serve`` runs the sweep: a cron line in Europe/Helsinki time."""
    deliver_schedule: str = "*/15 * * * *"
    """When ``nimeamiset serve`` delivers what is due (retries): a cron line, Helsinki time."""

    mail_capture_dir: Path | None = None
    """Where the built-in SMTP capture keeps messages; the web app shows them when set."""

    templates_dir: Path = Field(default_factory=_default_templates_dir)

    @field_validator("now")
    @classmethod
    def _now_needs_offset(cls, value: datetime | None) -> datetime | None:
        if value is not None and value.utcoffset() is None:
            raise ValueError("NIMEAMISET_NOW needs a UTC offset, e.g. 2024-03-20T10:00+02:00")
        return value

    @field_validator("sweep_schedule", "deliver_schedule")
    @classmethod
    def _cron_line(cls, value: str) -> str:
        # The shape only; Prefect checks the values when `serve` registers the schedule.
        if not CRON_LINE.fullmatch(value.strip()):
            raise ValueError(f"{value!r} is not a cron line of five fields, e.g. '0 9-17 * * 1-5'")
        return value

    @field_validator("secret_key")
    @classmethod
    def _no_placeholder_key(cls, value: SecretStr | None) -> SecretStr | None:
        if value is not None:
            text = value.get_secret_value()
            if len(text) < 32 or text.lower() in PLACEHOLDERS:
                raise ValueError(
                    "NIMEAMISET_SECRET_KEY must be at least 32 random characters, e.g. "
                    "python -c 'import secrets; print(secrets.token_urlsafe(32))'"
                )
        return value

    @field_validator(
        "smtp_password",
        "secret_key",
        "oidc_issuer",
        "oidc_client_id",
        "oidc_client_secret",
        mode="before",
    )
    @classmethod
    def _empty_is_unset(cls, value: object) -> object:
        """``NIMEAMISET_SMTP_PASSWORD=`` in an env file means "not set", never "empty"."""
        if isinstance(value, str) and not value.strip():
            return None
        return value

    @model_validator(mode="after")
    def _secrets_from_files(self) -> Self:
        if self.smtp_password is None and self.smtp_password_file is not None:
            self.smtp_password = SecretStr(self.smtp_password_file.read_text().strip())
        if self.oidc_client_secret is None and self.oidc_client_secret_file is not None:
            text = self.oidc_client_secret_file.read_text().strip()
            self.oidc_client_secret = SecretStr(text) if text else None
        self._check_oidc()
        if (self.smtp_username is None) != (self.smtp_password is None):
            raise ValueError(
                "NIMEAMISET_SMTP_USERNAME and NIMEAMISET_SMTP_PASSWORD go together: "
                "set both or neither"
            )
        if self.smtp_password is not None and self.smtp_security is SmtpSecurity.NONE:
            raise ValueError(
                "refusing to send an SMTP password unencrypted: "
                "set NIMEAMISET_SMTP_SECURITY to starttls or tls"
            )
        return self

    def _check_oidc(self) -> None:
        given = {
            "NIMEAMISET_OIDC_ISSUER": self.oidc_issuer,
            "NIMEAMISET_OIDC_CLIENT_ID": self.oidc_client_id,
            "NIMEAMISET_OIDC_CLIENT_SECRET": self.oidc_client_secret,
        }
        missing = [name for name, value in given.items() if value is None]
        if missing and len(missing) < len(given):
            raise ValueError(
                "single sign-on needs NIMEAMISET_OIDC_ISSUER, NIMEAMISET_OIDC_CLIENT_ID and "
                f"NIMEAMISET_OIDC_CLIENT_SECRET together; missing: {', '.join(missing)}"
            )
        issuer = self.oidc_issuer
        if issuer is not None and issuer.scheme != "https" and issuer.host not in LOOPBACK:
            raise ValueError("NIMEAMISET_OIDC_ISSUER must be an https:// address")

    @property
    def oidc_enabled(self) -> bool:
        return self.oidc_issuer is not None

    @property
    def public_base_url(self) -> str:
        return str(self.base_url).rstrip("/")


def secret_key_bytes(settings: Settings) -> bytes:
    """The key for personal links: the setting, or the key file, made on first use."""
    if settings.secret_key is not None:
        return settings.secret_key.get_secret_value().encode()
    path = settings.secret_key_file
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        try:
            with open(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600), "w") as out:
                out.write(secrets.token_urlsafe(32) + "\n")
        except FileExistsError:
            pass  # another process made it first
    key = path.read_text().strip()
    if len(key) < 32:
        raise ValueError(f"{path}: the secret key must be at least 32 characters")
    return key.encode()


def get_settings(**overrides: object) -> Settings:
    """Read settings from the environment; keyword arguments win over it."""
    return Settings(**overrides)  # type: ignore[arg-type]
