"""Write validated rows: stage them (COPY on PostgreSQL, executemany on SQLite), then one upsert."""

from __future__ import annotations

import csv
import datetime as dt
import io
from dataclasses import dataclass
from typing import Any

from sqlalchemy.engine import Connection

from hr_core.errors import DatabaseUnavailableError, IntegrityError
from hr_core.ingest.tables import TableSpec
from hr_core.sqlfiles import get_query

# Fixed COPY statements (no values, identifiers from this allow-list only).
_COPY_SQL: dict[str, str] = {
    "departments": "COPY ingest_stage_departments (id, department) FROM STDIN (FORMAT csv)",
    "jobs": "COPY ingest_stage_jobs (id, job) FROM STDIN (FORMAT csv)",
    "hired_employees": (
        "COPY ingest_stage_hired_employees (id, name, hired_at, department_id, job_id) FROM STDIN (FORMAT csv)"
    ),
}
_STAGE_COLUMNS: dict[str, tuple[str, ...]] = {
    "departments": ("id", "department"),
    "jobs": ("id", "job"),
    "hired_employees": ("id", "name", "hired_at", "department_id", "job_id"),
}


@dataclass(frozen=True)
class UpsertCounts:
    inserted: int
    updated: int
    unchanged: int


def _sqlite_instant(value: dt.datetime | str) -> str:
    """SQLAlchemy's SQLite DATETIME storage form in UTC, so stored rows compare equal on reload."""
    if isinstance(value, str):  # canonical 'YYYY-MM-DDTHH:MM:SSZ' from the validator's fast path
        return f"{value[:10]} {value[11:19]}.000000"
    return value.astimezone(dt.UTC).replace(tzinfo=None).isoformat(" ", "microseconds")


def _wrap_driver_error(e: Exception, table: str) -> Exception:
    """Turn a driver error during staging into an hr_core error (connection lost vs. bad data)."""
    import psycopg

    if isinstance(e, psycopg.OperationalError):
        return DatabaseUnavailableError(
            f"the database connection was lost while loading {table}; the transaction was rolled back and "
            f"nothing was changed — try again when the database is back ({e})"
        )
    return IntegrityError(f"the database refused the rows for {table}; nothing was changed ({e})")


class Stager:
    """A temporary staging table for one table in the current transaction, merged by finish()."""

    def __init__(self, conn: Connection, spec: TableSpec) -> None:
        self.conn = conn
        self.spec = spec
        self.dialect = conn.dialect.name
        self.count = 0
        conn.execute(get_query(f"drop_ingest_stage_{spec.name}", conn.engine))
        conn.execute(get_query(f"create_ingest_stage_{spec.name}", conn.engine))

    def add(self, rows: list[tuple[Any, ...]]) -> None:
        """Stage a chunk of validated rows."""
        if not rows:
            return
        self.count += len(rows)
        if self.dialect == "postgresql":
            self._copy(rows)
            return
        columns = _STAGE_COLUMNS[self.spec.name]
        if self.spec.name == "hired_employees":
            rows = [(r[0], r[1], _sqlite_instant(r[2]), r[3], r[4]) for r in rows]
        params = [dict(zip(columns, r, strict=True)) for r in rows]
        self.conn.execute(get_query(f"insert_ingest_stage_{self.spec.name}", self.conn.engine), params)

    def _copy(self, rows: list[tuple[Any, ...]]) -> None:
        import psycopg

        buf = io.StringIO()
        csv.writer(buf, lineterminator="\n").writerows(rows)
        raw: Any = self.conn.connection.driver_connection
        try:
            with raw.cursor() as cur, cur.copy(_COPY_SQL[self.spec.name]) as copy:
                copy.write(buf.getvalue())
        except psycopg.Error as e:
            if isinstance(e, psycopg.OperationalError):
                self.conn.invalidate()
            raise _wrap_driver_error(e, self.spec.name) from e

    def finish(self) -> UpsertCounts:
        """Merge the staged rows into the table and drop the staging table; true counts of the change."""
        engine = self.conn.engine
        existing = int(
            self.conn.execute(get_query(f"count_ingest_existing_{self.spec.name}", engine)).scalar_one()
        )
        changed = self.conn.execute(get_query(f"upsert_ingest_{self.spec.name}", engine)).rowcount
        self.conn.execute(get_query(f"drop_ingest_stage_{self.spec.name}", engine))
        inserted = self.count - existing
        updated = changed - inserted
        return UpsertCounts(inserted=inserted, updated=updated, unchanged=existing - updated)
