"""Recommendations: Annoy query latency and recall at 100k items, MiniLM encoding rate, build overhead."""

from __future__ import annotations

import json
import os
import time
from pathlib import Path

import numpy as np

from bench.common import BenchContext, Figure

N_ITEMS = 100_000
N_QUERIES = 200
DIM = 384
SHARED = Path(__file__).resolve().parents[1] / "samples" / "decision" / "applicants.json"


def _unit(x: np.ndarray) -> np.ndarray:
    return (x / np.linalg.norm(x, axis=1, keepdims=True)).astype(np.float32)


def _embedding_like(rng: np.random.Generator, n: int) -> np.ndarray:
    """Random unit vectors with a low intrinsic dimension (32), as sentence embeddings have."""
    latent = rng.standard_normal((32, DIM)).astype(np.float32)
    points = rng.standard_normal((n, 32)).astype(np.float32) @ latent
    return _unit(points + 0.15 * np.sqrt(32) * rng.standard_normal((n, DIM)).astype(np.float32))


def _measure_queries(index: object, vectors: np.ndarray, queries: np.ndarray) -> tuple[float, float, float]:
    """(Annoy p95 ms, exact numpy p95 ms, recall@10) over the queries."""
    from hr_core.ml.recommend import query_index

    annoy_ms, exact_ms, recall = [], [], []
    for q in queries:
        start = time.perf_counter()
        ids, _ = query_index(index, q, 10)  # type: ignore[arg-type]
        annoy_ms.append((time.perf_counter() - start) * 1000)
        start = time.perf_counter()
        exact = np.argpartition(-(vectors @ q), 10)[:10]
        exact_ms.append((time.perf_counter() - start) * 1000)
        recall.append(len(set(ids) & set(exact.tolist())) / 10)
    return float(np.percentile(annoy_ms, 95)), float(np.percentile(exact_ms, 95)), float(np.mean(recall))


def _cv_texts(n: int) -> list[str]:
    applicants = json.loads(SHARED.read_text(encoding="utf-8"))
    texts = [a.get("cv_pt", "") for a in applicants.values() if a.get("cv_pt", "").strip()]
    return (texts * (n // max(len(texts), 1) + 1))[:n]


def run(ctx: BenchContext) -> list[Figure]:
    os.environ["HR_MODELS_DIR"] = str(ctx.workdir / "models")
    from hr_core.ml.embeddings import encode_texts, load_encoder
    from hr_core.ml.recommend import N_TREES, SEARCH_K, _write_index, open_index
    from hr_core.settings import reset_settings

    reset_settings()
    rng = np.random.default_rng(7)
    figures: list[Figure] = []

    all_vectors = _embedding_like(rng, N_ITEMS + N_QUERIES)
    vectors, queries = all_vectors[:N_ITEMS], all_vectors[N_ITEMS:]
    codes = [f"V{i:06d}" for i in range(N_ITEMS)]
    start = time.perf_counter()
    _write_index("vagas", codes, vectors, {"bench": True})
    build_s = time.perf_counter() - start
    start = time.perf_counter()
    index = open_index("vagas")
    open_s = time.perf_counter() - start
    p95, exact_p95, recall = _measure_queries(index, vectors, queries)
    settings = {"items": N_ITEMS, "trees": N_TREES, "search_k": SEARCH_K, "queries": N_QUERIES}
    figures.append(Figure("recommend: Annoy query p95 @100k (ms)", p95, "ms", target=50.0, extra=settings))
    figures.append(Figure("recommend: Annoy vs exact numpy query p95 @100k", p95, "ms", baseline=exact_p95))
    figures.append(Figure("recommend: 1 - recall@10 @100k (embedding-like)", 1 - recall, "", target=0.05))

    uniform = _unit(rng.standard_normal((N_ITEMS + N_QUERIES, DIM)).astype(np.float32))
    _write_index("candidates", codes, uniform[:N_ITEMS], {"bench": True})
    _, _, uniform_recall = _measure_queries(open_index("candidates"), uniform[:N_ITEMS], uniform[N_ITEMS:])
    figures.append(
        Figure("recommend: 1 - recall@10 @100k (uniform, worst case)", 1 - uniform_recall, "", extra=settings)
    )

    texts = _cv_texts(200)
    encoder = load_encoder()
    encode_texts(texts[:8], encoder=encoder)  # warm-up
    start = time.perf_counter()
    encode_texts(texts, encoder=encoder)
    encode_s = time.perf_counter() - start
    rate = len(texts) / encode_s
    figures.append(Figure("recommend: MiniLM encoding rate (CVs/s)", rate, "/s"))
    projected = N_ITEMS / rate
    figures.append(
        Figure(
            "recommend: non-encoding build time vs encoding @100k",
            build_s + open_s,
            "s",
            baseline=projected,
            target=0.10,
            extra={"index_write_s": build_s, "open_verify_s": open_s, "projected_encoding_s": projected},
        )
    )
    return figures
