"""Restore a verified backup into its table atomically: lock, safety backup, replace, check."""

from __future__ import annotations

import fcntl
import os
import tempfile
import zlib
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from enum import StrEnum
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, Engine, column, delete, func, insert, inspect, select, text
from sqlalchemy import exc as sa_exc
from sqlalchemy import table as sql_table
from sqlalchemy.sql.expression import ColumnClause

from hr_core.access import Action, Actor
from hr_core.audit import audited
from hr_core.backup.allowed_tables import (
    ColumnSpec,
    check_table_name,
    get_serial_column,
    list_incoming_keys,
    list_live_columns,
    list_outgoing_keys,
)
from hr_core.backup.codec import (
    ContentHasher,
    hash_row,
    to_sqlite_value,
)
from hr_core.backup.manifest import build_avro_key, build_manifest_key
from hr_core.backup.verify import ContentCheck, iter_backup_rows, open_backup_file, open_verified_backup
from hr_core.backup.writer import BackupResult, stream_canonical_batches, write_table_backup
from hr_core.bulkload import run_catalogue_ddl, suspend_own_checks
from hr_core.db import begin
from hr_core.errors import ConflictError, DatabaseUnavailableError, HRCoreError, IntegrityError
from hr_core.progress import Progress
from hr_core.sqlfiles import fetch_all, scalar
from hr_core.storage import Storage

_INSERT_CHUNK = 5_000
_MAX_IDS = 1_000


class RestoreStage(StrEnum):
    """The known moments of a restore, in order, at which a caller's `on_stage` observer is called."""

    CLAIMED = "claimed"  # holds the restore lock of the table; writers are not yet locked out
    LOCKED = "locked"  # inside the transaction, every writer locked out, nothing read yet
    BACKED_UP = "backed_up"  # the safety backup is written
    DELETED = "deleted"  # the table is emptied, the backup's rows not yet inserted
    INSERTED = "inserted"  # the backup's rows are in, not yet checked or committed


RestoreObserver = Callable[[RestoreStage, Connection], None]
"""Called at each RestoreStage with the connection the restore is using at that moment."""


@dataclass(frozen=True)
class RestoreResult:
    """What `restore TABLE BACKUP_ID` prints (verified is always true: an unverified restore rolls back)."""

    table: str
    backup_id: str
    rows: int
    verified: bool
    safety_backup_id: str

    def as_dict(self) -> dict[str, Any]:
        return {
            "table": self.table,
            "backup_id": self.backup_id,
            "rows": self.rows,
            "verified": self.verified,
            "safety_backup_id": self.safety_backup_id,
        }


@dataclass(frozen=True)
class RestoreDiff:
    """What a restore would change, by primary key (lists capped at 1,000 ids each)."""

    table: str
    backup_id: str
    rows: int
    live_rows: int
    added: list[Any] = field(default_factory=list)
    removed: list[Any] = field(default_factory=list)
    changed: list[Any] = field(default_factory=list)
    added_count: int = 0
    removed_count: int = 0
    changed_count: int = 0
    unchanged_count: int = 0

    def as_dict(self) -> dict[str, Any]:
        return {
            "table": self.table,
            "backup_id": self.backup_id,
            "dry_run": True,
            "verified": True,
            "rows": self.rows,
            "live_rows": self.live_rows,
            "added": self.added_count,
            "removed": self.removed_count,
            "changed": self.changed_count,
            "unchanged": self.unchanged_count,
            "added_ids": self.added,
            "removed_ids": self.removed,
            "changed_ids": self.changed,
        }


def _lock_file(engine: Engine, table: str) -> Path:
    database = engine.url.database or ""
    if database and database != ":memory:":
        return Path(f"{database}.restore-{table}.lock")
    return Path(tempfile.gettempdir()) / f"talentlens-restore-{table}.lock"


def _advisory_key(table: str) -> int:
    return zlib.crc32(f"talentlens-restore:{table}".encode())


def _busy(table: str) -> ConflictError:
    return ConflictError(f"a restore of {table} is running; wait for it to finish and try again")


def restore_running(bind: Engine | Connection, table: str) -> bool:
    """Whether a restore of table holds its restore lock right now (writers are then refused)."""
    if bind.dialect.name == "postgresql":
        if isinstance(bind, Engine):
            with bind.connect() as conn:
                return restore_running(conn, table)
        return bool(scalar(bind, "restore_running", key=_advisory_key(table)))
    path = _lock_file(bind if isinstance(bind, Engine) else bind.engine, table)
    if not path.exists():
        return False
    fd = os.open(path, os.O_RDONLY)
    try:
        fcntl.flock(fd, fcntl.LOCK_SH | fcntl.LOCK_NB)
    except BlockingIOError:
        return True
    finally:
        os.close(fd)  # closing the descriptor also drops the shared lock just taken
    return False


