"""Backups (admins; hr_core checks the role): create one or all (202 job), restore, prune."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Response
from pydantic import BaseModel, Field
from sqlalchemy import Engine

from hr_api.deps import ActorDep, EngineDep, StorageDep
from hr_api.routes.jobs import ACCEPTED, JobOut, accept_job
from hr_core.access import Actor
from hr_core.backup import create_backup, prune_backups, restore_backup
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


@router.post("", response_model=BackupOut)
def post_backup(engine: EngineDep, storage: StorageDep, actor: ActorDep, body: BackupIn) -> BackupOut:
    """Back up one table now (verified Avro and a manifest)."""
    return back_up_table(engine=engine, storage=storage, actor=actor, table=body.table)


@router.post("/all", response_model=JobOut, status_code=202, responses=ACCEPTED)
def post_backup_all(engine: EngineDep, actor: ActorDep, response: Response) -> JobOut:
    """Back up every table, as a job (202); follow it at /api/v1/jobs/{id}."""
    return accept_job(engine=engine, actor=actor, response=response, kind="backup.all", params={})


@router.post("/{table}/{backup_id}/restore", response_model=RestoreOut)
def post_restore(
    engine: EngineDep, storage: StorageDep, actor: ActorDep, table: str, backup_id: str
) -> RestoreOut:
    """Verify the backup, then replace the table with it in one transaction (a safety backup first)."""
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
