"""The replaced services' routes (/compat/...), as adapters onto the v1 handlers: same bodies as their documents.

InteligentHR (HR data): POST /upload, /backup/<table>, /restore/<table>, GET /employee_counts,
/departments_most_hired (year 2021 unless given).
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query

from hr_api.deps import ActorDep, EngineDep, StorageDep
from hr_api.routes.backups import BackupOut, RestoreOut, back_up_table, restore_latest
from hr_api.routes.hr import BatchIn, BatchOut, run_batch
from hr_api.routes.reports import AboveMeanRow, QuarterRow, read_report
from hr_core.analytics import DEFAULT_YEAR

router = APIRouter(tags=["compat"])
Year = Annotated[int, Query(description="calendar year in UTC")]


@router.post("/upload", response_model=BatchOut)
def upload(engine: EngineDep, storage: StorageDep, actor: ActorDep, batch: BatchIn) -> BatchOut:
    """The JSON batch of the HR service (1–1000 rows per table); all or nothing, like POST /api/v1/hr/batch."""
    return run_batch(engine=engine, storage=storage, actor=actor, batch=batch, partial=False)


@router.get("/employee_counts", response_model=list[QuarterRow])
def employee_counts(engine: EngineDep, actor: ActorDep, year: Year = DEFAULT_YEAR) -> list[QuarterRow]:
    """Hires per quarter by department and job (GET /api/v1/reports/hires-by-quarter)."""
    df = read_report(engine=engine, actor=actor, report="hires-by-quarter", year=year)
    return [QuarterRow(**r) for r in df.to_dict(orient="records")]


@router.get("/departments_most_hired", response_model=list[AboveMeanRow])
def departments_most_hired(
    engine: EngineDep, actor: ActorDep, year: Year = DEFAULT_YEAR
) -> list[AboveMeanRow]:
    """Departments hiring above the mean (GET /api/v1/reports/departments-above-mean)."""
    df = read_report(engine=engine, actor=actor, report="departments-above-mean", year=year)
    return [AboveMeanRow(**r) for r in df.to_dict(orient="records")]


@router.post("/backup/{table_name}", operation_id="compat_backup_post", response_model=BackupOut)
@router.get("/backup/{table_name}", operation_id="compat_backup_get", response_model=BackupOut)
def backup(engine: EngineDep, storage: StorageDep, actor: ActorDep, table_name: str) -> BackupOut:
    """Back up one table (the old service answered GET as well as POST)."""
    return back_up_table(engine=engine, storage=storage, actor=actor, table=table_name)


@router.post("/restore/{table_name}", operation_id="compat_restore_post", response_model=RestoreOut)
@router.get("/restore/{table_name}", operation_id="compat_restore_get", response_model=RestoreOut)
def restore(engine: EngineDep, storage: StorageDep, actor: ActorDep, table_name: str) -> RestoreOut:
    """Restore one table from its newest backup that verifies."""
    return restore_latest(engine=engine, storage=storage, actor=actor, table=table_name)
