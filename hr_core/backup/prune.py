"""Retention: keep the newest N backups per table, delete older files and their manifests."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import Engine

from hr_core.access import Action, Actor
from hr_core.audit import audited
from hr_core.backup.manifest import build_avro_key, build_manifest_key, list_backups
from hr_core.errors import InvalidInputError
from hr_core.settings import get_settings
from hr_core.storage import Storage


@dataclass(frozen=True)
class PruneResult:
    """Backups deleted and kept."""

    deleted: list[dict[str, str]]
    kept: int
    keep_per_table: int

    def as_dict(self) -> dict[str, Any]:
        return {"deleted": self.deleted, "kept": self.kept, "keep_per_table": self.keep_per_table}


def prune_backups(
    *,
    engine: Engine,
    storage: Storage,
    actor: Actor,
    keep: int | None = None,
) -> PruneResult:
    """Delete all but the newest `keep` backups of each table (default HR_BACKUP_RETENTION)."""
    with audited(engine, actor, Action.BACKUP_PRUNE, {"keep": keep}) as audit:
        keep = get_settings().backup_retention if keep is None else keep
        if keep < 1:
            raise InvalidInputError(f"keep must be at least 1, got {keep}")
        deleted: list[dict[str, str]] = []
        audit.details["deleted"] = deleted
        kept = 0
        seen: dict[str, int] = {}
        for info in list_backups(storage, actor=actor):  # newest first
            seen[info.table] = seen.get(info.table, 0) + 1
            if seen[info.table] <= keep:
                kept += 1
                continue
            # Manifest first: from that moment the file is no longer offered as a backup.
            storage.delete(build_manifest_key(info.table, info.backup_id))
            storage.delete(build_avro_key(info.table, info.backup_id))
            deleted.append({"table": info.table, "backup_id": info.backup_id})
        result = PruneResult(deleted, kept, keep)
        audit.details.update(result.as_dict())
    return result