def refuse_during_restore(bind: Engine | Connection, tables: Sequence[str]) -> None:
    """Raise ConflictError naming the table when a restore of any of them is running."""
    for table in tables:
        if restore_running(bind, table):
            raise _busy(table)


def _tables_to_lock(table: str) -> list[str]:
    """The restored table and the tables whose rows reference it (their checks are suspended)."""
    return [table] + sorted({child for child, _, _ in list_incoming_keys(table)} - {table})


@contextmanager
def _restore_transaction(
    engine: Engine, table: str, on_stage: RestoreObserver | None
) -> Iterator[Connection]:
    """One transaction that keeps every writer out of the table before anything is read.

    Restores of the same table exclude each other first (a PostgreSQL advisory lock, or on SQLite an
    exclusive file lock); then, before the safety backup is read, PostgreSQL locks the table (and the
    tables referencing it) ACCESS EXCLUSIVE and SQLite opens the transaction with BEGIN IMMEDIATE, so a
    concurrent load either committed before (its rows are in the safety backup) or waits until the
    restore has committed. The observer sees RestoreStage.CLAIMED between the two steps (on SQLite
    with a connection of its own, since the restore's transaction has not begun yet).
    """
    already = ConflictError(
        f"a restore of table {table} is already running; wait for it to finish and try again"
    )
    if engine.dialect.name == "postgresql":
        with begin(engine) as conn:
            key = _advisory_key(table)
            if not conn.execute(text("SELECT pg_try_advisory_xact_lock(:key)"), {"key": key}).scalar_one():
                raise already
            if on_stage is not None:
                on_stage(RestoreStage.CLAIMED, conn)
            q = conn.dialect.identifier_preparer.quote
            names = ", ".join(q(check_table_name(t).name) for t in _tables_to_lock(table))
            # Names come from the allow-list; waits for loads already running, then holds every writer.
            conn.execute(text("LOCK TABLE " + names + " IN ACCESS EXCLUSIVE MODE"))
            yield conn
        return
    fd = os.open(_lock_file(engine, table), os.O_RDWR | os.O_CREAT, 0o600)
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError as e:
            raise already from e
        if on_stage is not None:
            with engine.connect() as idle:
                on_stage(RestoreStage.CLAIMED, idle)
        with begin(engine, immediate=True) as conn:
            yield conn
    finally:
        os.close(fd)


def _format_ids(ids: Sequence[Any]) -> str:
    shown = ", ".join(str(i) for i in sorted(ids)[:20])
    return shown + (f" and {len(ids) - 20} more" if len(ids) > 20 else "")


def _check_foreign_keys(conn: Connection, table: str, backup_id: str, collected: dict[str, set[Any]]) -> None:
    """Refuse a restore that would orphan rows that reference this table, or rows it references.

    collected holds the backup's values of the key columns; the tables involved are locked, so the
    check holds until commit (the database re-validates every key before commit as well).
    """
    for child, child_col, parent_col in list_incoming_keys(table):
        used: set[Any] = set(
            conn.execute(
                select(column(child_col))
                .select_from(sql_table(child))
                .where(column(child_col).is_not(None))
                .distinct()
            ).scalars()
        )
        missing = used - collected[parent_col]
        if missing:
            raise IntegrityError(
                f"cannot restore {table} from backup {backup_id}: {child}.{child_col} still "
                f"references {parent_col} values the backup lacks: {_format_ids(list(missing))}. "
                f"Restore {child} first (or remove those rows)."
            )
    for local_col, parent, parent_col in list_outgoing_keys(table):
        present: set[Any] = set(
            conn.execute(select(column(parent_col)).select_from(sql_table(parent))).scalars()
        )
        missing = {v for v in collected[local_col] if v is not None} - present
        if missing:
            raise IntegrityError(
                f"cannot restore {table} from backup {backup_id}: its {local_col} values "
                f"{_format_ids(list(missing))} do not exist in {parent}.{parent_col}. Restore {parent} first."
            )


# The column types whose binary COPY format psycopg's dumpers write from the values a backup decodes to
# (ints, str, timezone-aware datetimes, dates; a json column's text, which json_recv reads as sent).
_BINARY_COPY_TYPES = {
    "smallint": "int2",
    "integer": "int4",
    "bigint": "int8",
    "text": "text",
    "character varying": "varchar",
    "timestamp with time zone": "timestamptz",
    "date": "date",
    "json": "text",
}


