"""Match a CV page (AppTest, real MiniLM): a pasted CV finds its opening, scores come with reasons, and a
profile is stored only when saved, never over an existing candidate."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import func, select
from streamlit.testing.v1 import AppTest

from hr_core.access import CLI_ACTOR, Actor
from hr_core.db import init_db, make_engine
from hr_core.ml.match import train_match_model
from hr_core.ml.vector_index import build_indexes
from hr_core.models import Candidate
from hr_core.settings import get_settings
from tests.factories import insert_recruiting_rows, make_match_rows, make_planted_recommend_rows

PAGE = str(Path(__file__).resolve().parents[2] / "pages/cv_match.py")


def _app(role: str = "recruiter") -> AppTest:
    at = AppTest.from_file(PAGE, default_timeout=180)
    at.session_state["actor"] = Actor(username=role, role=role)
    return at


def _count(engine: object) -> int:
    with engine.connect() as conn:  # type: ignore[attr-defined]
        return int(conn.execute(select(func.count()).select_from(Candidate)).scalar_one())


def test_a_pasted_cv_finds_its_opening_and_is_saved_only_on_request() -> None:
    engine = make_engine(get_settings().database_url)
    init_db(engine)
    candidates, vagas = make_planted_recommend_rows()
    extra_c, extra_v, prospects = make_match_rows(seed=3, n_vagas=6, per_vaga=6)
    insert_recruiting_rows(
        engine, candidates=candidates + extra_c, vagas=vagas + extra_v, prospects=prospects
    )
    train_match_model(engine=engine, actor=CLI_ACTOR)
    build_indexes(engine=engine, actor=CLI_ACTOR)
    before = _count(engine)

    at = _app()
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    at.button(key="cv_find").click().run()
    assert any("fill in some profile details" in w.value for w in at.warning)

    sap = vagas[2]  # Consultor SAP FI: "sap sap fi abap excel"
    at.text_area(key="cv_text").input(
        "Consultor SAP FI com dez anos de contabilidade financeiro erp; domínio de sap fi, abap e excel."
    ).run()
    at.button(key="cv_find").click().run()
    assert not at.exception, [e.value for e in at.exception]
    table = at.dataframe[0].value
    assert sap["codigo"] in list(table["Opening"])[:3]
    assert table["Match probability"].between(0, 1).all()
    assert table["Similarity"].between(-1, 1).all()
    at.selectbox(key="cv_pick").set_value(sap["codigo"]).run()
    assert any(m.label == "Match probability" for m in at.metric)
    assert any("base rate" in c.value for c in at.caption)
    assert at.text, "the reasons are shown as plain text"
    assert _count(engine) == before  # searching stores nothing

    taken = candidates[0]["codigo"]
    at.text_input(key="cv_save_code").input(taken)
    at.text_input(key="cv_save_name").input("Pessoa Nova")
    at.button[-1].click().run()  # the form's submit button
    assert any("belongs to another candidate" in e.value for e in at.error)
    assert _count(engine) == before

    at.text_input(key="cv_save_code").input("CV-NEW-1")
    at.button[-1].click().run()
    assert not at.exception, [e.value for e in at.exception]
    assert any("Saved as candidate CV-NEW-1" in s.value for s in at.success)
    assert _count(engine) == before + 1
    with engine.connect() as conn:
        stored = conn.execute(select(Candidate.cv_pt).where(Candidate.codigo == "CV-NEW-1")).scalar_one()
    assert "sap fi, abap e excel" in stored
    engine.dispose()


def test_an_analyst_cannot_open_the_page() -> None:
    at = _app("analyst")
    at.run()
    assert not at.exception
    assert not at.button  # refused before any widget of the page
