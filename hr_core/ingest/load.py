"""Load HR files into the database: validate every row, stage, upsert in one transaction, report rejects."""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

import pandas as pd
from sqlalchemy import Engine
from sqlalchemy import exc as sa_exc
from sqlalchemy.engine import Connection

from hr_core.access import Action, Actor
from hr_core.audit import audited
from hr_core.backup.restore import refuse_during_restore
from hr_core.db import begin
from hr_core.errors import (
    ConflictError,
    DatabaseUnavailableError,
    IntegrityError,
    InvalidInputError,
    NotFoundError,
    RowProblem,
    RowsRejected,
)
from hr_core.ingest.changes import ChangeCollector, ChangePreview
from hr_core.ingest.modes import LoadMode
from hr_core.ingest.readers import CleanBlock, CsvReader, RawRow, read_batch, read_rows
from hr_core.ingest.rejects import build_rejects_frame, write_rejects_report
from hr_core.ingest.sources import OpenSource, Source, detect_format, open_source
from hr_core.ingest.table_specs import LOAD_ORDER, TABLES, TableSpec, get_table, infer_table
from hr_core.ingest.validate import RefData, RejectRow, RowValidator, ValidBlock
from hr_core.ingest.writers import Stager, UpsertCounts
from hr_core.progress import Progress, no_progress
from hr_core.sqlfiles import fetch_all, scalar
from hr_core.storage import Storage, make_storage

CHUNK_ROWS = 20_000
PREVIEW_ROWS = 10
MAX_RAW_IN_REPORT = 2_000
DIR_FILES = tuple(f"{t}.csv" for t in LOAD_ORDER)


@dataclass
class LoadResult:
    """What one table's load did: true counts (added, updated, unchanged, skipped), rejected rows, their report."""

    table: str
    inserted: int
    updated: int
    unchanged: int
    rejected: int
    rejects_key: str | None
    reject_rows: list[RejectRow] = field(default_factory=list, repr=False)
    mode: LoadMode = LoadMode.ADD_AND_UPDATE
    # Add only: valid rows whose id the table already held, left as they were (not errors).
    skipped: int = 0

    def as_dict(self) -> dict[str, Any]:
        """The CLI's JSON shape."""
        return {
            "table": self.table,
            "mode": self.mode.value,
            "inserted": self.inserted,
            "updated": self.updated,
            "unchanged": self.unchanged,
            "skipped": self.skipped,
            "rejected": self.rejected,
            "rejects": self.rejects_key,
        }

    def rejects_frame(self) -> pd.DataFrame:
        return build_rejects_frame(self.reject_rows)


@dataclass
class ValidationSummary:
    """A dry run of one table's rows: nothing written, just what would load and what would be rejected."""

    table: str
    filename: str
    rows: int
    valid: int
    rejected: int
    header_skipped: bool
    preview: list[list[Any]]
    reject_rows: list[RejectRow] = field(default_factory=list, repr=False)
    # What loading would change in the table (None when the dry run had no database to compare with).
    changes: ChangePreview | None = None

    def preview_frame(self) -> pd.DataFrame:
        return pd.DataFrame(self.preview, columns=list(TABLES[self.table].fields))

    def rejects_frame(self) -> pd.DataFrame:
        return build_rejects_frame(self.reject_rows)

    def reason_counts(self) -> dict[str, int]:
        """How many rows break each kind of rule (values blanked out), most common first."""
        kinds: Counter[str] = Counter()
        for row in self.reject_rows:
            kinds.update({_reason_kind(r) for r in row.reasons})
        return dict(kinds.most_common())


def _reason_kind(reason: str) -> str:
    return re.sub(r"'[^']*'|\b\d+\b", "…", reason)


