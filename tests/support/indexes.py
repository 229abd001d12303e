"""What the served recommendation indexes answer, by code, to compare builds and replicas."""

from __future__ import annotations

from hr_core.ml.vector_index import KINDS, open_index, query_index


def read_nearest_codes(n: int = 5) -> dict[str, dict[str, list[str]]]:
    """Every item's n nearest items of the other kind, by code, from the indexes this process serves."""
    indexes = {k: open_index(k) for k in KINDS}
    out: dict[str, dict[str, list[str]]] = {}
    for kind, other in (("candidates", "vagas"), ("vagas", "candidates")):
        source, target = indexes[kind], indexes[other]  # type: ignore[index]
        out[kind] = {
            code: [target.codes[i] for i in query_index(target, source.vectors[pos], n)[0]]
            for code, pos in source.positions.items()
        }
    return out
