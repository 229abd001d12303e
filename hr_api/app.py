"""The FastAPI application: routers, error handling, body limit, optional CORS (`uvicorn hr_api.app:app`)."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import Depends, FastAPI
from fastapi.middleware.cors import CORSMiddleware

from hr_api.deps import get_actor, runtime_of
from hr_api.errors import install_error_handlers
from hr_api.limits import BodyLimitMiddleware
from hr_api.routes import (
    auth,
    backups,
    compat,
    feedback,
    health,
    hr,
    jobs,
    ml,
    model_versions,
    opening_skills,
    recruiting,
    reports,
)
from hr_api.schemas import PROBLEM_RESPONSES
from hr_core.errors import HRCoreError
from hr_core.settings import get_settings

log = logging.getLogger("hr_api")

DESCRIPTION = """The HTTP face of TalentLens, over the same core as the pages and the command line.

Get a token with `POST /api/v1/auth/token` (form fields `username`, `password`) and send it as
`Authorization: Bearer <token>`, or send an API key (`python -m hr_core users api-key NAME`) as
`X-API-Key: <key>`. Errors are `application/problem+json` (RFC 9457).
The routes of the two services TalentLens replaces are under `/compat`.
"""


@asynccontextmanager
async def _lifespan(app: FastAPI) -> AsyncIterator[None]:
    # Start the job runner now rather than at the first request: jobs a killed process left running
    # are failed, and queued ones resume, even if no client calls. A database down at start-up is
    # retried by the first request (which then answers 503 while it stays down).
    try:
        runtime_of(app)
    except HRCoreError as e:
        log.warning("the API started without its database (%s); the first request will try again", e)
    yield
    runtime = getattr(app.state, "runtime", None)
    if runtime is not None:
        runtime.close()


def create_app() -> FastAPI:
    """A new application; resources are built on the first request, from the environment at that time."""
    app = FastAPI(title="TalentLens API", version="1.0", description=DESCRIPTION, lifespan=_lifespan)
    install_error_handlers(app)
    app.add_middleware(BodyLimitMiddleware)
    origins = get_settings().cors_origins
    if origins:
        app.add_middleware(
            CORSMiddleware,
            allow_origins=origins,
            allow_methods=["GET", "POST", "PUT", "PATCH", "DELETE"],
            allow_headers=["Authorization", "Content-Type", "X-API-Key", "Accept"],
        )
    app.include_router(health.router)
    app.include_router(auth.router, prefix="/api/v1")
    secured = [Depends(get_actor)]
    routers = (
        hr.router,
        reports.router,
        backups.router,
        recruiting.router,
        opening_skills.router,
        ml.router,
        model_versions.router,
        feedback.router,
        jobs.router,
    )
    for router in routers:
        app.include_router(router, prefix="/api/v1", dependencies=secured, responses=PROBLEM_RESPONSES)
    app.include_router(compat.router, prefix="/compat", dependencies=secured, responses=PROBLEM_RESPONSES)
    return app


app = create_app()