def get_binary_copy_types(conn: Connection, table: str, columns: Sequence[ColumnSpec]) -> list[str] | None:
    """The psycopg type of each column for a binary COPY, or None when one has no binary path here."""
    live = {row["name"]: row["type"] for row in fetch_all(conn, "get_binary_copy_types", t=table)}
    types = [_BINARY_COPY_TYPES.get(live.get(c.name, "")) for c in columns]
    return None if any(t is None for t in types) else [t for t in types if t is not None]


def _insert_postgres(
    conn: Connection, table: str, columns: Sequence[ColumnSpec], rows: Iterator[list[Any]]
) -> int:
    """COPY the rows in; binary when every column allows it (a tenth of the text format's client CPU)."""
    from psycopg import sql

    types = get_binary_copy_types(conn, table, columns)
    stmt = sql.SQL("COPY {} ({}) FROM STDIN{}").format(
        sql.Identifier(table),
        sql.SQL(", ").join(sql.Identifier(c.name) for c in columns),
        sql.SQL(" (FORMAT BINARY)" if types else ""),
    )
    count = 0
    raw = conn.connection.driver_connection
    with raw.cursor() as cur, cur.copy(stmt) as copy:  # type: ignore[union-attr]
        if types:
            copy.set_types(types)
        for values in rows:
            copy.write_row(values)
            count += 1
    return count


def _insert_sqlite(
    conn: Connection, table: str, columns: Sequence[ColumnSpec], rows: Iterator[list[Any]]
) -> int:
    kinds = [c.kind for c in columns]
    names = [c.name for c in columns]
    stmt = insert(sql_table(table, *[column(n) for n in names]))
    count = 0
    batch: list[dict[str, Any]] = []
    for values in rows:
        batch.append({n: to_sqlite_value(k, v) for n, k, v in zip(names, kinds, values, strict=True)})
        if len(batch) >= _INSERT_CHUNK:
            conn.execute(stmt, batch)
            count += len(batch)
            batch = []
    if batch:
        conn.execute(stmt, batch)
        count += len(batch)
    return count


def _suspend_incoming_keys(conn: Connection, table: str) -> list[str]:
    """Let the table be emptied and refilled while other tables reference it; checks resume at the end.

    SQLite defers every foreign-key check of the transaction to COMMIT (so the restore's own check of
    the backup's keys, after the rows are in, names the ids first); PostgreSQL (whose keys are not
    deferrable) drops the referencing constraints inside the transaction and returns the statements
    that re-add them, which re-validate every child row before commit.
    """
    if conn.dialect.name == "sqlite":
        conn.exec_driver_sql("PRAGMA defer_foreign_keys = ON")
        return []
    incoming = list_incoming_keys(table)
    if not incoming:
        return []
    q = conn.dialect.identifier_preparer.quote
    readd = []
    insp = inspect(conn)
    for child in sorted({c for c, _, _ in incoming}):
        for fk in insp.get_foreign_keys(child):
            if fk["referred_table"] != table or not fk.get("name"):
                continue
            name = str(fk["name"])
            local = ", ".join(q(c) for c in fk["constrained_columns"])
            remote = ", ".join(q(c) for c in fk["referred_columns"])
            # Identifiers come from the allow-list and the database catalogue, never from user text.
            run_catalogue_ddl(conn, "ALTER TABLE " + q(child) + " DROP CONSTRAINT " + q(name))
            readd.append(
                "ALTER TABLE "
                + q(child)
                + " ADD CONSTRAINT "
                + q(name)
                + " FOREIGN KEY ("
                + local
                + ") REFERENCES "
                + q(table)
                + " ("
                + remote
                + ")"
            )
    return readd


def _clear_table(conn: Connection, table: str) -> None:
    if conn.dialect.name == "postgresql" and not list_incoming_keys(table):
        # TRUNCATE is transactional in PostgreSQL and far faster than DELETE on big tables.
        conn.execute(
            text("TRUNCATE TABLE " + conn.dialect.identifier_preparer.quote(check_table_name(table).name))
        )
    else:
        conn.execute(delete(sql_table(table)))


def _reset_sequence(conn: Connection, table: str) -> None:
    serial = get_serial_column(table)
    if serial is None or conn.dialect.name != "postgresql":
        return
    col: ColumnClause[Any] = column(serial)
    conn.execute(
        select(
            func.setval(
                func.pg_get_serial_sequence(table, serial),
                func.coalesce(func.max(col), 1),
                func.max(col).is_not(None),
            )
        ).select_from(sql_table(table))
    )


