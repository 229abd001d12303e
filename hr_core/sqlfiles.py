"""The one way to run report-like SQL: named blocks (`-- name: snake_case`) from sql/ and one runner.

`fetch_all`, `fetch_one`, `scalar`, `execute` and `fetch_frame` take an Engine or a Connection, a
literal query name (so grep finds every use) and the values as `:name` binds; lists and tuples bind
as expanding IN-lists. They own the result shapes and turn driver failures into HRCoreErrors.
Writes and CRUD use SQLAlchemy Core expressions instead.

The only SQL text outside sql/ (and the Alembic revisions) is set-up, each kept where it acts:
PRAGMAs in hr_core.db (connect listener); `BEGIN IMMEDIATE` in hr_core.db and hr_core.migrations;
advisory locks in hr_core.migrations and hr_core.backup.restore; `LOCK TABLE`, `TRUNCATE` of an
allow-listed table in hr_core.backup.restore; the index/foreign-key DDL read from the catalogue in
hr_core.bulkload (restores and large loads) and hr_core.backup.restore (keys of referencing tables);
COPY streams (psycopg) in hr_core.ingest.writers, hr_core.backup.writer and hr_core.backup.restore.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sqlalchemy import Engine, RowMapping, TextClause, bindparam, text
from sqlalchemy import exc as sa_exc
from sqlalchemy.engine import Connection, CursorResult

from hr_core.errors import DatabaseUnavailableError, HRCoreError, IntegrityError
from hr_core.paths import find_data_dir

if TYPE_CHECKING:
    import pandas as pd


SQL_DIR = find_data_dir("sql")
DIALECTS = ("postgresql", "sqlite")
_NAME = re.compile(r"^--\s*name:\s*([a-z_][a-z0-9_]*)\s*$")


@dataclass(frozen=True)
class SqlBlock:
    name: str
    doc: str
    sql: str
    source: str


def parse_sql_file(path: Path) -> dict[str, SqlBlock]:
    """Split one .sql file into its named blocks; comment lines after the name are the doc."""
    blocks: dict[str, SqlBlock] = {}
    name: str | None = None
    doc: list[str] = []
    body: list[str] = []

    def flush() -> None:
        if name is None:
            return
        sql = "\n".join(body).strip().rstrip(";").strip()
        if not sql:
            raise HRCoreError(f"{path}: query {name!r} has no SQL")
        if name in blocks:
            raise HRCoreError(f"{path}: query {name!r} is defined twice")
        blocks[name] = SqlBlock(name, " ".join(doc).strip(), sql, str(path))

    for line in path.read_text(encoding="utf-8").splitlines():
        match = _NAME.match(line.strip())
        if match:
            flush()
            name, doc, body = match.group(1), [], []
        elif name is not None and not body and line.strip().startswith("--"):
            doc.append(line.strip()[2:].strip())
        elif name is not None:
            body.append(line)
    flush()
    return blocks


@cache
def load_queries(dialect: str) -> dict[str, SqlBlock]:
    """Every query for a dialect: the portable ones overridden by sql/<dialect>/."""
    queries: dict[str, SqlBlock] = {}
    for path in sorted(SQL_DIR.glob("*.sql")):
        for block in parse_sql_file(path).values():
            if block.name in queries:
                raise HRCoreError(f"query {block.name!r} is defined in two files")
            queries[block.name] = block
    dialect_dir = SQL_DIR / dialect
    if dialect_dir.is_dir():
        for path in sorted(dialect_dir.glob("*.sql")):
            queries.update(parse_sql_file(path))
    return queries


def get_query(name: str, dialect: str | Engine) -> TextClause:
    """The TextClause for a named query in the engine's dialect; an unknown name is an error."""
    dialect_name = dialect if isinstance(dialect, str) else dialect.dialect.name
    queries = load_queries(dialect_name)
    if name not in queries:
        raise HRCoreError(f"no SQL query named {name!r} in {SQL_DIR} (dialect {dialect_name})")
    return text(queries[name].sql)


Bind = Engine | Connection


def _statement(
    bind: Bind, name: str, params: Mapping[str, Any], result_types: Mapping[str, Any] | None
) -> Any:
    stmt: Any = get_query(name, bind if isinstance(bind, Engine) else bind.engine)
    expanding: list[Any] = [
        bindparam(k, expanding=True) for k, v in params.items() if isinstance(v, list | tuple)
    ]
    if expanding:
        stmt = stmt.bindparams(*expanding)
    if result_types:
        stmt = stmt.columns(**result_types)
    return stmt


@contextmanager
def _connection(bind: Bind, name: str) -> Iterator[Connection]:
    """A new connection from an Engine, whose driver errors become HRCoreErrors here; or the caller's
    Connection as it is: whoever owns the transaction says what a failure means ("nothing was changed")."""
    if isinstance(bind, Connection):
        yield bind
        return
    try:
        with bind.connect() as conn:
            yield conn
    except sa_exc.IntegrityError as e:
        raise IntegrityError(f"query {name!r} broke a database constraint: {e.orig}") from e
    except (sa_exc.OperationalError, sa_exc.ProgrammingError) as e:
        raise DatabaseUnavailableError(
            f"query {name!r} failed on {bind.url.render_as_string(hide_password=True)}: {e.orig}; "
            "check HR_DATABASE_URL and run `python -m hr_core init-db`"
        ) from e


def fetch_all(
    bind: Bind, name: str, /, *, result_types: Mapping[str, Any] | None = None, **params: Any
) -> list[RowMapping]:
    """Every row of the named query, as mappings (column name -> value)."""
    with _connection(bind, name) as conn:
        return list(conn.execute(_statement(bind, name, params, result_types), params).mappings())


def fetch_one(
    bind: Bind, name: str, /, *, result_types: Mapping[str, Any] | None = None, **params: Any
) -> RowMapping | None:
    """The first row of the named query, or None when it returns no row."""
    with _connection(bind, name) as conn:
        return conn.execute(_statement(bind, name, params, result_types), params).mappings().first()


def scalar(bind: Bind, name: str, /, **params: Any) -> Any:
    """The first column of the first row (None when there is no row)."""
    with _connection(bind, name) as conn:
        return conn.execute(_statement(bind, name, params, None), params).scalar()


def execute(bind: Bind, name: str, /, *rows: Mapping[str, Any], **params: Any) -> int:
    """Run a statement (with `rows`: once per row, executemany); the rows it changed.

    On an Engine it commits; on a Connection it runs in the caller's transaction.
    """
    with _connection(bind, name) as conn:
        stmt = _statement(bind, name, rows[0] if rows else params, None)
        result: CursorResult[Any] = conn.execute(stmt, list(rows) if rows else params)
        if isinstance(bind, Engine):
            conn.commit()
        return result.rowcount


def fetch_frame(bind: Bind, name: str, /, **params: Any) -> pd.DataFrame:
    """The named query's rows as a DataFrame with the query's column names (also when empty)."""
    import pandas as pd

    with _connection(bind, name) as conn:
        result = conn.execute(_statement(bind, name, params, None), params)
        return pd.DataFrame(result.fetchall(), columns=list(result.keys()))
