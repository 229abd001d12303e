"""Recruiting reads (pages by offset), matching one pair and a batch, recommendations, and the /compat reads."""

from __future__ import annotations

import pytest
from sqlalchemy import Engine

from hr_core.access import CLI_ACTOR
from hr_core.ml.match import train_match_model
from hr_core.pipeline_stages import stage_of
from tests.api.conftest import Api, assert_problem, audit_actions
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


def test_openings_created_and_replaced_from_their_vagas_record(api: Api) -> None:
    record = {
        "informacoes_basicas": {
            "titulo_vaga": "Engenheiro de Dados",
            "cliente": "Acme",
            "data_requicisao": "01-02-2024",
        },
        "perfil_vaga": {"cidade": "Recife", "competencia_tecnicas_e_comportamentais": "Python, SQL"},
        "beneficios": {"valor_venda": "-"},
    }
    assert_problem(api.post("/api/v1/recruiting/openings", "analyst", json={"codigo": "9001", **record}), 403)
    made = api.post("/api/v1/recruiting/openings", "recruiter", json={"codigo": "9001", **record})
    assert made.json() == {"codigo": "9001", "created": True}, made.text
    shown = api.get("/api/v1/recruiting/openings/9001", "recruiter").json()
    assert (shown["titulo"], shown["vaga"]["cidade"], shown["record"]["beneficios"]) == (
        "Engenheiro de Dados",
        "Recife",
        {"valor_venda": "-"},
    )
    changed = {**record, "perfil_vaga": {"cidade": "Natal"}}
    auth = api.auth("recruiter")
    assert api.client.put("/api/v1/recruiting/openings/9001", headers=auth, json=changed).json() == {
        "codigo": "9001",
        "created": False,
    }
    assert api.get("/api/v1/recruiting/openings?cidade=Natal", "admin").json()["total"] == 1
    bad = {**record, "informacoes_basicas": {"titulo_vaga": ["not", "text"]}}
    assert_problem(api.client.put("/api/v1/recruiting/openings/9002", headers=auth, json=bad), 400)
    assert_problem(api.get("/api/v1/recruiting/openings/9002", "recruiter"), 404)
    assert_problem(api.client.put("/api/v1/recruiting/openings/9002", headers=auth, json={}), 422)


def test_prospects_listed_by_filters_fetched_added_moved_and_noted(
    api: Api, rows: tuple[list[dict], ...]
) -> None:
    candidates, _, prospects = rows
    pairs = [(p["vaga_codigo"], p["candidate_codigo"]) for p in prospects]
    base = "/api/v1/recruiting/prospects"
    page = api.get(f"{base}?offset=6&limit=5", "recruiter").json()
    assert page["total"] == len(pairs)
    assert [(p["vaga_codigo"], p["candidate_codigo"]) for p in page["items"]] == pairs[6:11]
    assert api.get(f"{base}?offset={len(pairs)}", "admin").json()["items"] == []
    first = pairs[0]
    by_opening = api.get(f"{base}?vaga={first[0]}&limit=500", "recruiter").json()
    assert by_opening["total"] == sum(1 for v, _ in pairs if v == first[0])
    by_candidate = api.get(f"{base}?candidate={first[1]}", "recruiter").json()["items"]
    assert [(p["vaga_codigo"], p["candidate_codigo"]) for p in by_candidate] == [first]
    rejected = [
        p for p in prospects if p["situacao"] in ("Não Aprovado pelo RH", "Não Aprovado pelo Cliente")
    ]
    by_stage = api.get(f"{base}?stage=rejected&limit=500", "recruiter").json()
    assert by_stage["total"] >= len(rejected) > 0 and {p["stage"] for p in by_stage["items"]} == {"rejected"}
    assert_problem(api.get(f"{base}?stage=nowhere", "recruiter"), 400)
    assert_problem(api.get(f"{base}?limit=501", "recruiter"), 422)
    assert_problem(api.get(base, "analyst"), 403)

    # Add a candidate to another opening, move them, note on them; every write audited.
    other = next(v for v, _ in pairs if v != first[0])
    body = {"vaga": other, "candidate": first[1], "recruiter": "Rita"}
    assert_problem(api.post(base, "analyst", json=body), 403)
    added = api.post(base, "recruiter", json=body)
    assert added.status_code == 201, added.text
    assert (added.json()["situacao"], added.json()["stage"], added.json()["recrutador"]) == (
        "Inscrito",
        "applied",
        "Rita",
    )
    assert_problem(api.post(base, "recruiter", json=body), 409)
    assert_problem(api.post(base, "recruiter", json={**body, "candidate": "nobody"}), 404)
    assert api.get(f"{base}?recrutador=Rita", "recruiter").json()["total"] == 1
    one = f"{base}/{other}/{first[1]}"
    auth = api.auth("recruiter")
    moved = api.client.patch(one, headers=auth, json={"stage": "interview"})
    assert moved.status_code == 200, moved.text
    assert (moved.json()["situacao"], moved.json()["stage"]) == ("Entrevista Técnica", "interview")
    assert [(h["from_stage"], h["to_stage"]) for h in moved.json()["history"]] == [
        ("", "applied"),
        ("applied", "interview"),
    ]
    moved = api.client.patch(one, headers=auth, json={"status": "Aprovado"}).json()
    assert (moved["situacao"], moved["stage"]) == ("Aprovado", "approved")
    assert_problem(api.client.patch(one, headers=auth, json={"status": "Aprovado"}), 409)
    assert_problem(api.client.patch(one, headers=auth, json={"status": "Talvez"}), 400)
    assert_problem(api.client.patch(one, headers=auth, json={"stage": "limbo"}), 400)
    assert_problem(api.client.patch(one, headers=auth, json={}), 422)
    assert_problem(api.client.patch(f"{base}/{other}/nobody", headers=auth, json={"stage": "applied"}), 404)
    assert_problem(api.client.patch(one, headers=api.auth("analyst"), json={"stage": "applied"}), 403)
    note = api.post(f"{one}/notes", "recruiter", json={"text": "Strong on SQL"})
    assert note.status_code == 201 and note.json()["author"] == "recruiter"
    assert_problem(api.post(f"{one}/notes", "recruiter", json={"text": "  "}), 400)
    assert_problem(api.post(f"{one}/notes", "recruiter", json={"text": "x" * 5001}), 400)
    shown = api.get(one, "admin").json()
    assert [n["text"] for n in shown["notes"]] == ["Strong on SQL"] and len(shown["history"]) == 3
    assert shown["candidate_codigo"] == first[1] and shown["nome"] == candidates[0]["nome"]
    assert_problem(api.get(f"{base}/{other}/nobody", "recruiter"), 404)
    assert audit_actions(api.engine, "recruiter").count(("recruiting.edit", "ok")) == 4
    assert ("recruiting.edit", "error") in audit_actions(api.engine, "analyst")


