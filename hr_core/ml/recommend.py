"""Recommendations both ways: openings for a candidate, candidates for an opening, by hybrid retrieval.

Each item of the index searched gets a BM25 score (hr_core.ml.lexical) and a MiniLM cosine; the two are
standardised over the index (z-scores) and added, the cosine weighing SEMANTIC_WEIGHT (fuse_scores). A
candidate is searched by a field-weighted query (hr_core.ml.search_text: title, objective, current role,
area and skills above the CV, whose most distinctive terms count); an opening by its text. The default
method (DEFAULT_METHOD) is "hybrid", that fused order, with the match model's probability beside each
result: the best measured by hr_core.ml.retrieval_eval (`make bench`, bench_retrieval).

hit@10 / MRR, before (whole text as BM25 query, reciprocal rank fusion, BM25 counting twice) → now:
58 real candidates linked by prospects.json, 350 openings known by title: hybrid 0.293 / 0.133 →
0.397 / 0.161 (BM25 alone 0.310 → 0.414; plain word TF-IDF 0.103, with log counts 0.276); 42
hand-checked real pairs, 300 full openings: 0.952 / 0.764 → 0.952 / 0.849; planted generated matches:
0.349 / 0.126 → 0.401 / 0.153. The fusion weight and the query's weights were chosen on one half of the
58 (retrieval_eval.split_halves: 0.448 there, 0.345 on the other half, where BM25 alone does 0.414).
English job-title words read in Portuguese (hr_core.ml.lexical.TITLE_WORDS) then kept the hits and raised
every MRR: 58 real candidates 0.397 / 0.176, hand-checked pairs 0.976 / 0.854. An opening known by its
title alone (hr_core.ml.lexical.THIN_STEMS) is also scored by the candidate's likeness to the CVs its title
finds (get_peer_scores, weighing PEER_WEIGHT): 58 real candidates 0.466 / 0.188 (27 found: the issue's 45 %
target, by one hit), the hand-checked pairs and the planted matches unchanged.

method="hybrid+rerank" orders the first RERANK_DEPTH fused items by the match probability instead (so
order and probability agree); it wins only where the model learnt from the same kind of data (planted
generated matches). The indexes themselves (build, storage, status, queries) live in
hr_core.ml.vector_index.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Literal, TypeVar

import numpy as np
import pandas as pd
from sqlalchemy import Engine

from hr_core.access import Action, Actor, require_role
from hr_core.errors import InvalidInputError, ModelError, NotFoundError
from hr_core.i18n import N_, Gettext
from hr_core.ml import data
from hr_core.ml.features import (
    build_candidate_skills_text,
    build_candidate_text,
    build_vaga_text,
    compare_skill_requirements,
    make_pair_frame,
    normalise_text,
)
from hr_core.ml.lexical import (
    LexicalIndex,
    get_candidate_similarities,
    get_peer_matrix,
    score_peers,
)
from hr_core.ml.search_text import build_candidate_query
from hr_core.ml.skills import (
    apply_skill_levels,
    opening_requirement_text,
    read_skill_levels,
    seed_vocabulary,
    select_required_terms,
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
    from hr_core.ml.match import MatchModel, Reason

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
    "fuse_scores",
    "get_index_paths",
    "get_index_status",
    "open_index",
    "query_index",
    "rank_targets",
    "recommend",
    "rerank_by_probability",
]

Method = Literal["hybrid", "hybrid+rerank"]
_Item = TypeVar("_Item")
DEFAULT_METHOD: Method = "hybrid"
# Weight of the MiniLM cosine beside BM25 (both as z-scores over the index). On Portuguese CVs and titles
# the English MiniLM is the weaker ranking: chosen on one half of the real prospect links from 0.1, 0.2,
# 0.3, 0.5 and against reciprocal rank fusion (retrieval_eval's docstring gives the protocol).
SEMANTIC_WEIGHT = 0.2
# Weight of a candidate's peer score of an opening known by its title alone (hr_core.ml.lexical.PEERS), as
# a z-score over those openings; chosen with PEERS on the same half (retrieval_eval's docstring).
PEER_WEIGHT = 0.3
STATS_SAMPLE = 4096  # items whose cosine gives the index's mean and spread (all of a smaller index)
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
    re-ranking by probability. missing_required names the skills the opening's recruiter marked required
    that the candidate lacks (hr_core.ml.requirements); among an opening's candidates those lacking one come
    after all who have them all.
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
    missing_required: tuple[str, ...] = ()

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
            "missing_required_skills": list(self.missing_required),
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


def get_score_stats(scores: np.ndarray) -> tuple[float, float]:
    """Mean and standard deviation of a ranker's scores over an index, NaN (no score) left out (spread 1
    when all are equal)."""
    scores = np.asarray(scores, dtype=np.float64)
    scores = scores[np.isfinite(scores)]
    if len(scores) == 0:
        return 0.0, 1.0
    std = float(np.std(scores))
    return float(np.mean(scores)), std if std > 0 else 1.0


def fuse_scores(
    lexical: np.ndarray,
    semantic: np.ndarray,
    *,
    lexical_stats: tuple[float, float],
    semantic_stats: tuple[float, float],
    weight: float = SEMANTIC_WEIGHT,
    peer: np.ndarray | None = None,
    peer_stats: tuple[float, float] = (0.0, 1.0),
) -> np.ndarray:
    """Each item's fused score: its BM25 score and its MiniLM cosine, each as a z-score over the index
    (get_score_stats), the cosine weighing `weight`; with peer (a candidate's peer scores of openings,
    hr_core.ml.lexical.score_peers) its z-score weighing PEER_WEIGHT, nothing where it is NaN."""
    (lm, ls), (sm, ss) = lexical_stats, semantic_stats
    fused = (np.asarray(lexical, np.float64) - lm) / ls + weight * (
        np.asarray(semantic, np.float64) - sm
    ) / ss
    if peer is None:
        return fused
    pm, ps = peer_stats
    return fused + PEER_WEIGHT * np.nan_to_num((np.asarray(peer, np.float64) - pm) / ps, nan=0.0)


def order_by_score(codes: Sequence[_Item], scores: np.ndarray, *, limit: int | None = None) -> list[_Item]:
    """Codes (or positions) best score first, the first `limit` of them (all without); equal scores keep
    the codes' order, NaN scores come last."""
    return [codes[i] for i in np.lexsort((np.arange(len(codes)), -np.asarray(scores)))[:limit]]


