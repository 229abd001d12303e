"""Match model versions (admins): list them with metrics and fairness flags, promote one, restore the previous
one, keep the current one; the same hr_core functions as `model-versions` and the Model monitoring page."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Query
from pydantic import BaseModel, Field

from hr_api.deps import ActorDep, EngineDep
from hr_core.ml.versions import (
    MAX_VERSIONS_PAGE,
    State,
    describe_versions,
    keep_current,
    promote_version,
    restore_previous,
)

router = APIRouter(prefix="/model/versions", tags=["ml"])
VersionId = Annotated[
    str,
    Path(
        min_length=1,
        max_length=100,
        pattern=r"^[0-9A-Za-z._-]+$",
        description="a version id from GET /model/versions",
        examples=["20260101T120000-abc123"],
    ),
]


class VersionsWindow(BaseModel):
    """Which versions: `limit` (≤ 100) from `offset`, newest first."""

    offset: int = Field(default=0, ge=0)
    limit: int = Field(default=20, ge=1, le=MAX_VERSIONS_PAGE)


class VersionFileOut(BaseModel):
    name: str
    sha256: str
    size: int


class FairnessOut(BaseModel):
    """The four-fifths verdict the version's card recorded when it was trained."""

    measured: bool = Field(description="false for cards older than the fairness report")
    model_flagged: bool = Field(
        description="the model selects some group below four-fifths of the most selected"
    )
    history_flagged: bool = Field(description="past decisions did")
    flags: list[str]


class VersionOut(BaseModel):
    version: str
    created_at: str
    created_by: str
    state: State
    files: list[VersionFileOut]


class VersionDetailsOut(VersionOut):
    metrics: dict[str, float | None] = Field(
        description="held-out roc_auc, pr_auc, brier, ece, log_loss (null when the card lacks one)"
    )
    fairness: FairnessOut
    card_problem: str | None = Field(description="why the card could not be read (metrics then null)")


class VersionsOut(BaseModel):
    promoted: str | None
    previous: str | None = Field(description="what restore-previous brings back")
    promoted_at: str | None
    promoted_by: str | None
    candidate: str | None = Field(description="the newest version waiting to be promoted or set aside")
    served_here: str | None = Field(description="the version this API process serves")
    total: int
    offset: int
    limit: int
    versions: list[VersionDetailsOut]


class PointerOut(BaseModel):
    """Which version every process serves now, and the one before it."""

    version: str | None
    previous: str | None
    promoted_at: str | None
    promoted_by: str | None
    history: list[str] = Field(description="every version ever promoted, oldest first")


@router.get("", response_model=VersionsOut)
def get_versions(actor: ActorDep, window: Annotated[VersionsWindow, Query()]) -> VersionsOut:
    """Every published version, newest first (`limit` from `offset`), with its held-out metrics and fairness
    flags, and which one is promoted, previous and waiting."""
    found = describe_versions(actor=actor, offset=window.offset, limit=window.limit)
    return VersionsOut.model_validate(found.as_dict())


@router.post("/{version}/promote", response_model=PointerOut)
def post_promote(engine: EngineDep, actor: ActorDep, version: VersionId) -> PointerOut:
    """Serve this version in every process (after its files pass their hash check); the promoted one becomes
    the previous (audited as ml.promote)."""
    return PointerOut.model_validate(promote_version(engine=engine, actor=actor, version=version).as_dict())


@router.post("/{version}/keep-current", response_model=VersionOut)
def post_keep_current(engine: EngineDep, actor: ActorDep, version: VersionId) -> VersionOut:
    """Keep the promoted version and set this one aside (it stays listed and can still be promoted)."""
    return VersionOut.model_validate(keep_current(engine=engine, actor=actor, version=version).as_dict())


@router.post("/restore-previous", response_model=PointerOut)
def post_restore_previous(engine: EngineDep, actor: ActorDep) -> PointerOut:
    """Serve the version promoted before the current one again, in one step (400 when there is none)."""
    return PointerOut.model_validate(restore_previous(engine=engine, actor=actor).as_dict())
