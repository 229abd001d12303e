"""The export's opening_skill_requirements.csv and match_feedback.csv import back, on both databases: a round
trip gives the same rows, a second import changes nothing, and any bad row is named by line, field and value
while nothing at all is written."""

from __future__ import annotations

import csv
import datetime as dt
import json
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine, delete, func, select

from hr_core.access import CLI_ACTOR, Actor
from hr_core.cli import main as cli_main
from hr_core.errors import InvalidInputError, PermissionDenied, RowsRejected
from hr_core.ml.feedback import record_feedback
from hr_core.ml.requirements import get_skill_vocabulary, list_opening_skills, save_opening_skills
from hr_core.models import Candidate, MatchFeedback, OpeningSkillRequirement
from hr_core.recruiting.exporter import FEEDBACK_FILE, REQUIREMENTS_FILE, export_recruiting
from hr_core.recruiting.importer import import_recruiting
from tests.factories import insert_recruiting_rows, make_applicant_record, make_planted_recommend_rows

RITA = Actor(username="rita", role="recruiter")
T0 = dt.datetime(2026, 11, 30, 9, 0, tzinfo=dt.UTC)
LEVELS_HEADER = "vaga,term,label,level,username,updated_at\r\n"
FEEDBACK_HEADER = "id,candidate,vaga,verdict,reason,source,username,created_at\r\n"


@pytest.fixture
def tuned(engine: Engine) -> Engine:
    """Openings with saved skill levels and feedback whose reasons a spreadsheet would mangle."""
    candidates, vagas = make_planted_recommend_rows()
    rows = [{k: v for k, v in c.items() if k != "planted_vaga"} for c in candidates]
    insert_recruiting_rows(engine, candidates=rows, vagas=vagas, prospects=[])
    vocabulary = get_skill_vocabulary(None)
    for vaga, levels in (
        ("RV00", {"python": "required", "docker": "ignored"}),
        ("RV01", {"java": "required"}),
    ):
        terms = {
            s.label: s.term
            for s in list_opening_skills(engine=engine, actor=RITA, vaga=vaga, vocabulary=vocabulary)
        }
        save_opening_skills(
            engine=engine,
            actor=RITA,
            vaga=vaga,
            levels={terms[label]: level for label, level in levels.items()},
            vocabulary=vocabulary,
            now=T0,
        )
    reasons = ("", '=HYPERLINK("x")', "sem Kotlin, nem\nSwift; ação", "-3 anos")
    for i, reason in enumerate(reasons):
        record_feedback(
            engine=engine,
            actor=RITA,
            candidate=f"RC0{i}0",
            vaga="RV00",
            verdict=("good", "wrong")[i % 2],
            reason=reason,
            source="api",
            now=T0 + dt.timedelta(minutes=i, microseconds=i * 7),
        )
    return engine


def _levels(engine: Engine) -> list[tuple[Any, ...]]:
    t = OpeningSkillRequirement
    with engine.connect() as conn:
        return [tuple(r) for r in conn.execute(select(t).order_by(t.vaga_codigo, t.term))]


def _verdicts(engine: Engine) -> list[tuple[Any, ...]]:
    t = MatchFeedback
    columns = (t.candidate_codigo, t.vaga_codigo, t.verdict, t.reason, t.source, t.username, t.created_at)
    with engine.connect() as conn:
        return [tuple(r) for r in conn.execute(select(*columns).order_by(t.created_at))]


def _without_ids(path: Path) -> list[list[str]]:
    with path.open(newline="", encoding="utf-8") as fh:
        rows = list(csv.reader(fh))
    assert len(rows) > 1
    return [row[1:] for row in rows]


