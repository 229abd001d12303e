"""Import and export of the Decision files on SQLite and PostgreSQL (and local / S3 storage)."""

from __future__ import annotations

import csv
import io
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from sqlalchemy import Engine, func, select

from hr_core.access import CLI_ACTOR, Actor
from hr_core.audit import list_events
from hr_core.errors import InvalidInputError, NotFoundError, PermissionDenied
from hr_core.models.recruiting import Candidate, PipelineOpening, Prospect, Vaga
from hr_core.recruiting.exporter import export_recruiting
from hr_core.recruiting.importer import import_recruiting
from hr_core.recruiting.stats import count_recruiting_rows
from hr_core.storage import Storage
from tests.factories import make_applicant_record, make_prospect_record

REPO = Path(__file__).resolve().parents[2]


def _count(engine: Engine, model: type) -> int:
    with engine.connect() as conn:
        return int(conn.execute(select(func.count()).select_from(model)).scalar_one())


def _import_real(engine: Engine, decision: Path, prospects: str = "prospects.json") -> dict:
    return import_recruiting(
        engine=engine,
        actor=CLI_ACTOR,
        applicants=decision / "applicants.json",
        vagas=decision / "vagas.json",
        prospects=decision / prospects,
    ).as_dict()


def test_real_slices_import_with_counts_and_dangling_prospects(engine: Engine, shared_data: Path) -> None:
    steps: list[float] = []
    result = import_recruiting(
        engine=engine,
        actor=CLI_ACTOR,
        applicants=shared_data / "decision" / "applicants.json",
        vagas=shared_data / "decision" / "vagas.json",
        prospects=shared_data / "decision" / "prospects.json",
        progress=lambda f, _m: steps.append(f),
    ).as_dict()
    assert result["candidates"] == {"inserted": 500, "updated": 0, "rejected": 0}
    assert result["vagas"] == {"inserted": 300, "updated": 0, "rejected": 0}
    assert result["openings"] == {"inserted": 500, "updated": 0, "rejected": 0}
    assert result["prospects"] == {"inserted": 1936, "updated": 0, "rejected": 0}
    assert result["rejects"] is None
    assert steps == sorted(steps) and steps[-1] == 1.0
    totals = count_recruiting_rows(engine=engine)
    assert totals["candidates"] == 500 and totals["vagas"] == 300 and totals["openings"] == 500
    assert totals["prospects"] == 1936
    # The slices are independent: every prospect's opening is missing from vagas, yet all are kept.
    assert totals["prospects_without_vaga"] == 1936
    assert 0 < totals["prospects_without_candidate"] <= 1936
    with engine.connect() as conn:
        stages = set(conn.execute(select(Prospect.stage).distinct()).scalars())
        empty = conn.execute(
            select(func.count())
            .select_from(PipelineOpening)
            .where(~select(Prospect.id).where(Prospect.vaga_codigo == PipelineOpening.vaga_codigo).exists())
        ).scalar_one()
    assert "unknown" not in stages and "approved" in stages
    assert empty == 100  # openings with an empty prospects list are kept too


def test_reimport_changes_nothing_and_export_gives_the_same_json(
    engine: Engine, shared_data: Path, tmp_path: Path
) -> None:
    decision = shared_data / "decision"
    _import_real(engine, decision)
    again = _import_real(engine, decision)
    for table in ("candidates", "vagas", "openings", "prospects"):
        assert again[table] == {"inserted": 0, "updated": 0, "rejected": 0}, table
    out = tmp_path / "export"
    result = export_recruiting(engine=engine, actor=CLI_ACTOR, out=str(out))
    assert result["counts"]["applicants.json"] == 500
    for name in ("applicants.json", "vagas.json", "prospects.json"):
        original = json.loads((decision / name).read_text(encoding="utf-8"))
        exported = json.loads((out / name).read_text(encoding="utf-8"))
        assert exported == original, name
        assert list(exported) == list(original), f"{name}: record order differs"