def _read_refs(conn: Connection) -> RefData:
    departments = fetch_all(conn, "list_ingest_departments")
    jobs = fetch_all(conn, "list_ingest_jobs")
    return RefData(
        department_ids={r["id"] for r in departments},
        job_ids={r["id"] for r in jobs},
        department_names={r["department"]: r["id"] for r in departments},
        job_names={r["job"]: r["id"] for r in jobs},
        max_employee_id=int(scalar(conn, "get_ingest_max_employee_id")),
    )


def _raw_for_report(raw: str) -> str:
    raw = raw.rstrip("\r\n")
    if len(raw) > MAX_RAW_IN_REPORT:  # a 50 MB line is named, not copied into the report
        raw = raw[:MAX_RAW_IN_REPORT] + f"… ({len(raw):,} characters in all)"
    return raw


def _consume(
    rows: Iterable[RawRow | CleanBlock],
    validator: RowValidator,
    *,
    rejects: list[RejectRow],
    sink: Callable[[list[tuple[Any, ...]]], None] | None,
    block_sink: Callable[[ValidBlock], None] | None = None,
    preview: list[list[Any]] | None = None,
    on_chunk: Callable[[], None] | None = None,
) -> tuple[int, int]:
    """Validate rows in order, pass valid ones to sink in chunks; return (rows seen, valid rows).

    A CleanBlock of plain lines is checked at once and goes whole to block_sink (or sink); if any of
    its rows breaks a rule (or the preview still needs rows), its rows are checked one by one.
    Department and job rows are held until all are read: their names are judged on the table as the
    load would leave it (RowValidator.settle_names), then the rows that pass go to sink.
    """
    chunk: list[tuple[Any, ...]] = []
    held: list[tuple[RawRow, tuple[Any, ...]]] | None = [] if validator.settles_names else None
    seen = valid = 0
    check = validator.check

    def flush() -> None:
        nonlocal chunk
        if sink is not None and chunk:
            sink(chunk)
            chunk = []
            if on_chunk is not None:
                on_chunk()

    def take(result: tuple[Any, ...]) -> None:
        if sink is not None:
            chunk.append(result)
            if len(chunk) >= CHUNK_ROWS:
                flush()

    def each(items: Iterable[RawRow]) -> None:
        nonlocal seen, valid
        for row in items:
            seen += 1
            if preview is not None and len(preview) < PREVIEW_ROWS:
                preview.append(list(row.values))
            result = check(row.line, row.values)
            if isinstance(result, list):
                rejects.append(RejectRow(row.line, _raw_for_report(row.raw), tuple(result)))
                continue
            valid += 1
            if held is not None:
                held.append((row, result))
            else:
                take(result)

    for item in rows:
        if not isinstance(item, CleanBlock):
            each((item,))
            continue
        block = None if preview is not None and len(preview) < PREVIEW_ROWS else validator.check_block(item)
        if block is None:
            each(item.rows())
            continue
        seen += block.count
        valid += block.count
        if sink is not None:
            flush()
            if block_sink is not None:
                block_sink(block)
            else:
                sink(block.rows())
            if on_chunk is not None:
                on_chunk()
    if held:
        refused = validator.settle_names([(row.line, result) for row, result in held])
        for row, result in held:
            reason = refused.get(row.line)
            if reason is None:
                take(result)
            else:
                rejects.append(RejectRow(row.line, _raw_for_report(row.raw), (reason,)))
        if refused:
            valid -= len(refused)
            rejects.sort(key=lambda r: r.line)
    flush()
    return seen, valid


@contextmanager
def _transaction(engine: Engine, tables: Sequence[str]) -> Iterator[Connection]:
    """One transaction for the whole upload; driver errors become hr_core errors saying nothing changed.

    A load into a table being restored is refused up front; on SQLite a restore that starts meanwhile
    holds the database's write lock, and the load's wait for it ends in the same refusal.
    """
    try:
        with begin(engine, immediate=True) as conn:
            refuse_during_restore(conn, tables)
            yield conn
    except (DatabaseUnavailableError, ConflictError):
        refuse_during_restore(engine, tables)
        raise
    except sa_exc.DBAPIError as e:
        if e.connection_invalidated or isinstance(e, sa_exc.InterfaceError):
            raise DatabaseUnavailableError(
                f"the database connection was lost during the load; nothing was changed ({e.orig})"
            ) from e
        raise IntegrityError(f"the database refused the load; nothing was changed ({e.orig})") from e