def test_an_export_imports_back_to_the_same_rows_and_again_changes_nothing(
    tuned: Engine, tmp_path: Path
) -> None:
    engine = tuned
    levels, verdicts = _levels(engine), _verdicts(engine)
    assert len(levels) == 3 and len(verdicts) == 4
    export_recruiting(engine=engine, actor=RITA, out=str(tmp_path / "first"))
    first = tmp_path / "first"
    assert "'=HYPERLINK" in (first / FEEDBACK_FILE).read_text(encoding="utf-8")  # formula-safe on the way out
    with engine.begin() as conn:
        conn.execute(delete(OpeningSkillRequirement))
        conn.execute(delete(MatchFeedback))

    result = import_recruiting(
        engine=engine, actor=RITA, requirements=first / REQUIREMENTS_FILE, feedback=first / FEEDBACK_FILE
    ).as_dict()
    assert result["opening_skill_requirements"] == {"inserted": 3, "updated": 0, "unchanged": 0}
    assert result["match_feedback"] == {"inserted": 4, "updated": 0, "unchanged": 0}
    assert _levels(engine) == levels and _verdicts(engine) == verdicts  # the reasons as they were typed

    again = import_recruiting(
        engine=engine, actor=RITA, requirements=first / REQUIREMENTS_FILE, feedback=first / FEEDBACK_FILE
    ).as_dict()
    assert again["opening_skill_requirements"] == {"inserted": 0, "updated": 0, "unchanged": 3}
    assert again["match_feedback"] == {"inserted": 0, "updated": 0, "unchanged": 4}
    export_recruiting(engine=engine, actor=RITA, out=str(tmp_path / "second"))
    second = tmp_path / "second"
    assert (second / REQUIREMENTS_FILE).read_bytes() == (first / REQUIREMENTS_FILE).read_bytes()
    assert _without_ids(second / FEEDBACK_FILE) == _without_ids(first / FEEDBACK_FILE)  # ids are new


def test_levels_upsert_and_preferred_removes_a_saved_level(tuned: Engine, tmp_path: Path) -> None:
    engine = tuned
    stored = {(r[0], r[2]): r for r in _levels(engine)}
    python = stored[("RV00", "python")][1]
    docker = stored[("RV00", "docker")][1]
    source = tmp_path / "levels.csv"
    source.write_text(
        LEVELS_HEADER
        + f"RV00,{python},python,ignored,ana,2026-12-01T10:00:00Z\r\n"
        + f"RV00,{docker},docker,preferred,ana,2026-12-01T10:00:00\r\n"
        + "RV09,kotlin,,required,ana,2026-12-01T10:00:00+00:00\r\n"
        + "\r\n",
        encoding="utf-8",
    )
    result = import_recruiting(engine=engine, actor=RITA, requirements=source).as_dict()
    assert result["opening_skill_requirements"] == {"inserted": 1, "updated": 2, "unchanged": 0}
    after = {(r[0], r[2]): r[3:] for r in _levels(engine)}
    stamp = dt.datetime(2026, 12, 1, 10, 0, tzinfo=dt.UTC)
    assert after == {
        ("RV00", "python"): ("ignored", "ana", stamp),
        ("RV01", "java"): ("required", "rita", T0),
        ("RV09", "kotlin"): ("required", "ana", stamp),  # no label: the term
    }


