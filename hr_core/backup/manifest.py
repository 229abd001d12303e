"""Backup ids, storage keys and manifests (a file without a manifest is not a backup)."""

from __future__ import annotations

import datetime as dt
import json
import re
import secrets
from dataclasses import asdict, dataclass, field
from typing import Any

from hr_core.backup.allowed_tables import TABLE_ORDER, ColumnSpec, check_table_name
from hr_core.errors import IntegrityError, InvalidInputError, NotFoundError
from hr_core.storage import Storage

# /2 hashes rows with codec.encode_row; /1 (compact JSON per row) backups still verify and restore.
FORMAT = "talentlens-backup/2"
FORMATS = ("talentlens-backup/1", FORMAT)
PREFIX = "backups"
_ID = re.compile(r"^\d{8}T\d{12}Z-[0-9a-f]{8}$")


def new_backup_id(now: dt.datetime | None = None) -> str:
    """`<UTC timestamp>-<8 hex>`: sorts by time, unique without coordination."""
    now = (now or dt.datetime.now(dt.UTC)).astimezone(dt.UTC)
    return f"{now.strftime('%Y%m%dT%H%M%S%f')}Z-{secrets.token_hex(4)}"


def check_backup_id(backup_id: str) -> str:
    """Refuse anything that is not an id this app made (so no path can be smuggled in)."""
    if not isinstance(backup_id, str) or not _ID.match(backup_id):
        raise InvalidInputError(
            f"backup id {backup_id!r} is not valid; it looks like 20250101T120000000000Z-1a2b3c4d "
            "(see `python -m hr_core backups`)"
        )
    return backup_id


def build_avro_key(table: str, backup_id: str) -> str:
    """Storage key of a backup's Avro file."""
    check_table_name(table)
    return f"{PREFIX}/{table}/{check_backup_id(backup_id)}.avro"


def build_manifest_key(table: str, backup_id: str) -> str:
    """Storage key of a backup's manifest."""
    check_table_name(table)
    return f"{PREFIX}/{table}/{check_backup_id(backup_id)}.manifest.json"


@dataclass
class Manifest:
    """What a backup claims about itself; verified against the file before any restore."""

    backup_id: str
    table: str
    created_at: str
    rows: int
    columns: list[dict[str, Any]]
    primary_key: list[str]
    avro_schema: dict[str, Any]
    sha256: str
    size: int
    content_hash: str
    app_version: str
    key: str
    kind: str = "manual"
    format: str = FORMAT
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def column_specs(self) -> list[ColumnSpec]:
        return [ColumnSpec(c["name"], c["type"], bool(c["nullable"])) for c in self.columns]

    @property
    def legacy_hash(self) -> bool:
        """True when the content hash uses the per-row JSON encoding of format /1."""
        return self.format == FORMATS[0]

    def to_json(self) -> bytes:
        return json.dumps(asdict(self), indent=2, sort_keys=True).encode("utf-8")


def parse_manifest(data: bytes, *, where: str) -> Manifest:
    """A Manifest from its JSON bytes; anything malformed is an IntegrityError naming the key."""
    try:
        raw = json.loads(data)
        if raw.get("format") not in FORMATS:
            raise ValueError(f"format is {raw.get('format')!r}, expected one of {FORMATS!r}")
        manifest = Manifest(**raw)
        if not isinstance(manifest.rows, int) or manifest.rows < 0:
            raise ValueError(f"rows is {manifest.rows!r}")
        for col in manifest.columns:
            if col["type"] not in ("integer", "text", "json", "date", "timestamp"):
                raise ValueError(f"column {col['name']!r} has unknown type {col['type']!r}")
    except (ValueError, TypeError, KeyError, AttributeError) as e:
        raise IntegrityError(f"manifest {where} is damaged or not a TalentLens manifest: {e}") from e
    return manifest


def load_manifest(storage: Storage, table: str, backup_id: str) -> Manifest:
    """Read and parse the manifest of one backup; a missing manifest means there is no backup."""
    key = build_manifest_key(table, backup_id)
    try:
        data = storage.get_bytes(key)
    except NotFoundError as e:
        raise NotFoundError(
            f"backup {backup_id} of table {table} does not exist in {storage.url} (no manifest at {key})"
        ) from e
    manifest = parse_manifest(data, where=f"{storage.url}/{key}")
    if manifest.table != table or manifest.backup_id != backup_id:
        raise IntegrityError(
            f"manifest {key} describes {manifest.table}/{manifest.backup_id}, not {table}/{backup_id}"
        )
    return manifest


def find_backup_table(storage: Storage, backup_id: str) -> str:
    """The table whose backups include backup_id."""
    check_backup_id(backup_id)
    for table in TABLE_ORDER:
        if storage.exists(build_manifest_key(table, backup_id)):
            return table
    raise NotFoundError(f"no backup {backup_id} in {storage.url} (see `python -m hr_core backups`)")


@dataclass(frozen=True)
class BackupInfo:
    """One catalogue entry: a backup with a manifest, and its file size."""

    backup_id: str
    table: str
    created_at: str
    rows: int
    size: int
    sha256: str
    kind: str
    key: str
    storage: str

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


def list_backups(storage: Storage, table: str | None = None) -> list[BackupInfo]:
    """Backups (those with a manifest) newest first, optionally of one table."""
    tables = [check_table_name(table).name] if table else list(TABLE_ORDER)
    out: list[BackupInfo] = []
    for name in tables:
        objects = storage.list_objects(f"{PREFIX}/{name}/")
        sizes = {o.key: o.size for o in objects}
        for obj in objects:
            if not obj.key.endswith(".manifest.json"):
                continue
            backup_id = obj.key.rsplit("/", 1)[1][: -len(".manifest.json")]
            if not _ID.match(backup_id):
                continue
            try:
                manifest = load_manifest(storage, name, backup_id)
            except (IntegrityError, NotFoundError):
                continue  # a damaged or vanished manifest is not a usable backup
            out.append(
                BackupInfo(
                    backup_id=backup_id,
                    table=name,
                    created_at=manifest.created_at,
                    rows=manifest.rows,
                    size=sizes.get(manifest.key, 0),
                    sha256=manifest.sha256,
                    kind=manifest.kind,
                    key=manifest.key,
                    storage=storage.url,
                )
            )
    return sorted(out, key=lambda b: (b.backup_id, b.table), reverse=True)