def _write_table(
    conn: Connection,
    spec: TableSpec,
    rows: Iterable[RawRow | CleanBlock],
    refs: RefData,
    *,
    mode: LoadMode,
    source: str,
    storage: Storage | None,
    step: Callable[[str], None],
    read_share: Callable[[], float] | None = None,
) -> LoadResult:
    rejects: list[RejectRow] = []
    with Stager(conn, spec, mode, read_share=read_share) as stager:
        seen, _valid = _consume(
            rows,
            RowValidator(spec, refs, mode=mode, source=source),
            rejects=rejects,
            sink=stager.add,
            block_sink=stager.add_block,
            on_chunk=lambda: step(f"{spec.name}: {stager.count:,} rows staged"),
        )
        if not seen:
            raise _empty(spec.name, rows)
        stager.end_copy()
        step(f"{spec.name}: merging {stager.count:,} rows")
        counts: UpsertCounts = stager.finish()
    key = write_rejects_report(rejects, table=spec.name, storage=storage)
    return LoadResult(
        table=spec.name,
        inserted=counts.inserted,
        updated=counts.updated,
        unchanged=counts.unchanged,
        rejected=len(rejects),
        rejects_key=key,
        reject_rows=rejects,
        mode=mode,
        skipped=counts.skipped,
    )


def _reporter(progress: Progress | None) -> Progress:
    return progress or no_progress


def _open_rows(
    src: OpenSource, *, table: str | None, header: bool | None, fmt: str | None
) -> tuple[TableSpec, Iterable[RawRow | CleanBlock]]:
    spec = get_table(table) if table else get_table(infer_table(src.filename))
    kind = detect_format(src.filename, fmt)
    return spec, read_rows(src.stream, spec=spec, filename=src.filename, fmt=kind, header=header)


def load_table(
    *,
    engine: Engine,
    source: Source,
    actor: Actor,
    table: str | None = None,
    filename: str | None = None,
    header: bool | None = None,
    fmt: str | None = None,
    storage: Storage | None = None,
    progress: Progress | None = None,
    mode: LoadMode = LoadMode.ADD_AND_UPDATE,
) -> LoadResult:
    """Load one table from a CSV/JSON/Avro file (path, s3:// URL or file object) in one transaction.

    mode says what happens to rows whose id the table already holds: updated where they differ (add and
    update) or left as they are and counted as skipped (add only). New ids are inserted either way.
    """
    report = _reporter(progress)
    name = filename or (str(source) if isinstance(source, str | Path) else getattr(source, "name", "upload"))

    def run() -> LoadResult:
        with open_source(source, filename=filename) as src:
            spec, rows = _open_rows(src, table=table, header=header, fmt=fmt)
            report(0.0, f"reading {src.filename}")
            with _transaction(engine, [spec.name]) as conn:
                result = _write_table(
                    conn,
                    spec,
                    rows,
                    _read_refs(conn),
                    mode=mode,
                    source=src.filename,
                    storage=storage,
                    step=lambda message: report(0.9 * src.fraction(), message),
                    read_share=src.fraction,
                )
                report(0.95, "committing")
        report(1.0, f"{spec.name}: {result.inserted:,} inserted, {result.updated:,} updated")
        return result

    details = {"table": table, "file": str(name), "mode": mode.value}
    with audited(engine, actor, Action.HR_LOAD, details) as audit:
        result = run()
        audit.details["result"] = result.as_dict()
    return result


