"""Stream Decision JSON files into the recruiting tables: upsert in chunks, reject bad records; read back the
export's opening_skill_requirements.csv and match_feedback.csv (hr_core.recruiting.csv_files)."""

from __future__ import annotations

import json
import tempfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, BinaryIO

import pandas as pd
from sqlalchemy import Engine, Table, bindparam, func, insert, select, update
from sqlalchemy import exc as sa_exc
from sqlalchemy.engine import Connection

from hr_core.access import Action, Actor
from hr_core.audit import audited
from hr_core.db import begin
from hr_core.errors import HRCoreError, InvalidInputError, NotFoundError, RowsRejected
from hr_core.exports import save_rejects_report
from hr_core.progress import Progress
from hr_core.recruiting.core_tables import CANDIDATES, OPENINGS, PROSPECTS, VAGAS
from hr_core.recruiting.csv_files import (
    FileCounts,
    read_feedback_csv,
    read_requirements_csv,
    write_feedback,
    write_requirements,
)
from hr_core.recruiting.records import (
    RecordError,
    build_candidate_row,
    build_opening_row,
    build_prospect_row,
    build_vaga_row,
)
from hr_core.storage import Storage, fetch_input, make_storage
from hr_core.vocabulary import IMPORT_SOURCES

CHUNK = 1000
REJECT_COLUMNS = ("file", "record", "row", "field", "value", "reason")


@dataclass
class Counts:
    inserted: int = 0
    updated: int = 0
    rejected: int = 0

    def as_dict(self) -> dict[str, int]:
        return {"inserted": self.inserted, "updated": self.updated, "rejected": self.rejected}


@dataclass
class ImportResult:
    """What an import changed, per table, and where the reject report went (if any)."""

    candidates: Counts = field(default_factory=Counts)
    vagas: Counts = field(default_factory=Counts)
    openings: Counts = field(default_factory=Counts)
    prospects: Counts = field(default_factory=Counts)
    opening_skill_requirements: FileCounts = field(default_factory=FileCounts)
    match_feedback: FileCounts = field(default_factory=FileCounts)
    rejects: str | None = None
    reject_rows: list[dict[str, str]] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        return {
            "candidates": self.candidates.as_dict(),
            "vagas": self.vagas.as_dict(),
            "openings": self.openings.as_dict(),
            "prospects": self.prospects.as_dict(),
            "opening_skill_requirements": self.opening_skill_requirements.as_dict(),
            "match_feedback": self.match_feedback.as_dict(),
            "rejects": self.rejects,
        }


def _iter_top_level(fh: BinaryIO, name: str) -> Iterator[tuple[str, Any]]:
    """Stream (key, value) pairs of the file's top-level object."""
    import ijson

    head = fh.read(1)
    while head and head.isspace():
        head = fh.read(1)
    if head != b"{":
        raise InvalidInputError(
            f"{name}: the file must hold one JSON object keyed by code (it starts with {head!r})"
        )
    fh.seek(0)
    try:
        yield from ijson.kvitems(fh, "", use_float=True)
    except ijson.JSONError as e:
        raise InvalidInputError(
            f"{name}: not valid JSON near byte {fh.tell()}: {e}; fix or re-export the file"
        ) from e


def _next_position(conn: Connection, table: Table) -> int:
    return int(conn.execute(select(func.coalesce(func.max(table.c.position), -1))).scalar_one()) + 1


def _upsert(
    conn: Connection,
    table: Table,
    key: str,
    rows: list[dict[str, Any]],
    counts: Counts,
    *,
    keep: tuple[str, ...] = ("position",),
) -> None:
    """Insert rows whose key is new; update those that differ (columns in keep stay as stored)."""
    if not rows:
        return
    keys = [r[key] for r in rows]
    columns = [c for c in rows[0] if c != key]
    stmt = select(table).where(table.c[key].in_(bindparam("keys", expanding=True)))
    existing = {r[key]: r for r in conn.execute(stmt, {"keys": keys}).mappings()}
    new = [r for r in rows if r[key] not in existing]
    changed: list[dict[str, Any]] = []
    for row in rows:
        old = existing.get(row[key])
        if old is not None and any(old[c] != row[c] for c in columns if c not in keep):
            changed.append({c: row[c] for c in columns if c not in keep} | {"b_key": row[key]})
    if new:
        conn.execute(insert(table), new)
        counts.inserted += len(new)
    if changed:
        values: dict[str, Any] = {c: bindparam(c) for c in changed[0] if c != "b_key"}
        conn.execute(update(table).where(table.c[key] == bindparam("b_key")).values(values), changed)
        counts.updated += len(changed)


