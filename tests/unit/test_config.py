from __future__ import annotations

from pathlib import Path

import pytest
from pydantic import ValidationError

from nimeamiset.config import Settings, secret_key_bytes


def test_an_empty_staff_password_means_no_staff_pages(tmp_path: Path) -> None:
    assert Settings(staff_password="   ").staff_password is None  # type: ignore[arg-type]
    empty = tmp_path / "password"
    empty.write_text("\n")
    assert Settings(staff_password_file=empty).staff_password is None


def test_a_short_staff_password_is_refused() -> None:
    with pytest.raises(ValidationError, match="at least 12"):
        Settings(staff_password="demo")  # type: ignore[arg-type]


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