def load_batch(
    *,
    engine: Engine,
    source: Source,
    actor: Actor,
    filename: str | None = None,
    storage: Storage | None = None,
    progress: Progress | None = None,
    partial: bool = False,
    mode: LoadMode = LoadMode.ADD_AND_UPDATE,
) -> list[LoadResult]:
    """Load a JSON batch ({"records": [...]}) in one transaction: departments, then jobs, then employees.

    All or nothing by default: if any row is rejected nothing is written and RowsRejected lists every
    row and reason. With partial=True the valid rows are written and the rejected ones reported.
    mode is load_table's, for every table of the batch.
    """
    report = _reporter(progress)
    name = filename or (str(source) if isinstance(source, str | Path) else getattr(source, "name", "batch"))

    def run() -> list[LoadResult]:
        results: list[LoadResult] = []
        with open_source(source, filename=filename) as src, _transaction(engine, LOAD_ORDER) as conn:
            refs = _read_refs(conn)
            tables = read_batch(src.stream, src.filename, next_employee_id=lambda: refs.max_employee_id + 1)
            for index, table in enumerate(LOAD_ORDER):
                if tables[table]:
                    done = index / len(LOAD_ORDER)
                    results.append(
                        _write_table(
                            conn,
                            TABLES[table],
                            tables[table],
                            refs,
                            mode=mode,
                            source=src.filename,
                            storage=storage,
                            step=lambda message, done=done: report(done, message),  # type: ignore[misc]
                        )
                    )
            if not partial and any(r.rejected for r in results):
                raise _rejected_batch(results)
            report(0.95, "committing")
        report(1.0, "batch loaded")
        return results

    details = {"file": str(name), "batch": True, "partial": partial, "mode": mode.value}
    with audited(engine, actor, Action.HR_LOAD, details) as audit:
        results = run()
        audit.details["result"] = [r.as_dict() for r in results]
    return results


def _rejected_batch(results: list[LoadResult]) -> RowsRejected:
    problems = [
        RowProblem(table=r.table, line=row.line, raw=row.raw, reasons=row.reasons)
        for r in results
        for row in r.reject_rows
    ]
    where = "; ".join(
        f"{r.table}: {r.rejected:,}" + (f" (report {r.rejects_key})" if r.rejects_key else "")
        for r in results
        if r.rejected
    )
    first = problems[0]
    return RowsRejected(
        f"{len(problems):,} row(s) of the batch were rejected, so nothing was written ({where}); "
        f"first: {first.table} row {first.line}: {'; '.join(first.reasons)}. "
        "Fix the rows, or load the valid rows only (partial load)",
        problems,
    )


def load_dir(
    *,
    engine: Engine,
    source: str | Path,
    actor: Actor,
    storage: Storage | None = None,
    progress: Progress | None = None,
    mode: LoadMode = LoadMode.ADD_AND_UPDATE,
) -> list[LoadResult]:
    """Load departments.csv, jobs.csv and hired_employees.csv found in a folder or s3:// prefix, in that order."""
    text = str(source)
    with audited(engine, actor, Action.HR_LOAD, {"dir": text, "mode": mode.value}) as audit:
        found: list[str | Path]
        if text.startswith("s3://"):
            parsed = urlparse(text)
            folder = make_storage(f"s3://{parsed.netloc}/{parsed.path.strip('/')}")
            base = text.rstrip("/")
            found = [f"{base}/{f}" for f in DIR_FILES if folder.exists(f)]
        else:
            path = Path(text)
            if not path.is_dir():
                raise NotFoundError(f"folder {text!r} does not exist")
            found = [path / f for f in DIR_FILES if (path / f).is_file()]
        if not found:
            raise NotFoundError(f"{text} holds none of {', '.join(DIR_FILES)}")
        report = _reporter(progress)
        results = []
        for index, item in enumerate(found):
            share = 1 / len(found)
            results.append(
                load_table(
                    engine=engine,
                    source=item,
                    actor=actor,
                    storage=storage,
                    mode=mode,
                    progress=lambda f, m, index=index, share=share: report((index + f) * share, m),  # type: ignore[misc]
                )
            )
        audit.details["result"] = [r.as_dict() for r in results]
    return results