def _upsert_prospects(conn: Connection, rows: list[dict[str, Any]], counts: Counts) -> None:
    """Upsert prospect rows keyed by (opening, candidate)."""
    if not rows:
        return
    table = PROSPECTS
    codes = sorted({r["vaga_codigo"] for r in rows})
    stmt = select(table).where(table.c.vaga_codigo.in_(bindparam("codes", expanding=True)))
    existing = {
        (r["vaga_codigo"], r["candidate_codigo"]): r for r in conn.execute(stmt, {"codes": codes}).mappings()
    }
    new, changed = [], []
    columns = [c for c in rows[0] if c not in ("vaga_codigo", "candidate_codigo")]
    for row in rows:
        old = existing.get((row["vaga_codigo"], row["candidate_codigo"]))
        if old is None:
            new.append(row)
        elif any(old[c] != row[c] for c in columns):
            changed.append({c: row[c] for c in columns} | {"b_id": old["id"]})
    if new:
        conn.execute(insert(table), new)
        counts.inserted += len(new)
    if changed:
        values: dict[str, Any] = {c: bindparam(c) for c in columns}
        conn.execute(update(table).where(table.c.id == bindparam("b_id")).values(values), changed)
        counts.updated += len(changed)


class _Importer:
    """One import run: the rejects of every file and the progress across files."""

    def __init__(self, conn: Connection, result: ImportResult, progress: Progress | None, files: int) -> None:
        self.conn = conn
        self.result = result
        self.progress = progress
        self.files = files
        self.done = 0

    def reject(self, name: str, record: str, row: int | str, error: RecordError) -> None:
        self.result.reject_rows.append(
            {
                "file": name,
                "record": record,
                "row": str(row),
                "field": error.field,
                "value": error.value,
                "reason": error.reason,
            }
        )

    def report(self, fh: BinaryIO, size: int, label: str) -> None:
        if self.progress is not None:
            within = min(1.0, fh.tell() / size) if size else 1.0
            self.progress(min(1.0, (self.done + within) / self.files), label)

    def load_keyed(
        self, source: str, table: Table, build: Callable[[Any, Any], dict[str, Any]], counts: Counts
    ) -> None:
        """Candidates or vagas: one record per top-level key."""
        conn = self.conn
        with fetch_input(source) as path, open(path, "rb") as fh:
            name = Path(source).name if "://" not in source else source
            size = path.stat().st_size
            start = _next_position(conn, table)
            chunk: list[dict[str, Any]] = []
            seen: set[str] = set()
            for index, (key, record) in enumerate(_iter_top_level(fh, name)):
                try:
                    row = build(key, record)
                except RecordError as e:
                    self.reject(name, str(key), index + 1, e)
                    counts.rejected += 1
                    continue
                if row["codigo"] in seen:
                    self.reject(
                        name,
                        str(key),
                        index + 1,
                        RecordError(
                            "codigo", row["codigo"], "appears twice in the file; the first one was loaded"
                        ),
                    )
                    counts.rejected += 1
                    continue
                seen.add(row["codigo"])
                row["position"] = start + index
                chunk.append(row)
                if len(chunk) >= CHUNK:
                    _upsert(conn, table, "codigo", chunk, counts)
                    chunk = []
                    self.report(fh, size, f"{name}: {index + 1:,} records")
            _upsert(conn, table, "codigo", chunk, counts)
        self.done += 1

    def load_prospects(self, source: str) -> None:
        """prospects.json: openings, each with its list of prospects."""
        result, conn = self.result, self.conn
        with fetch_input(source) as path, open(path, "rb") as fh:
            name = Path(source).name if "://" not in source else source
            size = path.stat().st_size
            table = OPENINGS
            start = _next_position(conn, table)
            openings: list[dict[str, Any]] = []
            prospects: list[dict[str, Any]] = []
            seen: set[str] = set()
            for index, (key, record) in enumerate(_iter_top_level(fh, name)):
                try:
                    opening, items = build_opening_row(key, record)
                    if opening["vaga_codigo"] in seen:
                        raise RecordError(
                            "codigo",
                            opening["vaga_codigo"],
                            "appears twice in the file; the first one was loaded",
                        )
                except RecordError as e:
                    self.reject(name, str(key), index + 1, e)
                    result.openings.rejected += 1
                    continue
                seen.add(opening["vaga_codigo"])
                opening["position"] = start + index
                openings.append(opening)
                pairs: set[str] = set()
                for pos, item in enumerate(items):
                    try:
                        row = build_prospect_row(opening["vaga_codigo"], item, pos)
                        if row["candidate_codigo"] in pairs:
                            raise RecordError(
                                "codigo",
                                row["candidate_codigo"],
                                "the candidate is listed twice in this opening",
                            )
                    except RecordError as e:
                        self.reject(name, str(key), f"{index + 1}.{pos + 1}", e)
                        result.prospects.rejected += 1
                        continue
                    pairs.add(row["candidate_codigo"])
                    prospects.append(row)
                if len(prospects) >= CHUNK or len(openings) >= CHUNK:
                    _upsert(conn, table, "vaga_codigo", openings, result.openings)
                    _upsert_prospects(conn, prospects, result.prospects)
                    openings, prospects = [], []
                    self.report(fh, size, f"{name}: {index + 1:,} openings")
            _upsert(conn, table, "vaga_codigo", openings, result.openings)
            _upsert_prospects(conn, prospects, result.prospects)
        self.done += 1


