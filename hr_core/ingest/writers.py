"""Write validated rows: stage them (COPY on PostgreSQL, executemany on SQLite), then one upsert."""

from __future__ import annotations

import contextlib
import csv
import datetime as dt
import io
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from sqlalchemy.engine import Connection

from hr_core.errors import DatabaseUnavailableError, IntegrityError
from hr_core.ingest.modes import LoadMode
from hr_core.ingest.table_specs import TableSpec
from hr_core.ingest.validate import MAX_TEXT_LENGTH, ValidBlock
from hr_core.sqlfiles import execute, scalar

# COPY is the one kind of SQL kept here instead of sql/: psycopg's copy() streams it, and the runner
# has no COPY. Fixed statements (no values, identifiers from this allow-list only).
_COPY_SQL: dict[str, str] = {
    "departments": "COPY ingest_stage_departments (id, department) FROM STDIN (FORMAT csv)",
    "jobs": "COPY ingest_stage_jobs (id, job) FROM STDIN (FORMAT csv)",
    "hired_employees": (
        "COPY ingest_stage_hired_employees (id, name, hired_at, department_id, job_id) FROM STDIN (FORMAT csv)"
    ),
}
# A load that copies more new rows than this straight into hired_employees drops the table's foreign
# keys and plain indexes until commit, then rebuilds them in one pass each (hr_core.bulkload): per-row
# trigger checks cost 4x the COPY at a million rows. Smaller loads keep the per-row checks (and let
# readers in: the bulk path holds an ACCESS EXCLUSIVE lock until commit). The switch happens as soon as
# the new rows seen so far, scaled by the share of the file read, pass it: a big file goes bulk at its
# first block instead of paying the per-row checks for its first BULK_ROWS rows.
BULK_ROWS = 50_000
# Rows with ids above every existing id go straight into the (locked) table.
_DIRECT_COPY_SQL = "COPY hired_employees (id, name, hired_at, department_id, job_id) FROM STDIN (FORMAT csv)"
_STAGE_COLUMNS: dict[str, tuple[str, ...]] = {
    "departments": ("id", "department"),
    "jobs": ("id", "job"),
    "hired_employees": ("id", "name", "hired_at", "department_id", "job_id"),
}


@dataclass(frozen=True)
class _StageQueries:
    """The sql/ingest.sql blocks for one table, named literally so grep finds every use."""

    drop: str
    create: str
    insert: str
    analyze: str
    count_existing: str
    upsert: str
    insert_new: str  # add only: new ids, existing ones left as they are
    vacate_names: str | None = None  # unique names: free the names other rows of the file take
    count_vacated: str | None = None


_STAGE_QUERIES: dict[str, _StageQueries] = {
    "departments": _StageQueries(
        drop="drop_ingest_stage_departments",
        create="create_ingest_stage_departments",
        insert="insert_ingest_stage_departments",
        analyze="analyze_ingest_stage_departments",
        count_existing="count_ingest_existing_departments",
        upsert="upsert_ingest_departments",
        insert_new="insert_ingest_new_departments",
        vacate_names="vacate_ingest_department_names",
        count_vacated="count_ingest_vacated_department_names",
    ),
    "jobs": _StageQueries(
        drop="drop_ingest_stage_jobs",
        create="create_ingest_stage_jobs",
        insert="insert_ingest_stage_jobs",
        analyze="analyze_ingest_stage_jobs",
        count_existing="count_ingest_existing_jobs",
        upsert="upsert_ingest_jobs",
        insert_new="insert_ingest_new_jobs",
        vacate_names="vacate_ingest_job_names",
        count_vacated="count_ingest_vacated_job_names",
    ),
    "hired_employees": _StageQueries(
        drop="drop_ingest_stage_hired_employees",
        create="create_ingest_stage_hired_employees",
        insert="insert_ingest_stage_hired_employees",
        analyze="analyze_ingest_stage_hired_employees",
        count_existing="count_ingest_existing_hired_employees",
        upsert="upsert_ingest_hired_employees",
        insert_new="insert_ingest_new_hired_employees",
    ),
}


# While a load swaps or moves names between ids, the rows that give a name up hold this prefix and their
# id for a moment: longer than any name a load accepts, so it can never meet a real name.
VACATED_NAME_PREFIX = "(name being moved by a load) " + "~" * MAX_TEXT_LENGTH + " "


