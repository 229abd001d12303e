"""On the 42 hand-checked real pairs, the fused ranking finds at least as many as either ranking alone."""

from __future__ import annotations

from pathlib import Path

import pytest

from hr_core.ml.embeddings import load_encoder
from hr_core.ml.retrieval_eval import evaluate_retrieval, load_retrieval_pairs

REPO = Path(__file__).resolve().parents[2]
SAMPLES = REPO / "samples" / "decision"


@pytest.mark.slow  # encodes the 42 CVs and 300 openings with MiniLM
def test_hybrid_hit_at_10_is_at_least_the_best_single_ranker_on_real_pairs() -> None:
    labelled = load_retrieval_pairs(
        REPO / "tests" / "data" / "retrieval_pairs.json",
        applicants=SAMPLES / "applicants.json",
        vagas=SAMPLES / "vagas.json",
    )
    assert len(labelled.candidates) == len(labelled.relevant) >= 30 and len(labelled.vagas) == 300
    report = evaluate_retrieval(labelled, encoder=load_encoder(), k=10)
    minilm, bm25, hybrid = (report.score(m) for m in ("minilm", "bm25", "hybrid"))
    assert hybrid.hit_at_k >= max(minilm.hit_at_k, bm25.hit_at_k), report.table()
    assert hybrid.mrr >= bm25.mrr, report.table()
    assert all(s.queries == len(labelled.candidates) for s in report.scores)