def import_recruiting(
    *,
    engine: Engine,
    actor: Actor,
    applicants: str | Path | None = None,
    vagas: str | Path | None = None,
    prospects: str | Path | None = None,
    requirements: str | Path | None = None,
    feedback: str | Path | None = None,
    storage: Storage | None = None,
    progress: Progress | None = None,
) -> ImportResult:
    """Upsert any subset of applicants/vagas/prospects JSON files and the export's skill levels
    (opening_skill_requirements.csv) and feedback (match_feedback.csv) files, paths or s3:// URLs; bad JSON
    records go to a report.

    All the files are imported in one transaction: a file that cannot be read (truncated, not JSON) or a CSV
    with any bad row (RowsRejected: its line, field, value and reason) leaves the database as it was,
    including the rows of the other files.
    """
    sources = {
        "applicants": applicants,
        "vagas": vagas,
        "prospects": prospects,
        "requirements": requirements,
        "feedback": feedback,
    }
    given = {k: str(v) for k, v in sources.items() if v is not None}
    if not given:
        *first, last = (f"--{name}" for name in IMPORT_SOURCES)
        raise InvalidInputError(f"give at least one of {', '.join(first)} or {last}")
    result = ImportResult()
    nothing = "nothing was imported: the files of one import are committed together or not at all"
    with audited(engine, actor, Action.RECRUITING_IMPORT, given) as audit:
        try:
            # The CSV files are checked whole before anything is written.
            levels = read_requirements_csv(given["requirements"]) if "requirements" in given else None
            verdicts = read_feedback_csv(given["feedback"]) if "feedback" in given else None
            with begin(engine, immediate=True) as conn:
                run = _Importer(conn, result, progress, len(given))
                if "applicants" in given:
                    run.load_keyed(given["applicants"], CANDIDATES, build_candidate_row, result.candidates)
                if "vagas" in given:
                    run.load_keyed(given["vagas"], VAGAS, build_vaga_row, result.vagas)
                if "prospects" in given:
                    run.load_prospects(given["prospects"])
                if levels is not None:
                    result.opening_skill_requirements = write_requirements(conn, levels)
                if verdicts is not None:
                    result.match_feedback = write_feedback(conn, verdicts)
        except RowsRejected as e:
            raise RowsRejected(f"{e} — {nothing}", e.problems) from e
        except InvalidInputError as e:
            kind = NotFoundError if isinstance(e, NotFoundError) else InvalidInputError
            raise kind(f"{e} — {nothing}") from e
        except sa_exc.SQLAlchemyError as e:
            raise HRCoreError(
                f"the recruiting import failed in the database and was rolled back; nothing was imported: {e}"
            ) from e
        if result.reject_rows:
            result.rejects = save_rejects_report(
                pd.DataFrame(result.reject_rows, columns=REJECT_COLUMNS),
                table="recruiting",
                storage=storage or make_storage(),
            )
        audit.details.update(result.as_dict())
    if progress is not None:
        progress(1.0, "import finished")
    return result


def _import_one(
    *, engine: Engine, actor: Actor, file: str, code: str, record: dict[str, Any]
) -> tuple[ImportResult, Counts]:
    """Upsert one record keyed by code through the file import (same rules); its table's counts."""
    with tempfile.TemporaryDirectory(prefix="hr-record-") as tmp:
        path = Path(tmp) / f"{file}.json"
        path.write_text(json.dumps({code: record}, ensure_ascii=False), encoding="utf-8")
        result = import_recruiting(
            engine=engine,
            actor=actor,
            applicants=path if file == "applicants" else None,
            vagas=path if file == "vagas" else None,
        )
    counts = result.candidates if file == "applicants" else result.vagas
    return result, counts


def _rejected(what: str, code: str, result: ImportResult) -> InvalidInputError:
    reasons = "; ".join(f"{r['field']}: {r['reason']}" for r in result.reject_rows)
    return InvalidInputError(f"{what} {code!r} was not saved: {reasons}")


def import_candidate_record(*, engine: Engine, actor: Actor, record: dict[str, Any]) -> tuple[str, bool]:
    """Upsert one applicants.json record (keyed by infos_basicas.codigo_profissional) through the same
    rules as a file import; return (code, created). InvalidInputError names the rejected field."""
    basics = record.get("infos_basicas") if isinstance(record, dict) else None
    code = str(basics.get("codigo_profissional") or "").strip() if isinstance(basics, dict) else ""
    if not code:
        raise InvalidInputError("infos_basicas.codigo_profissional is required")
    result, counts = _import_one(engine=engine, actor=actor, file="applicants", code=code, record=record)
    if counts.rejected:
        raise _rejected("candidate", code, result)
    return code, counts.inserted == 1


def import_vaga_record(
    *, engine: Engine, actor: Actor, codigo: str, record: dict[str, Any]
) -> tuple[str, bool]:
    """Create or replace one opening from a vagas.json record ({informacoes_basicas, perfil_vaga,
    beneficios}) through the same rules as a file import; return (code, created)."""
    code = str(codigo or "").strip()
    if not code:
        raise InvalidInputError("the opening's code is required")
    result, counts = _import_one(engine=engine, actor=actor, file="vagas", code=code, record=record)
    if counts.rejected:
        raise _rejected("opening", code, result)
    return code, counts.inserted == 1
