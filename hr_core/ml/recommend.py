"""Recommendations both ways: openings for a candidate, candidates for an opening, by hybrid retrieval.

The MiniLM neighbours and the BM25 lexical ranking (Portuguese stems, accents folded) are fused by
weighted reciprocal rank fusion (k = 60, BM25 counting twice: RRF_WEIGHTS). The default method
(DEFAULT_METHOD) is "hybrid", that fused order, with the match model's probability beside each result:
the best of the four measured on real Decision data by hr_core.ml.retrieval_eval (`make bench`,
bench_retrieval). hit@10 / MRR on the 42 hand-checked real pairs (300 openings): MiniLM 0.881 / 0.748,
BM25 0.881 / 0.677, hybrid 0.952 / 0.764, hybrid re-ranked by a model trained on generated data
0.786 / 0.554. On 58 real candidates linked by prospects.json to openings known by title only (350
openings): MiniLM 0.155, BM25 0.310, hybrid 0.293, re-ranked 0.224 (plain TF-IDF 0.103) — BM25 alone is
a little ahead there, far behind on the hand-checked pairs.

method="hybrid+rerank" orders the first RERANK_DEPTH fused items by the match probability instead (so
order and probability agree); it wins only where the model learnt from the same kind of data (planted
generated matches: 0.442 against 0.349). The indexes themselves (build, storage, status, queries) live
in hr_core.ml.vector_index.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Literal

import numpy as np
import pandas as pd
from sqlalchemy import Engine

from hr_core.access import Action, Actor, require_role
from hr_core.errors import InvalidInputError, ModelError, NotFoundError
from hr_core.i18n import N_, Gettext
from hr_core.ml import data
from hr_core.ml.features import (
    build_candidate_text,
    build_vaga_text,
    compare_skills,
    make_pair_frame,
    normalise_text,
)
from hr_core.ml.vector_index import (  # the index API, re-exported for pages, jobs and the CLI
    KINDS,
    REBUILD_HINT,
    IndexBuildResult,
    IndexStatus,
    Kind,
    VectorIndex,
    build_indexes,
    cosine_similarities,
    get_index_paths,
    get_index_status,
    open_index,
    query_index,
)

if TYPE_CHECKING:
    from hr_core.ml.match import MatchModel

__all__ = [
    "DEFAULT_METHOD",
    "KINDS",
    "REBUILD_HINT",
    "IndexBuildResult",
    "IndexStatus",
    "Kind",
    "Recommendation",
    "RecommendFilters",
    "Recommendations",
    "VectorIndex",
    "build_indexes",
    "fuse_rankings",
    "get_index_paths",
    "get_index_status",
    "open_index",
    "query_index",
    "rank_targets",
    "recommend",
    "rerank_by_probability",
]

Method = Literal["hybrid", "hybrid+rerank"]
DEFAULT_METHOD: Method = "hybrid"
RRF_K = 60  # reciprocal rank fusion constant (Cormack et al. 2009); flat enough that both lists count
# Weights of the (MiniLM, BM25) rankings in the fusion. Shared words count twice: on Portuguese text the
# English MiniLM is the weaker ranking (bench_retrieval: hit@10 on the real prospect links 0.241 with equal
# weights, 0.293 with these; the same 0.952 on the hand-checked pairs; 0.360 → 0.349 on planted matches).
RRF_WEIGHTS: tuple[float, float] = (1.0, 2.0)
FUSION_DEPTH = 100  # items taken from each ranking before fusing
RERANK_DEPTH = 50  # fused items re-ordered by the match model's probability
NO_MODEL_NOTE = N_(
    "No match model is trained yet: results are in the fused order of meaning (MiniLM) and shared words "
    "(BM25). Train the model to rank them by match probability."
)
HYBRID_NOTE = N_("Results are in the fused order of meaning (MiniLM) and shared words (BM25).")


@dataclass(frozen=True)
class RecommendFilters:
    """Filters on the recommended side: city (part of), professional level, English level, PcD eligibility.

    pcd is the recruiter's explicit eligibility filter for openings reserved for people with disabilities;
    it only removes results and is never a feature of any score.
    """

    city: str | None = None
    level: str | None = None
    english: str | None = None
    pcd: bool = False


@dataclass(frozen=True)
class Recommendation:
    """One recommended opening (or candidate) and why: probability, both similarities, skills, reasons.

    title is the opening's title (or the candidate's professional title); name is the candidate's name
    ("" for an opening). fused_rank is the place in the fused MiniLM + BM25 order (1 = first), before any
    re-ranking by probability.
    """

    kind: Kind
    code: str
    title: str
    name: str
    city: str
    level: str
    probability: float | None
    semantic_similarity: float
    lexical_score: float
    fused_rank: int
    matched_skills: tuple[str, ...]
    missing_skills: tuple[str, ...]
    reasons: tuple[str, ...]

    def as_dict(self) -> dict[str, Any]:
        """The API's and CLI's shape: the field names recommendations always had, then the new ones."""
        key = "vaga" if self.kind == "vagas" else "candidate"
        legacy: dict[str, Any] = {key: self.code, "title": self.title}
        if self.kind == "candidates":
            legacy["name"] = self.name
        return {
            **legacy,
            "score": self.semantic_similarity,
            "city": self.city,
            "level": self.level,
            "shared_skills": list(self.matched_skills),
            "probability": self.probability,
            "semantic_similarity": self.semantic_similarity,
            "lexical_score": self.lexical_score,
            "fused_rank": self.fused_rank,
            "matched_skills": list(self.matched_skills),
            "missing_skills": list(self.missing_skills),
            "reasons": list(self.reasons),
        }


@dataclass(frozen=True)
class Recommendations:
    """Recommendations for one candidate (kind "candidates") or opening ("vagas"), best first.

    method is what ordered them ("hybrid+rerank" or "hybrid"); note says so in words when the match model
    could not re-rank them. base_rate is the share of past decided applications approved (shown beside
    a probability).
    """

    source_kind: Kind
    code: str
    method: Method
    note: str
    base_rate: float | None
    items: tuple[Recommendation, ...] = field(default_factory=tuple)

    @property
    def reranked(self) -> bool:
        return self.method == "hybrid+rerank"

    def as_dict(self) -> dict[str, Any]:
        key = "candidate" if self.source_kind == "candidates" else "vaga"
        return {
            key: self.code,
            "method": self.method,
            "reranked": self.reranked,
            "note": self.note,
            "base_rate": self.base_rate,
            "results": [item.as_dict() for item in self.items],
        }


def fuse_rankings(
    rankings: Sequence[Sequence[str]], *, k: int = RRF_K, weights: Sequence[float] | None = None
) -> list[tuple[str, float]]:
    """Reciprocal rank fusion: each item scores the sum of weight / (k + rank) over the rankings it is in
    (rank from 1; weight 1 unless given). Best first; ties go to the better single rank, then to the
    earlier ranking, then by code.
    """
    if weights is not None and len(weights) != len(rankings):
        raise ValueError(f"{len(weights)} weights for {len(rankings)} rankings")
    scores: dict[str, float] = {}
    best: dict[str, tuple[int, int]] = {}
    for which, ranking in enumerate(rankings):
        weight = 1.0 if weights is None else float(weights[which])
        for rank, code in enumerate(ranking, start=1):
            scores[code] = scores.get(code, 0.0) + weight / (k + rank)
            best[code] = min(best.get(code, (rank, which)), (rank, which))
    return sorted(scores.items(), key=lambda item: (-item[1], best[item[0]], item[0]))


def rerank_by_probability(
    order: Sequence[str], probability: Mapping[str, float], *, depth: int = RERANK_DEPTH
) -> list[str]:
    """The first depth items ordered by probability, highest first (ties keep their order); the rest as
    they were."""
    head = sorted(order[:depth], key=lambda code: -probability[code])  # sorted() is stable
    return head + list(order[depth:])


def _passes(row: Mapping[str, Any], kind: Kind, filters: RecommendFilters) -> bool:
    if filters.city:
        where = row.get("cidade") if kind == "vagas" else row.get("local")
        if normalise_text(filters.city) not in normalise_text(where):
            return False
    if filters.level and normalise_text(row.get("nivel_profissional")) != normalise_text(filters.level):
        return False
    if filters.english and normalise_text(row.get("nivel_ingles")) != normalise_text(filters.english):
        return False
    return not (filters.pcd and normalise_text(row.get("pcd")) != "sim")


def _load_rows(engine: Engine, kind: Kind, codes: Sequence[str]) -> dict[str, dict[str, Any]]:
    frame = (
        data.load_vagas(engine, codes=codes) if kind == "vagas" else data.load_candidates(engine, codes=codes)
    )
    return {str(r["codigo"]): r for r in frame.to_dict("records")}


def _lexical_order(index: VectorIndex, text: str, n: int) -> tuple[list[str], np.ndarray]:
    """The n best items by BM25 (only those sharing a term with the query) and every item's score."""
    if index.lexical is None:
        raise ModelError(f"the {index.kind} index has no lexical index; {REBUILD_HINT}")
    scores = index.lexical.score_text(text)
    order = np.lexsort((np.arange(len(scores)), -scores))[:n]
    return [index.codes[i] for i in order if scores[i] > 0], scores


