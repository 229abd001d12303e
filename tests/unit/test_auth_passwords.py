"""Password rules, bcrypt hashing, cookie keys and session tokens (no database)."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from hr_core.auth import (
    check_password_strength,
    generate_password,
    hash_password,
    make_session_token,
    read_session_token,
    resolve_cookie_key,
    verify_password,
)
from hr_core.errors import HRCoreError, InvalidInputError
from hr_core.settings import Settings, get_settings, reset_settings


@pytest.fixture(autouse=True)
def _fast_bcrypt(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HR_BCRYPT_ROUNDS", "4")
    reset_settings()


@pytest.mark.parametrize(
    ("password", "fragment"),
    [
        ("Short1!", "too short"),
        ("password123", "too short"),
        ("Password123!", "commonly used"),
        ("aaaaaaaaaaaaaaaaaaaa", "too few different"),
        ("lowercaseonly12", "three of"),
        ("x" * 40 + "Ab1!" + "é" * 20, "longer than 72 bytes"),
        (" Leading-blank-9x", "blank"),
    ],
)
def test_weak_passwords_are_refused_with_a_reason(password: str, fragment: str) -> None:
    with pytest.raises(InvalidInputError, match=fragment):
        check_password_strength(password)


def test_password_containing_the_user_name_is_refused() -> None:
    with pytest.raises(InvalidInputError, match="user name"):
        check_password_strength("Maria-Silva-2024!", username="maria")
    check_password_strength("Maria-Silva-2024!", username="joao")


def test_long_passphrase_without_symbols_is_accepted() -> None:
    check_password_strength("correct horse battery staple")


@settings(max_examples=25, deadline=None)
@given(st.integers(min_value=14, max_value=40))
def test_generated_passwords_are_strong_and_distinct(length: int) -> None:
    first, second = generate_password(length), generate_password(length)
    assert len(first) == length and first != second
    check_password_strength(first)
    assert first[0].isalnum()


@settings(max_examples=10, deadline=None)
@given(st.text(min_size=1, max_size=30).filter(lambda s: len(s.encode()) <= 72))
def test_hash_round_trip(password: str) -> None:
    hashed = hash_password(password)
    assert hashed.startswith("$2b$04$") and len(hashed) == 60
    assert verify_password(password, hashed)
    assert not verify_password(password + "x", hashed)


def test_verify_refuses_a_malformed_hash() -> None:
    assert not verify_password("anything-at-all", "not-a-bcrypt-hash")


def test_production_uses_at_least_cost_12(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HR_ENV", "production")
    monkeypatch.setenv("HR_COOKIE_KEY", "k" * 48)
    reset_settings()
    assert hash_password("Some-Strong-Pass-1").startswith("$2b$12$")


def test_production_without_a_cookie_key_refuses_to_start(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HR_ENV", "production")
    reset_settings()
    with pytest.raises(ValueError, match="HR_COOKIE_KEY"):
        get_settings()
    monkeypatch.setenv("HR_COOKIE_KEY", "too-short")
    reset_settings()
    with pytest.raises(ValueError, match="32 random bytes"):
        get_settings()


def test_cookie_key_from_setting_or_random_in_development() -> None:
    configured = resolve_cookie_key(Settings(env="development", cookie_key="c" * 40))
    assert configured.value == "c" * 40 and not configured.generated
    a, b = resolve_cookie_key(Settings(env="development")), resolve_cookie_key(Settings(env="development"))
    assert a.generated and b.generated and a.value != b.value and len(a.value) >= 32


def test_cookie_key_is_never_generated_in_production() -> None:
    prod = Settings.model_construct(env="production", cookie_key=None)
    with pytest.raises(HRCoreError, match="HR_COOKIE_KEY"):
        resolve_cookie_key(prod)


def test_session_token_round_trip_expiry_and_tampering() -> None:
    now = dt.datetime(2026, 1, 1, tzinfo=dt.UTC)
    token = make_session_token(username="ana", session_version=3, key="k" * 40, days=1, now=now)
    claims = read_session_token(token, key="k" * 40, now=now)
    assert claims is not None and claims["username"] == "ana" and claims["sv"] == 3
    assert read_session_token(token, key="other" * 10, now=now) is None
    assert read_session_token(token, key="k" * 40, now=now + dt.timedelta(days=2)) is None
    assert read_session_token(token[:-2] + "xx", key="k" * 40, now=now) is None


def test_a_generated_password_never_contains_the_user_name() -> None:
    """`users add NAME --generate` (and the Users page) must not generate a password the policy refuses."""
    for _ in range(50):
        password = generate_password(username="e")
        assert "e" not in password.lower()
        check_password_strength(password, username="e")
