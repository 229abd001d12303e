"""LGPD erasure: an admin anonymises a candidate; outcomes stay, personal data leaves exports and backups."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from sqlalchemy import Engine, select

from hr_core.access import CLI_ACTOR, Actor
from hr_core.audit import list_events
from hr_core.backup import create_backup
from hr_core.errors import NotFoundError, PermissionDenied
from hr_core.models.recruiting import Candidate, Prospect
from hr_core.recruiting.anonymise import anonymise_candidate
from hr_core.recruiting.exporter import export_recruiting
from hr_core.recruiting.importer import import_recruiting
from hr_core.storage import make_storage
from tests.factories import make_applicant_record, make_prospect_record

REPO = Path(__file__).resolve().parents[2]
SECRET_BITS = (
    "Zuleica Quaresma",
    "123.456.789-09",
    "zuleica@example.com",
    "Rua das Flores 12",
    "11 99999-0000",
)


@pytest.fixture
def loaded(engine: Engine, tmp_path: Path) -> Engine:
    person = make_applicant_record("7", nome="Zuleica Quaresma", skills="Python")
    person["infos_basicas"].update(email="zuleica@example.com", telefone="11 99999-0000")
    person["informacoes_pessoais"].update(
        cpf="123.456.789-09",
        email="zuleica@example.com",
        endereco="Rua das Flores 12",
        data_nascimento="01-02-1990",
        estado_civil="Casado",
    )
    person["cv_pt"] = "Zuleica Quaresma, Rua das Flores 12: Python"
    other = make_applicant_record("8", nome="Otto Lima", skills="Java")
    prospects = {
        "50": {
            "titulo": "Dev Python",
            "modalidade": "",
            "prospects": [
                {**make_prospect_record("7", status="Contratado pela Decision"), "nome": "Zuleica Quaresma"},
                {**make_prospect_record("8", status="Não Aprovado pelo RH"), "nome": "Otto Lima"},
            ],
        }
    }
    for name, data in (("applicants", {"7": person, "8": other}), ("prospects", prospects)):
        (tmp_path / f"{name}.json").write_text(json.dumps(data), encoding="utf-8")
    import_recruiting(
        engine=engine,
        actor=CLI_ACTOR,
        applicants=tmp_path / "applicants.json",
        prospects=tmp_path / "prospects.json",
    )
    return engine


def test_anonymise_erases_personal_data_and_keeps_outcomes(loaded: Engine, tmp_path: Path) -> None:
    result = anonymise_candidate(engine=loaded, actor=Actor("root", "admin"), codigo="7")
    assert result.codigo == "7" and result.applications_kept == 1 and result.fields_erased >= 8
    with loaded.connect() as conn:
        row = conn.execute(select(Candidate).where(Candidate.codigo == "7")).one()
        kept = conn.execute(
            select(Prospect.situacao, Prospect.nome).where(Prospect.candidate_codigo == "7")
        ).one()
        other = conn.execute(select(Candidate.nome).where(Candidate.codigo == "8")).scalar_one()
    assert (
        row.nome == "" and row.email == "" and row.cv_pt == "" and row.sexo == "" and row.estado_civil == ""
    )
    assert row.informacoes_pessoais["cpf"] == "" and row.informacoes_pessoais["endereco"] == ""
    assert (
        row.local == "São Paulo, São Paulo" and row.conhecimentos_tecnicos == "Python"
    )  # city and profile kept
    assert kept.situacao == "Contratado pela Decision" and kept.nome == ""  # the outcome stays, the name goes
    assert other == "Otto Lima"
    # The next export and backup hold none of the erased values.
    out = tmp_path / "export"
    export_recruiting(engine=loaded, actor=CLI_ACTOR, out=str(out))
    exported = "".join(p.read_text(encoding="utf-8") for p in out.glob("*.json"))
    storage = make_storage(f"file://{tmp_path / 'store'}")
    backup = create_backup(engine=loaded, storage=storage, table="candidates", actor=CLI_ACTOR)
    backed_up = (tmp_path / "store" / backup.key).read_bytes().decode("latin-1")
    for bit in SECRET_BITS:
        assert bit not in exported and bit not in backed_up, bit
    assert "Otto Lima" in exported
    events = list_events(loaded, actor=CLI_ACTOR, action="candidate.anonymise")
    assert list(events["outcome"]) == ["ok"] and list(events["actor"]) == ["root"]


def test_only_admins_anonymise_and_unknown_codes_are_named(loaded: Engine) -> None:
    with pytest.raises(PermissionDenied, match="anonymise candidates"):
        anonymise_candidate(engine=loaded, actor=Actor("rita", "recruiter"), codigo="7")
    with pytest.raises(NotFoundError, match="'99'"):
        anonymise_candidate(engine=loaded, actor=Actor("root", "admin"), codigo="99")
    with loaded.connect() as conn:
        assert (
            conn.execute(select(Candidate.nome).where(Candidate.codigo == "7")).scalar_one()
            == "Zuleica Quaresma"
        )


def test_the_cli_anonymises(loaded: Engine, db_url: str) -> None:
    done = subprocess.run(
        [sys.executable, "-m", "hr_core", "candidates", "anonymise", "7"],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["codigo"] == "7"
    with loaded.connect() as conn:
        assert conn.execute(select(Candidate.nome).where(Candidate.codigo == "7")).scalar_one() == ""