def get_trained_model(get_model: Callable[[], MatchModel] | None = None) -> MatchModel | None:
    """The match model when one is trained (get_model may return a cached one), else None."""
    from hr_core.ml.match import load_match_model, read_model_card

    if read_model_card() is None:
        return None
    return (get_model or load_match_model)()


def rank_targets(
    *,
    engine: Engine,
    actor: Actor,
    target: VectorIndex,
    vector: np.ndarray,
    source_row: Mapping[str, Any],
    source_kind: Kind,
    k: int,
    filters: RecommendFilters,
    model: MatchModel | None,
    method: Method = DEFAULT_METHOD,
    _: Gettext = str,
) -> list[Recommendation]:
    """The k best items of target for one source (a stored or a free-form candidate, or an opening).

    The source is its MiniLM vector and its column dict (its text feeds BM25 and the match model).
    """
    from hr_core.ml.match import explain_pair, predict_probabilities
    from hr_core.ml.reasons import describe_reason, describe_retrieval

    require_role(actor, Action.MATCH_RECOMMEND)
    target_kind = target.kind
    text = build_candidate_text(source_row) if source_kind == "candidates" else build_vaga_text(source_row)
    total = len(target.codes)
    wanted = max(k, RERANK_DEPTH) if model is not None and method == "hybrid+rerank" else k
    depth = FUSION_DEPTH if filters == RecommendFilters() else FUSION_DEPTH * 10
    while True:
        n = min(depth, total)
        ids, _sims = query_index(target, vector, n)
        semantic = [target.codes[i] for i in ids]
        lexical, lexical_scores = _lexical_order(target, text, n)
        fused = [code for code, _score in fuse_rankings([semantic, lexical], weights=RRF_WEIGHTS)]
        rows = _load_rows(engine, target_kind, fused)
        kept = [c for c in fused if c in rows and _passes(rows[c], target_kind, filters)]
        if len(kept) >= wanted or n >= total:
            break
        depth *= 4
    head = kept[:wanted]
    fused_rank = {code: i for i, code in enumerate(kept, start=1)}

    probability: dict[str, float] = {}
    features: pd.DataFrame | None = None
    feature_row: dict[str, int] = {}
    if model is not None and head:
        source = {**source_row, "codigo": str(source_row.get("codigo") or "profile")}
        targets = pd.DataFrame([rows[c] for c in head])
        sources = pd.DataFrame([source])
        if source_kind == "candidates":
            pairs = make_pair_frame(sources, targets, [(source["codigo"], c) for c in head])
            codes = pairs["vaga"].astype(str).tolist()
        else:
            pairs = make_pair_frame(targets, sources, [(c, source["codigo"]) for c in head])
            codes = pairs["candidate"].astype(str).tolist()
        features, probs = predict_probabilities(model, pairs)
        probability = {c: round(float(p), 4) for c, p in zip(codes, probs, strict=True)}
        feature_row = {c: i for i, c in enumerate(codes)}
    order = rerank_by_probability(head, probability) if probability and method == "hybrid+rerank" else head
    chosen = order[:k]
    positions = [target.positions[c] for c in chosen]
    similarity = cosine_similarities(target.vectors[positions], vector) if chosen else np.zeros(0)

    items = []
    for code, position, semantic_similarity in zip(chosen, positions, similarity, strict=True):
        row = rows[code]
        cand, vag = (source_row, row) if source_kind == "candidates" else (row, source_row)
        matched, missing = compare_skills(cand, vag, vocabulary=model.skills if model is not None else None)
        lexical_score = float(lexical_scores[position])
        reasons: list[str] = []
        if features is not None and code in feature_row:
            i = feature_row[code]
            explained = explain_pair(model, features.iloc[[i]].reset_index(drop=True))  # type: ignore[arg-type]
            required = len(matched) + len(missing)
            reasons += [describe_reason(r, _, required_skills=required or None) for r in explained]
        reasons += describe_retrieval(float(semantic_similarity), lexical_score, _)
        items.append(
            Recommendation(
                kind=target_kind,
                code=code,
                title=str(
                    row.get("titulo") if target_kind == "vagas" else row.get("titulo_profissional") or ""
                ),
                name="" if target_kind == "vagas" else str(row.get("nome") or ""),
                city=str((row.get("cidade") if target_kind == "vagas" else row.get("local")) or ""),
                level=str(row.get("nivel_profissional") or ""),
                probability=probability.get(code),
                semantic_similarity=round(float(semantic_similarity), 6),
                lexical_score=round(lexical_score, 4),
                fused_rank=fused_rank[code],
                matched_skills=tuple(matched),
                missing_skills=tuple(missing),
                reasons=tuple(reasons),
            )
        )
    return items


