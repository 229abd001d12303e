"""The recruiting workflow on SQLite and PostgreSQL: add to an opening, move between stages, notes,
history, audit, and the export writing the new status back in the Decision format."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest
from sqlalchemy import Engine

from hr_core.access import CLI_ACTOR, Actor
from hr_core.audit import list_events
from hr_core.errors import ConflictError, InvalidInputError, NotFoundError, PermissionDenied
from hr_core.recruiting.exporter import export_recruiting
from hr_core.recruiting.queries import list_opening_prospects
from hr_core.recruiting.workflow import (
    add_prospect,
    add_prospect_note,
    list_prospect_history,
    list_prospect_notes,
    move_prospect,
    statuses_of,
)
from tests.db.test_recruiting_queries import loaded  # noqa: F401  (fixture)

RECRUITER = Actor("rita", "recruiter")
ANALYST = Actor("ana", "analyst")
DAY = dt.date(2024, 5, 6)


def test_move_keeps_history_audits_and_exports_the_new_status(loaded: Engine, tmp_path: Path) -> None:  # noqa: F811
    change = move_prospect(
        engine=loaded, actor=RECRUITER, vaga="12", candidate="1", status="Entrevista Técnica", today=DAY
    )
    assert (change.from_stage, change.to_stage) == ("applied", "interview")
    row = list_opening_prospects(engine=loaded, actor=CLI_ACTOR, codigo="12").iloc[0]
    assert (row["situacao"], row["stage"], row["ultima_atualizacao"]) == (
        "Entrevista Técnica",
        "interview",
        DAY,
    )
    move_prospect(engine=loaded, actor=RECRUITER, vaga="12", candidate="1", status="Aprovado", today=DAY)
    history = list_prospect_history(engine=loaded, actor=RECRUITER, vaga="12", candidate="1")
    assert [(h.from_status, h.to_status, h.changed_by) for h in history] == [
        ("Inscrito", "Entrevista Técnica", "rita"),
        ("Entrevista Técnica", "Aprovado", "rita"),
    ]
    events = list_events(loaded, actor=CLI_ACTOR, action="recruiting.edit")
    assert list(events["outcome"]).count("ok") == 2
    export_recruiting(engine=loaded, actor=RECRUITER, out=f"file://{tmp_path / 'out'}")
    exported = json.loads((tmp_path / "out" / "prospects.json").read_text(encoding="utf-8"))
    assert exported["12"]["prospects"][0]["situacao_candidado"] == "Aprovado"
    assert exported["12"]["prospects"][0]["ultima_atualizacao"] == "06-05-2024"


def test_moves_are_checked(loaded: Engine) -> None:  # noqa: F811
    with pytest.raises(InvalidInputError, match="unknown"):
        move_prospect(engine=loaded, actor=RECRUITER, vaga="12", candidate="1", status="Hired!")
    with pytest.raises(ConflictError):
        move_prospect(engine=loaded, actor=RECRUITER, vaga="12", candidate="1", status="Inscrito")
    with pytest.raises(NotFoundError):
        move_prospect(engine=loaded, actor=RECRUITER, vaga="12", candidate="4", status="Aprovado")
    with pytest.raises(PermissionDenied):
        move_prospect(engine=loaded, actor=ANALYST, vaga="12", candidate="1", status="Aprovado")
    assert list_prospect_history(engine=loaded, actor=RECRUITER, vaga="12", candidate="1") == []
    assert set(list_events(loaded, actor=CLI_ACTOR, action="recruiting.edit")["outcome"]) == {"error"}


def test_notes(loaded: Engine) -> None:  # noqa: F811
    add_prospect_note(
        engine=loaded, actor=RECRUITER, vaga="10", candidate="2", text="  Called; starts Monday "
    )
    add_prospect_note(engine=loaded, actor=RECRUITER, vaga="10", candidate="2", text="<b>second</b>")
    notes = list_prospect_notes(engine=loaded, actor=RECRUITER, vaga="10", candidate="2")
    assert {n.text for n in notes} == {"Called; starts Monday", "<b>second</b>"}
    with pytest.raises(InvalidInputError, match="empty"):
        add_prospect_note(engine=loaded, actor=RECRUITER, vaga="10", candidate="2", text="   ")
    with pytest.raises(InvalidInputError, match="at most"):
        add_prospect_note(engine=loaded, actor=RECRUITER, vaga="10", candidate="2", text="x" * 5001)
    with pytest.raises(PermissionDenied):
        list_prospect_notes(engine=loaded, actor=ANALYST, vaga="10", candidate="2")


def test_add_a_candidate_to_an_opening(loaded: Engine, tmp_path: Path) -> None:  # noqa: F811
    add_prospect(engine=loaded, actor=RECRUITER, vaga="11", candidate="4", recruiter="rita", today=DAY)
    rows = list_opening_prospects(engine=loaded, actor=CLI_ACTOR, codigo="11")
    assert rows[["candidate_codigo", "situacao", "stage"]].to_dict(orient="records") == [
        {"candidate_codigo": "4", "situacao": "Inscrito", "stage": "applied"}
    ]
    with pytest.raises(ConflictError, match="already"):
        add_prospect(engine=loaded, actor=RECRUITER, vaga="11", candidate="4")
    with pytest.raises(NotFoundError):
        add_prospect(engine=loaded, actor=RECRUITER, vaga="11", candidate="nobody")
    with pytest.raises(NotFoundError):
        add_prospect(engine=loaded, actor=RECRUITER, vaga="nowhere", candidate="4")
    history = list_prospect_history(engine=loaded, actor=RECRUITER, vaga="11", candidate="4")
    assert [(h.from_status, h.to_status) for h in history] == [("", "Inscrito")]
    export_recruiting(engine=loaded, actor=RECRUITER, out=f"file://{tmp_path / 'out'}")
    exported = json.loads((tmp_path / "out" / "prospects.json").read_text(encoding="utf-8"))
    assert exported["11"]["titulo"] == "Dev Java"
    assert exported["11"]["prospects"][0] == {
        "nome": "Diego Alves",
        "codigo": "4",
        "situacao_candidado": "Inscrito",
        "data_candidatura": "06-05-2024",
        "ultima_atualizacao": "06-05-2024",
        "comentario": "",
        "recrutador": "rita",
    }


def test_statuses_of_a_stage_start_with_its_default() -> None:
    assert statuses_of("approved")[0] == "Aprovado"
    assert "Contratado pela Decision" in statuses_of("approved")
    assert statuses_of("unknown") == []
