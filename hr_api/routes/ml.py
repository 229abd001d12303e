"""Matching and models: score pairs, recommend, the model card, drift; retraining and index builds as jobs."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Request, Response
from fastapi.responses import HTMLResponse
from pydantic import BaseModel, Field, model_validator

from hr_api.deps import ActorDep, EngineDep, RuntimeDep
from hr_api.routes.jobs import ACCEPTED, JobOut, accept_job
from hr_core.ml.match import score_match, score_pairs
from hr_core.ml.profiles import get_drift_report, get_model_card
from hr_core.ml.recommend import DEFAULT_METHOD, Method, RecommendFilters, recommend

router = APIRouter(tags=["ml"])
Code = Annotated[str, Field(min_length=1, max_length=100)]


class PairIn(BaseModel):
    candidate: Code
    vaga: Code


class Reason(BaseModel):
    feature: str
    effect: float


class MatchOut(BaseModel):
    candidate: str
    vaga: str
    probability: float = Field(description="calibrated probability of a hire, 0..1")
    reasons: list[Reason]
    matched_skills: list[str]
    missing_skills: list[str]
    missing_required_skills: list[str] = Field(
        [], description="skills the opening's recruiter marked required that the candidate lacks"
    )


class BatchPairsIn(BaseModel):
    pairs: list[PairIn] = Field(min_length=1, max_length=10_000)


class PairScore(BaseModel):
    candidate: str
    vaga: str
    probability: float


class BatchScoresOut(BaseModel):
    scores: list[PairScore]


class RecommendIn(BaseModel):
    """Exactly one of candidate (→ openings) or vaga (→ candidates), with optional filters."""

    candidate: Code | None = None
    vaga: Code | None = None
    k: int = Field(10, ge=1, le=1000)
    city: str | None = Field(None, max_length=200)
    level: str | None = Field(None, max_length=100)
    english: str | None = Field(None, max_length=100)
    pcd: bool = False
    method: Method = Field(
        DEFAULT_METHOD,
        description="hybrid: meaning (MiniLM) and shared words (BM25) fused, the best measured; "
        "hybrid+rerank: then ordered by the match model's probability",
    )

    @model_validator(mode="after")
    def _one_side(self) -> RecommendIn:
        if (self.candidate is None) == (self.vaga is None):
            raise ValueError("give exactly one of candidate or vaga")
        return self


class RecommendationOut(BaseModel):
    """One result (hr_core.ml.recommend.Recommendation): the field names it always had, then why."""

    vaga: str | None = None
    candidate: str | None = None
    title: str
    name: str | None = Field(None, description="the candidate's name (candidates only)")
    score: float = Field(description="cosine similarity of the MiniLM embeddings (= semantic_similarity)")
    city: str
    level: str
    shared_skills: list[str] = Field(description="= matched_skills")
    probability: float | None = Field(description="match probability, 0..1 (null before a model is trained)")
    semantic_similarity: float
    lexical_score: float = Field(description="BM25 score over Portuguese stems (0 = no word in common)")
    fused_rank: int = Field(description="place in the fused MiniLM + BM25 order, before re-ranking")
    matched_skills: list[str]
    missing_skills: list[str]
    missing_required_skills: list[str] = Field(
        [], description="skills the opening marks required that the candidate lacks (such results come last)"
    )
    reasons: list[str]


class RecommendationsOut(BaseModel):
    """hr_core.ml.recommend.Recommendations: best first; method says whether the match model re-ranked."""

    candidate: str | None = None
    vaga: str | None = None
    method: str
    reranked: bool
    note: str
    base_rate: float | None
    results: list[RecommendationOut]


class ModelCardOut(BaseModel):
    trained: bool
    card: dict[str, Any] | None


class DriftOut(BaseModel):
    model_config = {"extra": "allow"}

    drifted_columns: int
    share: float
    drift_detected: bool
    generated_at: str | None = None


@router.post("/match", response_model=MatchOut)
def post_match(runtime: RuntimeDep, actor: ActorDep, pair: PairIn) -> MatchOut:
    """Probability that a stored candidate is hired for a stored opening, with the reasons."""
    model = runtime.match_model()
    score = score_match(
        engine=runtime.engine, actor=actor, model=model, candidate=pair.candidate, vaga=pair.vaga
    )
    return MatchOut(**score.as_dict())


@router.post("/match/batch", response_model=BatchScoresOut)
def post_match_batch(runtime: RuntimeDep, actor: ActorDep, body: BatchPairsIn) -> BatchScoresOut:
    """Probabilities for up to 10,000 stored pairs, in the given order."""
    pairs = [(p.candidate, p.vaga) for p in body.pairs]
    frame = score_pairs(engine=runtime.engine, actor=actor, model=runtime.match_model(), pairs=pairs)
    return BatchScoresOut(scores=[PairScore(**r) for r in frame.to_dict(orient="records")])


@router.post("/recommendations", response_model=RecommendationsOut, response_model_exclude_unset=True)
def post_recommendations(runtime: RuntimeDep, actor: ActorDep, body: RecommendIn) -> RecommendationsOut:
    """Openings for a candidate, or candidates for an opening: meaning (MiniLM) and shared words (BM25)
    fused (with method hybrid+rerank then ordered by match probability); with the filters."""
    filters = RecommendFilters(city=body.city, level=body.level, english=body.english, pcd=body.pcd)
    found = recommend(
        engine=runtime.engine,
        actor=actor,
        candidate=body.candidate,
        vaga=body.vaga,
        k=body.k,
        filters=filters,
        get_model=runtime.match_model,
        method=body.method,
    )
    return RecommendationsOut.model_validate(found.as_dict())


@router.get("/model", response_model=ModelCardOut)
def get_model(actor: ActorDep) -> ModelCardOut:
    """The match model's card: data, metrics, baseline, excluded attributes (trained=false before training)."""
    card = get_model_card(actor=actor)
    return ModelCardOut(trained=card is not None, card=card.as_dict() if card else None)


@router.get(
    "/drift",
    response_model=DriftOut,
    responses={
        200: {"content": {"text/html": {"schema": {"type": "string"}}}, "description": "JSON or HTML"}
    },
)
def get_drift(request: Request, actor: ActorDep) -> Any:
    """The latest drift summary; the Evidently HTML report with `Accept: text/html`."""
    summary, report = get_drift_report(actor=actor)
    if "text/html" in request.headers.get("accept", "") and report is not None:
        return HTMLResponse(report.read_text(encoding="utf-8"))
    return DriftOut(**summary)


@router.post("/drift", response_model=JobOut, status_code=202, responses=ACCEPTED)
def post_drift(engine: EngineDep, actor: ActorDep, response: Response) -> JobOut:
    """Run a drift report (training data vs the latest prospects), as a job (202)."""
    return accept_job(engine=engine, actor=actor, response=response, kind="ml.drift", params={})


@router.post("/model/train", response_model=JobOut, status_code=202, responses=ACCEPTED)
def post_train(engine: EngineDep, actor: ActorDep, response: Response) -> JobOut:
    """Retrain the match model on prospects with a final status, as a job (202)."""
    return accept_job(engine=engine, actor=actor, response=response, kind="ml.train", params={})


@router.post("/model/index", response_model=JobOut, status_code=202, responses=ACCEPTED)
def post_index(engine: EngineDep, actor: ActorDep, response: Response) -> JobOut:
    """Rebuild the recommendation indexes, as a job (202)."""
    return accept_job(engine=engine, actor=actor, response=response, kind="ml.build_index", params={})
