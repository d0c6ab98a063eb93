from __future__ import annotations

from pathlib import Path

import pytest
from pydantic import ValidationError

from nimeamiset.config import Settings, secret_key_bytes


def test_single_sign_on_needs_issuer_client_and_secret_together(tmp_path: Path) -> None:
    assert not Settings(oidc_issuer="", oidc_client_id=" ").oidc_enabled  # type: ignore[arg-type]
    with pytest.raises(ValidationError, match="missing: NIMEAMISET_OIDC_CLIENT_SECRET"):
        Settings(oidc_issuer="https://login.example.fi", oidc_client_id="x")  # type: ignore[arg-type]
    secret = tmp_path / "oidc-secret"
    secret.write_text("client-secret\n")
    settings = Settings(
        oidc_issuer="https://login.example.fi/realms/liitto",  # type: ignore[arg-type]
        oidc_client_id="nimeamiset",
        oidc_client_secret_file=secret,
    )
    assert settings.oidc_enabled
    assert settings.oidc_client_secret is not None
    assert settings.oidc_client_secret.get_secret_value() == "client-secret"


def test_single_sign_on_over_plain_http_only_on_this_machine() -> None:
    with pytest.raises(ValidationError, match="https"):
        Settings(oidc_issuer="http://login.example.fi", oidc_client_id="x", oidc_client_secret="y")  # type: ignore[arg-type]
    assert Settings(
        oidc_issuer="http://127.0.0.1:9400",  # type: ignore[arg-type]
        oidc_client_id="x",
        oidc_client_secret="y",  # type: ignore[arg-type]
    ).oidc_enabled


def test_staff_session_idle_time_is_bounded() -> None:
    assert Settings().staff_session_idle_minutes == 60
    with pytest.raises(ValidationError):
        Settings(staff_session_idle_minutes=0)


def test_placeholder_secret_keys_are_refused() -> None:
    for weak in ("changeme", "x" * 31):
        with pytest.raises(ValidationError, match="SECRET_KEY"):
            Settings(secret_key=weak)  # type: ignore[arg-type]


def test_the_secret_key_file_is_made_once_and_kept(tmp_path: Path) -> None:
    settings = Settings(secret_key_file=tmp_path / "var" / "secret.key")
    first = secret_key_bytes(settings)
    assert len(first) >= 32 and secret_key_bytes(settings) == first
    assert (tmp_path / "var" / "secret.key").stat().st_mode & 0o777 == 0o600


def test_naive_now_and_half_smtp_settings_fail_fast() -> None:
    with pytest.raises(ValidationError, match="offset"):
        Settings(now="2024-03-20T10:00")  # type: ignore[arg-type]
    with pytest.raises(ValidationError, match="go together"):
        Settings(smtp_username="liitto")
    with pytest.raises(ValidationError, match="unencrypted"):
        Settings(smtp_username="liitto", smtp_password="x")  # type: ignore[arg-type]
