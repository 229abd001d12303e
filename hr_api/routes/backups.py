"""Backups (admins; hr_core checks the role): list, create one or all (202 job), verify, restore (or its dry
run), prune — the same results as the command line."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query, Response
from pydantic import BaseModel, Field
from sqlalchemy import Engine

from hr_api.deps import ActorDep, EngineDep, StorageDep
from hr_api.routes.jobs import ACCEPTED, JobOut, accept_job
from hr_core.access import Actor
from hr_core.backup import (
    BackupInfo,
    VerifyResult,
    create_backup,
    diff_backup,
    list_backups,
    prune_backups,
    restore_backup,
    verify_backup,
)
from hr_core.backup.latest import restore_latest_backup
from hr_core.storage import Storage

router = APIRouter(prefix="/backups", tags=["backups"])


class BackupIn(BaseModel):
    table: str = Field(description="departments, jobs, hired_employees, candidates, vagas, …", max_length=100)


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


class DiffOut(BaseModel):
    """What a restore would change (nothing was changed)."""

    table: str
    backup_id: str
    dry_run: bool
    verified: bool
    rows: int
    live_rows: int
    added: int
    removed: int
    changed: int
    unchanged: int
    added_ids: list[Any]
    removed_ids: list[Any]
    changed_ids: list[Any]


class PruneOut(BaseModel):
    deleted: list[dict[str, str]]
    kept: int
    keep_per_table: int


def back_up_table(*, engine: Engine, storage: Storage, actor: Actor, table: str) -> BackupOut:
    result = create_backup(engine=engine, storage=storage, table=table, actor=actor)
    return BackupOut(**result.as_dict())


def restore_latest(*, engine: Engine, storage: Storage, actor: Actor, table: str) -> RestoreOut:
    result = restore_latest_backup(engine=engine, storage=storage, table=table, actor=actor)
    return RestoreOut(**result.as_dict())


@router.get("", response_model=list[BackupInfo])
def get_backups(
    storage: StorageDep,
    actor: ActorDep,
    table: Annotated[str | None, Query(max_length=100, description="only this table's backups")] = None,
) -> list[BackupInfo]:
    """Backups newest first."""
    return list_backups(storage, table, actor=actor)


@router.post("/{backup_id}/verify", response_model=VerifyResult)
def post_verify(engine: EngineDep, storage: StorageDep, actor: ActorDep, backup_id: str) -> VerifyResult:
    """Check the file hash, the content hash and the row count against the manifest, restoring nothing."""
    return verify_backup(engine=engine, storage=storage, actor=actor, backup_id=backup_id)


@router.post("", response_model=BackupOut)
def post_backup(engine: EngineDep, storage: StorageDep, actor: ActorDep, body: BackupIn) -> BackupOut:
    """Back up one table now (verified Avro and a manifest)."""
    return back_up_table(engine=engine, storage=storage, actor=actor, table=body.table)


@router.post("/all", response_model=JobOut, status_code=202, responses=ACCEPTED)
def post_backup_all(engine: EngineDep, actor: ActorDep, response: Response) -> JobOut:
    """Back up every table, as a job (202); follow it at /api/v1/jobs/{id}."""
    return accept_job(engine=engine, actor=actor, response=response, kind="backup.all", params={})


@router.post("/{table}/{backup_id}/restore", response_model=RestoreOut | DiffOut)
def post_restore(
    engine: EngineDep,
    storage: StorageDep,
    actor: ActorDep,
    table: str,
    backup_id: str,
    dry_run: Annotated[bool, Query(description="only report what a restore would change")] = False,
) -> RestoreOut | DiffOut:
    """Verify the backup, then replace the table with it in one transaction (a safety backup first);
    with dry_run=true only say which rows would be added, removed or changed."""
    if dry_run:
        diff = diff_backup(engine=engine, storage=storage, table=table, backup_id=backup_id, actor=actor)
        return DiffOut(**diff.as_dict())
    result = restore_backup(engine=engine, storage=storage, table=table, backup_id=backup_id, actor=actor)
    return RestoreOut(**result.as_dict())


@router.post("/prune", response_model=PruneOut)
def post_prune(
    engine: EngineDep,
    storage: StorageDep,
    actor: ActorDep,
    keep: Annotated[int | None, Query(ge=1, le=100_000, description="default HR_BACKUP_RETENTION")] = None,
) -> PruneOut:
    """Keep the newest `keep` backups per table, delete older ones."""
    result = prune_backups(engine=engine, storage=storage, actor=actor, keep=keep)
    return PruneOut(**result.as_dict())
