"""Reciprocal rank fusion, re-ranking by probability, and the retrieval metrics, on small hand-made rankings."""

from __future__ import annotations

import pytest

from hr_core.ml.recommend import RRF_K, fuse_rankings, rerank_by_probability
from hr_core.ml.retrieval_eval import hit_at_k, mean_reciprocal_rank


def test_fusion_sums_reciprocal_ranks() -> None:
    fused = dict(fuse_rankings([["a", "b", "c"], ["c", "a", "d"]]))
    assert fused["a"] == pytest.approx(1 / (RRF_K + 1) + 1 / (RRF_K + 2))
    assert fused["c"] == pytest.approx(1 / (RRF_K + 3) + 1 / (RRF_K + 1))
    assert fused["b"] == pytest.approx(1 / (RRF_K + 2))
    assert fused["d"] == pytest.approx(1 / (RRF_K + 3))
    assert [code for code, _ in fuse_rankings([["a", "b", "c"], ["c", "a", "d"]])] == ["a", "c", "b", "d"]


def test_an_item_in_both_lists_beats_one_that_tops_only_one() -> None:
    # x is second in both lists; y and z each top one list and are absent from the other.
    order = [code for code, _ in fuse_rankings([["y", "x"], ["z", "x"]])]
    assert order[0] == "x"


def test_ties_go_to_the_better_single_rank_then_to_the_earlier_list() -> None:
    # p: ranks 1 and 3; q: rank 2 in both -> 1/61 + 1/63 > 2/62, so p wins on the sum itself.
    assert [c for c, _ in fuse_rankings([["p", "q"], ["r", "q", "p"]])][:2] == ["p", "q"]
    # s and t each first in one list only: an exact tie, the first list wins.
    assert [c for c, _ in fuse_rankings([["t"], ["s"]])] == ["t", "s"]
    assert [c for c, _ in fuse_rankings([["s"], ["t"]])] == ["s", "t"]


def test_a_smaller_k_favours_the_top_of_each_list() -> None:
    lists = [["a", "b", "c", "d"], ["d", "c", "b", "a"]]
    # Symmetric lists: every item has the same rank sum; with k=0 the extremes (1/1 + 1/4) beat the middle.
    assert [c for c, _ in fuse_rankings(lists, k=0)][:2] == ["a", "d"]
    assert fuse_rankings([]) == [] and fuse_rankings([[], []]) == []


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


def test_weights_scale_each_rankings_share() -> None:
    fused = dict(fuse_rankings([["a", "b"], ["b", "c"]], weights=[1.0, 2.0]))
    assert fused["b"] == pytest.approx(1 / (RRF_K + 2) + 2 / (RRF_K + 1))
    assert fused["c"] == pytest.approx(2 / (RRF_K + 2))
    # With the second ranking counting twice, its second item beats the first ranking's first.
    assert [c for c, _ in fuse_rankings([["a"], ["x", "c"]], weights=[1.0, 2.0])] == ["x", "c", "a"]
    assert [c for c, _ in fuse_rankings([["a"], ["x", "c"]])] == ["a", "x", "c"]
    with pytest.raises(ValueError, match="1 weights for 2 rankings"):
        fuse_rankings([["a"], ["b"]], weights=[1.0])
