"""User accounts: add, list, change role, disable/enable, reset or change a password."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Engine, func, insert, select, update
from sqlalchemy import exc as sa_exc

from hr_core.access import ADMIN_ROLE, ROLES, Action, Actor, Role, require_role
from hr_core.audit import audited
from hr_core.auth.passwords import check_password_strength, hash_password, verify_password
from hr_core.db import begin
from hr_core.errors import DatabaseUnavailableError, InvalidInputError, NotFoundError
from hr_core.i18n import LOCALES, LocaleCode, normalise_locale
from hr_core.models.auth import User

_USERNAME = re.compile(r"^[a-z][a-z0-9._-]{1,31}$")
RESERVED_NAMES = frozenset({"cli", "anonymous", "system"})


@dataclass(frozen=True)
class UserInfo:
    """A user as the app shows it (never the hash)."""

    username: str
    role: Role
    disabled: bool
    failed_logins: int
    locked_until: dt.datetime | None
    created_at: dt.datetime
    password_changed_at: dt.datetime
    last_login_at: dt.datetime | None

    def is_locked(self, now: dt.datetime | None = None) -> bool:
        return self.locked_until is not None and self.locked_until > (now or dt.datetime.now(dt.UTC))


def normalize_username(username: str) -> str:
    """The stored form of a user name (trimmed, lower case)."""
    return (username or "").strip().lower()


def validate_username(username: str) -> str:
    """Return the normalised name or raise InvalidInputError saying what is allowed."""
    name = normalize_username(username)
    if not _USERNAME.match(name):
        raise InvalidInputError(
            f"user name {username!r} is not allowed: use 2-32 characters, a letter first, "
            "then letters, digits, '.', '_' or '-'"
        )
    if name in RESERVED_NAMES:
        raise InvalidInputError(f"user name {name!r} is reserved; choose another")
    return name


def validate_role(role: str) -> Role:
    """Return role if it is one of the known roles, else raise InvalidInputError."""
    if role not in ROLES:
        raise InvalidInputError(f"role {role!r} is unknown; use one of {', '.join(ROLES)}")
    return role


def _info(row: Any) -> UserInfo:
    return UserInfo(
        username=row.username,
        role=row.role,
        disabled=bool(row.disabled),
        failed_logins=row.failed_logins,
        locked_until=row.locked_until,
        created_at=row.created_at,
        password_changed_at=row.password_changed_at,
        last_login_at=row.last_login_at,
    )


def fetch_user_row(*, engine: Engine, username: str) -> Any | None:
    """The users row for username (hash included, for hr_core.auth only), or None."""
    try:
        with engine.connect() as conn:
            return conn.execute(select(User).where(User.username == normalize_username(username))).first()
    except sa_exc.OperationalError as e:
        raise DatabaseUnavailableError(f"cannot reach the database to read users: {e.orig}") from e


def get_user(*, engine: Engine, actor: Actor, username: str) -> UserInfo:
    """One user by name, or NotFoundError (admins, or a user asking about themself)."""
    if normalize_username(actor.username) != normalize_username(username):
        require_role(actor, Action.USERS_LIST)
    return _get_user(engine, username)


def _get_user(engine: Engine, username: str) -> UserInfo:
    row = fetch_user_row(engine=engine, username=username)
    if row is None:
        raise NotFoundError(
            f"user {normalize_username(username)!r} does not exist (see `python -m hr_core users list`)"
        )
    return _info(row)


def list_users(*, engine: Engine, actor: Actor) -> list[UserInfo]:
    """Every user, by name (admins only)."""
    require_role(actor, Action.USERS_LIST)
    try:
        with engine.connect() as conn:
            rows = conn.execute(select(User).order_by(User.username)).all()
    except sa_exc.OperationalError as e:
        raise DatabaseUnavailableError(f"cannot reach the database to list users: {e.orig}") from e
    return [_info(r) for r in rows]


def count_users(*, engine: Engine) -> int:
    """How many users exist (the log-in form tells an empty install how to add one)."""
    try:
        with engine.connect() as conn:
            return int(conn.execute(select(func.count()).select_from(User)).scalar_one())
    except sa_exc.OperationalError as e:
        raise DatabaseUnavailableError(f"cannot reach the database to count users: {e.orig}") from e


def create_user(*, engine: Engine, actor: Actor, username: str, role: str, password: str) -> UserInfo:
    """Add a user with a bcrypt hash of a strong password (admins only)."""
    details: dict[str, Any] = {"username": normalize_username(username), "role": role}
    with audited(engine, actor, Action.USERS_ADD, details):
        name = validate_username(username)
        checked_role = validate_role(role)
        check_password_strength(password, username=name)
        if fetch_user_row(engine=engine, username=name) is not None:
            raise InvalidInputError(
                f"user {name!r} already exists; use `users reset-password` or `users set-role`"
            )
        now = dt.datetime.now(dt.UTC)
        try:
            with begin(engine) as conn:
                conn.execute(
                    insert(User).values(
                        username=name,
                        role=checked_role,
                        password_hash=hash_password(password),
                        disabled=False,
                        failed_logins=0,
                        session_version=1,
                        created_at=now,
                        password_changed_at=now,
                    )
                )
        except sa_exc.IntegrityError as e:
            raise InvalidInputError(f"user {name!r} already exists") from e
    return _get_user(engine, name)


def _count_active_admins(conn: Any, *, excluding: str) -> int:
    stmt = (
        select(func.count())
        .select_from(User)
        .where(User.role == ADMIN_ROLE, User.disabled.is_(False), User.username != excluding)
    )
    return int(conn.execute(stmt).scalar_one())


def _update_user(engine: Engine, name: str, values: dict[str, Any], *, keep_an_admin: bool = False) -> None:
    with begin(engine) as conn:
        row = conn.execute(select(User.role, User.disabled).where(User.username == name)).first()
        if row is None:
            raise NotFoundError(f"user {name!r} does not exist (see `python -m hr_core users list`)")
        if (
            keep_an_admin
            and row.role == ADMIN_ROLE
            and not row.disabled
            and _count_active_admins(conn, excluding=name) == 0
        ):
            raise InvalidInputError(f"{name!r} is the last active admin; add or enable another admin first")
        conn.execute(
            update(User)
            .where(User.username == name)
            .values(session_version=User.session_version + 1, **values)
        )


def set_role(*, engine: Engine, actor: Actor, username: str, role: str) -> UserInfo:
    """Change a user's role; their open sessions end so the new role applies at once (admins only)."""
    name = normalize_username(username)
    with audited(engine, actor, Action.USERS_SET_ROLE, {"username": name, "role": role}):
        checked_role = validate_role(role)
        _update_user(engine, name, {"role": checked_role}, keep_an_admin=checked_role != ADMIN_ROLE)
    return _get_user(engine, name)


