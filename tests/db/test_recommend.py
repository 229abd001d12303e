"""Embedding indexes and recommendations with the real MiniLM model, on both databases."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import numpy as np
import pytest
from sqlalchemy import Engine

from hr_core.access import CLI_ACTOR, Actor
from hr_core.cli import main as cli_main
from hr_core.errors import InvalidInputError, ModelError, NotFoundError, PermissionDenied
from hr_core.ml.recommend import (
    RecommendFilters,
    build_indexes,
    get_index_paths,
    get_index_status,
    open_index,
    recommend,
)
from tests.factories import insert_recruiting_rows, make_planted_recommend_rows


@pytest.fixture(scope="module")
def encoder() -> Iterator[Any]:
    """The real all-MiniLM-L6-v2 model, loaded once for this module."""
    from hr_core.ml.embeddings import load_encoder

    yield load_encoder()


@pytest.fixture
def indexed(engine: Engine, encoder: Any) -> tuple[Engine, list[dict], list[dict]]:
    candidates, vagas = make_planted_recommend_rows()
    insert_recruiting_rows(engine, candidates=candidates, vagas=vagas, prospects=[])
    result = build_indexes(engine=engine, actor=CLI_ACTOR, encoder=encoder)
    assert result["vagas"] == len(vagas) and result["candidates"] == len(candidates)
    return engine, candidates, vagas


def test_recommendations_find_the_planted_best_match_both_ways(
    indexed: tuple[Engine, list[dict], list[dict]],
) -> None:
    engine, candidates, vagas = indexed
    for cand in candidates:
        top = recommend(engine=engine, actor=CLI_ACTOR, candidate=cand["codigo"], k=3)
        assert top["candidate"] == cand["codigo"]
        assert top["results"][0]["vaga"] == cand["planted_vaga"], (cand, top)
        scores = [r["score"] for r in top["results"]]
        assert scores == sorted(scores, reverse=True) and len(scores) == 3
    for vaga in vagas:
        top = recommend(engine=engine, actor=CLI_ACTOR, vaga=vaga["codigo"], k=2)
        wanted = {c["codigo"] for c in candidates if c["planted_vaga"] == vaga["codigo"]}
        assert {r["candidate"] for r in top["results"]} == wanted
        for row in top["results"]:
            back = recommend(engine=engine, actor=CLI_ACTOR, candidate=row["candidate"], k=len(vagas))[
                "results"
            ]
            assert {r["vaga"]: r["score"] for r in back}[vaga["codigo"]] == row["score"]
        assert top["results"][0]["shared_skills"]


def test_filters_apply_to_the_recommended_side(indexed: tuple[Engine, list[dict], list[dict]]) -> None:
    engine, candidates, vagas = indexed
    vaga = vagas[0]["codigo"]
    in_city = recommend(
        engine=engine, actor=CLI_ACTOR, vaga=vaga, k=10, filters=RecommendFilters(city="recife")
    )["results"]
    assert in_city and all("Recife" in r["city"] for r in in_city)
    assert len(in_city) == sum("Recife" in c["local"] for c in candidates)
    seniors = recommend(
        engine=engine,
        actor=CLI_ACTOR,
        candidate=candidates[0]["codigo"],
        k=10,
        filters=RecommendFilters(level="Sênior"),
    )
    assert {r["vaga"] for r in seniors["results"]} == {
        v["codigo"] for v in vagas if v["nivel_profissional"] == "Sênior"
    }
    pcd = recommend(engine=engine, actor=CLI_ACTOR, vaga=vaga, k=10, filters=RecommendFilters(pcd=True))[
        "results"
    ]
    assert [r["candidate"] for r in pcd] == [c["codigo"] for c in candidates if c["pcd"] == "Sim"]
    with pytest.raises(NotFoundError, match="not in the recommendation index"):
        recommend(engine=engine, actor=CLI_ACTOR, candidate="nobody")
    with pytest.raises(InvalidInputError, match="exactly one"):
        recommend(engine=engine, actor=CLI_ACTOR, candidate="a", vaga="b")


def test_cli_recommend_and_stale_marker(
    indexed: tuple[Engine, list[dict], list[dict]], capsys: pytest.CaptureFixture[str]
) -> None:
    engine, candidates, _ = indexed
    code = candidates[0]["codigo"]
    assert cli_main(["recommend", "--candidate", code, "-k", "2"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["candidate"] == code and len(out["results"]) == 2
    assert set(out["results"][0]) >= {"vaga", "title", "score"}
    assert out["results"][0]["vaga"] == candidates[0]["planted_vaga"]

    assert get_index_status(engine).stale is False
    extra = [{**candidates[0], "codigo": "ZZ-new"}]
    insert_recruiting_rows(engine, candidates=[_columns(c) for c in extra], vagas=[], prospects=[])
    status = get_index_status(engine)
    assert status.built and status.stale and "rebuild" in status.message


def test_tampered_or_mismatched_indexes_are_refused(indexed: tuple[Engine, list[dict], list[dict]]) -> None:
    ann, npy, meta_path = get_index_paths("vagas")
    assert open_index("vagas").vectors.shape[1] == 384
    original = ann.read_bytes()
    ann.write_bytes(original[:100] + bytes(b ^ 0xFF for b in original[100:108]) + original[108:])
    with pytest.raises(ModelError, match="integrity check"):
        open_index("vagas")
    ann.write_bytes(original)

    vectors = np.load(npy)
    vectors[0, 0] += 0.5
    np.save(npy, vectors)
    with pytest.raises(ModelError, match="vectors .* integrity check"):
        open_index("vagas")

    meta = json.loads(meta_path.read_text())
    meta["dimension"] = 512
    meta_path.write_text(json.dumps(meta))
    with pytest.raises(ModelError, match="dimension 512"):
        open_index("vagas")


def test_building_needs_a_recruiter_and_data(engine: Engine) -> None:
    with pytest.raises(PermissionDenied):
        build_indexes(engine=engine, actor=Actor(username="a", role="analyst"))
    with pytest.raises(InvalidInputError, match="import the recruiting data"):
        build_indexes(engine=engine, actor=CLI_ACTOR)
    assert get_index_status(engine).built is False


def _columns(row: dict) -> dict:
    return {k: v for k, v in row.items() if k != "planted_vaga"}
