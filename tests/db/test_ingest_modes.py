"""Load modes (add and update / add only) and unique names judged on the table as the load leaves it."""

from __future__ import annotations

import csv
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from sqlalchemy import Engine, select

from hr_core.access import CLI_ACTOR
from hr_core.audit import list_events
from hr_core.demo.hr import list_jobs
from hr_core.errors import RowsRejected
from hr_core.ingest import LoadMode, load, load_batch, load_table, validate_batch, validate_upload
from hr_core.models import Department, HiredEmployee, Job
from tests.factories import load_ingest_refs, write_text_file

REPO = Path(__file__).resolve().parents[2]


def _jobs(engine: Engine) -> dict[int, str]:
    with engine.connect() as conn:
        return {r.id: r.job for r in conn.execute(select(Job.id, Job.job))}


def _departments(engine: Engine) -> dict[int, str]:
    with engine.connect() as conn:
        return {r.id: r.department for r in conn.execute(select(Department.id, Department.department))}


def _employees(engine: Engine) -> dict[int, tuple]:
    with engine.connect() as conn:
        rows = conn.execute(select(HiredEmployee.id, HiredEmployee.name, HiredEmployee.job_id))
        return {r.id: (r.name, r.job_id) for r in rows}


def _load(engine: Engine, folder: Path, name: str, text: str, **kwargs: object):  # noqa: ANN202
    return load_table(engine=engine, source=write_text_file(folder, name, text), actor=CLI_ACTOR, **kwargs)


def test_add_only_inserts_new_ids_and_skips_existing_ones(engine: Engine, tmp_path: Path) -> None:
    load_ingest_refs(engine, tmp_path)  # 1 Engineering, 2 Sales, 3 Legal
    result = _load(
        engine, tmp_path, "departments.csv", "1,Platform\n2,Sales\n4,Finance\n", mode=LoadMode.ADD_ONLY
    )
    assert (result.inserted, result.updated, result.unchanged, result.skipped, result.rejected) == (
        1,
        0,
        0,
        2,
        0,
    )
    assert result.reject_rows == []  # skipped rows are no errors
    assert result.as_dict()["mode"] == "add-only" and result.as_dict()["skipped"] == 2
    assert _departments(engine) == {1: "Engineering", 2: "Sales", 3: "Legal", 4: "Finance"}
    event = list_events(engine, actor=CLI_ACTOR, action="hr.load", outcome="ok").iloc[0]
    assert event["details"]["mode"] == "add-only" and event["details"]["result"]["skipped"] == 2

    updated = _load(engine, tmp_path, "departments.csv", "1,Platform\n2,Sales\n")
    assert (updated.inserted, updated.updated, updated.unchanged, updated.skipped) == (0, 1, 1, 0)
    assert updated.mode is LoadMode.ADD_AND_UPDATE and _departments(engine)[1] == "Platform"