def disable_user(*, engine: Engine, actor: Actor, username: str) -> UserInfo:
    """Disable a user and end their sessions; the last active admin cannot be disabled (admins only)."""
    name = normalize_username(username)
    with audited(engine, actor, Action.USERS_DISABLE, {"username": name}):
        _update_user(engine, name, {"disabled": True}, keep_an_admin=True)
    return _get_user(engine, name)


def enable_user(*, engine: Engine, actor: Actor, username: str) -> UserInfo:
    """Enable a disabled user again and lift any lockout (admins only)."""
    name = normalize_username(username)
    with audited(engine, actor, Action.USERS_ENABLE, {"username": name}):
        _update_user(engine, name, {"disabled": False, "failed_logins": 0, "locked_until": None})
    return _get_user(engine, name)


def reset_password(*, engine: Engine, actor: Actor, username: str, password: str) -> UserInfo:
    """Set a new password for a user, lift any lockout and end their sessions (admins only)."""
    name = normalize_username(username)
    with audited(engine, actor, Action.USERS_RESET_PASSWORD, {"username": name}):
        check_password_strength(password, username=name)
        _update_user(
            engine,
            name,
            {
                "password_hash": hash_password(password),
                "password_changed_at": dt.datetime.now(dt.UTC),
                "failed_logins": 0,
                "locked_until": None,
            },
        )
    return _get_user(engine, name)


def change_own_password(
    *, engine: Engine, actor: Actor, current_password: str, new_password: str
) -> UserInfo:
    """A user changes their own password (the current one required); every session of theirs ends."""
    name = normalize_username(actor.username)
    with audited(engine, actor, Action.AUTH_CHANGE_PASSWORD, {"username": name}):
        row = fetch_user_row(engine=engine, username=name)
        if row is None or row.disabled:
            raise NotFoundError(f"user {name!r} does not exist or is disabled")
        if not verify_password(current_password, row.password_hash):
            raise InvalidInputError("the current password is wrong; nothing was changed")
        if current_password == new_password:
            raise InvalidInputError("the new password is the same as the current one")
        check_password_strength(new_password, username=name)
        _update_user(
            engine,
            name,
            {"password_hash": hash_password(new_password), "password_changed_at": dt.datetime.now(dt.UTC)},
        )
    return _get_user(engine, name)


def get_user_locale(*, engine: Engine, username: str) -> LocaleCode:
    """The interface language a user chose (English until they choose one)."""
    row = fetch_user_row(engine=engine, username=username)
    return normalise_locale(getattr(row, "locale", None) if row is not None else None)


def set_user_locale(*, engine: Engine, actor: Actor, locale: str) -> LocaleCode:
    """Remember the interface language of the acting user; InvalidInputError for an unknown locale."""
    if locale not in LOCALES:
        raise InvalidInputError(f"language {locale!r} is unknown; use one of {', '.join(LOCALES)}")
    code: LocaleCode = locale
    name = normalize_username(actor.username)
    try:
        with begin(engine) as conn:
            found = conn.execute(update(User).where(User.username == name).values(locale=code)).rowcount
    except sa_exc.OperationalError as e:
        raise DatabaseUnavailableError(f"cannot reach the database to save the language: {e.orig}") from e
    if not found:
        raise NotFoundError(f"user {name!r} does not exist")
    return code
