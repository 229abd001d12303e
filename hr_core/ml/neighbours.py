"""Nearest neighbours of unit vectors by cosine: an exact scan, or an inverted file (IVF) when large.

Small collections are scanned exactly (one float32 matrix product and an `argpartition`). From
IVF_MIN_ITEMS on, the items are grouped by spherical k-means and stored cluster by cluster, so a
query scores the centroids, then scans only the NPROBE closest clusters (contiguous slices, no
copies) and ranks what it found. Measured in `make bench` (bench_recommend) against the exact scan.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

# Below this many items an exact scan is as fast as the IVF and always exact (bench_recommend).
IVF_MIN_ITEMS = 50_000
ITEMS_PER_CLUSTER = 256  # about sqrt(n) clusters at 65k items
# Share of the clusters a query scans. bench_recommend at 100k: recall@10 0.988 on the real set (near-copies
# tie), 0.777 on the synthetic one, whose 0.99 needs about 0.4 of the clusters.
NPROBE_SHARE = 0.08
KMEANS_ITERATIONS = 8
KMEANS_SAMPLE_PER_CLUSTER = 64


@dataclass
class NeighbourIndex:
    """The cluster layout of a vector matrix already stored in cluster order (empty when exact)."""

    centroids: np.ndarray  # (clusters, dim) float32, unit rows
    offsets: np.ndarray  # (clusters + 1,) int64: rows of cluster c are offsets[c]:offsets[c+1]
    nprobe: int

    @property
    def exact(self) -> bool:
        return len(self.centroids) == 0

    @classmethod
    def exact_scan(cls, dim: int) -> NeighbourIndex:
        return cls(np.zeros((0, dim), np.float32), np.zeros(1, np.int64), 0)


def _unit_rows(x: np.ndarray) -> np.ndarray:
    norms = np.linalg.norm(x, axis=1, keepdims=True)
    norms[norms == 0] = 1.0
    unit: np.ndarray = (x / norms).astype(np.float32)
    return unit


def _assign(vectors: np.ndarray, centroids: np.ndarray, chunk: int = 16_384) -> np.ndarray:
    out = np.empty(len(vectors), np.int64)
    for start in range(0, len(vectors), chunk):
        out[start : start + chunk] = np.argmax(vectors[start : start + chunk] @ centroids.T, axis=1)
    return out


def plan_clusters(vectors: np.ndarray, *, seed: int = 42) -> tuple[np.ndarray, NeighbourIndex]:
    """The row order that groups vectors by cluster, and the index over that order.

    Returns (order, index): store `vectors[order]` (and the item codes in the same order); the index
    then describes contiguous slices of that matrix. Below IVF_MIN_ITEMS the order is unchanged and
    the index is an exact scan.
    """
    n, dim = vectors.shape
    if n < IVF_MIN_ITEMS:
        return np.arange(n), NeighbourIndex.exact_scan(dim)
    rng = np.random.default_rng(seed)
    clusters = max(1, n // ITEMS_PER_CLUSTER)
    sample = vectors[rng.choice(n, size=min(n, clusters * KMEANS_SAMPLE_PER_CLUSTER), replace=False)]
    centroids = sample[rng.choice(len(sample), size=clusters, replace=False)].copy()
    for _ in range(KMEANS_ITERATIONS):
        labels = _assign(sample, centroids)
        sums = np.zeros_like(centroids)
        np.add.at(sums, labels, sample)
        empty = np.bincount(labels, minlength=clusters) == 0
        sums[empty] = sample[rng.choice(len(sample), size=int(empty.sum()), replace=False)]
        centroids = _unit_rows(sums)
    labels = _assign(vectors, centroids)
    order = np.argsort(labels, kind="stable")
    counts = np.bincount(labels, minlength=clusters)
    offsets = np.zeros(clusters + 1, np.int64)
    np.cumsum(counts, out=offsets[1:])
    nprobe = max(1, min(clusters, round(clusters * NPROBE_SHARE)))
    return order, NeighbourIndex(centroids.astype(np.float32), offsets, nprobe)


def search(
    vectors: np.ndarray, index: NeighbourIndex, query: np.ndarray, n: int, *, nprobe: int | None = None
) -> np.ndarray:
    """Row numbers of (about) the n most similar rows of vectors, in no particular order.

    Exact for an exact-scan index, when every cluster is probed (nprobe = the number of clusters), and
    whenever n is large compared with what the probed clusters hold. nprobe defaults to the index's.
    """
    total = len(vectors)
    n = min(n, total)
    if n <= 0:
        return np.zeros(0, np.int64)
    q = query.astype(np.float32, copy=False)
    clusters = len(index.centroids)
    probes = min(clusters, nprobe if nprobe is not None else index.nprobe)
    if index.exact or n * 4 * clusters > total * probes:
        scores = vectors @ q
        return np.argpartition(-scores, n - 1)[:n] if n < total else np.arange(total)
    probe = np.sort(np.argpartition(-(index.centroids @ q), probes - 1)[:probes])  # in memory order
    starts, ends = index.offsets[probe], index.offsets[probe + 1]
    scores = np.concatenate([vectors[a:b] @ q for a, b in zip(starts.tolist(), ends.tolist(), strict=True)])
    if len(scores) <= n:
        return np.concatenate([np.arange(a, b) for a, b in zip(starts, ends, strict=True)])
    best = np.argpartition(-scores, n - 1)[:n]
    # A position in the concatenated scores back to its row: the slice it falls in, then its offset there.
    ends_at = np.cumsum(ends - starts)
    slot = np.searchsorted(ends_at, best, side="right")
    found: np.ndarray = starts[slot] + best - (ends_at[slot] - (ends - starts)[slot])
    return found