def test_any_bad_row_names_line_field_and_value_and_nothing_is_written(tuned: Engine, tmp_path: Path) -> None:
    engine = tuned
    levels, verdicts = _levels(engine), _verdicts(engine)
    applicants = tmp_path / "applicants.json"
    applicants.write_text(json.dumps({"900": make_applicant_record("900")}), encoding="utf-8")
    bad_levels = tmp_path / "opening_skill_requirements.csv"
    bad_levels.write_text(
        LEVELS_HEADER
        + "RV00,python,python,must,ana,2026-12-01T10:00:00Z\r\n"  # line 2: level
        + ",sql,sql,required,ana,2026-12-01T10:00:00Z\r\n"  # line 3: empty vaga
        + "RV00,sql,sql,required,ana,yesterday\r\n"  # line 4: the time
        + "RV00,sql,sql,required,ana,2026-12-01T10:00:00Z\r\n"  # line 5: fine
        + "RV00,sql,sql,ignored,ana,2026-12-01T10:00:00Z\r\n"  # line 6: repeats line 5
        + "RV00,sql,sql\r\n",  # line 7: too few cells
        encoding="utf-8",
    )
    with pytest.raises(RowsRejected) as caught:
        import_recruiting(engine=engine, actor=RITA, applicants=applicants, requirements=bad_levels)
    problems = {p.line: p.reasons[0] for p in caught.value.problems}
    assert problems == {
        2: "field level, value 'must': is not one of: required, preferred, ignored",
        3: "field vaga, value '': is empty",
        4: "field updated_at, value 'yesterday': is not an ISO-8601 date and time (e.g. 2026-11-30T09:00:00+00:00)",
        6: "field (row), value 'RV00,sql,sql,ignored,ana,2026-12-01T10:00:00Z': repeats line 5",
        7: "field (row), value 'RV00,sql,sql': 3 cells where the header has 6",
    }
    assert {p.table for p in caught.value.problems} == {"opening_skill_requirements.csv"}
    message = str(caught.value)
    assert message.startswith(
        "opening_skill_requirements.csv: 5 row(s) are not valid, so nothing was imported"
    )
    assert "line 2: field level, value 'must'" in message and "(and 2 more)" in message

    bad_feedback = tmp_path / "match_feedback.csv"
    bad_feedback.write_text(
        FEEDBACK_HEADER
        + '7,RC000,RV00,fine,"",api,rita,2026-11-30T09:00:00+00:00\r\n'
        + "x,RC000,RV00,good,,api,rita,2026-11-30T09:00:00+00:00\r\n"
        + f"8,RC000,RV00,good,{'z' * 1001},page,rita,2026-11-30T09:00:00+00:00\r\n",
        encoding="utf-8",
    )
    with pytest.raises(RowsRejected) as caught:
        import_recruiting(engine=engine, actor=RITA, applicants=applicants, feedback=bad_feedback)
    found = [(p.line, p.reasons[0]) for p in caught.value.problems]
    assert [line for line, _ in found] == [2, 3, 4]
    assert found[0][1] == "field verdict, value 'fine': is not one of: good, wrong"
    assert found[1][1].startswith("field id, value 'x': is not a whole number")
    assert found[2][1].startswith("field reason, value 'zzz")
    assert "1,001 characters; at most 1,000" in caught.value.problems[2].reasons[0]
    with engine.connect() as conn:
        assert conn.execute(select(func.count()).select_from(Candidate)).scalar_one() == len(
            make_planted_recommend_rows()[0]
        )  # the valid applicants file was rolled back too
    assert _levels(engine) == levels and _verdicts(engine) == verdicts


def test_wrong_files_headers_and_roles_are_refused(tuned: Engine, tmp_path: Path) -> None:
    engine = tuned
    levels = _levels(engine)
    swapped = tmp_path / "levels.csv"
    swapped.write_text(
        FEEDBACK_HEADER + "1,RC000,RV00,good,,api,rita,2026-11-30T09:00:00Z\r\n", encoding="utf-8"
    )
    with pytest.raises(InvalidInputError, match="missing term, level, updated_at — unknown id, candidate"):
        import_recruiting(engine=engine, actor=RITA, requirements=swapped)
    latin = tmp_path / "latin.csv"
    latin.write_bytes(
        (LEVELS_HEADER + "RV00,ação,ação,required,ana,2026-12-01T10:00:00Z\r\n").encode("latin-1")
    )
    with pytest.raises(InvalidInputError, match="latin.csv: the text is not UTF-8"):
        import_recruiting(engine=engine, actor=RITA, requirements=latin)
    empty = tmp_path / "empty.csv"
    empty.write_text("", encoding="utf-8")
    with pytest.raises(InvalidInputError, match="the file is empty"):
        import_recruiting(engine=engine, actor=RITA, feedback=empty)
    with pytest.raises(PermissionDenied):
        import_recruiting(engine=engine, actor=Actor("ana", "analyst"), requirements=swapped)
    assert _levels(engine) == levels


def test_the_command_line_imports_the_csv_files(
    tuned: Engine, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    export_recruiting(engine=tuned, actor=CLI_ACTOR, out=str(tmp_path / "out"))
    with tuned.begin() as conn:
        conn.execute(delete(OpeningSkillRequirement))
    args = ["import-recruiting", "--requirements", str(tmp_path / "out" / REQUIREMENTS_FILE)]
    assert cli_main(args) == 0
    assert json.loads(capsys.readouterr().out)["opening_skill_requirements"]["inserted"] == 3
    bad = tmp_path / "bad.csv"
    bad.write_text(LEVELS_HEADER + "RV00,python,python,must,ana,2026-12-01T10:00:00Z\r\n", encoding="utf-8")
    assert cli_main(["import-recruiting", "--feedback", str(bad)]) == 2
    assert "bad.csv" in capsys.readouterr().err
