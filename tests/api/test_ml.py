"""Model card, drift and the recruiting service's inference routes (flat payloads, free profiles) over HTTP."""

from __future__ import annotations

import pytest

from hr_core.access import CLI_ACTOR
from hr_core.ml.match import train_match_model
from hr_core.ml.versions import promote_version
from tests.api.conftest import Api, assert_problem
from tests.factories import insert_recruiting_rows, make_match_rows

PAYLOAD = {
    "sexo": "M",
    "estado_civil": "Solteiro",
    "titulo_profissional": "Desenvolvedor Backend",
    "titulo_vaga": "Backend Developer",
    "conhecimentos_tecnicos": "Python, FastAPI, SQLAlchemy",
    "competencia_tecnicas_e_comportamentais": "Python, SQL",
    "ingles": "Avançado",
    "nivel_ingles_vaga": "Avançado",
}


@pytest.fixture
def rows(api: Api) -> tuple[list[dict], list[dict], list[dict]]:
    candidates, vagas, prospects = make_match_rows(seed=7, n_vagas=16, per_vaga=8, in_progress=0.1)
    insert_recruiting_rows(api.engine, candidates=candidates, vagas=vagas, prospects=prospects)
    return candidates, vagas, prospects


@pytest.mark.slow
def test_model_card_and_the_seed_match_payload(api: Api, rows: tuple[list[dict], ...]) -> None:
    assert api.get("/api/v1/model", "recruiter").json() == {"trained": False, "card": None}
    assert_problem(api.get("/api/v1/model", "analyst"), 403)
    assert_problem(api.post("/compat/inferencias/matchModel/predict", "recruiter", json=PAYLOAD), 503)
    train_match_model(engine=api.engine, actor=CLI_ACTOR)
    card = api.get("/api/v1/model", "recruiter").json()
    assert card["trained"] is True and "roc_auc" in card["card"]["metrics"]
    percent = api.post("/compat/inferencias/matchModel/predict", "recruiter", json=PAYLOAD).json()[
        "match_probability"
    ]
    assert 0 <= percent <= 100
    other = {**PAYLOAD, "sexo": "F", "estado_civil": "Casado"}  # protected: accepted, never used
    assert (
        api.post("/compat/inferencias/matchModel/predict", "recruiter", json=other).json()[
            "match_probability"
        ]
        == percent
    )
    assert_problem(api.post("/compat/inferencias/matchModel/predict", "analyst", json=PAYLOAD), 403)
    # A retrain waits as a candidate: the API serves the promoted version until an admin promotes the new one.
    retrained = train_match_model(engine=api.engine, actor=CLI_ACTOR, random_state=1)
    assert api.get("/api/v1/model", "recruiter").json()["card"]["sha256"] == card["card"]["sha256"]
    promote_version(engine=api.engine, actor=CLI_ACTOR, version=retrained.version)
    assert api.get("/api/v1/model", "recruiter").json()["card"]["sha256"] == retrained.card.sha256
    assert api.post("/compat/inferencias/matchModel/predict", "recruiter", json=PAYLOAD).status_code == 200
    assert_problem(api.get("/api/v1/drift", "recruiter"), 404)
    assert_problem(api.get("/compat/inferencias/driftReport", "recruiter"), 404)


@pytest.mark.slow
# Embedding is database-independent and the index build costly: this test runs on SQLite only.
@pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)
def test_a_free_profile_is_embedded_on_the_fly(api: Api) -> None:
    from hr_core.ml.recommend import build_indexes

    candidates, vagas, prospects = make_match_rows(seed=3, n_vagas=12, per_vaga=3, in_progress=0.1)
    insert_recruiting_rows(api.engine, candidates=candidates, vagas=vagas, prospects=prospects)
    build_indexes(engine=api.engine, actor=CLI_ACTOR)
    profile = {"titulo_profissional": vagas[0]["titulo"], "conhecimentos_tecnicos": vagas[0]["competencias"]}
    data = api.post("/compat/inferencias/recommendationModel/predict?k=5", "recruiter", json=profile).json()[
        "data"
    ]
    assert len(data) == 5 and {"codigo_vaga", "titulo_vaga", "areas_atuacao_vaga"} <= set(data[0])
    assert_problem(api.post("/compat/inferencias/recommendationModel/predict", "analyst", json=profile), 403)


def test_usuarios_list_is_for_admins(api: Api) -> None:
    assert {u["username"] for u in api.get("/compat/usuarios/list", "admin").json()} == {
        "analyst",
        "recruiter",
        "admin",
    }
    assert_problem(api.get("/compat/usuarios/list", "recruiter"), 403)
    assert api.get("/compat/usuarios/me", "analyst").json()["role"] == "analyst"
