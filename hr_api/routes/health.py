"""Liveness and readiness: /healthz (the process answers), /readyz (database and storage answer)."""

from __future__ import annotations

from fastapi import APIRouter
from pydantic import BaseModel

from hr_api.deps import RuntimeDep
from hr_api.schemas import PROBLEM_RESPONSES
from hr_core.db import check_database

router = APIRouter(tags=["health"])


class Health(BaseModel):
    status: str


class Readiness(BaseModel):
    status: str
    database: str
    storage: str


@router.get("/healthz", response_model=Health)
def get_health() -> Health:
    """The process is up (no database call)."""
    return Health(status="ok")


@router.get("/readyz", response_model=Readiness, responses={503: PROBLEM_RESPONSES[503]})
def get_readiness(runtime: RuntimeDep) -> Readiness:
    """The database and the storage answer; 503 with the reason otherwise."""
    check_database(runtime.engine)
    runtime.storage.list_objects("backups/")
    return Readiness(status="ok", database="ok", storage="ok")