@dataclass(frozen=True)
class UpsertCounts:
    inserted: int
    updated: int
    unchanged: int
    skipped: int = 0  # rows an add-only load left as they are (their id was already there)


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
    """A temporary staging table for one table in the current transaction, merged by finish().

    On PostgreSQL the rows stream through one open COPY, so the server ingests while Python parses.
    hired_employees is locked against other writers first; rows whose id is above every existing id
    cannot conflict, so they are copied straight into the table (the same COPY a raw load would do,
    keys and constraints checked as usual), and only the rest go through staging and the upsert.
    Use it as a context manager so an error mid-way ends the COPY before the transaction rolls back.
    """

    def __init__(
        self,
        conn: Connection,
        spec: TableSpec,
        mode: LoadMode = LoadMode.ADD_AND_UPDATE,
        read_share: Callable[[], float] | None = None,
    ) -> None:
        self.conn = conn
        self.read_share = read_share  # how much of the source has been read (0..1), if known
        self.spec = spec
        self.mode = mode
        self.dialect = conn.dialect.name
        self.count = 0
        self.direct = 0  # rows copied straight into the table (all new ids)
        self.bulk = False  # foreign keys and indexes suspended until finish() (see BULK_ROWS)
        self._rebuild: list[str] = []
        self._direct_above: int | None = None
        self._copy_target: str | None = None
        self._copy_cm: Any = None
        self._copy: Any = None
        self.queries = _STAGE_QUERIES[spec.name]
        execute(conn, self.queries.drop)
        execute(conn, self.queries.create)
        if self.dialect == "postgresql" and spec.name == "hired_employees":
            execute(conn, "lock_ingest_hired_employees")
            self._direct_above = int(scalar(conn, "get_ingest_max_employee_id"))

    def __enter__(self) -> Stager:
        return self

    def __exit__(self, exc_type: Any, exc: BaseException | None, tb: Any) -> None:
        if exc is not None and self._copy_cm is not None:
            import psycopg

            cm, self._copy_cm, self._copy, self._copy_target = self._copy_cm, None, None, None
            # Tell the server the COPY failed, so the rollback that follows can run; if the connection
            # is gone, the original error already says what happened.
            with contextlib.suppress(psycopg.Error):
                cm.__exit__(exc_type, exc, tb)

    def add(self, rows: list[tuple[Any, ...]]) -> None:
        """Stage a chunk of validated rows."""
        if not rows:
            return
        self.count += len(rows)
        if self.dialect == "postgresql":
            above = self._direct_above
            if above is None:
                self._write("stage", rows)
                return
            new = [r for r in rows if r[0] > above]
            old = [r for r in rows if r[0] <= above] if len(new) < len(rows) else []
            self._maybe_go_bulk(len(new))
            self.direct += len(new)
            # Keep the COPY already open busy first, so an all-new or all-old file needs one COPY.
            for target, part in sorted(
                (("direct", new), ("stage", old)), key=lambda p: p[0] != self._copy_target
            ):
                if part:
                    self._write(target, part)
            return
        columns = _STAGE_COLUMNS[self.spec.name]
        if self.spec.name == "hired_employees":
            rows = [(r[0], r[1], _sqlite_instant(r[2]), r[3], r[4]) for r in rows]
        params = [dict(zip(columns, r, strict=True)) for r in rows]
        execute(self.conn, self.queries.insert, *params)

    def add_block(self, block: ValidBlock) -> None:
        """Stage a block of checked CSV lines; on PostgreSQL its bytes go to COPY as they were read."""
        above = self._direct_above
        if self.dialect != "postgresql" or (above is not None and block.min_id <= above < block.max_id):
            self.add(block.rows())
            return
        self.count += block.count
        if above is not None and block.min_id > above:
            self._maybe_go_bulk(block.count)
            self.direct += block.count
            self._write("direct", block.data)
        else:
            self._write("stage", block.data)

    def _maybe_go_bulk(self, more: int) -> None:
        """Switch to the bulk path once the rows copied straight into the table pass BULK_ROWS."""
        if self.bulk:
            return
        new_rows = self.direct + more
        share = self.read_share() if self.read_share is not None else 0.0
        expected = new_rows / share if share > 0 else new_rows
        if max(new_rows, expected) <= BULK_ROWS:
            return
        import psycopg
        from sqlalchemy import exc as sa_exc

        from hr_core.bulkload import suspend_own_checks

        self.end_copy()
        try:
            self._rebuild = suspend_own_checks(self.conn, self.spec.name)
        except (psycopg.Error, sa_exc.DBAPIError) as e:
            raise self._fail(e) from e
        self.bulk = True

    def _write(self, target: str, rows: list[tuple[Any, ...]] | bytes) -> None:
        import psycopg

        if isinstance(rows, bytes):
            data: str | bytes = rows
        else:
            buf = io.StringIO()
            csv.writer(buf, lineterminator="\n").writerows(rows)
            data = buf.getvalue()
        try:
            if self._copy_target != target:
                self.end_copy()
                sql = _DIRECT_COPY_SQL if target == "direct" else _COPY_SQL[self.spec.name]
                raw: Any = self.conn.connection.driver_connection
                self._copy_cm = raw.cursor().copy(sql)
                self._copy = self._copy_cm.__enter__()
                self._copy_target = target
            self._copy.write(data)
        except psycopg.Error as e:
            raise self._fail(e) from e

    def _fail(self, e: Exception) -> Exception:
        import psycopg

        if isinstance(e, psycopg.OperationalError):
            self.conn.invalidate()
        return _wrap_driver_error(e, self.spec.name)

    def end_copy(self) -> None:
        """Finish the open COPY (if any): the server has then checked every row sent."""
        if self._copy_cm is None:
            return
        import psycopg

        cm, self._copy_cm, self._copy, self._copy_target = self._copy_cm, None, None, None
        try:
            cm.__exit__(None, None, None)
        except psycopg.Error as e:
            raise self._fail(e) from e

    def _restore_checks(self) -> None:
        """Rebuild the indexes and re-add (re-validate) the foreign keys dropped for the bulk path."""
        import psycopg

        from hr_core.bulkload import run_catalogue_ddl

        statements, self._rebuild = self._rebuild, []
        try:
            for statement in statements:
                run_catalogue_ddl(self.conn, statement)
        except psycopg.Error as e:
            if isinstance(e, psycopg.OperationalError):
                self.conn.invalidate()
                raise _wrap_driver_error(e, self.spec.name) from e
            raise IntegrityError(
                f"the rows for {self.spec.name} break a rule of the database (checked for the whole table "
                f"after the bulk copy); nothing was changed ({e})"
            ) from e

    def finish(self) -> UpsertCounts:
        """Merge the staged rows into the table and drop the staging table; true counts of the change."""
        self.end_copy()
        staged = self.count - self.direct
        existing = changed = 0
        if staged:
            if self.dialect == "postgresql":
                execute(self.conn, "set_ingest_work_mem")
                execute(self.conn, self.queries.analyze)
            existing = int(scalar(self.conn, self.queries.count_existing))
            if self.mode is LoadMode.ADD_ONLY:
                changed = execute(self.conn, self.queries.insert_new)
            else:
                changed = self._merge()
        execute(self.conn, self.queries.drop)
        if self._rebuild:
            self._restore_checks()
        inserted = staged - existing
        if self.mode is LoadMode.ADD_ONLY:
            return UpsertCounts(inserted=changed + self.direct, updated=0, unchanged=0, skipped=existing)
        updated = changed - inserted
        return UpsertCounts(inserted=inserted + self.direct, updated=updated, unchanged=existing - updated)

    def _merge(self) -> int:
        """Upsert the staged rows; rows of the table changed.

        A unique name that moves between ids (a swap, or a name another row of the file gives up) would
        meet the unique index in the middle of the upsert on both databases, so the rows that give a name
        up to another row of the file first take a temporary name, in the same transaction.
        """
        queries = self.queries
        if queries.vacate_names is None or queries.count_vacated is None:
            return execute(self.conn, queries.upsert)
        vacated = execute(self.conn, queries.vacate_names, prefix=VACATED_NAME_PREFIX)
        changed = execute(self.conn, queries.upsert)
        if vacated and scalar(self.conn, queries.count_vacated, pattern=VACATED_NAME_PREFIX + "%"):
            # Only if another writer changed the table since the load read it: roll it all back.
            raise IntegrityError(
                f"{self.spec.name} changed while the load ran, so names moving between ids could not all be "
                "placed; nothing was changed — load the file again"
            )
        return changed
