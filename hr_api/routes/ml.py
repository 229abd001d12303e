"""Models: retrain the match model and rebuild the recommendation indexes (202 jobs)."""

from __future__ import annotations

from fastapi import APIRouter, Response

from hr_api.deps import ActorDep, EngineDep
from hr_api.routes.jobs import ACCEPTED, JobOut, accept_job

router = APIRouter(prefix="/model", tags=["ml"])


@router.post("/train", response_model=JobOut, status_code=202, responses=ACCEPTED)
def post_train(engine: EngineDep, actor: ActorDep, response: Response) -> JobOut:
    """Retrain the match model on prospects with a final status, as a job (202)."""
    return accept_job(engine=engine, actor=actor, response=response, kind="ml.train", params={})


@router.post("/index", response_model=JobOut, status_code=202, responses=ACCEPTED)
def post_index(engine: EngineDep, actor: ActorDep, response: Response) -> JobOut:
    """Rebuild the recommendation indexes, as a job (202)."""
    return accept_job(engine=engine, actor=actor, response=response, kind="ml.build_index", params={})
