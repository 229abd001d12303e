"""Nearest neighbours: exact scan below the threshold, inverted file above it (recall, fallbacks)."""

from __future__ import annotations

import numpy as np
import pytest

from hr_core.ml import neighbours


def _clustered(rng: np.random.Generator, n: int, dim: int = 64, topics: int = 40) -> np.ndarray:
    """Unit vectors around a few topics, as sentence embeddings of CVs and openings are."""
    centres = rng.standard_normal((topics, dim))
    points = centres[rng.integers(0, topics, n)] + 0.6 * rng.standard_normal((n, dim))
    return (points / np.linalg.norm(points, axis=1, keepdims=True)).astype(np.float32)


def _exact(vectors: np.ndarray, q: np.ndarray, n: int) -> set[int]:
    return set(np.argsort(-(vectors @ q), kind="stable")[:n].tolist())


def test_small_collections_are_scanned_exactly() -> None:
    rng = np.random.default_rng(1)
    vectors = _clustered(rng, 500)
    order, index = neighbours.plan_clusters(vectors)
    assert index.exact and list(order) == list(range(500))
    for q in vectors[:20]:
        assert set(neighbours.search(vectors, index, q, 10).tolist()) == _exact(vectors, q, 10)
    assert sorted(neighbours.search(vectors, index, vectors[0], 900).tolist()) == list(range(500))


def test_inverted_file_finds_the_true_neighbours(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(neighbours, "IVF_MIN_ITEMS", 1_000)
    monkeypatch.setattr(neighbours, "ITEMS_PER_CLUSTER", 64)
    rng = np.random.default_rng(2)
    data = _clustered(rng, 6_100)
    vectors, queries = data[:6_000], data[6_000:]
    order, index = neighbours.plan_clusters(vectors)
    assert not index.exact and sorted(order.tolist()) == list(range(6_000))
    stored = vectors[order]
    assert index.offsets[-1] == 6_000 and np.all(np.diff(index.offsets) >= 0)
    recall = [
        len(set(neighbours.search(stored, index, q, 10).tolist()) & _exact(stored, q, 10)) / 10
        for q in queries
    ]
    assert np.mean(recall) >= 0.97
    # Asking for many more than the probed clusters hold falls back to the exact scan.
    assert set(neighbours.search(stored, index, queries[0], 3_000).tolist()) == _exact(
        stored, queries[0], 3_000
    )


def test_probing_every_cluster_gives_the_exact_answer(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(neighbours, "IVF_MIN_ITEMS", 1_000)
    monkeypatch.setattr(neighbours, "ITEMS_PER_CLUSTER", 50)
    rng = np.random.default_rng(3)
    data = _clustered(rng, 3_040)
    vectors, queries = data[:3_000], data[3_000:]
    order, index = neighbours.plan_clusters(vectors)
    stored = vectors[order]
    clusters = len(index.centroids)
    assert clusters == 60 and index.nprobe < clusters
    for q in queries:
        found = neighbours.search(stored, index, q, 10, nprobe=clusters)
        assert sorted(found.tolist()) == sorted(_exact(stored, q, 10))
    # With the index's own nprobe the rows found are real rows whose scores are those of the stored matrix.
    found = neighbours.search(stored, index, queries[0], 10)
    assert len(set(found.tolist())) == 10 and found.min() >= 0 and found.max() < 3_000


def test_the_row_mapping_of_probed_slices_is_right(monkeypatch: pytest.MonkeyPatch) -> None:
    """Search within probed clusters returns the best rows of exactly those clusters."""
    monkeypatch.setattr(neighbours, "IVF_MIN_ITEMS", 1_000)
    monkeypatch.setattr(neighbours, "ITEMS_PER_CLUSTER", 100)
    rng = np.random.default_rng(4)
    data = _clustered(rng, 2_001)
    vectors, q = data[:2_000], data[2_000]
    order, index = neighbours.plan_clusters(vectors)
    stored = vectors[order]
    probes = 3
    probe = np.argsort(-(index.centroids @ q))[:probes]
    rows = np.concatenate([np.arange(index.offsets[c], index.offsets[c + 1]) for c in probe])
    best = set(rows[np.argsort(-(stored[rows] @ q), kind="stable")[:5]].tolist())
    assert set(neighbours.search(stored, index, q, 5, nprobe=probes).tolist()) == best