def test_larger_prospects_round_trip(engine: Engine, shared_data: Path, tmp_path: Path) -> None:
    source = shared_data / "decision" / "prospects_larger.json"
    result = import_recruiting(engine=engine, actor=CLI_ACTOR, prospects=source).as_dict()
    assert result["openings"]["inserted"] == 2539
    assert result["prospects"]["inserted"] == 9606
    export_recruiting(engine=engine, actor=CLI_ACTOR, out=str(tmp_path / "out"))
    exported = json.loads((tmp_path / "out" / "prospects.json").read_text(encoding="utf-8"))
    assert exported == json.loads(source.read_text(encoding="utf-8"))
    assert json.loads((tmp_path / "out" / "applicants.json").read_text()) == {}


def test_malformed_records_are_rejected_with_reasons_and_the_rest_loads(
    engine: Engine, storage: Storage, tmp_path: Path
) -> None:
    applicants = {
        "1": make_applicant_record("1"),
        "": make_applicant_record(""),
        "3": {**make_applicant_record("3"), "cv_pt": 42},
        "4": make_applicant_record(
            "4", infos_basicas={"codigo_profissional": "4", "data_criacao": "31-02-2021 10:00:00"}
        ),
        "5": "not an object",
        "6": make_applicant_record("6"),
    }
    prospects = {
        "900": {
            "titulo": "Dev",
            "modalidade": "",
            "prospects": [
                make_prospect_record("1", status="Aprovado"),
                {**make_prospect_record("2"), "codigo": ""},
                make_prospect_record("3", applied="2021-99-01"),
                make_prospect_record("77", status="Desistiu"),
            ],
        },
        "901": {"titulo": "Bad", "modalidade": "", "prospects": "none"},
    }
    (tmp_path / "a.json").write_text(json.dumps(applicants), encoding="utf-8")
    (tmp_path / "p.json").write_text(json.dumps(prospects), encoding="utf-8")
    result = import_recruiting(
        engine=engine,
        actor=CLI_ACTOR,
        applicants=tmp_path / "a.json",
        prospects=tmp_path / "p.json",
        storage=storage,
    )
    assert result.candidates.as_dict() == {"inserted": 2, "updated": 0, "rejected": 4}
    assert result.openings.as_dict() == {"inserted": 1, "updated": 0, "rejected": 1}
    assert result.prospects.as_dict() == {"inserted": 2, "updated": 0, "rejected": 2}
    assert result.rejects is not None and result.rejects.startswith("rejects/recruiting/")
    report = list(csv.DictReader(io.StringIO(storage.get_bytes(result.rejects).decode("utf-8"))))
    assert len(report) == 7
    by_record = {(r["file"], r["record"], r["row"]): r for r in report}
    assert "no code" in by_record[("a.json", "", "2")]["reason"]
    assert by_record[("a.json", "3", "3")]["field"] == "cv_pt"
    bad_date = by_record[("a.json", "4", "4")]
    assert bad_date["field"] == "infos_basicas.data_criacao" and "31-02-2021" in bad_date["value"]
    assert by_record[("p.json", "900", "1.3")]["field"] == "prospect.data_candidatura"
    assert by_record[("p.json", "901", "2")]["field"] == "prospects"
    with engine.connect() as conn:
        assert sorted(conn.execute(select(Candidate.codigo)).scalars()) == ["1", "6"]
        pairs = set(conn.execute(select(Prospect.candidate_codigo, Prospect.stage)).tuples())
    assert pairs == {("1", "approved"), ("77", "withdrew")}
    events = list_events(engine, actor=CLI_ACTOR, action="recruiting.import")
    assert list(events["outcome"]) == ["ok"]


def test_changed_record_is_updated_and_position_kept(engine: Engine, tmp_path: Path) -> None:
    path = tmp_path / "a.json"
    path.write_text(json.dumps({"1": make_applicant_record("1"), "2": make_applicant_record("2")}))
    import_recruiting(engine=engine, actor=CLI_ACTOR, applicants=path)
    path.write_text(
        json.dumps({"2": make_applicant_record("2", skills="Go, Rust"), "3": make_applicant_record("3")})
    )
    result = import_recruiting(engine=engine, actor=CLI_ACTOR, applicants=path)
    assert result.candidates.as_dict() == {"inserted": 1, "updated": 1, "rejected": 0}
    with engine.connect() as conn:
        rows = conn.execute(
            select(Candidate.codigo, Candidate.conhecimentos_tecnicos).order_by(Candidate.position)
        ).all()
    assert [tuple(r) for r in rows] == [("1", "Python, SQL"), ("2", "Go, Rust"), ("3", "Python, SQL")]