def _empty(table: str, rows: Iterable[RawRow | CleanBlock]) -> InvalidInputError:
    header = isinstance(rows, CsvReader) and rows.header_skipped
    return InvalidInputError(
        f"the file for {table} is empty{' apart from its header' if header else ''}: it holds no rows; "
        "nothing was loaded"
    )


def _summarize(
    table: str,
    filename: str,
    rows: Iterable[RawRow | CleanBlock],
    refs: RefData,
    engine: Engine | None = None,
    mode: LoadMode = LoadMode.ADD_AND_UPDATE,
) -> ValidationSummary:
    """Check every row; with an engine, also compare the valid ones with the table (adds, updates, skips)."""
    rejects: list[RejectRow] = []
    preview: list[list[Any]] = []
    with ExitStack() as stack:
        collector = None
        if engine is not None:
            conn = stack.enter_context(engine.connect())
            collector = ChangeCollector(conn, table=table, fields=TABLES[table].fields, mode=mode)
        seen, valid = _consume(
            rows,
            RowValidator(TABLES[table], refs, mode=mode, source=filename),
            rejects=rejects,
            sink=collector.add if collector is not None else None,
            preview=preview,
        )
    if not seen:
        raise _empty(table, rows)
    return ValidationSummary(
        table=table,
        filename=filename,
        rows=seen,
        valid=valid,
        rejected=len(rejects),
        header_skipped=bool(isinstance(rows, CsvReader) and rows.header_skipped),
        preview=preview,
        reject_rows=rejects,
        changes=collector.preview if collector is not None else None,
    )


def _read_refs_readonly(engine: Engine) -> RefData:
    try:
        with engine.connect() as conn:
            return _read_refs(conn)
    except sa_exc.OperationalError as e:
        raise DatabaseUnavailableError(f"cannot reach the database: {e.orig}") from e


def validate_upload(
    *,
    engine: Engine,
    source: Source,
    actor: Actor,
    table: str | None = None,
    filename: str | None = None,
    header: bool | None = None,
    fmt: str | None = None,
    mode: LoadMode = LoadMode.ADD_AND_UPDATE,
) -> ValidationSummary:
    """Dry run of load_table: read and check every row against the database, write nothing."""
    details = {"table": table, "dry_run": True, "mode": mode.value}
    with (
        audited(engine, actor, Action.HR_LOAD, details) as audit,
        open_source(source, filename=filename) as src,
    ):
        audit.details["file"] = src.filename
        spec, rows = _open_rows(src, table=table, header=header, fmt=fmt)
        summary = _summarize(spec.name, src.filename, rows, _read_refs_readonly(engine), engine, mode)
        audit.details.update(rows=summary.rows, valid=summary.valid, rejected=summary.rejected)
    return summary


def validate_batch(
    *,
    engine: Engine,
    source: Source,
    actor: Actor,
    filename: str | None = None,
    mode: LoadMode = LoadMode.ADD_AND_UPDATE,
) -> list[ValidationSummary]:
    """Dry run of load_batch: per table, what would load and what would be rejected; nothing written."""
    details = {"batch": True, "dry_run": True, "mode": mode.value}
    with audited(engine, actor, Action.HR_LOAD, details) as audit:
        refs = _read_refs_readonly(engine)
        with open_source(source, filename=filename) as src:
            audit.details["file"] = src.filename
            tables = read_batch(src.stream, src.filename, next_employee_id=lambda: refs.max_employee_id + 1)
            summaries = [
                _summarize(t, src.filename, tables[t], refs, engine, mode) for t in LOAD_ORDER if tables[t]
            ]
    return summaries
