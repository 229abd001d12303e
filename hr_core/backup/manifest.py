"""Backup ids, storage keys and manifests (a file without a manifest is not a backup)."""

from __future__ import annotations

import datetime as dt
import json
import re
import secrets
from dataclasses import asdict, dataclass, field
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from hr_core.access import Action, Actor, require_role
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


class _ColumnSchema(BaseModel):
    """One column of a manifest, as the writer records it."""

    model_config = ConfigDict(extra="forbid", strict=True)

    name: str = Field(min_length=1)
    type: Literal["integer", "text", "json", "date", "timestamp"]
    nullable: bool


class _ManifestSchema(BaseModel):
    """The schema every manifest must meet before any of it is used."""

    model_config = ConfigDict(extra="forbid", strict=True)

    backup_id: str = Field(pattern=_ID.pattern)
    table: Literal[TABLE_ORDER]  # type: ignore[valid-type]
    created_at: str = Field(min_length=1)
    rows: int = Field(ge=0)
    columns: list[_ColumnSchema] = Field(min_length=1)
    primary_key: list[str] = Field(min_length=1)
    avro_schema: dict[str, Any]
    sha256: str = Field(pattern=r"^[0-9a-f]{64}$")
    size: int = Field(ge=0)
    content_hash: str = Field(min_length=1)
    app_version: str
    key: str
    kind: str = "manual"
    format: Literal[FORMATS]  # type: ignore[valid-type]
    extra: dict[str, Any] = {}

    @model_validator(mode="after")
    def _consistent(self) -> _ManifestSchema:
        names = [c.name for c in self.columns]
        if len(set(names)) != len(names):
            raise ValueError(f"columns name the same column twice: {names}")
        unknown = [k for k in self.primary_key if k not in names]
        if unknown:
            raise ValueError(f"primary_key names {unknown}, which are not among the columns {names}")
        expected = f"{PREFIX}/{self.table}/{self.backup_id}.avro"
        if self.key != expected:
            raise ValueError(f"key is {self.key!r}, expected {expected!r}")
        return self


def _describe(error: ValidationError) -> str:
    return "; ".join(
        f"{'.'.join(str(part) for part in e['loc']) or 'manifest'}: {e['msg']}" for e in error.errors()[:5]
    )


def parse_manifest(data: bytes, *, where: str) -> Manifest:
    """A Manifest from its JSON bytes, checked against the manifest schema; else IntegrityError naming it."""
    try:
        raw = json.loads(data)
    except (ValueError, UnicodeDecodeError) as e:
        raise IntegrityError(f"manifest {where} is not JSON ({e}); it is damaged, pick another backup") from e
    if not isinstance(raw, dict) or raw.get("format") not in FORMATS:
        found = raw.get("format") if isinstance(raw, dict) else type(raw).__name__
        raise IntegrityError(
            f"manifest {where} is not a TalentLens manifest: format is {found!r}, expected one of {FORMATS!r}"
        )
    try:
        checked = _ManifestSchema.model_validate(raw)
    except ValidationError as e:
        raise IntegrityError(
            f"manifest {where} is damaged: {_describe(e)}; do not restore it, pick another backup"
        ) from e
    return Manifest(**checked.model_dump())


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


def list_backups(storage: Storage, table: str | None = None, *, actor: Actor) -> list[BackupInfo]:
    """Backups (those with a manifest) newest first, optionally of one table (admins only)."""
    require_role(actor, Action.BACKUP_LIST)
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