def compute_live_content_hash(engine: Engine, table: str, *, legacy: bool = False) -> tuple[int, str]:
    """(row count, content hash) of the table as it is now, computed like a backup's (legacy: format /1)."""
    columns = list_live_columns(engine, table)
    with engine.connect() as conn:
        return _hash_table(conn, table, columns, legacy=legacy)


def _hash_table(
    conn: Connection, table: str, columns: Sequence[ColumnSpec], *, legacy: bool
) -> tuple[int, str]:
    hasher = ContentHasher(legacy=legacy)
    for batch in stream_canonical_batches(conn, table, columns):
        hasher.add_rows(batch)
    return hasher.rows, hasher.hexdigest()


def _wrap_db_error(e: Exception, table: str) -> HRCoreError:
    try:
        import psycopg

        if isinstance(e, psycopg.OperationalError):
            return DatabaseUnavailableError(
                f"the database connection failed during the restore of {table}; nothing was changed ({e})"
            )
        if isinstance(e, psycopg.Error):
            return IntegrityError(
                f"the database refused the rows of the restore of {table}; nothing was changed ({e})"
            )
    except ImportError:  # pragma: no cover - psycopg is a runtime requirement
        pass
    if isinstance(e, sa_exc.IntegrityError):
        return IntegrityError(f"the database refused the restore of {table}; nothing was changed ({e.orig})")
    return DatabaseUnavailableError(f"the restore of {table} failed; nothing was changed ({e})")


@contextmanager
def _db_errors_wrapped(table: str) -> Iterator[None]:
    """Driver and file errors of a restore become hr_core errors saying nothing was changed."""
    try:
        yield
    except HRCoreError:
        raise
    except (sa_exc.SQLAlchemyError, OSError) as e:
        raise _wrap_db_error(e, table) from e
    except Exception as e:
        import psycopg

        if isinstance(e, psycopg.Error):
            raise _wrap_db_error(e, table) from e
        raise


def _discard_safety_backup(storage: Storage, table: str, backup_id: str, details: dict[str, Any]) -> None:
    """Delete the safety backup of a restore that rolled back (manifest first, as prune does)."""
    try:
        storage.delete(build_manifest_key(table, backup_id))
        storage.delete(build_avro_key(table, backup_id))
    except HRCoreError:
        return  # left in place: a spare copy of the table as it still is does no harm
    details.pop("safety_backup_id", None)
    details["safety_backup_discarded"] = backup_id


def restore_backup(
    *,
    engine: Engine,
    storage: Storage,
    table: str,
    backup_id: str,
    actor: Actor,
    progress: Progress | None = None,
    on_stage: RestoreObserver | None = None,
) -> RestoreResult:
    """Check a backup's file, then in one transaction save a safety backup and replace the table with it.

    The file's SHA-256 and header are checked first; its rows are decoded once, counted and their key
    values collected as they stream into the table; then, still inside the transaction, the table's
    rows are hashed as the database holds them. The transaction rolls back (its safety backup deleted,
    as there is nothing to undo) if the count, that content hash or a key does not match the manifest,
    so a restore that returns is verified.
    on_stage observes the restore at each RestoreStage, for a caller that must act at a known moment
    (the tests use it to provoke races and dropped connections there); it changes nothing by itself.
    """

    def reached(stage: RestoreStage, conn: Connection) -> None:
        if on_stage is not None:
            on_stage(stage, conn)

    def step(start: float, span: float) -> Progress | None:
        if progress is None:
            return None
        return lambda f, m: progress(start + span * f, m)

    with audited(engine, actor, Action.BACKUP_RESTORE, {"table": table, "backup_id": backup_id}) as audit:
        check_table_name(table)
        details = audit.details
        collect = sorted(
            {parent_col for _, _, parent_col in list_incoming_keys(table)}
            | {local for local, _, _ in list_outgoing_keys(table)}
        )
        with open_backup_file(
            storage=storage, table=table, backup_id=backup_id, engine=engine, progress=step(0, 0.05)
        ) as bf:
            manifest = bf.manifest
            columns = manifest.column_specs
            safety: BackupResult | None = None
            committing = False
            try:
                with _db_errors_wrapped(table), _restore_transaction(engine, table, on_stage) as conn:
                    reached(RestoreStage.LOCKED, conn)
                    safety = write_table_backup(
                        conn,
                        storage=storage,
                        table=table,
                        columns=columns,
                        kind="safety",
                        progress=step(0.05, 0.4),
                    )
                    details["safety_backup_id"] = safety.backup_id
                    reached(RestoreStage.BACKED_UP, conn)
                    if progress:
                        progress(0.45, f"replacing the rows of {table}")
                    readd = _suspend_incoming_keys(conn, table)
                    _clear_table(conn, table)
                    rebuild = suspend_own_checks(conn, check_table_name(table).name)
                    reached(RestoreStage.DELETED, conn)
                    # Counted and key values collected on the way in; hashed once, as the table holds
                    # the rows (below), which proves the file's content and its arrival together.
                    check = ContentCheck(manifest, where=bf.where, collect=collect, hash_rows=False)
                    postgres = conn.dialect.name == "postgresql"
                    # One pass over the file. On PostgreSQL fastavro's datetimes, dates, ints and strings
                    # go to COPY as they are.
                    rows = check.watch(
                        iter_backup_rows(bf.path, columns, where=bf.where, canonical=not postgres),
                        canonical=not postgres,
                        progress=step(0.45, 0.4),
                    )
                    insert_rows = _insert_postgres if postgres else _insert_sqlite
                    inserted = insert_rows(conn, table, columns, rows)
                    check.check_count()
                    _check_foreign_keys(conn, table, manifest.backup_id, check.collected)
                    for statement in rebuild + readd:
                        run_catalogue_ddl(conn, statement)
                    _reset_sequence(conn, table)
                    reached(RestoreStage.INSERTED, conn)
                    if progress:
                        progress(0.9, f"checking the restored {table}")
                    # Checked inside the transaction, so a mismatch rolls everything back: what commits
                    # is the backup's content, not what a later writer adds.
                    live_rows, live_hash = _hash_table(conn, table, columns, legacy=manifest.legacy_hash)
                    check.check_count(live_rows, what=" as restored")
                    check.check_hash(live_hash, what=" as restored")
                    committing = True
            except BaseException:
                if safety is not None and not committing:
                    # Refused before COMMIT was sent, so the table is as it was: nothing to undo.
                    _discard_safety_backup(storage, table, safety.backup_id, details)
                raise
        result = RestoreResult(table, backup_id, inserted, True, safety.backup_id)
        audit.details.update(result.as_dict())
    if progress:
        progress(1.0, f"{table}: {inserted:,} rows restored")
    return result


