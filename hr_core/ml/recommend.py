"""Embedding indexes (Annoy, angular) of openings and candidates, and recommendations both ways."""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

import numpy as np
import pandas as pd
from sqlalchemy import Engine

from hr_core.access import Action, Actor
from hr_core.audit import audited
from hr_core.errors import InvalidInputError, ModelError, NotFoundError
from hr_core.ml import data
from hr_core.ml.artifacts import get_models_dir, hash_file, read_json, verify_hash, write_json
from hr_core.ml.embeddings import DIMENSION, MODEL_NAME, encode_texts, load_encoder
from hr_core.ml.features import (
    build_candidate_skills_text,
    build_candidate_text,
    build_vaga_skills_text,
    build_vaga_text,
    extract_skills,
    normalise_text,
)
from hr_core.progress import Progress, no_progress

Kind = Literal["vagas", "candidates"]
KINDS: tuple[Kind, ...] = ("vagas", "candidates")
N_TREES = 20
# Nodes Annoy inspects per query. Measured at 100k embedding-like vectors (bench_recommend): 1,000 gives
# recall@10 ~0.4, 10,000 ~0.88, 20,000 ~0.96 at ~30 ms; below ~20k items every query is exact anyway.
SEARCH_K = 20_000
REBUILD_HINT = "rebuild the indexes with `python -m hr_core build-index` (or the button on Recommendations)"


@dataclass
class VectorIndex:
    """A verified Annoy index with the normalised vectors it was built from."""

    kind: Kind
    annoy: Any
    vectors: np.ndarray
    codes: list[str]
    positions: dict[str, int]
    meta: dict[str, Any]


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


@dataclass
class IndexStatus:
    built: bool
    stale: bool
    built_at: str | None = None
    counts: dict[str, int] = field(default_factory=dict)
    message: str = ""


def get_index_paths(kind: Kind) -> tuple[Path, Path, Path]:
    """(annoy file, vectors .npy, metadata JSON) of an index in HR_MODELS_DIR."""
    root = get_models_dir()
    return root / f"index_{kind}.ann", root / f"index_{kind}.npy", root / f"index_{kind}.json"


def _write_index(
    kind: Kind, codes: list[str], vectors: np.ndarray, fingerprint: dict[str, Any]
) -> dict[str, Any]:
    from annoy import AnnoyIndex

    ann_path, npy_path, meta_path = get_index_paths(kind)
    index = AnnoyIndex(DIMENSION, "angular")
    index.set_seed(42)
    for i, vector in enumerate(vectors):
        index.add_item(i, vector)
    index.build(N_TREES, n_jobs=1)
    tmp_ann = ann_path.with_name(f".tmp-{ann_path.name}")
    index.save(str(tmp_ann))
    index.unload()
    tmp_ann.replace(ann_path)
    tmp_npy = npy_path.with_name(f".tmp-{npy_path.stem}.npy")
    np.save(tmp_npy, vectors.astype(np.float32), allow_pickle=False)
    tmp_npy.replace(npy_path)
    meta = {
        "kind": kind,
        "model_name": MODEL_NAME,
        "dimension": DIMENSION,
        "metric": "angular",
        "trees": N_TREES,
        "count": len(codes),
        "codes": codes,
        "annoy_file": ann_path.name,
        "annoy_sha256": hash_file(ann_path),
        "vectors_file": npy_path.name,
        "vectors_sha256": hash_file(npy_path),
        "built_at": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "data_fingerprint": fingerprint,
    }
    write_json(meta_path, meta)
    return meta


def build_indexes(
    *, engine: Engine, actor: Actor, progress: Progress | None = None, encoder: Any = None
) -> dict[str, Any]:
    """Encode every opening and candidate with MiniLM and write both Annoy indexes with metadata."""
    report = progress or no_progress
    with audited(engine, actor, Action.INDEX_BUILD) as audit:
        result = _build(engine, report, encoder)
        audit.details.update(result)
    return result


def _build(engine: Engine, report: Progress, encoder: Any) -> dict[str, Any]:
    report(0.02, "Reading openings and candidates")
    fingerprint = data.get_data_fingerprint(engine)
    vagas = data.load_vagas(engine)
    candidates = data.load_candidates(engine)
    if vagas.empty or candidates.empty:
        raise InvalidInputError(
            f"recommendations need openings and candidates; found {len(vagas)} openings and "
            f"{len(candidates)} candidates — import the recruiting data first"
        )
    report(0.05, "Loading the embedding model")
    encoder = encoder if encoder is not None else load_encoder()
    seconds = {"encode": 0.0, "index": 0.0}
    result: dict[str, Any] = {"model": MODEL_NAME, "dimension": DIMENSION}
    jobs: list[tuple[Kind, pd.DataFrame, Callable[[dict[str, Any]], str], float, float]] = [
        ("vagas", vagas, build_vaga_text, 0.1, 0.4),
        ("candidates", candidates, build_candidate_text, 0.5, 0.45),
    ]
    for kind, frame, to_text, start, span in jobs:
        texts = [to_text(r) for r in frame.to_dict("records")]
        t0 = time.perf_counter()

        def step(f: float, m: str, s: float = start, w: float = span, k: str = kind) -> None:
            report(s + w * 0.9 * f, f"{k}: {m}")

        vectors = encode_texts(texts, encoder=encoder, progress=step)
        t1 = time.perf_counter()
        report(start + span * 0.95, f"Building the {kind} index")
        meta = _write_index(kind, [str(c) for c in frame["codigo"]], vectors, fingerprint)
        seconds["encode"] += t1 - t0
        seconds["index"] += time.perf_counter() - t1
        result[kind] = meta["count"]
    result["seconds"] = {k: round(v, 3) for k, v in seconds.items()}
    report(1.0, "Done")
    return result