def test_candidate_and_opening_filters_are_query_parameters(api: Api, rows: tuple[list[dict], ...]) -> None:
    candidates, vagas, prospects = rows
    english, local = candidates[0]["nivel_ingles"], candidates[0]["local"]
    wanted = sorted(c["codigo"] for c in candidates if (c["nivel_ingles"], c["local"]) == (english, local))
    page = api.get(
        "/api/v1/recruiting/candidates",
        "recruiter",
        params={"nivel_ingles": english, "local": local, "limit": 2},
    ).json()
    assert (page["total"], [c["codigo"] for c in page["items"]]) == (len(wanted), wanted[:2])
    text = api.get("/api/v1/recruiting/candidates", "recruiter", params={"q": candidates[3]["nome"]}).json()
    assert [c["codigo"] for c in text["items"]] == [candidates[3]["codigo"]]
    interviewing = {p["vaga_codigo"] for p in prospects if stage_of(p["situacao"]) == "interview"}
    client = vagas[0]["cliente"]
    of_client = sorted(v["codigo"] for v in vagas if v["cliente"] == client)
    expected = [code for code in of_client if code in interviewing]
    assert 0 < len(expected) < len(of_client)  # both filters matter on this data
    openings = api.get(
        "/api/v1/recruiting/openings",
        "recruiter",
        params={"cliente": client, "stage": "interview", "other": "x"},
    ).json()
    assert [o["codigo"] for o in openings["items"]] == expected
    assert_problem(api.get("/api/v1/recruiting/openings", "recruiter", params={"q": "x" * 201}), 422)
    assert_problem(api.get("/compat/vagas/list", "recruiter", params={"offset": -1}), 422)


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
    assert found["method"] == "hybrid" and "candidate" in found and "vaga" not in found
    assert {"title", "score", "lexical_score", "fused_rank", "matched_skills", "reasons"} <= set(
        found["results"][0]
    )
    assert "candidate" not in found["results"][0]
    both = {"candidate": candidates[0]["codigo"], "vaga": vagas[0]["codigo"]}
    assert_problem(api.post("/api/v1/recommendations", "recruiter", json=both), 422)
    assert_problem(api.post("/api/v1/recommendations", "analyst", json={"vaga": vagas[0]["codigo"]}), 403)
