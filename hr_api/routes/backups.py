"""Backups (admins): create; restore the newest verified backup (more routes once reads take an actor)."""

from __future__ import annotations

from pydantic import BaseModel
from sqlalchemy import Engine

from hr_core.access import Actor
from hr_core.backup import create_backup
from hr_core.backup.latest import restore_latest_backup
from hr_core.storage import Storage


class BackupOut(BaseModel):
    backup_id: str
    table: str
    rows: int
    sha256: str
    key: str


class RestoreOut(BaseModel):
    table: str
    backup_id: str
    rows: int
    verified: bool
    safety_backup_id: str


def back_up_table(*, engine: Engine, storage: Storage, actor: Actor, table: str) -> BackupOut:
    result = create_backup(engine=engine, storage=storage, table=table, actor=actor)
    return BackupOut(**result.as_dict())


def restore_latest(*, engine: Engine, storage: Storage, actor: Actor, table: str) -> RestoreOut:
    result = restore_latest_backup(engine=engine, storage=storage, table=table, actor=actor)
    return RestoreOut(**result.as_dict())