def open_index(kind: Kind) -> VectorIndex:
    """Load an index after checking its model, dimension, count and the SHA-256 of both files."""
    from annoy import AnnoyIndex

    ann_path, npy_path, meta_path = get_index_paths(kind)
    meta = read_json(meta_path, what=f"the {kind} index metadata", fix=REBUILD_HINT)
    if meta.get("model_name") != MODEL_NAME or meta.get("dimension") != DIMENSION:
        raise ModelError(
            f"the {kind} index at {ann_path} was built with {meta.get('model_name')!r} "
            f"(dimension {meta.get('dimension')}), not {MODEL_NAME} ({DIMENSION}); {REBUILD_HINT}"
        )
    verify_hash(ann_path, meta.get("annoy_sha256"), what=f"the {kind} index", fix=REBUILD_HINT)
    verify_hash(npy_path, meta.get("vectors_sha256"), what=f"the {kind} index vectors", fix=REBUILD_HINT)
    try:
        vectors = np.load(npy_path, allow_pickle=False)
    except ValueError as e:
        raise ModelError(
            f"the {kind} index vectors at {npy_path} are unreadable ({e}); {REBUILD_HINT}"
        ) from e
    codes = [str(c) for c in meta.get("codes", [])]
    if vectors.shape != (len(codes), DIMENSION) or meta.get("count") != len(codes):
        raise ModelError(
            f"the {kind} index at {ann_path} holds vectors of shape {vectors.shape} but its metadata says "
            f"{meta.get('count')} items of dimension {DIMENSION}; {REBUILD_HINT}"
        )
    index = AnnoyIndex(DIMENSION, "angular")
    try:
        index.load(str(ann_path))
    except OSError as e:
        raise ModelError(f"the {kind} index at {ann_path} cannot be opened ({e}); {REBUILD_HINT}") from e
    if index.get_n_items() != len(codes):
        raise ModelError(f"the {kind} index at {ann_path} has {index.get_n_items()} items, not {len(codes)}")
    return VectorIndex(kind, index, vectors, codes, {c: i for i, c in enumerate(codes)}, meta)


def get_index_status(engine: Engine) -> IndexStatus:
    """Whether both indexes exist and still describe the data (stale after an import changed it)."""
    metas = {}
    for kind in KINDS:
        meta_path = get_index_paths(kind)[2]
        if not meta_path.is_file():
            return IndexStatus(
                built=False, stale=True, message="The recommendation indexes are not built yet."
            )
        metas[kind] = read_json(meta_path, what=f"the {kind} index metadata", fix=REBUILD_HINT)
    built = metas["vagas"].get("data_fingerprint")
    current = data.get_data_fingerprint(engine)
    stale = built != current or metas["candidates"].get("data_fingerprint") != current
    return IndexStatus(
        built=True,
        stale=stale,
        built_at=metas["vagas"].get("built_at"),
        counts={k: int(m.get("count", 0)) for k, m in metas.items()},
        message=(
            "The data changed since the indexes were built (new or removed candidates or openings); rebuild them."
            if stale
            else "The indexes are up to date."
        ),
    )


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


def _similarities(targets: np.ndarray, vector: np.ndarray) -> np.ndarray:
    # float64 element-wise product summed in index order: the same number from either side.
    sums: np.ndarray = (targets.astype(np.float64) * vector.astype(np.float64)).sum(axis=1)
    return sums


def query_index(index: VectorIndex, vector: np.ndarray, n: int) -> tuple[list[int], np.ndarray]:
    """The n nearest items of an index (positions) and their exact cosine similarity, best first."""
    ids = index.annoy.get_nns_by_vector(vector.tolist(), n, search_k=max(SEARCH_K, n * N_TREES))
    scores = _similarities(index.vectors[ids], vector)
    order = np.argsort(-scores, kind="stable")
    return [ids[i] for i in order], scores[order]


def recommend(
    *,
    engine: Engine,
    candidate: str | None = None,
    vaga: str | None = None,
    k: int = 10,
    filters: RecommendFilters | None = None,
    indexes: dict[Kind, VectorIndex] | None = None,
) -> dict[str, Any]:
    """Openings for a candidate, or candidates for an opening, by cosine similarity of the embeddings."""
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
