"""Search, detail, pipeline statistics and the candidate form on SQLite and PostgreSQL."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from sqlalchemy import Engine, select

from hr_core.access import CLI_ACTOR, Actor
from hr_core.audit import list_events
from hr_core.errors import InvalidInputError, NotFoundError, PermissionDenied
from hr_core.models.recruiting import Candidate, PipelineOpening, Vaga
from hr_core.recruiting.editing import CandidateForm, save_candidate
from hr_core.recruiting.exporter import export_recruiting
from hr_core.recruiting.importer import import_recruiting
from hr_core.recruiting.queries import (
    CandidateDetail,
    OpeningDetail,
    PipelineOpeningRow,
    VagaRow,
    get_candidate,
    get_opening,
    list_candidate_filter_options,
    list_candidate_prospects,
    list_opening_prospects,
    search_candidates,
    search_openings,
)
from hr_core.recruiting.stats import count_opening_stages, get_pipeline_overview
from tests.factories import make_applicant_record, make_prospect_record

RECRUITER = Actor("rita", "recruiter")


@pytest.fixture
def loaded(engine: Engine, tmp_path: Path) -> Engine:
    """Four candidates, two vagas, three openings (one only in prospects) and their prospects."""
    applicants = {
        "1": make_applicant_record("1", nome="Ana Silva", skills="Python, SQL"),
        "2": make_applicant_record("2", nome="Bruno Costa", skills="SAP ABAP"),
        "3": make_applicant_record("3", nome="Carla 100% Dias", skills="Java_EE"),
        "4": make_applicant_record("4", nome="Diego Alves", skills="Azure"),
    }
    applicants["2"]["formacao_e_idiomas"]["nivel_ingles"] = "Básico"
    applicants["4"]["infos_basicas"]["local"] = "Recife, Pernambuco"
    applicants["4"]["cv_pt"] = "experiência com kubernetes em produção"
    vaga = {
        "informacoes_basicas": {
            "titulo_vaga": "Consultor SAP",
            "cliente": "ACME",
            "data_requicisao": "01-01-2022",
        },
        "perfil_vaga": {"cidade": "São Paulo", "nivel profissional": "Sênior"},
        "beneficios": {},
    }
    vagas = {
        "10": vaga,
        "11": {**vaga, "informacoes_basicas": {"titulo_vaga": "Dev Java", "cliente": "Beta"}},
    }
    prospects = {
        "10": {
            "titulo": "Consultor SAP",
            "modalidade": "",
            "prospects": [
                make_prospect_record("2", status="Contratado pela Decision", applied="01-02-2022"),
                make_prospect_record("1", status="Não Aprovado pelo Cliente", applied="03-02-2022"),
                make_prospect_record("99", status="Prospect", applied="05-03-2022"),
            ],
        },
        "12": {
            "titulo": "Vaga antiga",
            "modalidade": "",
            "prospects": [make_prospect_record("1", status="Inscrito")],
        },
    }
    prospects["10"]["prospects"][0]["ultima_atualizacao"] = "11-02-2022"
    for name, data in (("a.json", applicants), ("v.json", vagas), ("p.json", prospects)):
        (tmp_path / name).write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    import_recruiting(
        engine=engine,
        actor=CLI_ACTOR,
        applicants=tmp_path / "a.json",
        vagas=tmp_path / "v.json",
        prospects=tmp_path / "p.json",
    )
    return engine


def test_search_by_name_skills_and_cv(loaded: Engine) -> None:
    assert list(search_candidates(engine=loaded, actor=CLI_ACTOR, text="ana").rows["codigo"]) == ["1"]
    assert list(search_candidates(engine=loaded, actor=CLI_ACTOR, text="abap").rows["codigo"]) == ["2"]
    assert list(search_candidates(engine=loaded, actor=CLI_ACTOR, text="KUBERNETES").rows["codigo"]) == ["4"]
    assert list(search_candidates(engine=loaded, actor=CLI_ACTOR, text="engenheira").rows["codigo"]) == [
        "1",
        "2",
        "3",
        "4",
    ]
    assert search_candidates(engine=loaded, actor=CLI_ACTOR, text="nobody here").total == 0


def test_search_treats_wildcards_literally(loaded: Engine) -> None:
    assert list(search_candidates(engine=loaded, actor=CLI_ACTOR, text="100%").rows["codigo"]) == ["3"]
    assert list(search_candidates(engine=loaded, actor=CLI_ACTOR, text="a_EE").rows["codigo"]) == ["3"]
    assert search_candidates(engine=loaded, actor=CLI_ACTOR, text="%").total == 1


def test_filters_sort_and_pages(loaded: Engine) -> None:
    page = search_candidates(
        engine=loaded, actor=CLI_ACTOR, filters={"nivel_ingles": "Avançado"}, sort="nome", descending=True
    )
    assert list(page.rows["nome"]) == ["Diego Alves", "Carla 100% Dias", "Ana Silva"]
    page = search_candidates(engine=loaded, actor=CLI_ACTOR, filters={"local": "Recife, Pernambuco"})
    assert list(page.rows["codigo"]) == ["4"]
    first = search_candidates(engine=loaded, actor=CLI_ACTOR, sort="codigo", page=1, page_size=3)
    second = search_candidates(engine=loaded, actor=CLI_ACTOR, sort="codigo", page=2, page_size=3)
    assert (first.total, first.pages) == (4, 2)
    assert list(first.rows["codigo"]) + list(second.rows["codigo"]) == ["1", "2", "3", "4"]
    options = list_candidate_filter_options(engine=loaded, actor=CLI_ACTOR)
    assert options["local"] == ["Recife, Pernambuco", "São Paulo, São Paulo"]
    assert options["nivel_ingles"] == ["Avançado", "Básico"]


def test_unknown_sort_or_filter_is_refused(loaded: Engine) -> None:
    with pytest.raises(InvalidInputError, match="cannot sort"):
        search_candidates(engine=loaded, actor=CLI_ACTOR, sort="cv_pt; DROP TABLE candidates")
    with pytest.raises(InvalidInputError, match="cannot filter"):
        search_candidates(engine=loaded, actor=CLI_ACTOR, filters={"cpf": "1"})
    with pytest.raises(InvalidInputError, match="page size"):
        search_candidates(engine=loaded, actor=CLI_ACTOR, page_size=0)


def test_candidate_detail_and_prospects_with_missing_openings(loaded: Engine) -> None:
    detail = get_candidate(engine=loaded, actor=CLI_ACTOR, codigo="1")
    # The typed result names exactly the table's columns, plus the record.
    assert (
        set(detail)
        == CandidateDetail.__required_keys__
        == {c.name for c in Candidate.__table__.c} | {"record"}
    )
    assert detail["nome"] == "Ana Silva"
    assert detail["record"]["informacoes_profissionais"]["conhecimentos_tecnicos"] == "Python, SQL"
    prospects = list_candidate_prospects(engine=loaded, actor=CLI_ACTOR, codigo="1").set_index("vaga_codigo")
    assert set(prospects.index) == {"10", "12"}
    assert bool(prospects.loc["10", "vaga_in_database"]) is True
    assert bool(prospects.loc["12", "vaga_in_database"]) is False
    assert prospects.loc["12", "titulo"] == "Vaga antiga"
    assert prospects.loc["10", "stage"] == "rejected"
    with pytest.raises(NotFoundError):
        get_candidate(engine=loaded, actor=CLI_ACTOR, codigo="404")


def test_openings_include_pipeline_only_ones(loaded: Engine) -> None:
    page = search_openings(engine=loaded, actor=CLI_ACTOR, sort="codigo")
    rows = page.rows.set_index("codigo")
    assert list(rows.index) == ["10", "11", "12"]
    assert list(rows["in_database"]) == [True, True, False]
    assert list(rows["prospects"]) == [3, 0, 1]
    assert list(
        search_openings(engine=loaded, actor=CLI_ACTOR, filters={"cliente": "ACME"}).rows["codigo"]
    ) == ["10"]
    assert list(search_openings(engine=loaded, actor=CLI_ACTOR, stage="approved").rows["codigo"]) == ["10"]
    assert list(search_openings(engine=loaded, actor=CLI_ACTOR, text="antiga").rows["codigo"]) == ["12"]
    assert list(
        search_openings(engine=loaded, actor=CLI_ACTOR, sort="prospects", descending=True).rows["codigo"]
    ) == [
        "10",
        "12",
        "11",
    ]


def test_opening_detail_prospects_and_days(loaded: Engine) -> None:
    opening = get_opening(engine=loaded, actor=CLI_ACTOR, codigo="10")
    assert opening["titulo"] == "Consultor SAP" and opening["vaga"]["cliente"] == "ACME"
    assert set(opening) == OpeningDetail.__required_keys__
    assert set(opening["vaga"]) == VagaRow.__required_keys__ == {c.name for c in Vaga.__table__.c}
    assert opening["pipeline"] is not None
    assert set(opening["pipeline"]) == PipelineOpeningRow.__required_keys__
    assert PipelineOpeningRow.__required_keys__ == {c.name for c in PipelineOpening.__table__.c}
    assert opening["record"] is not None and opening["record"]["informacoes_basicas"]["cliente"] == "ACME"
    prospects = list_opening_prospects(engine=loaded, actor=CLI_ACTOR, codigo="10")
    assert list(prospects["candidate_codigo"]) == ["2", "1", "99"]
    assert list(prospects["candidate_in_database"]) == [True, True, False]
    assert list(prospects["days_to_last_update"]) == [10, 0, 0]
    only_pipeline = get_opening(engine=loaded, actor=CLI_ACTOR, codigo="12")
    assert only_pipeline["vaga"] is None and only_pipeline["titulo"] == "Vaga antiga"
    with pytest.raises(NotFoundError):
        get_opening(engine=loaded, actor=CLI_ACTOR, codigo="nope")


def test_pipeline_overview(loaded: Engine) -> None:
    overview = get_pipeline_overview(engine=loaded)
    assert overview["totals"]["prospects"] == 4
    assert overview["totals"]["prospects_without_candidate"] == 1
    assert overview["totals"]["prospects_without_vaga"] == 1
    funnel = overview["funnel"].set_index("stage")
    assert funnel.loc["applied", "reached"] == 4
    assert funnel.loc["approved", "reached"] == 1
    assert funnel.loc["rejected", "at_stage"] == 1
    months = overview["by_month"].set_index("month")
    assert list(months.index) == ["2022-02", "2022-03"]
    assert months.loc["2022-02", "total"] == 3 and months.loc["2022-02", "approved"] == 1
    recruiters = overview["by_recruiter"].set_index("recrutador")
    assert recruiters.loc["Ana Lívia Moreira", "total"] == 4
    assert recruiters.loc["Ana Lívia Moreira", "approved_rate"] == pytest.approx(0.25)
    stages = count_opening_stages(engine=loaded, codes=["10", "12"]).set_index("vaga_codigo")
    assert stages.loc["10", "total"] == 3 and stages.loc["12", "applied"] == 1


def test_create_then_edit_candidate_updates_sections_and_columns(loaded: Engine, tmp_path: Path) -> None:
    created = save_candidate(
        engine=loaded,
        actor=RECRUITER,
        form=CandidateForm(
            codigo="500", nome="Eva Rocha", email="eva@x.org", conhecimentos_tecnicos="Go", pcd="Sim"
        ),
    )
    assert created.created
    edited = save_candidate(
        engine=loaded,
        actor=RECRUITER,
        form=CandidateForm(
            codigo="1", nome="Ana S. Silva", conhecimentos_tecnicos="Python, Spark", nivel_ingles="Fluente"
        ),
    )
    assert not edited.created
    ana = get_candidate(engine=loaded, actor=CLI_ACTOR, codigo="1")
    assert (ana["nome"], ana["conhecimentos_tecnicos"], ana["nivel_ingles"]) == (
        "Ana S. Silva",
        "Python, Spark",
        "Fluente",
    )
    assert ana["infos_basicas"]["nome"] == "Ana S. Silva"
    assert ana["informacoes_pessoais"]["nome"] == "Ana S. Silva"
    assert ana["informacoes_profissionais"]["conhecimentos_tecnicos"] == "Python, Spark"
    assert ana["infos_basicas"]["data_criacao"] == "10-11-2021 07:29:49"  # untouched source fields stay
    export_recruiting(engine=loaded, actor=RECRUITER, out=str(tmp_path / "out"))
    exported = json.loads((tmp_path / "out" / "applicants.json").read_text(encoding="utf-8"))
    assert list(exported) == ["1", "2", "3", "4", "500"]
    assert exported["500"]["infos_basicas"]["codigo_profissional"] == "500"
    assert exported["500"]["informacoes_pessoais"]["pcd"] == "Sim"
    assert exported["1"]["formacao_e_idiomas"]["nivel_ingles"] == "Fluente"
    outcomes = list(list_events(loaded, actor=CLI_ACTOR, action="recruiting.edit")["outcome"])
    assert outcomes == ["ok", "ok"]


def test_invalid_form_is_refused_with_messages(loaded: Engine) -> None:
    with pytest.raises(InvalidInputError, match="Name: required") as info:
        save_candidate(engine=loaded, actor=RECRUITER, form=CandidateForm(codigo="9", nome="", email="x"))
    assert "E-mail" in str(info.value)
    with pytest.raises(PermissionDenied):
        save_candidate(engine=loaded, actor=Actor("al", "analyst"), form=CandidateForm(codigo="9", nome="Al"))
    with loaded.connect() as conn:
        assert conn.execute(select(Candidate.codigo).where(Candidate.codigo == "9")).first() is None
    assert list(list_events(loaded, actor=CLI_ACTOR, action="recruiting.edit")["outcome"]) == [
        "error",
        "error",
    ]
