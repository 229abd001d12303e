"""Long work as jobs: the 202 routes (backups of all tables, imports, exports, training, index build) submit
them through hr_core.jobs; these routes follow their state, progress and result."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any

from fastapi import APIRouter, Query, Response
from pydantic import BaseModel, Field

from hr_api.deps import ActorDep, EngineDep
from hr_core.access import Actor
from hr_core.jobs import JobInfo, get_job, list_jobs, submit_job

router = APIRouter(prefix="/jobs", tags=["jobs"])


class JobOut(BaseModel):
    """A job's record: queued → running → succeeded | failed, with progress and the result or error."""

    id: int
    kind: str
    params: dict[str, Any]
    actor: str
    state: str = Field(description="queued, running, succeeded or failed")
    progress: float
    message: str
    result: Any = None
    error: str | None = None
    created_at: dt.datetime
    started_at: dt.datetime | None = None
    finished_at: dt.datetime | None = None
    heartbeat_at: dt.datetime | None = None

    @classmethod
    def of(cls, info: JobInfo) -> JobOut:
        return cls(**{**info.__dict__, "state": str(info.state)})


def accept_job(*, engine: Any, actor: Actor, response: Response, kind: str, params: dict[str, Any]) -> JobOut:
    """Submit through hr_core and answer 202 with the job and where to follow it (shared by the 202 routes)."""
    info = submit_job(engine=engine, actor=actor, kind=kind, params=params)
    response.status_code = 202
    response.headers["Location"] = f"/api/v1/jobs/{info.id}"
    return JobOut.of(info)


ACCEPTED: dict[int | str, dict[str, Any]] = {
    202: {"model": JobOut, "description": "accepted: follow the job"}
}


@router.get("", response_model=list[JobOut])
def get_jobs(
    engine: EngineDep, actor: ActorDep, limit: Annotated[int, Query(ge=1, le=500)] = 50
) -> list[JobOut]:
    """Jobs newest first: one's own, everyone's for admins."""
    return [JobOut.of(j) for j in list_jobs(engine=engine, actor=actor, limit=limit)]


@router.get("/{job_id}", response_model=JobOut)
def get_one_job(engine: EngineDep, actor: ActorDep, job_id: int) -> JobOut:
    """One job: state, progress, message, result or error."""
    return JobOut.of(get_job(engine=engine, actor=actor, job_id=job_id))
