"""Recruiters' feedback on suggested matches: give a verdict (good / wrong), list them; it teaches train-match."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query
from pydantic import BaseModel, Field

from hr_api.deps import ActorDep, EngineDep
from hr_core.ml.feedback import MAX_LIST, MAX_REASON, Feedback, Verdict, list_feedback, record_feedback

router = APIRouter(prefix="/ml/feedback", tags=["ml"])
Code = Annotated[str, Field(min_length=1, max_length=100)]


class FeedbackIn(BaseModel):
    """A verdict on a stored candidate for a stored opening: good (a positive label) or wrong (a negative)."""

    candidate: Code
    vaga: Code
    verdict: Verdict
    reason: str = Field(default="", max_length=MAX_REASON, description="why (optional)")


class FeedbackSearch(BaseModel):
    """Which feedback to list: filters, only the latest verdict per pair, and how many (newest first)."""

    candidate: str | None = Field(default=None, max_length=100)
    vaga: str | None = Field(default=None, max_length=100)
    verdict: Verdict | None = None
    latest: bool = Field(default=False, description="only each pair's latest verdict (what training uses)")
    limit: int = Field(default=100, ge=1, le=MAX_LIST)


class FeedbackList(BaseModel):
    count: int
    feedback: list[Feedback]


@router.post("", response_model=Feedback, status_code=201)
def post_feedback(engine: EngineDep, actor: ActorDep, body: FeedbackIn) -> Feedback:
    """Mark a suggested match as good or wrong, with an optional reason (audited; the next training uses it)."""
    return record_feedback(
        engine=engine,
        actor=actor,
        candidate=body.candidate,
        vaga=body.vaga,
        verdict=body.verdict,
        reason=body.reason,
        source="api",
    )


@router.get("", response_model=FeedbackList)
def get_feedback(
    engine: EngineDep, actor: ActorDep, search: Annotated[FeedbackSearch, Query()]
) -> FeedbackList:
    """Feedback newest first, by candidate, opening and verdict; `latest=true` keeps each pair's latest."""
    found = list_feedback(
        engine=engine,
        actor=actor,
        candidate=search.candidate,
        vaga=search.vaga,
        verdict=search.verdict,
        latest_only=search.latest,
        limit=search.limit,
    )
    return FeedbackList(count=len(found), feedback=found)