def diff_backup(
    *,
    engine: Engine,
    storage: Storage,
    table: str,
    backup_id: str,
    actor: Actor,
    progress: Progress | None = None,
) -> RestoreDiff:
    """Verify a backup and report which rows a restore would add, remove or change (changes nothing).

    Audited as a dry-run restore; it needs the role a restore needs.
    """
    details = {"table": table, "backup_id": backup_id, "dry_run": True}
    with audited(engine, actor, Action.BACKUP_RESTORE, details) as audit:
        diff = _diff_backup(
            engine=engine, storage=storage, table=table, backup_id=backup_id, progress=progress
        )
        audit.details.update(added=diff.added_count, removed=diff.removed_count, changed=diff.changed_count)
    return diff


def _diff_backup(
    *, engine: Engine, storage: Storage, table: str, backup_id: str, progress: Progress | None
) -> RestoreDiff:
    check_table_name(table)
    with open_verified_backup(
        storage=storage, table=table, backup_id=backup_id, engine=engine, progress=progress
    ) as vb:
        columns = vb.manifest.column_specs
        names = [c.name for c in columns]
        pk_index = [names.index(p) for p in vb.manifest.primary_key]

        def key_of(values: Sequence[Any]) -> Any:
            return values[pk_index[0]] if len(pk_index) == 1 else tuple(values[i] for i in pk_index)

        live: dict[Any, int] = {}
        with engine.connect() as conn:
            for batch in stream_canonical_batches(conn, table, columns):
                for values in batch:
                    live[key_of(values)] = hash_row(values)
        live_rows = len(live)
        added: list[Any] = []
        changed: list[Any] = []
        counts = {"added": 0, "changed": 0, "unchanged": 0}
        for values in iter_backup_rows(vb.path, columns, where=vb.manifest.key):
            key = key_of(values)
            current = live.pop(key, None)
            if current is None:
                counts["added"] += 1
                if len(added) < _MAX_IDS:
                    added.append(key)
            elif current != hash_row(values):
                counts["changed"] += 1
                if len(changed) < _MAX_IDS:
                    changed.append(key)
            else:
                counts["unchanged"] += 1
        removed = sorted(live)[:_MAX_IDS]
        return RestoreDiff(
            table=table,
            backup_id=backup_id,
            rows=vb.manifest.rows,
            live_rows=live_rows,
            added=sorted(added),
            removed=removed,
            changed=sorted(changed),
            added_count=counts["added"],
            removed_count=len(live),
            changed_count=counts["changed"],
            unchanged_count=counts["unchanged"],
        )
