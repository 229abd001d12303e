"""Prove a backup before anyone trusts it: file hash, full decode, row count, content hash, schema."""

from __future__ import annotations

import tempfile
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, cast

from sqlalchemy import Engine

from hr_core.access import Action, Actor
from hr_core.audit import audited
from hr_core.backup.allowed_tables import ColumnSpec, check_table_name, list_live_columns
from hr_core.backup.codec import ContentHasher, build_avro_schema, describe_avro_fields, make_row_normalizer
from hr_core.backup.manifest import Manifest, find_backup_table, load_manifest
from hr_core.errors import IntegrityError
from hr_core.progress import Progress
from hr_core.storage import Storage, hash_file

# Rows hashed (and collected) at a time while a backup is read.
CHECK_BATCH = 10_000


@dataclass
class VerifiedBackup:
    """A backup whose file is local, hashed and fully decoded; values collected per column on request."""

    manifest: Manifest
    path: Path
    collected: dict[str, set[Any]] = field(default_factory=dict)


def iter_backup_rows(
    path: Path, columns: Sequence[ColumnSpec], *, where: str, canonical: bool = True
) -> Iterator[list[Any]]:
    """Values of every record in an Avro file in column order: canonical, or as fastavro decodes them."""
    import fastavro

    names = [c.name for c in columns]
    normalize = make_row_normalizer(columns) if canonical else list
    with open(path, "rb") as fh:
        try:
            reader = fastavro.reader(fh)
            for record in reader:
                fields = cast(dict[str, Any], record)
                yield normalize([fields[n] for n in names])
        except IntegrityError:
            raise
        # fastavro raises many types on damaged input (ValueError, EOFError, zlib.error, KeyError…);
        # at this boundary every one of them means the same thing: the file cannot be trusted.
        except Exception as e:
            raise IntegrityError(f"{where} is not a readable Avro backup ({type(e).__name__}: {e})") from e


def _check_header(path: Path, manifest: Manifest, *, where: str) -> None:
    import json

    import fastavro

    with open(path, "rb") as fh:
        try:
            reader = fastavro.reader(fh)
            schema = json.loads(reader.metadata["avro.schema"])
        except Exception as e:  # see iter_backup_rows: any decode failure means "not a backup"
            raise IntegrityError(f"{where} is not an Avro file ({type(e).__name__}: {e})") from e
    expected = describe_avro_fields(build_avro_schema(manifest.table, manifest.column_specs))
    if describe_avro_fields(schema) != expected or describe_avro_fields(manifest.avro_schema) != expected:
        raise IntegrityError(f"{where}: the Avro schema in the file does not match its manifest")


def check_schema(manifest: Manifest, live: Sequence[ColumnSpec]) -> None:
    """Refuse a backup whose columns differ from the live table's, naming each difference."""
    theirs = {c.name: c for c in manifest.column_specs}
    ours = {c.name: c for c in live}
    problems = []
    for name in ours.keys() - theirs.keys():
        problems.append(f"column {name!r} exists in the table but not in the backup (added since)")
    for name in theirs.keys() - ours.keys():
        problems.append(f"column {name!r} is in the backup but no longer in the table (removed since)")
    for name in ours.keys() & theirs.keys():
        if ours[name].kind != theirs[name].kind:
            problems.append(
                f"column {name!r} was {theirs[name].kind} in the backup and is {ours[name].kind} now (retyped)"
            )
    if problems:
        raise IntegrityError(
            f"backup {manifest.backup_id} does not fit table {manifest.table} as it is now: "
            + "; ".join(sorted(problems))
            + ". Restore it into a database at the backup's schema version instead."
        )


class ContentCheck:
    """Count, content hash and collected column values of a backup's rows, checked against its manifest.

    Rows pass through watch() in batches as they are decoded, so a restore checks the file in the same
    Avro pass that loads it; finish() then raises IntegrityError if the count or the hash differs.
    With hash_rows=False the rows are only counted and collected: a restore hashes the rows as the
    database holds them instead, before it commits (check_hash), which proves the file's content and
    its arrival in the table at once.
    """

    def __init__(
        self, manifest: Manifest, *, where: str, collect: Sequence[str] = (), hash_rows: bool = True
    ) -> None:
        self.manifest = manifest
        self.where = where
        columns = manifest.column_specs
        index = {c.name: i for i, c in enumerate(columns)}
        self.collected: dict[str, set[Any]] = {name: set() for name in collect}
        self._targets = [(self.collected[name], index[name]) for name in collect]
        self._normalize = make_row_normalizer(columns)
        self.hasher = ContentHasher(legacy=manifest.legacy_hash) if hash_rows else None
        self.rows = 0

    def add_batch(self, batch: Sequence[Sequence[Any]], *, canonical: bool = True) -> None:
        """Hash (unless hash_rows=False), count and collect a batch of rows (canonical values, or as
        fastavro decodes them)."""
        if self.hasher is not None:
            self.hasher.add_rows(batch if canonical else [self._normalize(r) for r in batch])
        self.rows += len(batch)
        for bucket, i in self._targets:
            bucket.update(row[i] for row in batch)

    def watch(
        self, rows: Iterator[list[Any]], *, canonical: bool = True, progress: Progress | None = None
    ) -> Iterator[list[Any]]:
        """Pass rows through unchanged, checking them in batches of CHECK_BATCH on the way."""
        batch: list[list[Any]] = []
        for row in rows:
            batch.append(row)
            if len(batch) >= CHECK_BATCH:
                self.add_batch(batch, canonical=canonical)
                yield from batch
                batch = []
                if progress and self.rows % 100_000 == 0:
                    total = max(self.manifest.rows, 1)
                    progress(min(0.99, self.rows / total), f"{self.rows:,} rows read and checked")
        if batch:
            self.add_batch(batch, canonical=canonical)
            yield from batch

    def check_count(self, rows: int | None = None, *, what: str = "") -> None:
        """Raise IntegrityError if the rows seen (or rows, counted elsewhere) differ from the manifest's."""
        seen = self.rows if rows is None else rows
        if seen != self.manifest.rows:
            raise IntegrityError(
                f"{self.where} holds {seen} rows{what} but its manifest says {self.manifest.rows}"
            )

    def check_hash(self, digest: str, *, what: str = "") -> None:
        """Raise IntegrityError if digest (a content hash of the rows) differs from the manifest's."""
        if digest != self.manifest.content_hash:
            raise IntegrityError(
                f"{self.where}: the content hash of its rows{what} ({digest[:16]}…) differs from the "
                f"manifest's ({self.manifest.content_hash[:16]}…)"
            )

    def finish(self) -> None:
        """Raise IntegrityError if the rows seen differ from the manifest's count or content hash."""
        self.check_count()
        if self.hasher is not None:
            self.check_hash(self.hasher.hexdigest())


