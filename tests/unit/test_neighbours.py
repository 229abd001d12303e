"""Nearest neighbours: exact scan below the threshold, sign codes re-ranked exactly above it."""

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
    index = neighbours.build_neighbour_index(vectors)
    assert index.exact and len(vectors) < neighbours.ANN_MIN_ITEMS
    for q in vectors[:20]:
        assert set(neighbours.search(vectors, index, q, 10).tolist()) == _exact(vectors, q, 10)
    assert sorted(neighbours.search(vectors, index, vectors[0], 900).tolist()) == list(range(500))


def test_sign_codes_set_one_bit_per_positive_coordinate() -> None:
    dim = 70  # two 64-bit words, the second one padded with zeros
    x = np.where(np.arange(dim) % 3 == 0, 1.0, -1.0).astype(np.float32)
    codes = neighbours.encode_signs(np.stack([x, -x, x]))
    assert codes.shape == (2, 3) and codes.dtype == np.uint64
    assert np.array_equal(codes[:, 0], codes[:, 2])
    distances = neighbours._hamming(codes, codes[:, 0])
    # The opposite vector differs in every used bit, never in a padded one.
    assert distances.tolist() == [0, dim, 0]
    assert int(np.bitwise_count(codes[:, 0]).sum()) == len(range(0, dim, 3))


def test_sign_codes_find_the_true_neighbours(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(neighbours, "ANN_MIN_ITEMS", 1_000)
    rng = np.random.default_rng(2)
    data = _clustered(rng, 6_100)
    vectors, queries = data[:6_000], data[6_000:]
    index = neighbours.build_neighbour_index(vectors)
    assert not index.exact and index.codes.shape == (1, 6_000)
    recall = [
        len(set(neighbours.search(vectors, index, q, 10).tolist()) & _exact(vectors, q, 10)) / 10
        for q in queries
    ]
    assert np.mean(recall) >= 0.99
    # A shortlist too short to hold the neighbours loses some: the codes alone do not rank exactly.
    short = [
        len(set(neighbours.search(vectors, index, q, 10, candidates=12).tolist()) & _exact(vectors, q, 10))
        / 10
        for q in queries
    ]
    assert np.mean(short) < np.mean(recall)
    # Asking for as many as half the items falls back to the exact scan.
    assert set(neighbours.search(vectors, index, queries[0], 3_000).tolist()) == _exact(
        vectors, queries[0], 3_000
    )


def test_the_answer_is_the_best_of_the_shortlist_whatever_the_row_order(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The shortlist keeps every row at its boundary distance, so shuffling the rows changes nothing."""
    monkeypatch.setattr(neighbours, "ANN_MIN_ITEMS", 100)
    rng = np.random.default_rng(4)
    data = _clustered(rng, 2_001, dim=128)
    vectors, q = np.vstack([data[:1_000], data[:1_000]]), data[2_000]  # every item twice: ties
    index = neighbours.build_neighbour_index(vectors)
    found = neighbours.search(vectors, index, q, 5, candidates=40)
    distance = neighbours._hamming(index.codes, neighbours.encode_signs(q[None, :])[:, 0])
    bound = np.sort(distance)[39]
    shortlist = np.flatnonzero(distance <= bound)
    assert len(shortlist) >= 40 and np.all(np.isin((shortlist + 1_000) % 2_000, shortlist))  # twins together
    best = -np.sort(-(vectors[shortlist] @ q))[:5]
    assert np.allclose(np.sort(vectors[found] @ q)[::-1], best)

    order = rng.permutation(len(vectors))
    shuffled = vectors[order]
    again = neighbours.search(shuffled, neighbours.build_neighbour_index(shuffled), q, 5, candidates=40)
    assert np.allclose(np.sort(shuffled[again] @ q)[::-1], best)


def test_hamming_distances_add_up_past_a_byte() -> None:
    # Seven words (448 bits): partial sums of three words each, totals up to 448, as a plain popcount.
    rng = np.random.default_rng(5)
    codes = rng.integers(0, 2**63, size=(7, 50), dtype=np.uint64) | np.uint64(1 << 63)
    codes[:, 0] = ~codes[:, 1]  # item 0 differs from item 1 in every bit
    expected = [
        sum(bin(int(a) ^ int(b)).count("1") for a, b in zip(codes[:, i], codes[:, 1], strict=True))
        for i in range(50)
    ]
    distances = neighbours._hamming(codes, codes[:, 1])
    assert distances.dtype == np.uint16
    assert distances.tolist() == expected and distances[0] == 448 and distances[1] == 0
