"""Incremental index builds, the build status record, and the build lock (real encoder, both databases)."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine

from hr_core.access import CLI_ACTOR
from hr_core.errors import ConflictError, ModelError
from hr_core.ml import neighbours, vector_index
from hr_core.ml.artifacts import get_models_dir, write_json
from hr_core.ml.build_status import STATUS_FILE, get_build_status
from hr_core.ml.vector_index import KINDS, build_indexes, get_index_status, open_index
from hr_core.settings import reset_settings
from tests.factories import insert_recruiting_rows, make_planted_recommend_rows
from tests.support.indexes import read_nearest_codes


def _plain(rows: list[dict]) -> list[dict]:
    return [{k: v for k, v in r.items() if k != "planted_vaga"} for r in rows]


@pytest.mark.parametrize("search", ["exact", "sign codes"])
def test_incremental_build_encodes_only_new_texts_and_equals_a_full_build(
    engine: Engine, encoder: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, search: str
) -> None:
    n = 5
    if search == "sign codes":  # at toy size: a shortlist of 2 items by Hamming distance, re-ranked
        monkeypatch.setattr(neighbours, "ANN_MIN_ITEMS", 4)
        monkeypatch.setattr(neighbours, "CANDIDATES_PER_RESULT", 1)
        n = 2  # few enough that the shortlist is searched, not the whole matrix (8 openings, 16 candidates)
    candidates, vagas = make_planted_recommend_rows()
    first, later = candidates[:-3], candidates[-3:]
    insert_recruiting_rows(engine, candidates=_plain(first), vagas=vagas, prospects=[])
    result = build_indexes(engine=engine, actor=CLI_ACTOR, encoder=encoder)
    assert result.encoded == len(first) + len(vagas) and result.reused == 0
    assert result.lexical_terms["vagas"] > 0 and result.lexical_terms["candidates"] > 0
    assert get_build_status().state == "done"

    again = build_indexes(engine=engine, actor=CLI_ACTOR, encoder=encoder)
    assert again.encoded == 0 and again.unchanged is True

    insert_recruiting_rows(engine, candidates=_plain(later), vagas=[], prospects=[])
    assert get_index_status(engine).stale
    step = build_indexes(engine=engine, actor=CLI_ACTOR, encoder=encoder)
    assert step.encoded == 3 and step.reused == len(first) + len(vagas)
    assert step.candidates == len(candidates)
    status = get_index_status(engine)
    assert status.built and not status.stale and not status.building
    if search == "sign codes":
        assert all(open_index(k).meta["search"].startswith("sign codes") for k in KINDS)
        assert all(open_index(k).neighbours.codes.shape == (6, len(open_index(k).codes)) for k in KINDS)
    incremental = read_nearest_codes(n)
    # Each build is a folder of its own in the cache; the served one and the one it replaced are kept.
    assert again.build is None and result.build is not None and step.build is not None
    assert step.build > result.build  # ids sort in the order the builds were made
    assert status.served_build == step.build
    cached = {p.name for p in (get_models_dir() / "indexes").iterdir() if p.is_dir()}
    assert cached == {result.build, step.build}
    assert not list(get_models_dir().glob("index_*.npy"))  # nothing outside the build folders
    lexical = _lexical()

    monkeypatch.setenv("HR_MODELS_DIR", str(tmp_path / "full"))
    reset_settings()
    full = build_indexes(engine=engine, actor=CLI_ACTOR, encoder=encoder, full=True)
    assert full.encoded == len(candidates) + len(vagas)
    assert read_nearest_codes(n) == incremental
    assert _lexical() == lexical


def _lexical() -> dict[str, dict[str, dict[str, float]]]:
    """Every item's BM25 term weights, by kind and code (independent of the stored order)."""
    out: dict[str, dict[str, dict[str, float]]] = {}
    for kind in KINDS:
        index = open_index(kind)
        assert index.lexical is not None and index.lexical.codes == index.codes
        terms = {j: t for t, j in index.lexical.vocabulary.items()}
        weights = index.lexical.weights
        out[kind] = {
            code: {
                terms[int(j)]: round(float(w), 9)
                for j, w in zip(
                    weights.indices[weights.indptr[i] : weights.indptr[i + 1]],
                    weights.data[weights.indptr[i] : weights.indptr[i + 1]],
                    strict=True,
                )
            }
            for i, code in enumerate(index.codes)
        }
    return out


