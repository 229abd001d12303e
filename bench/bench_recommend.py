"""Recommendations: nearest-neighbour p95 and recall at 100k items, MiniLM encoding rate, build overhead.

Baselines measured in the same run: the exact numpy scan of the same vectors (queries), and the
previous encoder (sentence-transformers on PyTorch) on the same texts (encoding).
"""

from __future__ import annotations

import json
import os
import time
from pathlib import Path

import numpy as np

from bench.common import BenchContext, Figure

N_ITEMS = 100_000
N_QUERIES = 300
DIM = 384
SAMPLES = Path(__file__).resolve().parents[1] / "samples" / "decision"


def _unit(x: np.ndarray) -> np.ndarray:
    return (x / np.linalg.norm(x, axis=1, keepdims=True)).astype(np.float32)


def _embedding_like(rng: np.random.Generator, n: int) -> np.ndarray:
    """Random unit vectors with a low intrinsic dimension (32), as sentence embeddings have."""
    latent = rng.standard_normal((32, DIM)).astype(np.float32)
    points = rng.standard_normal((n, 32)).astype(np.float32) @ latent
    return _unit(points + 0.15 * np.sqrt(32) * rng.standard_normal((n, DIM)).astype(np.float32))


def _real_like(rng: np.random.Generator, real: np.ndarray, n: int) -> np.ndarray:
    """n vectors near real MiniLM vectors of real texts: a text, part of another, and a little noise
    (what encoding perturbed copies of the texts gives, without encoding 100k texts)."""
    a = real[rng.integers(0, len(real), n)]
    b = real[rng.integers(0, len(real), n)]
    w = rng.uniform(0.0, 0.35, (n, 1)).astype(np.float32)
    noise = rng.standard_normal((n, DIM)).astype(np.float32) * (0.12 / np.sqrt(DIM))
    return _unit((1 - w) * a + w * b + noise)


def _texts() -> tuple[list[str], list[str]]:
    applicants = json.loads((SAMPLES / "applicants.json").read_text(encoding="utf-8"))
    vagas = json.loads((SAMPLES / "vagas.json").read_text(encoding="utf-8"))
    cvs = [a.get("cv_pt", "") for a in applicants.values() if a.get("cv_pt", "").strip()]
    openings = [
        "\n".join(
            (
                v["informacoes_basicas"].get("titulo_vaga", ""),
                v["perfil_vaga"].get("principais_atividades", ""),
                v["perfil_vaga"].get("competencia_tecnicas_e_comportamentais", ""),
            )
        )
        for v in vagas.values()
    ]
    return cvs, openings


def _measure(vectors: np.ndarray, queries: np.ndarray) -> dict[str, float]:
    """Our search (exact below the threshold, IVF above) vs the exact numpy scan: p95 ms and recall@10."""
    from hr_core.ml.neighbours import plan_clusters, search

    start = time.perf_counter()
    order, layout = plan_clusters(vectors)
    stored = np.ascontiguousarray(vectors[order])
    plan_s = time.perf_counter() - start
    ours, exact, recall = [], [], []
    for q in queries:
        t0 = time.perf_counter()
        ids = search(stored, layout, q, 10)
        t1 = time.perf_counter()
        scores = stored @ q
        truth = np.argpartition(-scores, 10)[:10]
        t2 = time.perf_counter()
        ours.append((t1 - t0) * 1000)
        exact.append((t2 - t1) * 1000)
        recall.append(len(set(ids.tolist()) & set(truth.tolist())) / 10)
    return {
        "p95_ms": float(np.percentile(ours, 95)),
        "exact_p95_ms": float(np.percentile(exact, 95)),
        "recall": float(np.mean(recall)),
        "plan_s": plan_s,
        "clusters": float(len(layout.centroids)),
        "nprobe": float(layout.nprobe),
    }


def _rate(encode: object, texts: list[str], repeat: int = 2) -> float:
    best = float("inf")
    for _ in range(repeat):
        start = time.perf_counter()
        encode(texts)  # type: ignore[operator]
        best = min(best, time.perf_counter() - start)
    return len(texts) / best


def run(ctx: BenchContext) -> list[Figure]:
    os.environ["HR_MODELS_DIR"] = str(ctx.workdir / "models")
    from hr_core.ml.embeddings import encode_texts, load_encoder, load_sentence_transformer
    from hr_core.settings import reset_settings

    reset_settings()
    figures: list[Figure] = []
    cvs, openings = _texts()

    # Encoding: today's ONNX encoder vs the PyTorch sentence-transformers one, same texts, same process.
    onnx, torch_st = load_encoder(), load_sentence_transformer()
    sample = cvs[:120]
    encode_texts(sample[:8], encoder=onnx)
    encode_texts(sample[:8], encoder=torch_st)
    new_rate = _rate(lambda t: encode_texts(t, encoder=onnx), sample)
    old_rate = _rate(lambda t: encode_texts(t, encoder=torch_st), sample)
    figures.append(
        Figure(
            "recommend: MiniLM time per text, ONNX vs PyTorch (lower)",
            1 / new_rate,
            "s",
            1 / old_rate,
            1 / 3,
            extra={"onnx_texts_per_s": new_rate, "torch_texts_per_s": old_rate},
        )
    )
    q_new = encode_texts(cvs[:150], encoder=onnx)
    t_new = encode_texts(openings, encoder=onnx)
    q_old = encode_texts(cvs[:150], encoder=torch_st)
    t_old = encode_texts(openings, encoder=torch_st)
    same = [
        set(np.argsort(-a)[:10]) == set(np.argsort(-b)[:10])
        for a, b in zip(q_new @ t_new.T, q_old @ t_old.T, strict=True)
    ]
    figures.append(
        Figure(
            "recommend: share of queries whose top-10 changed (ONNX vs PyTorch)",
            1 - float(np.mean(same)),
            "",
            None,
            0.05,
        )
    )

    # Nearest neighbours at 100k: real-like (from real MiniLM vectors) and synthetic embedding-like sets.
    rng = np.random.default_rng(7)
    real = np.vstack([encode_texts(cvs, encoder=onnx), t_new])
    sets = {
        "real-like": _real_like(rng, real, N_ITEMS + N_QUERIES),
        "synthetic": _embedding_like(rng, N_ITEMS + N_QUERIES),
    }
    for name, data in sets.items():
        m = _measure(data[:N_ITEMS], data[N_ITEMS:])
        extra = {k: round(v, 4) for k, v in m.items()}
        figures.append(
            Figure(
                f"recommend: query p95 @100k vs exact scan ({name})",
                m["p95_ms"],
                "ms",
                m["exact_p95_ms"],
                extra=extra,
            )
        )
        figures.append(Figure(f"recommend: query p95 @100k, ms ({name})", m["p95_ms"], "ms", None, 2.0))
        figures.append(Figure(f"recommend: 1 - recall@10 @100k ({name})", 1 - m["recall"], "", None, 0.01))
        if name == "real-like":
            projected = N_ITEMS / new_rate
            figures.append(
                Figure(
                    "recommend: index build vs encoding time @100k",
                    m["plan_s"],
                    "s",
                    projected,
                    0.10,
                    extra={"projected_encoding_s": projected},
                )
            )
    return figures
