"""HR data: load files and JSON batches, read tables page by page."""

from __future__ import annotations

import datetime as dt
from enum import StrEnum
from typing import Annotated, Any, Literal

from fastapi import APIRouter, File, Query, UploadFile
from pydantic import BaseModel, ConfigDict, Field

from hr_api.deps import ActorDep, EngineDep, StorageDep
from hr_core.hr_data import MAX_PAGE_ROWS, list_hr_rows
from hr_core.ingest import LoadMode, load_batch, load_table
from hr_core.ingest.load import LoadResult
from hr_core.ingest.readers import BATCH_MAX_ROWS

router = APIRouter(prefix="/hr", tags=["hr"])
ROWS_SHOWN = 1000  # rejected rows listed in an answer; the full report is at rejects_key
SEED_EXAMPLE: dict[str, Any] = {
    "records": [
        {
            "table_name": "employee",
            "data": [
                {"name": "John", "department_id": 2, "job_id": 3, "datetime": "2021-02-15T09:30:00"},
                {"name": "Jane", "department_id": 2, "job_id": 3, "datetime": "2021-02-15T09:30:00"},
            ],
        },
        {"table_name": "department", "data": [{"department_id": 2, "department": "Engineering"}]},
    ]
}


class HrTable(StrEnum):
    departments = "departments"
    jobs = "jobs"
    hired_employees = "hired_employees"


ModeQuery = Annotated[
    LoadMode,
    Query(
        description="add-and-update: insert new ids, update changed rows; add-only: insert new ids and leave "
        "rows whose id exists as they are (counted as skipped)"
    ),
]


class RejectedRow(BaseModel):
    line: int
    raw: str
    reasons: list[str]


class LoadResultOut(BaseModel):
    """What a load did to one table (the same figures as `python -m hr_core load`)."""

    table: str
    inserted: int
    updated: int
    unchanged: int
    rejected: int
    mode: LoadMode = Field(description="what the load did with rows whose id the table already held")
    skipped: int = Field(description="add-only: valid rows whose id already existed, left as they were")
    rejects_key: str | None = Field(description="storage key of the full rejected-rows report")
    rejected_rows: list[RejectedRow] = Field(description=f"the first {ROWS_SHOWN} rejected rows")

    @classmethod
    def of(cls, result: LoadResult) -> LoadResultOut:
        return cls(
            table=result.table,
            inserted=result.inserted,
            updated=result.updated,
            unchanged=result.unchanged,
            rejected=result.rejected,
            mode=result.mode,
            skipped=result.skipped,
            rejects_key=result.rejects_key,
            rejected_rows=[
                RejectedRow(line=r.line, raw=r.raw, reasons=list(r.reasons))
                for r in result.reject_rows[:ROWS_SHOWN]
            ],
        )


class BatchRecord(BaseModel):
    table_name: Literal["employee", "department", "job"]
    data: list[dict[str, Any]] = Field(min_length=1, max_length=BATCH_MAX_ROWS)


class BatchIn(BaseModel):
    """The JSON batch format of `load-batch` (and the replaced service's POST /upload)."""

    model_config = ConfigDict(json_schema_extra={"examples": [SEED_EXAMPLE]})

    records: list[BatchRecord] = Field(min_length=1, max_length=100)


class BatchOut(BaseModel):
    results: list[LoadResultOut]


class HrPage(BaseModel):
    table: str
    total: int
    offset: int
    limit: int
    items: list[dict[str, int | str | dt.datetime]]


def run_batch(
    *,
    engine: Any,
    storage: Any,
    actor: Any,
    batch: BatchIn,
    partial: bool,
    mode: LoadMode = LoadMode.ADD_AND_UPDATE,
) -> BatchOut:
    """Load a batch through hr_core (shared with the compat /upload route, which always adds and updates)."""
    data = batch.model_dump_json().encode("utf-8")  # pydantic's own encoder: ~5x faster than json.dumps
    results = load_batch(
        engine=engine,
        source=data,
        filename="batch.json",
        actor=actor,
        storage=storage,
        partial=partial,
        mode=mode,
    )
    return BatchOut(results=[LoadResultOut.of(r) for r in results])


@router.post("/batch", response_model=BatchOut)
def post_batch(
    engine: EngineDep,
    storage: StorageDep,
    actor: ActorDep,
    batch: BatchIn,
    partial: Annotated[bool, Query(description="write the valid rows and report the rest")] = False,
    mode: ModeQuery = LoadMode.ADD_AND_UPDATE,
) -> BatchOut:
    """Load a JSON batch (1–1000 rows per entry) in one transaction; any rejected row writes nothing (422)
    unless `partial=true`. `mode=add-only` leaves rows whose id exists as they are (counted as skipped)."""
    return run_batch(engine=engine, storage=storage, actor=actor, batch=batch, partial=partial, mode=mode)


@router.post("/{table}/files", response_model=LoadResultOut)
def post_file(
    engine: EngineDep,
    storage: StorageDep,
    actor: ActorDep,
    table: HrTable,
    file: Annotated[
        UploadFile, File(description="a .csv (no header or with one), .json array or .avro file")
    ],
    header: Annotated[
        bool | None, Query(description="CSV: the first row is a header (detected if unset)")
    ] = None,
    mode: ModeQuery = LoadMode.ADD_AND_UPDATE,
) -> LoadResultOut:
    """Load one file into a table in one transaction; valid rows are written, rejected ones reported.
    `mode=add-only` leaves rows whose id exists as they are (counted as skipped)."""
    result = load_table(
        engine=engine,
        source=file.file,
        filename=file.filename or f"{table.value}.csv",
        table=table.value,
        header=header,
        actor=actor,
        storage=storage,
        mode=mode,
    )
    return LoadResultOut.of(result)


@router.get("/{table}", response_model=HrPage)
def list_rows(
    engine: EngineDep,
    actor: ActorDep,
    table: HrTable,
    offset: Annotated[int, Query(ge=0)] = 0,
    limit: Annotated[int, Query(ge=1, le=MAX_PAGE_ROWS)] = 100,
) -> HrPage:
    """Rows of a table in id order, `limit` (≤ 500) from `offset`, with the table's `total`."""
    page = list_hr_rows(engine=engine, actor=actor, table=table.value, offset=offset, limit=limit)
    return HrPage(table=page.table, total=page.total, offset=page.offset, limit=page.limit, items=page.rows)
