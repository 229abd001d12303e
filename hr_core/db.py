"""Engine factory, declarative base and portable column types."""

from __future__ import annotations

import datetime as dt
import sqlite3
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from sqlalchemy import DateTime, Engine, create_engine, event, inspect
from sqlalchemy import exc as sa_exc
from sqlalchemy.engine import Connection, make_url
from sqlalchemy.orm import DeclarativeBase
from sqlalchemy.types import TypeDecorator

from hr_core.errors import ConflictError, DatabaseUnavailableError, InvalidInputError


class Base(DeclarativeBase):
    """Declarative base of every table."""


class UTCDateTime(TypeDecorator[dt.datetime]):
    """A timezone-aware timestamp stored in UTC on every dialect (SQLite keeps no offset)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: dt.datetime | None, dialect: Any) -> dt.datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            value = value.replace(tzinfo=dt.UTC)
        value = value.astimezone(dt.UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: Any, dialect: Any) -> dt.datetime | None:
        if value is None:
            return None
        stamp: dt.datetime = dt.datetime.fromisoformat(value) if isinstance(value, str) else value
        if stamp.tzinfo is None:
            return stamp.replace(tzinfo=dt.UTC)
        return stamp.astimezone(dt.UTC)


# How long a new connection keeps asking for WAL mode while another process switches the same new file.
_WAL_SWITCH_SECONDS = 10.0


def _sqlite_on_connect(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA busy_timeout=10000")
    cursor.execute("PRAGMA foreign_keys=ON")
    _switch_to_wal(cursor)
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()


def _switch_to_wal(cursor: Any) -> None:
    """PRAGMA journal_mode=WAL, retried: SQLite answers "database is locked" at once, without waiting
    for the busy timeout, when two processes switch the same new file at the same moment (two
    `init-db` on a fresh database); the loser succeeds a moment later, when the file is WAL already."""
    deadline = time.monotonic() + _WAL_SWITCH_SECONDS
    pause = 0.01
    while True:
        try:
            cursor.execute("PRAGMA journal_mode=WAL")
            return
        except sqlite3.OperationalError as e:
            if "database is locked" not in str(e) or time.monotonic() + pause > deadline:
                raise
        time.sleep(pause)
        pause = min(pause * 2, 0.2)


def make_engine(url: str) -> Engine:
    """Build an engine for a SQLAlchemy URL; SQLite files get their folder and enforced foreign keys."""
    try:
        parsed = make_url(url)
    except sa_exc.ArgumentError as e:
        raise InvalidInputError(f"HR_DATABASE_URL {url!r} is not a valid database URL") from e
    backend = parsed.get_backend_name()
    if backend == "sqlite":
        database = parsed.database or ""
        if database and database != ":memory:":
            Path(database).parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(parsed, connect_args={"timeout": 30})
        event.listen(engine, "connect", _sqlite_on_connect)
        return engine
    if backend == "postgresql":
        if parsed.drivername == "postgresql":
            parsed = parsed.set(drivername="postgresql+psycopg")
        return create_engine(parsed, pool_pre_ping=True, connect_args={"connect_timeout": 5})
    raise InvalidInputError(
        f"unsupported database {backend!r} in HR_DATABASE_URL; use sqlite:///path or postgresql://…"
    )


def import_all_models() -> None:
    """Import every model module so Base.metadata knows all tables."""
    import hr_core.models  # noqa: F401


def init_db(engine: Engine) -> list[str]:
    """Migrate the schema to the newest revision (idempotent, safe to run concurrently); return its tables."""
    from hr_core.schema_revision import (
        FOREIGN_TABLE_PREFIXES,
        VERSION_TABLE,
        read_head_revision,
        read_schema_revision,
    )

    # At head already (every run but the first): nothing to migrate, and Alembic need not be imported.
    if read_schema_revision(engine) != read_head_revision():
        from hr_core.migrations import upgrade_database

        upgrade_database(engine)
    try:
        names = set(inspect(engine).get_table_names()) - {VERSION_TABLE}
        return sorted(n for n in names if not n.startswith(FOREIGN_TABLE_PREFIXES))
    except sa_exc.OperationalError as e:
        raise DatabaseUnavailableError(f"cannot reach the database: {e.orig}") from e


@contextmanager
def begin(engine: Engine, *, immediate: bool = False) -> Iterator[Connection]:
    """A transaction that turns an unreachable database into DatabaseUnavailableError.

    immediate: on SQLite, open it with BEGIN IMMEDIATE so the write lock is held before the first
    read (pysqlite otherwise begins only at the first write, and a transaction that read first may
    not upgrade to writing); writers then queue instead of failing. PostgreSQL ignores it.
    """
    try:
        if immediate and engine.dialect.name == "sqlite":
            with _sqlite_immediate(engine) as conn:
                yield conn
        else:
            with engine.begin() as conn:
                yield conn
    except sa_exc.OperationalError as e:
        if engine.dialect.name == "sqlite" and "database is locked" in str(e.orig):
            raise ConflictError(
                "the database is busy with another write (a load, import or restore) that took too long; "
                f"nothing was changed — try again when it has finished ({e.orig})"
            ) from e
        raise DatabaseUnavailableError(
            f"the database failed or became unreachable; nothing was changed ({e.orig})"
        ) from e


@contextmanager
def _sqlite_immediate(engine: Engine) -> Iterator[Connection]:
    with engine.connect() as conn:
        dbapi: Any = conn.connection.driver_connection
        saved = dbapi.isolation_level
        dbapi.isolation_level = None  # we issue BEGIN ourselves; commit()/rollback() still end it
        try:
            with conn.begin():
                conn.exec_driver_sql("BEGIN IMMEDIATE")
                yield conn
        finally:
            dbapi.isolation_level = saved


def check_database(engine: Engine) -> None:
    """Raise DatabaseUnavailableError unless the database answers and its schema is at the newest revision."""
    from hr_core.schema_revision import read_head_revision, read_schema_revision

    current, head = read_schema_revision(engine), read_head_revision()
    if current != head:
        raise DatabaseUnavailableError(
            f"the database schema is at revision {current or '(none: no tables yet)'}, this code needs "
            f"{head}; run `python -m hr_core init-db`"
        )
