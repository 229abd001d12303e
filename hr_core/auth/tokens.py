"""Credentials for programs: short-lived bearer tokens (from a log-in) and long-lived API keys.

A bearer token is a signed JWT carrying the user's session version, so log-out, a password or role
change and disabling end it exactly as they end a browser session. An API key is a random string
shown once; only its SHA-256 is stored (the key has 256 bits of entropy, so a fast hash suffices).
Every check reads the users table, so the role in force is always the current one.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets
from dataclasses import dataclass
from typing import Any, cast

from sqlalchemy import Engine, insert, select, update
from sqlalchemy import exc as sa_exc

from hr_core.access import Action, Actor, Role, require_role
from hr_core.audit import audited, record_event
from hr_core.auth.sessions import authenticate, resume_session
from hr_core.auth.users import fetch_user_row, normalize_username
from hr_core.db import begin
from hr_core.errors import AuthenticationError, DatabaseUnavailableError, NotFoundError
from hr_core.models.auth import ApiKey, User
from hr_core.settings import get_settings

API_KEY_PREFIX = "tlk_"
TOKEN_TYPE = "api"
_BAD_TOKEN = "the bearer token is invalid or expired; get a new one from POST /api/v1/auth/token"
_BAD_KEY = "the API key is unknown, revoked, or its user is disabled; ask an administrator for a new key"


@dataclass(frozen=True)
class IssuedToken:
    """A bearer token handed out after a successful log-in."""

    access_token: str
    expires_at: dt.datetime
    actor: Actor


@dataclass(frozen=True)
class ApiKeyInfo:
    """An API key as lists show it (never the key or its hash)."""

    id: int
    username: str
    prefix: str
    created_at: dt.datetime
    created_by: str
    last_used_at: dt.datetime | None
    revoked_at: dt.datetime | None

    @property
    def active(self) -> bool:
        return self.revoked_at is None


@dataclass(frozen=True)
class NewApiKey:
    """A freshly made key: `key` is shown this once and never stored."""

    info: ApiKeyInfo
    key: str


def issue_token(
    *, engine: Engine, username: str, password: str, key: str, now: dt.datetime | None = None
) -> IssuedToken:
    """Log in (counting toward the lock-out, audited) and sign a short-lived bearer token."""
    import jwt

    login = authenticate(engine=engine, username=username, password=password, now=now)
    now = now or dt.datetime.now(dt.UTC)
    expires = now + dt.timedelta(minutes=get_settings().api_token_minutes)
    claims = {
        "sub": login.actor.username,
        "sv": login.session_version,
        "typ": TOKEN_TYPE,
        "iat": int(now.timestamp()),
        "exp": int(expires.timestamp()),
    }
    return IssuedToken(jwt.encode(claims, key, algorithm="HS256"), expires, login.actor)


def _hash_key(raw: str) -> str:
    return hashlib.sha256(raw.encode("utf-8")).hexdigest()


def resolve_credentials(*, engine: Engine, credential: str, key: str) -> Actor:
    """The actor behind a bearer token or an API key; AuthenticationError if it is not (or no longer) valid."""
    if credential.startswith(API_KEY_PREFIX):
        return _resolve_api_key(engine, credential)
    import jwt

    try:
        claims = jwt.decode(credential, key, algorithms=["HS256"], options={"require": ["exp", "sub"]})
    except jwt.PyJWTError as e:
        raise AuthenticationError(_BAD_TOKEN) from e
    if claims.get("typ") != TOKEN_TYPE or not isinstance(claims.get("sv"), int):
        raise AuthenticationError(_BAD_TOKEN)
    return resume_session(engine=engine, username=str(claims["sub"]), session_version=claims["sv"])


def _resolve_api_key(engine: Engine, raw: str) -> Actor:
    stmt = (
        select(ApiKey.id, User.username, User.role, User.disabled)
        .join(User, User.id == ApiKey.user_id)
        .where(ApiKey.key_hash == _hash_key(raw), ApiKey.revoked_at.is_(None))
    )
    try:
        with begin(engine) as conn:
            row = conn.execute(stmt).first()
            if row is not None and not row.disabled:
                conn.execute(
                    update(ApiKey).where(ApiKey.id == row.id).values(last_used_at=dt.datetime.now(dt.UTC))
                )
    except sa_exc.OperationalError as e:
        raise DatabaseUnavailableError(f"cannot reach the database to check an API key: {e.orig}") from e
    if row is None or row.disabled:
        record_event(
            engine, actor="anonymous", action=Action.AUTH_API_KEY_USE, outcome="error",
            details={"prefix": raw[:8], "reason": "unknown, revoked or disabled"},
        )  # fmt: skip
        raise AuthenticationError(_BAD_KEY)
    actor = Actor(username=row.username, role=cast(Role, row.role))
    record_event(engine, actor=actor, action=Action.AUTH_API_KEY_USE, details={"key_id": row.id})
    return actor


def _key_info(row: Any) -> ApiKeyInfo:
    return ApiKeyInfo(
        id=row.id,
        username=row.username,
        prefix=row.prefix,
        created_at=row.created_at,
        created_by=row.created_by,
        last_used_at=row.last_used_at,
        revoked_at=row.revoked_at,
    )


def _select_keys() -> Any:
    return select(
        ApiKey.id,
        User.username,
        ApiKey.prefix,
        ApiKey.created_at,
        ApiKey.created_by,
        ApiKey.last_used_at,
        ApiKey.revoked_at,
    ).join(User, User.id == ApiKey.user_id)


def create_api_key(*, engine: Engine, actor: Actor, username: str) -> NewApiKey:
    """Make a key acting as username (admins only); the returned key is shown once, only its hash is kept."""
    name = normalize_username(username)
    with audited(engine, actor, Action.API_KEYS_MANAGE, {"username": name, "op": "create"}) as audit:
        user = fetch_user_row(engine=engine, username=name)
        if user is None:
            raise NotFoundError(f"user {name!r} does not exist (see `python -m hr_core users list`)")
        raw = API_KEY_PREFIX + secrets.token_urlsafe(32)
        now = dt.datetime.now(dt.UTC)
        with begin(engine) as conn:
            key_id = conn.execute(
                insert(ApiKey)
                .values(
                    user_id=user.id,
                    prefix=raw[:10],
                    key_hash=_hash_key(raw),
                    created_at=now,
                    created_by=actor.username,
                )
                .returning(ApiKey.id)
            ).scalar_one()
        audit.details["key_id"] = key_id
    info = ApiKeyInfo(key_id, name, raw[:10], now, actor.username, None, None)
    return NewApiKey(info=info, key=raw)


def list_api_keys(*, engine: Engine, actor: Actor, username: str | None = None) -> list[ApiKeyInfo]:
    """API keys (active and revoked), newest first, optionally of one user (admins only)."""
    require_role(actor, Action.API_KEYS_MANAGE)
    stmt = _select_keys().order_by(ApiKey.id.desc())
    if username:
        stmt = stmt.where(User.username == normalize_username(username))
    try:
        with engine.connect() as conn:
            return [_key_info(r) for r in conn.execute(stmt)]
    except sa_exc.OperationalError as e:
        raise DatabaseUnavailableError(f"cannot reach the database to list API keys: {e.orig}") from e


def revoke_api_key(*, engine: Engine, actor: Actor, key_id: int) -> ApiKeyInfo:
    """Revoke a key at once (admins only); revoking twice keeps the first time."""
    details = {"key_id": key_id, "op": "revoke"}
    with audited(engine, actor, Action.API_KEYS_MANAGE, details), begin(engine) as conn:
        found = conn.execute(select(ApiKey.id).where(ApiKey.id == key_id)).first()
        if found is None:
            raise NotFoundError(f"API key {key_id} does not exist (see `python -m hr_core users api-keys`)")
        conn.execute(
            update(ApiKey)
            .where(ApiKey.id == key_id, ApiKey.revoked_at.is_(None))
            .values(revoked_at=dt.datetime.now(dt.UTC))
        )
        row = conn.execute(_select_keys().where(ApiKey.id == key_id)).one()
    return _key_info(row)
