"""Restore a table from its newest backup that verifies (the replaced HR service's /restore/<table>)."""

from __future__ import annotations

from sqlalchemy import Engine

from hr_core.access import Action, Actor, require_role
from hr_core.backup.allowed_tables import check_table_name
from hr_core.backup.manifest import list_backups
from hr_core.backup.restore import RestoreResult, restore_backup
from hr_core.backup.verify import verify_backup
from hr_core.errors import IntegrityError, NotFoundError
from hr_core.storage import Storage


def restore_latest_backup(*, engine: Engine, storage: Storage, table: str, actor: Actor) -> RestoreResult:
    """Restore table from its newest non-safety backup that verifies; damaged newer ones are skipped."""
    require_role(actor, Action.BACKUP_RESTORE)
    name = check_table_name(table).name
    skipped: list[str] = []
    for info in list_backups(storage, name, actor=actor):
        if info.kind == "safety":
            continue  # a restore's own snapshot of the state it replaced
        try:
            verify_backup(engine=engine, storage=storage, actor=actor, backup_id=info.backup_id, table=name)
        except IntegrityError:
            skipped.append(info.backup_id)
            continue
        return restore_backup(
            engine=engine, storage=storage, table=name, backup_id=info.backup_id, actor=actor
        )
    damaged = f" ({len(skipped)} damaged: {', '.join(skipped[:5])})" if skipped else ""
    raise NotFoundError(f"table {name!r} has no backup that verifies{damaged}; back it up first")
