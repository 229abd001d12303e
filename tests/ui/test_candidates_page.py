"""Candidates page in AppTest: search, filters, detail, the create/edit form and import."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from sqlalchemy import select
from streamlit.testing.v1 import AppTest

from hr_core.access import CLI_ACTOR, Actor
from hr_core.db import init_db, make_engine
from hr_core.models.recruiting import Candidate
from hr_core.recruiting.importer import import_recruiting
from hr_core.settings import get_settings
from tests.factories import make_applicant_record, make_prospect_record

REPO = Path(__file__).resolve().parents[2]


@pytest.fixture
def seeded(tmp_path: Path) -> str:
    """Three candidates and one opening (not in vagas) in the default test database."""
    applicants = {
        "1": make_applicant_record("1", nome="Ana Silva", skills="Python, SQL"),
        "2": make_applicant_record("2", nome="Bruno Costa", skills="SAP ABAP"),
        "3": make_applicant_record("3", nome="Carla Dias", skills="Java"),
    }
    applicants["2"]["formacao_e_idiomas"]["nivel_ingles"] = "Básico"
    prospects = {
        "70": {
            "titulo": "Consultor SAP",
            "modalidade": "",
            "prospects": [make_prospect_record("2", status="Aprovado")],
        }
    }
    (tmp_path / "a.json").write_text(json.dumps(applicants, ensure_ascii=False), encoding="utf-8")
    (tmp_path / "p.json").write_text(json.dumps(prospects, ensure_ascii=False), encoding="utf-8")
    url = get_settings().database_url
    engine = make_engine(url)
    init_db(engine)
    import_recruiting(
        engine=engine, actor=CLI_ACTOR, applicants=tmp_path / "a.json", prospects=tmp_path / "p.json"
    )
    engine.dispose()
    return url


def _app() -> AppTest:
    at = AppTest.from_file(str(REPO / "pages" / "candidates.py"), default_timeout=60)
    at.session_state["actor"] = Actor(username="rita", role="recruiter")
    return at


def _table(at: AppTest):  # noqa: ANN202
    return at.dataframe[0].value


def test_search_filter_and_detail(seeded: str) -> None:
    at = _app()
    at.run()
    assert not at.exception
    assert set(_table(at)["Code"]) == {"1", "2", "3"}
    at.text_input(key="cand_search").input("abap").run()
    assert list(_table(at)["Code"]) == ["2"]
    at.text_input(key="cand_search").input("").run()
    at.selectbox(key="cand_filter_nivel_ingles").select("Básico").run()
    assert list(_table(at)["Code"]) == ["2"]
    at.selectbox(key="cand_detail").select("2").run()
    assert not at.exception
    assert any("Bruno Costa" in h.value for h in at.subheader)
    prospects = next(d.value for d in at.dataframe if "Opening code" in d.value.columns)
    assert list(prospects["Opening code"]) == ["70"]
    assert list(prospects["Stage"]) == ["Approved / hired"]
    assert "None" not in prospects.to_string()


def test_no_match_shows_an_empty_state(seeded: str) -> None:
    at = _app()
    at.run()
    at.text_input(key="cand_search").input("cobol mainframe xyz").run()
    assert any("No candidate matches" in i.value for i in at.info)


def test_edit_existing_candidate_through_the_form(seeded: str) -> None:
    at = _app()
    at.run()
    at.text_input(key="cand_edit_code").input("1").run()
    assert at.text_input(key="cand_f_nome").value == "Ana Silva"
    assert at.text_area(key="cand_f_conhecimentos_tecnicos").value == "Python, SQL"
    at.text_input(key="cand_f_nome").input("Ana Souza Silva")
    at.selectbox(key="cand_f_nivel_ingles").select("Fluente")
    at.button(key="cand_form_save").click().run()
    assert not at.exception
    assert any("updated" in s.value for s in at.success)
    engine = make_engine(seeded)
    with engine.connect() as conn:
        row = conn.execute(
            select(Candidate.nome, Candidate.nivel_ingles).where(Candidate.codigo == "1")
        ).one()
    engine.dispose()
    assert tuple(row) == ("Ana Souza Silva", "Fluente")


def test_create_shows_validation_messages_then_saves(seeded: str) -> None:
    at = _app()
    at.run()
    at.text_input(key="cand_edit_code").input("900").run()
    at.text_input(key="cand_f_email").input("not-an-email")
    at.button(key="cand_form_save").click().run()
    errors = " ".join(e.value for e in at.error)
    assert "Name: required" in errors and "E-mail" in errors
    at.text_input(key="cand_f_nome").input("Nova Pessoa")
    at.text_input(key="cand_f_email").input("nova@example.com")
    at.button(key="cand_form_save").click().run()
    assert any("900 created" in s.value for s in at.success)
    at.text_input(key="cand_search").input("Nova Pessoa").run()
    assert list(_table(at)["Code"]) == ["900"]


def test_empty_database_shows_empty_state() -> None:
    at = _app()
    at.run()
    assert not at.exception
    assert any("No candidate matches" in i.value for i in at.info)


def test_profile_moves_an_application_adds_a_note_and_edits_in_place(seeded: str) -> None:
    at = _app()
    at.run()
    at.selectbox(key="cand_detail").select("2").run()
    assert not at.exception, [e.value for e in at.exception]
    at.selectbox(key="cand_pp_stage").select("interview").run()
    at.button(key="cand_pp_move").click().run()
    assert not at.exception, [e.value for e in at.exception]
    assert any("Moved to Interview" in s.value for s in at.success)
    history = next(d.value for d in at.dataframe if "From" in d.value.columns)
    assert history[["From", "To", "By"]].to_dict(orient="records") == [
        {"From": "Approved / hired", "To": "Interview", "By": "rita"}
    ]
    at.text_area(key="cand_pp_note").input("Call on Monday")
    at.button(key="cand_pp_note_save").click().run()
    assert any("Call on Monday" in t.value for t in at.text)
    at.text_input(key="cand_p_f_nome").input("Bruno C. Costa")
    at.button(key="cand_p_form_save").click().run()
    assert any("Candidate 2 updated" in s.value for s in at.success)
    engine = make_engine(seeded)
    with engine.connect() as conn:
        assert (
            conn.execute(select(Candidate.nome).where(Candidate.codigo == "2")).scalar_one()
            == "Bruno C. Costa"
        )
    engine.dispose()


def test_profile_in_portuguese(seeded: str) -> None:
    at = _app()
    at.session_state["locale"] = "pt_BR"
    # one run: AppTest formats options outside the page's session, so a rerun would mix languages
    at.session_state["cand_detail"] = "2"
    at.run()
    assert not at.exception
    assert at.title[0].value == "Candidatos"
    prospects = next(d.value for d in at.dataframe if "Código da vaga" in d.value.columns)
    assert list(prospects["Etapa"]) == ["Aprovado / contratado"]


def test_admin_anonymises_from_the_profile_after_typing_the_code_recruiter_sees_no_button(
    seeded: str,
) -> None:
    at = _app()
    at.session_state["cand_detail"] = "2"
    at.run()
    assert not at.exception
    assert not any(b.key == "cand_anon_go" for b in at.button)  # recruiters may not anonymise
    at = _app()
    at.session_state["actor"] = Actor(username="root", role="admin")
    at.session_state["cand_detail"] = "2"
    at.run()
    assert at.button(key="cand_anon_go").disabled  # nothing happens until the code is typed
    at.text_input(key="cand_anon_confirm").input("2").run()
    at.button(key="cand_anon_go").click().run()
    assert not at.exception and any("anonymised" in s.value for s in at.success)
    engine = make_engine(seeded)
    with engine.connect() as conn:
        assert conn.execute(select(Candidate.nome).where(Candidate.codigo == "2")).scalar_one() == ""
    engine.dispose()
