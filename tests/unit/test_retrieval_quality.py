"""On real Decision data: the fused ranking finds at least as many of the 42 hand-checked pairs as either
ranking alone, and a put-forward opening for 45 % of the candidates prospects.json links (issue 12)."""

from __future__ import annotations

from pathlib import Path

import pytest

from hr_core.ml.embeddings import load_encoder
from hr_core.ml.retrieval_eval import evaluate_retrieval, load_prospect_links, load_retrieval_pairs

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


@pytest.mark.slow  # encodes the 500 CVs and 350 opening titles with MiniLM
def test_hybrid_finds_a_put_forward_opening_in_the_top_10_for_45_percent_of_real_candidates() -> None:
    """Issue 12's target: real candidates and the openings prospects.json put them forward for, among 350
    openings known by their title; the peer scores of those thin openings carry the hybrid past BM25."""
    labelled = load_prospect_links(
        applicants=SAMPLES / "applicants.json",
        prospects=[SAMPLES / "prospects.json", SAMPLES / "prospects_larger.json"],
        openings=350,
    )
    assert len(labelled.candidates) == 58 and len(labelled.vagas) == 350
    report = evaluate_retrieval(labelled, encoder=load_encoder(), k=10)
    bm25, hybrid = report.score("bm25"), report.score("hybrid")
    assert hybrid.hit_at_k >= 0.45, report.table()
    assert hybrid.hit_at_k > bm25.hit_at_k and hybrid.mrr > bm25.mrr, report.table()