def _build_then_edit_meta(engine: Engine, encoder: Any, kind: str, edit: Any) -> None:
    """Build both indexes over the planted rows, then change one kind's metadata as an older build left it."""
    import json

    candidates, vagas = make_planted_recommend_rows()
    insert_recruiting_rows(engine, candidates=_plain(candidates), vagas=vagas, prospects=[])
    build_indexes(engine=engine, actor=CLI_ACTOR, encoder=encoder)
    meta_path = vector_index.get_index_paths(kind)[2]  # type: ignore[arg-type]
    meta = json.loads(meta_path.read_text())
    edit(meta)
    meta_path.write_text(json.dumps(meta))


def test_a_build_without_its_lexical_half_is_refused_then_completed_without_re_encoding(
    engine: Engine, encoder: Any
) -> None:
    def before_hybrid(meta: dict[str, Any]) -> None:  # what a build before hybrid retrieval left
        del meta["lexical_file"], meta["lexical_sha256"]

    _build_then_edit_meta(engine, encoder, "vagas", before_hybrid)
    with pytest.raises(ModelError, match="no lexical index"):
        open_index("vagas")
    assert open_index("vagas", lexical=False).lexical is None
    again = build_indexes(engine=engine, actor=CLI_ACTOR, encoder=encoder)
    assert again.encoded == 0 and not again.unchanged
    assert open_index("vagas").lexical is not None

    lex = vector_index.get_lexical_path("vagas")
    raw = bytearray(lex.read_bytes())
    raw[-40] ^= 0xFF
    lex.write_bytes(bytes(raw))
    with pytest.raises(ModelError, match="lexical index .*integrity check"):
        open_index("vagas")


def test_a_lexical_index_of_another_analyser_is_refused_then_rebuilt_without_re_encoding(
    engine: Engine, encoder: Any
) -> None:
    from hr_core.ml.lexical import ANALYZER_VERSION

    def before_versions(meta: dict[str, Any]) -> None:  # what a build before analyser versions left
        assert meta.pop("lexical_analyzer") == ANALYZER_VERSION

    _build_then_edit_meta(engine, encoder, "candidates", before_versions)
    with pytest.raises(ModelError, match="another version of the text analyser"):
        open_index("candidates")
    status = get_index_status(engine)
    assert status.stale and "text analyser changed" in status.message
    again = build_indexes(engine=engine, actor=CLI_ACTOR, encoder=encoder)
    assert again.encoded == 0 and not again.unchanged
    assert open_index("candidates").lexical is not None and not get_index_status(engine).stale


def test_an_index_of_an_older_format_is_refused_then_rebuilt_without_re_encoding(
    engine: Engine, encoder: Any
) -> None:
    def inverted_file(meta: dict[str, Any]) -> None:  # what a build with the inverted file left
        assert meta["format"] == vector_index.INDEX_FORMAT == 3
        meta["format"] = 2

    _build_then_edit_meta(engine, encoder, "candidates", inverted_file)
    with pytest.raises(ModelError, match="older format.*build-index"):
        open_index("candidates")
    again = build_indexes(engine=engine, actor=CLI_ACTOR, encoder=encoder)
    assert again.encoded == 0 and not again.unchanged  # its vectors are reused, its files rewritten
    assert open_index("candidates").meta["format"] == 3


def test_status_shows_a_running_build_and_an_interrupted_one(engine: Engine) -> None:
    path = get_models_dir() / STATUS_FILE
    write_json(
        path, {"state": "running", "fraction": 0.4, "message": "Encoded 40/100 texts", "pid": os.getpid()}
    )
    status = get_index_status(engine)
    assert status.building and not status.built and status.progress == pytest.approx(0.4)
    assert status.message.startswith("Index being built: 40 %")

    write_json(path, {"state": "running", "fraction": 0.7, "message": "x", "pid": 2**22 + 12345})
    assert get_build_status().state == "interrupted"
    status = get_index_status(engine)
    assert not status.building and "stopped at 70 %" in status.message


def test_a_second_build_while_one_runs_is_refused(engine: Engine, encoder: Any) -> None:
    candidates, vagas = make_planted_recommend_rows()
    insert_recruiting_rows(engine, candidates=_plain(candidates), vagas=vagas, prospects=[])
    with vector_index._build_lock(), pytest.raises(ConflictError, match="already running"):
        build_indexes(engine=engine, actor=CLI_ACTOR, encoder=encoder)