def get_semantic_stats(index: VectorIndex, vector: np.ndarray) -> tuple[float, float]:
    """Mean and spread of the cosine of vector with the index's items (STATS_SAMPLE of them, evenly
    spaced, in a larger index)."""
    total = len(index.codes)
    rows = np.arange(total) if total <= STATS_SAMPLE else np.linspace(0, total - 1, STATS_SAMPLE).astype(int)
    return get_score_stats(cosine_similarities(index.vectors[rows], vector))


def build_query(
    source_row: Mapping[str, Any],
    source_kind: Kind,
    target: VectorIndex,
    query_idf: Callable[[str], float] | None,
) -> Any:
    """What BM25 searches target with: a candidate's field-weighted query (hr_core.ml.search_text; idf
    from the candidates' index, the target's when not given) or an opening's text."""
    if source_kind == "vagas":
        return build_vaga_text(source_row)
    if target.lexical is None:
        raise ModelError(f"the {target.kind} index has no lexical index; {REBUILD_HINT}")
    return build_candidate_query(
        source_row, idf=query_idf or target.lexical.idf, vocabulary=target.lexical.vocabulary
    )


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


def put_complete_first(
    order: Sequence[str],
    rows: Mapping[str, Mapping[str, Any]],
    vaga: Mapping[str, Any],
    model: MatchModel | None,
) -> list[str]:
    """Candidates (codes in order) who have every skill the opening marks required, then those who lack one;
    each group keeps its order. The order as it is when the opening requires nothing."""
    levels = read_skill_levels(vaga)
    if "required" not in levels.values():
        return list(order)
    vocabulary = model.skills if model is not None else seed_vocabulary()
    found = apply_skill_levels(vocabulary.find(opening_requirement_text(vaga)), levels)
    required = select_required_terms(found, levels)
    if not required:
        return list(order)
    complete = {c for c in order if required <= vocabulary.find(build_candidate_skills_text(rows[c]))}
    return [c for c in order if c in complete] + [c for c in order if c not in complete]


def _load_rows(engine: Engine, kind: Kind, codes: Sequence[str]) -> dict[str, dict[str, Any]]:
    frame = (
        data.load_vagas(engine, codes=codes) if kind == "vagas" else data.load_candidates(engine, codes=codes)
    )
    return {str(r["codigo"]): r for r in frame.to_dict("records")}


def _lexical_scores(index: VectorIndex, query: Any) -> np.ndarray:
    """Every item's BM25 score for a query (0 when nothing is shared)."""
    if index.lexical is None:
        raise ModelError(f"the {index.kind} index has no lexical index; {REBUILD_HINT}")
    return index.lexical.score_text(query)


