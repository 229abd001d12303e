"""Log-in checks with lockout, session versions, signed session-cookie tokens."""

from __future__ import annotations

import datetime as dt
import secrets
from dataclasses import dataclass
from typing import Any, cast

from sqlalchemy import Engine, or_, update

from hr_core.access import Action, Actor, Role
from hr_core.audit import audited, record_event
from hr_core.auth.passwords import hash_password, verify_password
from hr_core.auth.users import fetch_user_row, normalize_username
from hr_core.db import begin
from hr_core.errors import AuthenticationError, PermissionDenied
from hr_core.models.auth import User
from hr_core.settings import Settings, get_settings

COOKIE_NAME = "talentlens_session"
_WRONG = "wrong user name or password"
_DUMMY_HASH: list[str] = []


class LoginFailed(AuthenticationError):
    """A log-in was refused (wrong password, locked or disabled account)."""


class SessionEnded(AuthenticationError):
    """A session is no longer valid (logged out, password or role changed, user disabled)."""


@dataclass(frozen=True)
class LoginSession:
    """A successful log-in: who, and the session version that keeps it valid."""

    actor: Actor
    session_version: int


def _burn_time(password: str) -> None:
    """Spend as long as a real check so unknown names cannot be told apart by timing."""
    if not _DUMMY_HASH:
        _DUMMY_HASH.append(hash_password(secrets.token_urlsafe(16)))
    verify_password(password, _DUMMY_HASH[0])


def _claim_attempt(engine: Engine, name: str, now: dt.datetime, max_failures: int) -> int | None:
    """Count this attempt as a failure before checking it, in one atomic update; None if not allowed.

    The update's own result decides: parallel attempts each get their own number, and once
    max_failures attempts are counted (or the account is locked) no further guess is checked.
    A successful log-in sets the count back to zero.
    """
    stmt = (
        update(User)
        .where(
            User.username == name,
            or_(User.locked_until.is_(None), User.locked_until <= now),
            User.failed_logins < max_failures,
        )
        .values(failed_logins=User.failed_logins + 1)
        .returning(User.failed_logins)
    )
    with begin(engine) as conn:
        claimed = conn.execute(stmt).scalar_one_or_none()
    return None if claimed is None else int(claimed)


def authenticate(
    *, engine: Engine, username: str, password: str, now: dt.datetime | None = None
) -> LoginSession:
    """Check a log-in against the users table; count failures, lock after too many, audit every attempt."""
    settings = get_settings()
    now = now or dt.datetime.now(dt.UTC)
    name = normalize_username(username)
    row = fetch_user_row(engine=engine, username=name) if name else None

    def refuse(reason: str, message: str, **extra: Any) -> LoginFailed:
        record_event(
            engine,
            actor=name or "anonymous",
            action=Action.AUTH_LOGIN,
            outcome="error",
            details={"reason": reason, **extra},
        )
        return LoginFailed(message)

    if row is None:
        _burn_time(password)
        raise refuse("unknown user", _WRONG)
    if row.disabled:
        # Refused before the password is checked, so the answer never confirms a guess.
        raise refuse("disabled", "this account is disabled; ask an administrator")
    attempt = _claim_attempt(engine, name, now, settings.login_max_failures)
    if attempt is None:
        # Locked, or the last allowed attempts are being checked right now: this one is not checked.
        locked_until = row.locked_until if row.locked_until and row.locked_until > now else None
        left = (locked_until - now).total_seconds() if locked_until else settings.login_lock_minutes * 60
        minutes = max(1, int(left // 60) + 1)
        raise refuse(
            "locked",
            f"too many failed log-ins: this account is locked for about {minutes} more minute(s); "
            "try again later or ask an administrator to reset the password",
        )
    if not verify_password(password, row.password_hash):
        locked = attempt >= settings.login_max_failures
        if locked:
            with begin(engine) as conn:
                conn.execute(
                    update(User)
                    .where(User.username == name)
                    .values(
                        failed_logins=0,
                        locked_until=now + dt.timedelta(minutes=settings.login_lock_minutes),
                    )
                )
            raise refuse(
                "wrong password",
                f"{_WRONG}; after {settings.login_max_failures} failed log-ins the account is locked "
                f"for {settings.login_lock_minutes} minutes",
                failures=attempt,
                locked=True,
            )
        raise refuse("wrong password", _WRONG, failures=attempt, locked=False)
    with begin(engine) as conn:
        conn.execute(
            update(User)
            .where(User.username == name)
            .values(failed_logins=0, locked_until=None, last_login_at=now)
        )
    actor = Actor(username=name, role=cast(Role, row.role))
    record_event(engine, actor=actor, action=Action.AUTH_LOGIN, outcome="ok", details={"role": row.role})
    return LoginSession(actor=actor, session_version=row.session_version)


def resume_session(*, engine: Engine, username: str, session_version: int | None) -> Actor:
    """The actor of a still-valid session, or SessionEnded if it was ended meanwhile."""
    row = fetch_user_row(engine=engine, username=username)
    if row is None or row.disabled or session_version is None or row.session_version != session_version:
        raise SessionEnded(
            "your session has ended (logged out, password or role changed, or account disabled); please log in again"
        )
    return Actor(username=row.username, role=cast(Role, row.role))


def end_sessions(*, engine: Engine, actor: Actor, reason: Action = Action.AUTH_LOGOUT) -> None:
    """Log out: every open session of actor stops working (browser tabs and remembered cookies)."""
    name = normalize_username(actor.username)
    with audited(engine, actor, reason), begin(engine) as conn:
        conn.execute(
            update(User).where(User.username == name).values(session_version=User.session_version + 1)
        )


@dataclass(frozen=True)
class CookieKey:
    """The key that signs session cookies, and whether it was made up for this run."""

    value: str
    generated: bool


def resolve_cookie_key(settings: Settings | None = None) -> CookieKey:
    """HR_COOKIE_KEY if set (production requires it); otherwise a random key for this process."""
    settings = settings or get_settings()
    if settings.cookie_key is not None and settings.cookie_key.get_secret_value():
        key = settings.cookie_key.get_secret_value()
        if settings.env == "production" and len(key.encode()) < 32:
            raise PermissionDenied("HR_COOKIE_KEY must be at least 32 random bytes in production")
        return CookieKey(key, generated=False)
    if settings.env == "production":
        raise PermissionDenied("HR_ENV=production needs HR_COOKIE_KEY (at least 32 random bytes)")
    return CookieKey(secrets.token_urlsafe(48), generated=True)


def make_session_token(
    *, username: str, session_version: int, key: str, days: float, now: dt.datetime | None = None
) -> str:
    """A signed session-cookie value: the user name, its expiry ("exp_date") and the session version ("sv")."""
    import jwt

    now = now or dt.datetime.now(dt.UTC)
    exp = (now + dt.timedelta(days=days)).timestamp()
    return jwt.encode({"username": username, "exp_date": exp, "sv": session_version}, key, algorithm="HS256")


def read_session_token(token: str, *, key: str, now: dt.datetime | None = None) -> dict[str, Any] | None:
    """The claims of a valid, unexpired token, or None."""
    import jwt

    try:
        claims = jwt.decode(token, key, algorithms=["HS256"])
    except jwt.PyJWTError:
        return None
    now = now or dt.datetime.now(dt.UTC)
    if (
        not isinstance(claims, dict)
        or "username" not in claims
        or claims.get("exp_date", 0) <= now.timestamp()
    ):
        return None
    return claims