@dataclass(frozen=True)
class BackupFile:
    """A backup downloaded to a local file whose SHA-256 and Avro header match its manifest (rows not yet read)."""

    manifest: Manifest
    path: Path
    where: str


@contextmanager
def open_backup_file(
    *,
    storage: Storage,
    table: str,
    backup_id: str,
    engine: Engine | None = None,
    progress: Progress | None = None,
) -> Iterator[BackupFile]:
    """Download a backup and check what needs no decoding: manifest, fit to the live table, SHA-256, header.

    The rows themselves are checked by a ContentCheck as they are read (open_verified_backup, or the
    restore's one pass); the local file is removed when the block ends.
    """
    check_table_name(table)
    manifest = load_manifest(storage, table, backup_id)
    where = f"{storage.url}/{manifest.key}"
    if engine is not None:
        check_schema(manifest, list_live_columns(engine, table))
    with tempfile.TemporaryDirectory(prefix="hr-restore-") as tmp:
        path = Path(tmp) / "backup.avro"
        if progress:
            progress(0.0, f"downloading {manifest.key}")
        storage.download(manifest.key, path)
        sha = hash_file(path)
        if sha != manifest.sha256:
            raise IntegrityError(
                f"{where} is damaged: its SHA-256 is {sha}, the manifest says {manifest.sha256}; "
                "do not restore it, pick another backup"
            )
        _check_header(path, manifest, where=where)
        yield BackupFile(manifest, path, where)


@contextmanager
def open_verified_backup(
    *,
    storage: Storage,
    table: str,
    backup_id: str,
    collect: Sequence[str] = (),
    engine: Engine | None = None,
    progress: Progress | None = None,
) -> Iterator[VerifiedBackup]:
    """Download and fully verify a backup (and, given an engine, its fit to the live table)."""
    with open_backup_file(storage=storage, table=table, backup_id=backup_id, engine=engine) as bf:
        if progress:
            progress(0.0, f"verifying {bf.manifest.key}")
        check = ContentCheck(bf.manifest, where=bf.where, collect=collect)
        rows = iter_backup_rows(bf.path, bf.manifest.column_specs, where=bf.where)
        for _ in check.watch(rows, progress=progress):
            pass
        check.finish()
        yield VerifiedBackup(bf.manifest, bf.path, check.collected)


@dataclass(frozen=True)
class VerifyResult:
    """What `verify BACKUP_ID` prints."""

    backup_id: str
    table: str
    rows: int
    sha256: str
    verified: bool
    fits_live_table: bool | None

    def as_dict(self) -> dict[str, Any]:
        return {
            "backup_id": self.backup_id,
            "table": self.table,
            "rows": self.rows,
            "sha256": self.sha256,
            "verified": self.verified,
            "fits_live_table": self.fits_live_table,
        }


def verify_backup(
    *,
    engine: Engine,
    storage: Storage,
    actor: Actor,
    backup_id: str,
    table: str | None = None,
    progress: Progress | None = None,
) -> VerifyResult:
    """Verify a backup without restoring it (audited); raise IntegrityError naming what is wrong."""
    with audited(engine, actor, Action.BACKUP_VERIFY, {"backup_id": backup_id, "table": table}) as audit:
        table = check_table_name(table).name if table else find_backup_table(storage, backup_id)
        audit.details["table"] = table
        with open_verified_backup(storage=storage, table=table, backup_id=backup_id, progress=progress) as vb:
            try:
                check_schema(vb.manifest, list_live_columns(engine, table))
                fits = True
            except IntegrityError:
                fits = False
            result = VerifyResult(backup_id, table, vb.manifest.rows, vb.manifest.sha256, True, fits)
        audit.details.update(result.as_dict())
    return result


def download_backup(*, engine: Engine, storage: Storage, actor: Actor, backup_id: str) -> tuple[str, bytes]:
    """The Avro file of a backup as (table, bytes), for a download; audited (admins only)."""
    with audited(engine, actor, Action.BACKUP_DOWNLOAD, {"backup_id": backup_id}) as audit:
        table = find_backup_table(storage, backup_id)
        manifest = load_manifest(storage, table, backup_id)
        data = storage.get_bytes(manifest.key)
        audit.details.update(table=table, bytes=len(data))
    return table, data
