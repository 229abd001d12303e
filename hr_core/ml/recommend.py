"""Recommendations both ways: openings for a candidate, candidates for an opening, by embedding similarity.

The indexes themselves (build, storage, status, nearest-neighbour queries) live in hr_core.ml.vector_index.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import Engine

from hr_core.access import Action, Actor, require_role
from hr_core.errors import InvalidInputError, NotFoundError
from hr_core.ml import data
from hr_core.ml.features import (
    build_candidate_skills_text,
    build_vaga_skills_text,
    extract_skills,
    normalise_text,
)
from hr_core.ml.vector_index import (  # the index API, re-exported for pages, jobs and the CLI
    KINDS,
    REBUILD_HINT,
    IndexStatus,
    Kind,
    VectorIndex,
    build_indexes,
    get_index_paths,
    get_index_status,
    open_index,
    query_index,
)

__all__ = [
    "KINDS",
    "REBUILD_HINT",
    "IndexStatus",
    "Kind",
    "RecommendFilters",
    "VectorIndex",
    "build_indexes",
    "get_index_paths",
    "get_index_status",
    "open_index",
    "query_index",
    "recommend",
]


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


def _passes(row: dict[str, Any], kind: Kind, filters: RecommendFilters) -> bool:
    if filters.city:
        where = row.get("cidade") if kind == "vagas" else row.get("local")
        if normalise_text(filters.city) not in normalise_text(where):
            return False
    if filters.level and normalise_text(row.get("nivel_profissional")) != normalise_text(filters.level):
        return False
    if filters.english and normalise_text(row.get("nivel_ingles")) != normalise_text(filters.english):
        return False
    return not (filters.pcd and normalise_text(row.get("pcd")) != "sim")


def recommend(
    *,
    engine: Engine,
    actor: Actor,
    candidate: str | None = None,
    vaga: str | None = None,
    k: int = 10,
    filters: RecommendFilters | None = None,
    indexes: dict[Kind, VectorIndex] | None = None,
) -> dict[str, Any]:
    """Openings for a candidate, or candidates for an opening, by cosine similarity of the embeddings."""
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
    source_row = _load_rows(engine, source_kind, [code]).get(code, {})

    wanted = k if filters == RecommendFilters() else k * 10
    results: list[dict[str, Any]] = []
    while True:
        n = min(wanted, len(target.codes))
        ids, scores = query_index(target, vector, n)
        found = [target.codes[i] for i in ids]
        rows = _load_rows(engine, target_kind, found)
        results = [
            _result(target_kind, c, float(s), rows[c], source_row, source_kind)
            for c, s in zip(found, scores, strict=True)
            if c in rows and _passes(rows[c], target_kind, filters)
        ]
        if len(results) >= k or n >= len(target.codes):
            break
        wanted *= 4
    results.sort(key=lambda r: (-r["score"], r["vaga" if target_kind == "vagas" else "candidate"]))
    key = "candidate" if candidate is not None else "vaga"
    return {key: code, "results": results[:k]}


def _load_rows(engine: Engine, kind: Kind, codes: list[str]) -> dict[str, dict[str, Any]]:
    frame = (
        data.load_vagas(engine, codes=codes) if kind == "vagas" else data.load_candidates(engine, codes=codes)
    )
    return {str(r["codigo"]): r for r in frame.to_dict("records")}


def _result(
    kind: Kind, code: str, score: float, row: dict[str, Any], source_row: dict[str, Any], source_kind: Kind
) -> dict[str, Any]:
    if kind == "vagas":
        shared = extract_skills(build_vaga_skills_text(row)) & extract_skills(
            build_candidate_skills_text(source_row)
        )
        return {
            "vaga": code,
            "title": row.get("titulo", ""),
            "score": round(score, 6),
            "city": row.get("cidade", ""),
            "level": row.get("nivel_profissional", ""),
            "shared_skills": sorted(shared),
        }
    shared = extract_skills(build_candidate_skills_text(row)) & extract_skills(
        build_vaga_skills_text(source_row)
    )
    return {
        "candidate": code,
        "name": row.get("nome", ""),
        "score": round(score, 6),
        "city": row.get("local", ""),
        "level": row.get("nivel_profissional", ""),
        "shared_skills": sorted(shared),
    }