def test_add_only_employees_skip_existing_ids_on_every_path(
    engine: Engine, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # On PostgreSQL ids above the current maximum are copied straight in; the rest go through staging.
    load_ingest_refs(engine, tmp_path)
    seed = "".join(f"{i},Person {i},2021-01-0{i}T10:00:00Z,1,1\n" for i in (2, 4, 6))
    _load(engine, tmp_path, "seed.csv", seed, table="hired_employees")
    monkeypatch.setattr(load, "CHUNK_ROWS", 2)
    text = (
        "7,Person 7,2021-02-07T10:00:00Z,2,2\n"  # new, above the maximum
        "2,Someone else,2021-01-02T10:00:00Z,3,3\n"  # exists, differs: left as it is
        "3,Person 3,2021-01-03T10:00:00Z,1,1\n"  # new, below the maximum
        "4,Person 4,2021-01-04T10:00:00Z,1,1\n"  # exists, the same
        "8,Person 8,2021-02-08T10:00:00Z,1,2\n"
    )
    result = _load(engine, tmp_path, "later.csv", text, table="hired_employees", mode=LoadMode.ADD_ONLY)
    assert (result.inserted, result.updated, result.unchanged, result.skipped, result.rejected) == (
        3,
        0,
        0,
        2,
        0,
    )
    assert _employees(engine) == {
        2: ("Person 2", 1),
        3: ("Person 3", 1),
        4: ("Person 4", 1),
        6: ("Person 6", 1),
        7: ("Person 7", 2),
        8: ("Person 8", 2),
    }


def test_the_dry_run_says_what_each_mode_would_do(engine: Engine, tmp_path: Path) -> None:
    load_ingest_refs(engine, tmp_path)
    source = write_text_file(tmp_path, "departments.csv", "1,Platform\n2,Sales\n9,Research\n")
    both = validate_upload(engine=engine, source=source, actor=CLI_ACTOR).changes
    only = validate_upload(engine=engine, source=source, actor=CLI_ACTOR, mode=LoadMode.ADD_ONLY).changes
    assert both is not None and only is not None
    assert (both.mode, both.inserts, both.updates, both.unchanged, both.skips) == (
        LoadMode.ADD_AND_UPDATE,
        1,
        1,
        1,
        0,
    )
    assert (only.mode, only.inserts, only.updates, only.unchanged, only.skips) == (
        LoadMode.ADD_ONLY,
        1,
        0,
        0,
        2,
    )
    assert only.inserted_ids == [9] and only.skipped_ids == [1, 2] and only.changes == []
    batch = {
        "records": [{"table_name": "job", "data": [{"id": 1, "job": "Lawyer"}, {"id": 7, "job": "Chef"}]}]
    }
    [jobs] = validate_batch(
        engine=engine,
        source=write_text_file(tmp_path, "b.json", json.dumps(batch)),
        actor=CLI_ACTOR,
        mode=LoadMode.ADD_ONLY,
    )
    assert jobs.changes is not None and (jobs.changes.inserts, jobs.changes.skips) == (1, 1)
    assert _departments(engine) == {1: "Engineering", 2: "Sales", 3: "Legal"}  # nothing written


def test_a_batch_added_only_leaves_existing_rows_and_reports_skips(engine: Engine, tmp_path: Path) -> None:
    load_ingest_refs(engine, tmp_path)
    batch = {
        "records": [
            {
                "table_name": "department",
                "data": [{"id": 1, "department": "Renamed"}, {"id": 5, "department": "Ops"}],
            },
            {
                "table_name": "employee",
                "data": [
                    {"name": "Ana", "datetime": "2021-01-01T00:00:00Z", "department_id": 5, "job_id": 1}
                ],
            },
        ]
    }
    results = load_batch(
        engine=engine,
        source=write_text_file(tmp_path, "b.json", json.dumps(batch)),
        actor=CLI_ACTOR,
        mode=LoadMode.ADD_ONLY,
    )
    assert [(r.table, r.inserted, r.skipped) for r in results] == [
        ("departments", 1, 1),
        ("hired_employees", 1, 0),
    ]
    assert _departments(engine) == {1: "Engineering", 2: "Sales", 3: "Legal", 5: "Ops"}


def test_names_swapped_or_moved_between_ids_of_the_file_are_accepted(engine: Engine, tmp_path: Path) -> None:
    load_ingest_refs(engine, tmp_path)  # jobs: 1 Data Engineer, 2 Account Executive, 3 Paralegal
    swapped = _load(engine, tmp_path, "jobs.csv", "1,Account Executive\n2,Data Engineer\n3,Paralegal\n")
    assert (swapped.inserted, swapped.updated, swapped.unchanged, swapped.rejected) == (0, 2, 1, 0)
    assert _jobs(engine) == {1: "Account Executive", 2: "Data Engineer", 3: "Paralegal"}
    # A name moves to a new id while its old id takes the name of a third, which takes a new one.
    moved = _load(engine, tmp_path, "jobs.csv", "4,Paralegal\n3,Data Engineer\n2,Lawyer\n")
    assert (moved.inserted, moved.updated, moved.rejected) == (1, 2, 0), moved.reject_rows
    assert _jobs(engine) == {1: "Account Executive", 2: "Lawyer", 3: "Data Engineer", 4: "Paralegal"}


def test_the_real_jobs_file_loads_over_other_jobs_and_then_with_swapped_names(
    engine: Engine, tmp_path: Path, shared_data: Path
) -> None:
    # The reported case: the demo's 180 jobs, then the real jobs.csv, which gives 12 of the demo's names
    # to other ids while renaming their old ids ("names must be unique" on 12 rows before).
    demo = "".join(f"{i},{name}\n" for i, name in enumerate(list_jobs(), start=1))
    assert _load(engine, tmp_path, "demo_jobs.csv", demo).inserted == 180
    real_file = shared_data / "globant" / "jobs.csv"
    real = {int(r[0]): r[1] for r in csv.reader(real_file.open(encoding="utf-8"))}
    result = load_table(engine=engine, source=real_file, actor=CLI_ACTOR)
    assert (result.inserted, result.updated, result.unchanged, result.rejected) == (3, 180, 0, 0)
    assert _jobs(engine) == real

    variant = dict(real)
    variant[5], variant[9] = real[9], real[5]
    text = "".join(f"{i},{name}\n" for i, name in sorted(variant.items()))
    again = _load(engine, tmp_path, "jobs.csv", text)
    assert (again.inserted, again.updated, again.unchanged, again.rejected) == (0, 2, 181, 0)
    assert _jobs(engine) == variant


def test_a_real_name_conflict_is_rejected_and_explained(engine: Engine, tmp_path: Path) -> None:
    load_ingest_refs(engine, tmp_path)  # departments: 1 Engineering, 2 Sales, 3 Legal
    text = (
        "4,Sales\n"  # Sales stays with id 2, which the file does not rename
        "5,Finance\n"
        "6,Finance\n"  # the same name twice in the file
        "1,Legal\n"  # Legal stays with id 3, whose own row is rejected below…
        "3,\n"
        "7,Engineering\n"  # …so id 1 keeps Engineering, and this row cannot have it either
    )
    result = _load(engine, tmp_path, "departments.csv", text)
    assert (result.inserted, result.updated, result.rejected) == (1, 0, 5)
    reasons = {r.line: r.reasons for r in result.reject_rows}
    assert reasons == {
        1: (
            "department 'Sales' already belongs to id 2 in the database (names must be unique): "
            "departments.csv does not rename id 2; rename one of them",
        ),
        3: (
            "department 'Finance' is also given to id 5 on line 2 of departments.csv (names must be unique); "
            "rename one of them",
        ),
        4: (
            "department 'Legal' already belongs to id 3 in the database (names must be unique): the row for "
            "id 3 on line 5 of departments.csv was rejected, so id 3 keeps the name; fix that row or rename "
            "this one",
        ),
        5: ("department is empty",),
        6: (
            "department 'Engineering' already belongs to id 1 in the database (names must be unique): the row "
            "for id 1 on line 4 of departments.csv was rejected, so id 1 keeps the name; fix that row or "
            "rename this one",
        ),
    }
    assert [r.line for r in result.reject_rows] == [1, 3, 4, 5, 6]
    assert _departments(engine) == {1: "Engineering", 2: "Sales", 3: "Legal", 5: "Finance"}


def test_adding_only_explains_a_name_kept_by_a_skipped_row(engine: Engine, tmp_path: Path) -> None:
    load_ingest_refs(engine, tmp_path)
    result = _load(engine, tmp_path, "departments.csv", "2,Marketing\n8,Sales\n", mode=LoadMode.ADD_ONLY)
    assert (result.inserted, result.skipped, result.rejected) == (0, 1, 1)
    assert result.reject_rows[0].reasons == (
        "department 'Sales' already belongs to id 2 in the database (names must be unique): id 2 is in "
        "departments.csv too, but an add-only load leaves it as it is; load with add and update, or rename "
        "this one",
    )
    # Adding and updating, the same file moves the name.
    moved = _load(engine, tmp_path, "departments.csv", "2,Marketing\n8,Sales\n")
    assert (moved.inserted, moved.updated, moved.rejected) == (1, 1, 0)
    assert _departments(engine) == {1: "Engineering", 2: "Marketing", 3: "Legal", 8: "Sales"}


def test_a_rejected_batch_writes_nothing_not_even_a_swap(engine: Engine, tmp_path: Path) -> None:
    load_ingest_refs(engine, tmp_path)
    before = (_departments(engine), _jobs(engine))
    batch = {
        "records": [
            {
                "table_name": "job",
                "data": [{"id": 1, "job": "Account Executive"}, {"id": 2, "job": "Data Engineer"}],
            },
            {"table_name": "department", "data": [{"id": 9, "department": "Legal"}]},
        ]
    }
    with pytest.raises(RowsRejected) as caught:
        load_batch(
            engine=engine, source=write_text_file(tmp_path, "b.json", json.dumps(batch)), actor=CLI_ACTOR
        )
    [problem] = caught.value.problems
    assert (problem.table, problem.line) == ("departments", 1)
    assert problem.reasons == (
        "department 'Legal' already belongs to id 3 in the database (names must be unique): b.json does not "
        "rename id 3; rename one of them",
    )
    assert "departments row 1: department 'Legal' already belongs to id 3" in str(caught.value)
    assert (_departments(engine), _jobs(engine)) == before


def _cli(*args: str, db_url: str, tmp_path: Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "HR_DATABASE_URL": db_url, "HR_STORAGE_URL": f"file://{tmp_path / 'cli-store'}"}
    return subprocess.run(
        [sys.executable, "-m", "hr_core", *args],
        cwd=REPO,
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
    )


def test_the_command_line_loads_adding_only(engine: Engine, db_url: str, tmp_path: Path) -> None:
    load_ingest_refs(engine, tmp_path)
    source = write_text_file(tmp_path, "departments_more.csv", "1,Platform\n4,Finance\n")
    out = _cli("load", "departments", str(source), "--mode", "add-only", db_url=db_url, tmp_path=tmp_path)
    assert out.returncode == 0, out.stderr
    result = json.loads(out.stdout)
    assert (result["mode"], result["inserted"], result["updated"], result["skipped"]) == ("add-only", 1, 0, 1)
    batch = {
        "records": [{"table_name": "job", "data": [{"id": 1, "job": "Chef"}, {"id": 9, "job": "Baker"}]}]
    }
    path = write_text_file(tmp_path, "batch.json", json.dumps(batch))
    out = _cli("load-batch", str(path), "--mode", "add-only", db_url=db_url, tmp_path=tmp_path)
    assert out.returncode == 0, out.stderr
    assert [(r["table"], r["inserted"], r["skipped"]) for r in json.loads(out.stdout)] == [("jobs", 1, 1)]
    out = _cli("load", "departments", str(source), db_url=db_url, tmp_path=tmp_path)  # the default updates
    assert out.returncode == 0, out.stderr
    assert json.loads(out.stdout)["updated"] == 1
    assert _departments(engine)[1] == "Platform" and _jobs(engine)[1] == "Data Engineer"
