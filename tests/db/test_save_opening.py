"""save_opening: create and edit an opening from the form with the candidate form's rules, roles and audit;
the exporter writes the edit back in the Decision vagas format."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from sqlalchemy import Engine, select

from hr_core.access import CLI_ACTOR, Actor
from hr_core.audit import list_events
from hr_core.errors import InvalidInputError, PermissionDenied
from hr_core.models.recruiting import Vaga
from hr_core.recruiting.editing import OpeningForm, save_opening
from hr_core.recruiting.exporter import export_recruiting
from hr_core.recruiting.importer import import_recruiting
from hr_core.recruiting.queries import get_opening

RECRUITER = Actor("rita", "recruiter")


@pytest.fixture
def loaded(engine: Engine, tmp_path: Path) -> Engine:
    """One imported opening with source fields the form does not edit (and a non-vocabulary level)."""
    vagas = {
        "10": {
            "informacoes_basicas": {
                "data_requicisao": "01-01-2022",
                "titulo_vaga": "Consultor SAP",
                "cliente": "ACME",
                "solicitante_cliente": "Joana",
            },
            "perfil_vaga": {
                "cidade": "São Paulo",
                "nivel profissional": "Técnico de Nível Médio",
                "horario_trabalho": "8h-17h",
            },
            "beneficios": {"valor_venda": "100"},
        }
    }
    (tmp_path / "v.json").write_text(json.dumps(vagas, ensure_ascii=False), encoding="utf-8")
    import_recruiting(engine=engine, actor=CLI_ACTOR, vagas=tmp_path / "v.json")
    return engine


def _outcomes(engine: Engine) -> list[str]:
    return list(list_events(engine, actor=CLI_ACTOR, action="recruiting.edit")["outcome"])


def test_create_then_edit_keeps_other_fields_and_exports_in_decision_format(
    loaded: Engine, tmp_path: Path
) -> None:
    created = save_opening(
        engine=loaded,
        actor=RECRUITER,
        form=OpeningForm(
            codigo="V-20",
            titulo="Dev Python",
            cliente="Beta",
            nivel_ingles="Avançado",
            pcd="Sim",
            competencias="Python\nSQL",
        ),
    )
    assert (created.codigo, created.created) == ("V-20", True)
    edited = save_opening(
        engine=loaded,
        actor=RECRUITER,
        form=OpeningForm(
            codigo="10",
            titulo="Consultor SAP FI",
            cliente="ACME",
            cidade="Recife",
            nivel_profissional="Técnico de Nível Médio",  # kept as imported: not refused
            nivel_espanhol="Básico",
        ),
    )
    assert not edited.created
    opening = get_opening(engine=loaded, actor=RECRUITER, codigo="10")
    vaga = opening["vaga"]
    assert vaga is not None
    assert (vaga["titulo"], vaga["cidade"], vaga["nivel_espanhol"]) == (
        "Consultor SAP FI",
        "Recife",
        "Básico",
    )
    assert vaga["informacoes_basicas"]["solicitante_cliente"] == "Joana"  # untouched source fields stay
    assert vaga["perfil_vaga"]["horario_trabalho"] == "8h-17h"
    assert str(vaga["data_requisicao"]) == "2022-01-01"

    export_recruiting(engine=loaded, actor=RECRUITER, out=str(tmp_path / "out"))
    exported = json.loads((tmp_path / "out" / "vagas.json").read_text(encoding="utf-8"))
    assert list(exported) == ["10", "V-20"]
    assert list(exported["10"]) == ["informacoes_basicas", "perfil_vaga", "beneficios"]
    assert exported["10"]["informacoes_basicas"]["titulo_vaga"] == "Consultor SAP FI"
    assert exported["10"]["perfil_vaga"]["cidade"] == "Recife"
    assert exported["10"]["perfil_vaga"]["nivel_espanhol"] == "Básico"
    assert exported["10"]["beneficios"] == {"valor_venda": "100"}
    new = exported["V-20"]
    assert new["informacoes_basicas"]["titulo_vaga"] == "Dev Python"
    assert new["perfil_vaga"]["vaga_especifica_para_pcd"] == "Sim"
    assert new["perfil_vaga"]["competencia_tecnicas_e_comportamentais"] == "Python\nSQL"
    assert new["informacoes_basicas"]["data_requicisao"]  # a new opening is dated today
    assert _outcomes(loaded) == ["ok", "ok"]


def test_invalid_form_is_refused_with_every_message(loaded: Engine) -> None:
    bad = OpeningForm(
        codigo="no spaces", titulo=" ", nivel_profissional="Rei", nivel_ingles="Muito", pcd="Talvez"
    )
    with pytest.raises(InvalidInputError) as info:
        save_opening(engine=loaded, actor=RECRUITER, form=bad)
    message = str(info.value)
    for part in ("Code 'no spaces'", "Title: required", "Professional level 'Rei'", "English level", "PCD"):
        assert part in message
    with pytest.raises(InvalidInputError, match="at most 100,000"):
        save_opening(
            engine=loaded,
            actor=RECRUITER,
            form=OpeningForm(codigo="11", titulo="X", competencias="x" * 100_001),
        )
    with pytest.raises(InvalidInputError, match="Professional level 'Técnico de Nível Médio'"):
        # Only the opening that already holds a non-vocabulary value may keep it.
        save_opening(
            engine=loaded,
            actor=RECRUITER,
            form=OpeningForm(codigo="12", titulo="X", nivel_profissional="Técnico de Nível Médio"),
        )
    with loaded.connect() as conn:
        assert conn.execute(select(Vaga.codigo).where(Vaga.codigo.in_(["11", "12"]))).first() is None
    assert _outcomes(loaded) == ["error", "error", "error"]


def test_analyst_is_refused_and_new_only_never_overwrites(loaded: Engine) -> None:
    with pytest.raises(PermissionDenied):
        save_opening(engine=loaded, actor=Actor("al", "analyst"), form=OpeningForm(codigo="30", titulo="X"))
    with pytest.raises(InvalidInputError, match="belongs to another opening"):
        save_opening(engine=loaded, actor=RECRUITER, form=OpeningForm(codigo="10", titulo="X"), new_only=True)
    assert get_opening(engine=loaded, actor=RECRUITER, codigo="10")["titulo"] == "Consultor SAP"
    assert save_opening(
        engine=loaded, actor=RECRUITER, form=OpeningForm(codigo="31", titulo="Nova"), new_only=True
    ).created
    events = list_events(loaded, actor=CLI_ACTOR, action="recruiting.edit")
    assert sorted(events["outcome"]) == ["error", "error", "ok"]  # listed newest first
