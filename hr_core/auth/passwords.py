"""Password hashing (bcrypt), strength rules and generated passwords."""

from __future__ import annotations

import secrets
import string

import bcrypt

from hr_core.errors import InvalidInputError
from hr_core.settings import get_settings

MIN_LENGTH = 12
MAX_BYTES = 72  # bcrypt ignores anything after 72 bytes; refuse rather than truncate silently
_COMMON = frozenset(
    {
        "password",
        "password1",
        "password123",
        "123456789012",
        "qwertyuiop",
        "qwerty123456",
        "letmein",
        "welcome",
        "admin",
        "administrator",
        "changeme",
        "iloveyou",
        "talentlens",
        "trustno1",
        "passw0rd",
    }
)


def _rounds() -> int:
    settings = get_settings()
    rounds = min(max(settings.bcrypt_rounds, 4), 16)
    return max(rounds, 12) if settings.env == "production" else rounds


def check_password_strength(password: str, *, username: str = "") -> None:
    """Raise InvalidInputError saying what to change unless the password is strong enough."""
    if len(password) < MIN_LENGTH:
        raise InvalidInputError(
            f"the password is too short ({len(password)} characters); use at least {MIN_LENGTH}"
        )
    if len(password.encode("utf-8")) > MAX_BYTES:
        raise InvalidInputError(f"the password is longer than {MAX_BYTES} bytes; use a shorter one")
    if password != password.strip():
        raise InvalidInputError("the password starts or ends with a blank; remove it")
    lowered = password.lower()
    if lowered in _COMMON or any(lowered.rstrip(string.digits + "!") == c for c in _COMMON):
        raise InvalidInputError("the password is a commonly used one; choose another")
    if username and username.lower() in lowered:
        raise InvalidInputError("the password contains the user name; choose another")
    if len(set(password)) < 6:
        raise InvalidInputError("the password repeats too few different characters; choose another")
    kinds = sum(
        (
            any(c.islower() for c in password),
            any(c.isupper() for c in password),
            any(c.isdigit() for c in password),
            any(not c.isalnum() for c in password),
        )
    )
    if kinds < 3 and len(password) < 16:
        raise InvalidInputError(
            "the password needs three of: lower case, upper case, digits, symbols (or at least 16 characters)"
        )


def hash_password(password: str) -> str:
    """A bcrypt hash of password (salted, cost from HR_BCRYPT_ROUNDS)."""
    return bcrypt.hashpw(password.encode("utf-8"), bcrypt.gensalt(rounds=_rounds())).decode("ascii")


def verify_password(password: str, password_hash: str) -> bool:
    """Whether password matches the bcrypt hash; a malformed hash or oversized password is a mismatch."""
    try:
        return bcrypt.checkpw(password.encode("utf-8"), password_hash.encode("ascii"))
    except ValueError:
        return False


def generate_password(length: int = 20, *, username: str = "") -> str:
    """A random password that passes check_password_strength (for this user name, when given)."""
    alphabet = string.ascii_letters + string.digits + "-_.!@#%+="
    while True:
        candidate = "".join(secrets.choice(alphabet) for _ in range(length))
        try:
            check_password_strength(candidate, username=username)
        except InvalidInputError:
            continue
        if candidate[0].isalnum():  # a leading '-' or '=' is awkward on a command line or in a sheet
            return candidate