def recommend(
    *,
    engine: Engine,
    actor: Actor,
    candidate: str | None = None,
    vaga: str | None = None,
    k: int = 10,
    filters: RecommendFilters | None = None,
    indexes: Mapping[Kind, VectorIndex] | None = None,
    get_model: Callable[[], MatchModel] | None = None,
    method: Method = DEFAULT_METHOD,
    _: Gettext = str,
) -> Recommendations:
    """Openings for a candidate, or candidates for an opening: MiniLM and BM25 fused by RRF ("hybrid",
    DEFAULT_METHOD, the best measured on real data), or with method="hybrid+rerank" the first fused items
    ordered by the match model's probability when one is trained (the fused order otherwise, and the note
    says so). The probability is shown beside each result whenever a model is trained.

    get_model returns the match model (a cached one in long-running processes); it is only called when a
    model is trained. _ translates the reasons and the note.
    """
    require_role(actor, Action.MATCH_RECOMMEND)
    if (candidate is None) == (vaga is None):
        raise InvalidInputError("give exactly one of --candidate or --vaga")
    if not 1 <= k <= 1000:
        raise InvalidInputError(f"k must be between 1 and 1000, not {k}")
    filters = filters or RecommendFilters()
    source_kind: Kind = "candidates" if candidate is not None else "vagas"
    target_kind: Kind = "vagas" if candidate is not None else "candidates"
    code = str(candidate if candidate is not None else vaga)
    indexes = indexes or {}
    source = indexes.get(source_kind) or open_index(source_kind)
    target = indexes.get(target_kind) or open_index(target_kind)
    if code not in source.positions:
        what = "candidate" if source_kind == "candidates" else "opening (vaga)"
        raise NotFoundError(f"{what} {code!r} is not in the recommendation index; {REBUILD_HINT}")
    vector = source.vectors[source.positions[code]]
    source_row = _load_rows(engine, source_kind, [code]).get(code, {"codigo": code})
    model = get_trained_model(get_model)
    items = rank_targets(
        engine=engine,
        actor=actor,
        target=target,
        vector=vector,
        source_row=source_row,
        source_kind=source_kind,
        k=k,
        filters=filters,
        model=model,
        method=method,
        _=_,
    )
    return _result(source_kind, code, model, method, items, _)


def _result(
    source_kind: Kind,
    code: str,
    model: MatchModel | None,
    method: Method,
    items: list[Recommendation],
    _: Gettext,
) -> Recommendations:
    used: Method = "hybrid+rerank" if model is not None and method == "hybrid+rerank" else "hybrid"
    note = "" if used == "hybrid+rerank" else _(NO_MODEL_NOTE) if model is None else _(HYBRID_NOTE)
    base_rate = model.card.base_rate if model is not None and model.card is not None else None
    return Recommendations(source_kind, code, used, note, base_rate, tuple(items))
