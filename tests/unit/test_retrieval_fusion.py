"""Score fusion (z-scores), re-ranking by probability, and the retrieval metrics, on small hand-made rankings."""

from __future__ import annotations

import numpy as np
import pytest

from hr_core.ml.recommend import (
    PEER_WEIGHT,
    fuse_scores,
    get_score_stats,
    order_by_score,
    rerank_by_probability,
)
from hr_core.ml.retrieval_eval import hit_at_k, mean_reciprocal_rank


def test_fusion_adds_the_z_scores_with_the_cosine_weighted() -> None:
    lexical = np.array([0.0, 2.0, 4.0])  # mean 2, spread sqrt(8/3)
    semantic = np.array([0.9, 0.5, 0.1])  # mean 0.5, spread sqrt(0.32/3)
    stats = (get_score_stats(lexical), get_score_stats(semantic))
    fused = fuse_scores(lexical, semantic, lexical_stats=stats[0], semantic_stats=stats[1], weight=0.5)
    z_lex = (lexical - 2.0) / np.sqrt(8 / 3)
    z_sem = (semantic - 0.5) / np.sqrt(0.32 / 3)
    assert fused == pytest.approx(z_lex + 0.5 * z_sem)
    # The weaker-weighted cosine cannot overturn a wide lexical lead, a strong enough one can.
    assert order_by_score(["a", "b", "c"], fused)[0] == "c"
    heavy = fuse_scores(lexical, semantic, lexical_stats=stats[0], semantic_stats=stats[1], weight=2.0)
    assert order_by_score(["a", "b", "c"], heavy)[0] == "a"


def test_scores_on_different_scales_count_by_their_spread_not_their_size() -> None:
    # BM25 scores run to tens, cosines below one: standardised, a 1-spread lead counts the same in both.
    lexical, semantic = np.array([10.0, 30.0, 20.0]), np.array([0.32, 0.30, 0.31])
    stats = (get_score_stats(lexical), get_score_stats(semantic))
    fused = fuse_scores(lexical, semantic, lexical_stats=stats[0], semantic_stats=stats[1], weight=1.0)
    assert fused == pytest.approx([0.0, 0.0, 0.0], abs=1e-9)
    assert order_by_score(["x", "y", "z"], fused) == ["x", "y", "z"]  # equal scores keep their order


def test_peer_scores_add_their_z_score_where_an_opening_has_peers_and_nothing_elsewhere() -> None:
    lexical, semantic = np.array([1.0, 2.0, 3.0, 4.0]), np.array([0.4, 0.3, 0.2, 0.1])
    peer = np.array([0.5, np.nan, 0.1, np.nan])  # openings 1 and 3 are described: no peers
    stats = {"lexical_stats": get_score_stats(lexical), "semantic_stats": get_score_stats(semantic)}
    assert get_score_stats(peer) == pytest.approx((0.3, 0.2))  # over the openings that have peers
    fused = fuse_scores(lexical, semantic, **stats, peer=peer, peer_stats=get_score_stats(peer))
    plain = fuse_scores(lexical, semantic, **stats)
    assert fused - plain == pytest.approx([PEER_WEIGHT, 0.0, -PEER_WEIGHT, 0.0])


def test_score_stats_of_constant_or_empty_scores_have_unit_spread() -> None:
    assert get_score_stats(np.array([3.0, 3.0])) == (3.0, 1.0)
    assert get_score_stats(np.zeros(0)) == (0.0, 1.0)


def test_rerank_orders_the_head_by_probability_and_keeps_ties_and_the_tail() -> None:
    order = ["a", "b", "c", "d", "e"]
    probability = {"a": 0.2, "b": 0.9, "c": 0.2, "d": 0.5}
    assert rerank_by_probability(order, probability, depth=4) == ["b", "d", "a", "c", "e"]
    assert rerank_by_probability(order, {}, depth=0) == order


def test_hit_at_k_and_mrr() -> None:
    rankings = {"q1": ["a", "b", "c"], "q2": ["x", "y", "z"], "q3": ["m", "n"]}
    relevant = {"q1": {"b"}, "q2": {"z", "y"}, "q3": {"o"}}
    assert hit_at_k(rankings, relevant, k=1) == 0.0
    assert hit_at_k(rankings, relevant, k=2) == pytest.approx(2 / 3)
    assert hit_at_k(rankings, relevant, k=3) == pytest.approx(2 / 3)
    assert mean_reciprocal_rank(rankings, relevant) == pytest.approx((1 / 2 + 1 / 2 + 0) / 3)
    assert hit_at_k({}, {}) == 0.0 and mean_reciprocal_rank({}, {}) == 0.0


def test_a_limit_keeps_the_first_of_the_same_order_nan_last() -> None:
    scores = np.array([0.2, np.nan, 0.9, 0.2, 0.5])
    full = order_by_score(range(5), scores)
    assert full == [2, 4, 0, 3, 1]  # ties keep their order, NaN comes last
    assert order_by_score(range(5), scores, limit=3) == full[:3]
    assert order_by_score(range(5), scores, limit=9) == full
