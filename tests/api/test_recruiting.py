"""Recruiting reads (pages by offset), matching one pair and a batch, recommendations, and the /compat reads."""

from __future__ import annotations

import pytest
from sqlalchemy import Engine

from hr_core.access import CLI_ACTOR
from hr_core.ml.match import train_match_model
from tests.api.conftest import Api, assert_problem
from tests.factories import insert_recruiting_rows, make_match_rows


@pytest.fixture
def rows(api: Api) -> tuple[list[dict], list[dict], list[dict]]:
    candidates, vagas, prospects = make_match_rows(seed=7, n_vagas=16, per_vaga=8, in_progress=0.1)
    insert_recruiting_rows(api.engine, candidates=candidates, vagas=vagas, prospects=prospects)
    return candidates, vagas, prospects


def _train(engine: Engine) -> None:
    train_match_model(engine=engine, actor=CLI_ACTOR)


def test_candidates_and_openings_page_by_offset(api: Api, rows: tuple[list[dict], ...]) -> None:
    candidates, vagas, _ = rows
    codes = sorted(c["codigo"] for c in candidates)
    page = api.get("/api/v1/recruiting/candidates?offset=7&limit=5", "recruiter").json()
    assert (page["total"], [c["codigo"] for c in page["items"]]) == (len(codes), codes[7:12])
    assert api.get(f"/api/v1/recruiting/candidates?offset={len(codes)}", "recruiter").json()["items"] == []
    assert_problem(api.get("/api/v1/recruiting/candidates?limit=501", "recruiter"), 422)
    assert_problem(api.get("/api/v1/recruiting/candidates", "analyst"), 403)
    one = api.get(f"/api/v1/recruiting/candidates/{codes[0]}", "recruiter").json()
    assert one["codigo"] == codes[0] and "record" in one
    assert_problem(api.get("/api/v1/recruiting/candidates/nobody", "recruiter"), 404)
    openings = api.get("/api/v1/recruiting/openings?limit=3", "admin").json()
    assert openings["total"] == len(vagas) and len(openings["items"]) == 3
    code = openings["items"][0]["codigo"]
    assert api.get(f"/api/v1/recruiting/openings/{code}/prospects", "recruiter").json()["items"]
    listed = api.get("/compat/candidatos/list?offset=0&limit=2", "recruiter").json()
    assert listed["total"] == len(codes) and listed["data"][0]["codigo_profissional"] == codes[0]
    details = api.get(f"/compat/candidatos/details/{codes[0]}", "recruiter").json()
    assert set(details) == {
        "infos_basicas",
        "informacoes_pessoais",
        "informacoes_profissionais",
        "formacao_e_idiomas",
        "curriculos",
    }
    assert api.get("/compat/vagas/list?limit=1", "recruiter").json()["total"] == len(vagas)


@pytest.mark.slow
def test_match_one_pair_and_a_batch(api: Api, rows: tuple[list[dict], ...]) -> None:
    _, _, prospects = rows
    pair = {"candidate": prospects[0]["candidate_codigo"], "vaga": prospects[0]["vaga_codigo"]}
    assert_problem(api.post("/api/v1/match", "recruiter", json=pair), 503)
    _train(api.engine)
    scored = api.post("/api/v1/match", "recruiter", json=pair).json()
    assert 0 <= scored["probability"] <= 1 and scored["reasons"]
    assert_problem(api.post("/api/v1/match", "analyst", json=pair), 403)
    assert_problem(api.post("/api/v1/match", "recruiter", json={**pair, "vaga": "nope"}), 404)
    pairs = [{"candidate": p["candidate_codigo"], "vaga": p["vaga_codigo"]} for p in prospects[:50]]
    batch = api.post("/api/v1/match/batch", "recruiter", json={"pairs": pairs}).json()["scores"]
    assert len(batch) == 50 and batch[0]["probability"] == scored["probability"]
    assert_problem(api.post("/api/v1/match/batch", "recruiter", json={"pairs": pairs * 201}), 422)


@pytest.mark.slow
# The index build is costly and database-independent past the read: this test runs on SQLite only.
@pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)
def test_recommendations_for_stored_codes(api: Api, rows: tuple[list[dict], ...]) -> None:
    from hr_core.ml.recommend import build_indexes

    candidates, vagas, _ = rows
    build_indexes(engine=api.engine, actor=CLI_ACTOR)
    found = api.post(
        "/api/v1/recommendations", "recruiter", json={"candidate": candidates[0]["codigo"], "k": 3}
    ).json()
    assert len(found["results"]) == 3 and all("vaga" in r for r in found["results"])
    both = {"candidate": candidates[0]["codigo"], "vaga": vagas[0]["codigo"]}
    assert_problem(api.post("/api/v1/recommendations", "recruiter", json=both), 422)
    assert_problem(api.post("/api/v1/recommendations", "analyst", json={"vaga": vagas[0]["codigo"]}), 403)