def test_file_that_is_not_an_object_is_refused_and_rolled_back(engine: Engine, tmp_path: Path) -> None:
    (tmp_path / "list.json").write_text("[1, 2]")
    with pytest.raises(InvalidInputError, match="one JSON object keyed by code"):
        import_recruiting(engine=engine, actor=CLI_ACTOR, vagas=tmp_path / "list.json")
    (tmp_path / "broken.json").write_text(json.dumps({"1": make_applicant_record("1")})[:-40])
    with pytest.raises(InvalidInputError, match="not valid JSON"):
        import_recruiting(engine=engine, actor=CLI_ACTOR, applicants=tmp_path / "broken.json")
    assert _count(engine, Candidate) == 0
    assert list(list_events(engine, actor=CLI_ACTOR, action="recruiting.import")["outcome"]) == [
        "error",
        "error",
    ]


def test_missing_file_role_and_empty_call_are_refused(engine: Engine, tmp_path: Path) -> None:
    with pytest.raises(NotFoundError):
        import_recruiting(engine=engine, actor=CLI_ACTOR, vagas=tmp_path / "nope.json")
    with pytest.raises(InvalidInputError, match="at least one"):
        import_recruiting(engine=engine, actor=CLI_ACTOR)
    with pytest.raises(PermissionDenied):
        import_recruiting(engine=engine, actor=Actor("ann", "analyst"), vagas=tmp_path / "nope.json")
    assert _count(engine, Vaga) == 0


def test_s3_input_and_s3_export(engine: Engine, storage: Storage, storage_url: str, tmp_path: Path) -> None:
    records = {"1": make_applicant_record("1"), "2": make_applicant_record("2", nome="Caio Souza")}
    (tmp_path / "a.json").write_text(json.dumps(records, ensure_ascii=False), encoding="utf-8")
    storage.put_file("in/applicants.json", tmp_path / "a.json")
    source = (
        f"{storage_url}/in/applicants.json" if storage_url.startswith("s3://") else str(tmp_path / "a.json")
    )
    result = import_recruiting(engine=engine, actor=CLI_ACTOR, applicants=source)
    assert result.candidates.inserted == 2
    export_recruiting(engine=engine, actor=CLI_ACTOR, out=f"{storage_url}/export")
    exported = json.loads(storage.get_bytes("export/applicants.json"))
    assert exported == records
    assert json.loads(storage.get_bytes("export/prospects.json")) == {}


def test_cli_import_and_export(db_url: str, shared_data: Path, tmp_path: Path) -> None:
    env = {**os.environ, "HR_DATABASE_URL": db_url, "HR_STORAGE_URL": f"file://{tmp_path / 'store'}"}
    vagas = shared_data / "decision" / "vagas.json"
    run = subprocess.run(
        [sys.executable, "-m", "hr_core", "import-recruiting", "--vagas", str(vagas)],
        cwd=REPO, capture_output=True, text=True, env=env,
    )  # fmt: skip
    assert run.returncode == 0, run.stderr
    out = json.loads(run.stdout)
    assert out["vagas"] == {"inserted": 300, "updated": 0, "rejected": 0}
    assert out["rejects"] is None
    run = subprocess.run(
        [sys.executable, "-m", "hr_core", "export-recruiting", "--out", str(tmp_path / "out")],
        cwd=REPO, capture_output=True, text=True, env=env,
    )  # fmt: skip
    assert run.returncode == 0, run.stderr
    assert json.loads((tmp_path / "out" / "vagas.json").read_text()) == json.loads(vagas.read_text())
    bad = subprocess.run(
        [sys.executable, "-m", "hr_core", "import-recruiting", "--applicants", str(tmp_path / "missing.json")],
        cwd=REPO, capture_output=True, text=True, env=env,
    )  # fmt: skip
    assert bad.returncode == 2 and "missing.json" in bad.stderr
