"""Alembic migrations of the schema, run from code (no alembic.ini, no dependence on the current folder).

`upgrade_database(engine)` brings any database to head under a lock: a PostgreSQL transaction-level
advisory lock, or on SQLite an exclusive flock on `<db file>.migrate-lock` plus `BEGIN IMMEDIATE`, so two
processes running init-db at once take turns; the second finds the schema at head and does nothing.
A database made by `Base.metadata.create_all` before migrations existed (tables, no alembic_version)
is stamped at FIRST_REVISION and then upgraded, keeping its rows.

New revision (developers): `python -m hr_core.migrations revision -m "add x" --autogenerate`
against an up-to-date HR_DATABASE_URL, then read and fix the generated file in versions/.

Set-up statements run here outside sql/: `SELECT pg_advisory_xact_lock(...)` and `BEGIN IMMEDIATE`.
"""

from __future__ import annotations

import fcntl
from collections.abc import Iterator
from contextlib import contextmanager
from functools import cache
from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Engine, inspect, text
from sqlalchemy import exc as sa_exc
from sqlalchemy.engine import Connection

from hr_core.errors import DatabaseUnavailableError, IntegrityError
from hr_core.schema_revision import FOREIGN_TABLE_PREFIXES, VERSION_TABLE

MIGRATIONS_DIR = Path(__file__).resolve().parent
FIRST_REVISION = "0001"
# The tables that create_all made on main before Alembic; a database holding all of them is stamped.
PRE_ALEMBIC_TABLES = frozenset(
    {
        "audit_log",
        "candidates",
        "departments",
        "hired_employees",
        "jobs",
        "pipeline_openings",
        "prospects",
        "users",
        "vagas",
    }
)
# pg_advisory_xact_lock key: any fixed bigint that no other code of ours uses ("TLmigr" in hex).
_PG_LOCK_KEY = 0x544C6D696772


def include_object(obj: object, name: str | None, type_: str, reflected: bool, compare_to: object) -> bool:
    """Autogenerate's filter: leave other libraries' tables (and their indexes) alone."""
    table = getattr(obj, "table", None) if type_ != "table" else obj
    table_name = getattr(table, "name", name) or ""
    return not table_name.startswith(FOREIGN_TABLE_PREFIXES)


def make_config(connection: Connection | None = None) -> Config:
    """An Alembic Config pointing at this package; env.py uses `connection` when given."""
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS_DIR).replace("%", "%%"))
    cfg.set_main_option("file_template", "%%(rev)s_%%(slug)s")
    cfg.attributes["connection"] = connection
    return cfg


@cache
def get_head_revision() -> str:
    """The newest revision id in versions/ (read once per process: the files do not change under it)."""
    head = ScriptDirectory.from_config(make_config()).get_current_head()
    assert head is not None, "hr_core/migrations/versions holds no revision"
    return head


def get_current_revision(engine: Engine) -> str | None:
    """The revision the database is at (None: never migrated)."""
    try:
        with engine.connect() as conn:
            return MigrationContext.configure(conn).get_current_revision()
    except sa_exc.OperationalError as e:
        raise DatabaseUnavailableError(f"cannot reach the database: {e.orig}") from e


@contextmanager
def _sqlite_file_lock(engine: Engine) -> Iterator[None]:
    database = engine.url.database or ""
    if not database or database == ":memory:" or database.startswith("file:"):
        yield
        return
    with open(f"{database}.migrate-lock", "a+b") as fh:
        fcntl.flock(fh, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(fh, fcntl.LOCK_UN)


@contextmanager
def _locked_transaction(engine: Engine) -> Iterator[Connection]:
    """One transaction that no other migrating process runs alongside; DDL rolls back on failure."""
    dialect = engine.dialect.name
    try:
        if dialect == "sqlite":
            with _sqlite_file_lock(engine), engine.begin() as conn:
                # pysqlite would otherwise run each DDL statement in autocommit mode.
                conn.exec_driver_sql("BEGIN IMMEDIATE")
                yield conn
        else:
            with engine.begin() as conn:
                if dialect == "postgresql":
                    conn.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": _PG_LOCK_KEY})
                yield conn
    except sa_exc.OperationalError as e:
        raise DatabaseUnavailableError(f"cannot reach the database: {e.orig}") from e


def _stamp_if_made_by_create_all(conn: Connection, cfg: Config) -> None:
    present = set(inspect(conn).get_table_names())
    if VERSION_TABLE in present or not present & PRE_ALEMBIC_TABLES:
        return
    missing = PRE_ALEMBIC_TABLES - present
    if missing:
        raise IntegrityError(
            f"the database has some of TalentLens's tables but not {', '.join(sorted(missing))}, and no "
            f"{VERSION_TABLE} table; it was not made by this application's init-db. Back it up, then "
            "restore into a fresh database, or drop the partial tables and run `python -m hr_core init-db`"
        )
    command.stamp(cfg, FIRST_REVISION)


def upgrade_database(engine: Engine, revision: str = "head") -> str | None:
    """Migrate the database to `revision` (stamping a pre-Alembic one first); return where it is now."""
    with _locked_transaction(engine) as conn:
        cfg = make_config(conn)
        _stamp_if_made_by_create_all(conn, cfg)
        command.upgrade(cfg, revision)
        return MigrationContext.configure(conn).get_current_revision()


def downgrade_database(engine: Engine, revision: str) -> str | None:
    """Migrate down to `revision` ("base" drops every table); return where the database is now."""
    with _locked_transaction(engine) as conn:
        command.downgrade(make_config(conn), revision)
        return MigrationContext.configure(conn).get_current_revision()