def get_peer_scores(
    openings: LexicalIndex | None,
    candidates: LexicalIndex,
    *,
    source_row: Mapping[str, Any],
    position: int | None,
) -> np.ndarray | None:
    """A candidate's peer score of every opening (hr_core.ml.lexical.score_peers; NaN where an opening has
    no peers), or None when no opening is thin. position is the candidate's in candidates (None for a free
    profile: its text's row stands for it)."""
    if openings is None:
        return None
    peers = get_peer_matrix(openings, candidates)
    if peers.nnz == 0:
        return None
    text = build_candidate_text(source_row) if position is None else ""
    similarities = get_candidate_similarities(candidates, position=position, text=text)
    return score_peers(peers, similarities, exclude=position)


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
    candidates: LexicalIndex | None = None,
    source_position: int | None = None,
    _: Gettext = str,
) -> list[Recommendation]:
    """The k best items of target for one source (a stored or a free-form candidate, or an opening).

    The source is its MiniLM vector and its column dict (its fields make the BM25 query and feed the
    match model). For a candidate, candidates is the candidates' lexical index: its idf weighs the CV's
    terms (build_query) and its rows give the peer scores of thin openings (get_peer_scores), from the
    candidate's own row when source_position (in that index) is given.
    """
    from hr_core.ml.match import explain_pairs, predict_probabilities
    from hr_core.ml.reasons import describe_reason, describe_retrieval

    require_role(actor, Action.MATCH_RECOMMEND)
    target_kind = target.kind
    query_idf = candidates.idf if candidates is not None else None
    lexical_scores = _lexical_scores(target, build_query(source_row, source_kind, target, query_idf))
    lexical_stats = get_score_stats(lexical_scores)
    semantic_stats = get_semantic_stats(target, vector)
    peer = (
        get_peer_scores(target.lexical, candidates, source_row=source_row, position=source_position)
        if source_kind == "candidates" and candidates is not None
        else None
    )
    peer_stats = get_score_stats(peer) if peer is not None else (0.0, 1.0)
    total = len(target.codes)
    wanted = max(k, RERANK_DEPTH) if model is not None and method == "hybrid+rerank" else k
    depth = FUSION_DEPTH if filters == RecommendFilters() else FUSION_DEPTH * 10
    while True:
        n = min(depth, total)
        ids, _sims = query_index(target, vector, n)
        every = range(total)
        lexical_top = [i for i in order_by_score(every, lexical_scores, limit=n) if lexical_scores[i] > 0]
        # NaN (an opening without peers) sorts last.
        peer_top = (
            [] if peer is None else [i for i in order_by_score(every, peer, limit=n) if np.isfinite(peer[i])]
        )
        pool = list(dict.fromkeys([*ids, *lexical_top, *peer_top]))
        fused_scores = fuse_scores(
            lexical_scores[pool],
            cosine_similarities(target.vectors[pool], vector),
            lexical_stats=lexical_stats,
            semantic_stats=semantic_stats,
            peer=None if peer is None else peer[pool],
            peer_stats=peer_stats,
        )
        fused = [target.codes[pool[i]] for i in np.lexsort((np.asarray(pool), -fused_scores))]
        rows = _load_rows(engine, target_kind, fused)
        kept = [c for c in fused if c in rows and _passes(rows[c], target_kind, filters)]
        if len(kept) >= wanted or n >= total:
            break
        depth *= 4
    fused_rank = {code: i for i, code in enumerate(kept, start=1)}
    if source_kind == "vagas":  # the opening's required skills first divide its candidates
        kept = put_complete_first(kept, rows, source_row, model)
    head = kept[:wanted]

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
    if source_kind == "vagas" and order is not head:
        order = put_complete_first(order, rows, source_row, model)
    chosen = order[:k]
    positions = [target.positions[c] for c in chosen]
    # The shown results' reasons, from one prediction over all of them (explain_pairs).
    explained: dict[str, list[Reason]] = {}
    if model is not None and features is not None:
        shown = [c for c in chosen if c in feature_row]
        rows_shown = features.iloc[[feature_row[c] for c in shown]].reset_index(drop=True)
        explained = {c: r for c, (_p, r) in zip(shown, explain_pairs(model, rows_shown), strict=True)}
    similarity = cosine_similarities(target.vectors[positions], vector) if chosen else np.zeros(0)

    items = []
    for code, position, semantic_similarity in zip(chosen, positions, similarity, strict=True):
        row = rows[code]
        cand, vag = (source_row, row) if source_kind == "candidates" else (row, source_row)
        skills = compare_skill_requirements(cand, vag, vocabulary=model.skills if model is not None else None)
        matched, missing = skills.matched, skills.missing
        lexical_score = float(lexical_scores[position])
        reasons: list[str] = []
        if code in explained:
            required = len(matched) + len(missing)
            reasons += [describe_reason(r, _, required_skills=required or None) for r in explained[code]]
        peer_similarity = None if peer is None or np.isnan(peer[position]) else float(peer[position])
        reasons += describe_retrieval(float(semantic_similarity), lexical_score, _, peer=peer_similarity)
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
                missing_required=tuple(skills.missing_required),
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
    """Openings for a candidate, or candidates for an opening: BM25 and MiniLM scores fused ("hybrid",
    DEFAULT_METHOD, the best measured on real data; a candidate searched by their field-weighted query), or with method="hybrid+rerank" the first fused items
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
        candidates=source.lexical if source_kind == "candidates" else None,
        source_position=source.positions[code] if source_kind == "candidates" else None,
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
