"""Loading HR files on SQLite and PostgreSQL: the real files, every rule, upserts, refusals, atomicity."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
from pathlib import Path

import pytest
from sqlalchemy import Engine, select

from hr_core.access import CLI_ACTOR, Actor
from hr_core.audit import list_events
from hr_core.errors import InvalidInputError, NotFoundError, PermissionDenied
from hr_core.ingest import load, load_batch, load_dir, load_table, validate_batch, validate_upload
from hr_core.models import Department, HiredEmployee, Job
from hr_core.settings import reset_settings
from hr_core.storage import make_storage
from tests.factories import load_ingest_refs, write_text_file


def _table_rows(engine: Engine) -> dict[str, list[tuple]]:
    with engine.connect() as conn:
        return {
            "departments": [
                tuple(r)
                for r in conn.execute(select(Department.id, Department.department).order_by(Department.id))
            ],
            "jobs": [tuple(r) for r in conn.execute(select(Job.id, Job.job).order_by(Job.id))],
            "hired_employees": [
                tuple(r)
                for r in conn.execute(
                    select(
                        HiredEmployee.id,
                        HiredEmployee.name,
                        HiredEmployee.hired_at,
                        HiredEmployee.department_id,
                        HiredEmployee.job_id,
                    ).order_by(HiredEmployee.id)
                )
            ],
        }


def _employee(engine: Engine, employee_id: int) -> tuple:
    with engine.connect() as conn:
        row = conn.execute(
            select(
                HiredEmployee.name, HiredEmployee.hired_at, HiredEmployee.department_id, HiredEmployee.job_id
            ).where(HiredEmployee.id == employee_id)
        ).one()
    return tuple(row)


def test_real_files_load_with_exactly_the_known_rejections(engine: Engine, shared_data: Path) -> None:
    folder = shared_data / "globant"
    deps = load_table(engine=engine, source=folder / "departments.csv", actor=CLI_ACTOR)
    jobs = load_table(engine=engine, source=folder / "jobs.csv", actor=CLI_ACTOR)
    hires = load_table(engine=engine, source=folder / "hired_employees.csv", actor=CLI_ACTOR)

    assert (deps.inserted, deps.rejected, jobs.inserted, jobs.rejected) == (12, 0, 183, 0)
    assert (hires.inserted, hires.updated, hires.unchanged, hires.rejected) == (1929, 0, 0, 70)
    assert len(_table_rows(engine)["hired_employees"]) == 1929
    first = hires.reject_rows[0]
    assert (first.line, first.raw, first.reasons) == (
        2,
        "2,Ty Hofer,2021-05-30T05:43:46Z,8,",
        ("job_id is empty",),
    )
    reasons = [r for row in hires.reject_rows for r in row.reasons]
    assert {k: reasons.count(k) for k in set(reasons)} == {
        "name is empty": 19,
        "datetime is empty": 14,
        "department_id is empty": 21,
        "job_id is empty": 16,
    }
    assert hires.rejects_key is not None and hires.rejects_key.startswith("rejects/hired_employees/")
    report = list(csv.DictReader(io.StringIO(make_storage().get_bytes(hires.rejects_key).decode())))
    assert len(report) == 70 and report[0] == {"line": "2", "raw": first.raw, "reasons": "job_id is empty"}
    assert _employee(engine, 1) == ("Harold Vogt", dt.datetime(2021, 11, 7, 2, 48, 42, tzinfo=dt.UTC), 2, 96)

    again = load_table(engine=engine, source=folder / "hired_employees.csv", actor=CLI_ACTOR)
    assert (again.inserted, again.updated, again.unchanged, again.rejected) == (0, 0, 1929, 70)
    assert deps.as_dict() == {
        "table": "departments",
        "mode": "add-and-update",
        "inserted": 12,
        "updated": 0,
        "unchanged": 0,
        "skipped": 0,
        "rejected": 0,
        "rejects": None,
    }


def test_a_later_file_corrects_rows_with_true_counts(engine: Engine, tmp_path: Path) -> None:
    load_ingest_refs(engine, tmp_path)
    first = "1,Ana Silva,2021-01-01T10:00:00Z,1,1\n2,Bo Chen,2021-02-01T10:00:00Z,2,2\n3,Cy Park,2021-03-01T10:00:00Z,3,3\n"
    load_table(
        engine=engine,
        source=write_text_file(tmp_path, "a.csv", first),
        table="hired_employees",
        actor=CLI_ACTOR,
    )
    later = (
        "1,Ana Silva,2021-01-01T10:00:00Z,1,1\n"  # unchanged
        "2,Bo Chen,2021-02-01T12:30:00+02:00,2,3\n"  # corrected: offset time and job
        "4,Di Lee,2021-04-01 08:00:00,1,2\n"  # new, naive time means UTC
    )
    result = load_table(
        engine=engine,
        source=write_text_file(tmp_path, "b.csv", later),
        table="hired_employees",
        actor=CLI_ACTOR,
    )
    assert (result.inserted, result.updated, result.unchanged, result.rejected) == (1, 1, 1, 0)
    assert _employee(engine, 2) == ("Bo Chen", dt.datetime(2021, 2, 1, 10, 30, tzinfo=dt.UTC), 2, 3)
    assert _employee(engine, 4) == ("Di Lee", dt.datetime(2021, 4, 1, 8, 0, tzinfo=dt.UTC), 1, 2)
    assert _employee(engine, 3)[0] == "Cy Park"


def test_every_broken_rule_is_reported_and_nothing_half_loaded(engine: Engine, tmp_path: Path) -> None:
    load_ingest_refs(engine, tmp_path)
    text = (
        "1,  Ana  ,2021-01-01T10:00:00Z,1,1\n"
        "2,,,,\n"
        "x,Bo,2021-13-01T10:00:00Z,9,-4\n"
        "0,Cy,2021-01-01,1,1\n"
        "1,Dup,2021-01-01T10:00:00Z,1,1\n"
        "5,Ed,2021-01-01T10:00:00Z,99,77\n"
        "3000000000,Fa,2021-01-01T10:00:00Z,1,1\n"
    )
    result = load_table(
        engine=engine,
        source=write_text_file(tmp_path, "h.csv", text),
        table="hired_employees",
        actor=CLI_ACTOR,
    )
    assert (result.inserted, result.rejected) == (1, 6)
    assert _employee(engine, 1)[0] == "Ana"  # trimmed
    by_line = {r.line: r.reasons for r in result.reject_rows}
    assert by_line[2] == ("name is empty", "datetime is empty", "department_id is empty", "job_id is empty")
    assert by_line[3][0] == "id 'x' is not an integer"
    assert "datetime '2021-13-01T10:00:00Z' is not an ISO-8601 date and time" in by_line[3][1]
    assert by_line[3][2].startswith("department_id 9 names no known department")
    assert by_line[3][3] == "job_id -4 is not a positive integer"
    assert by_line[4][0] == "id 0 is not a positive integer"
    assert "is not an ISO-8601 date and time" in by_line[4][1]  # a date without a time is no instant
    assert by_line[5] == ("id 1 appears again (first on line 1; the first occurrence wins)",)
    assert by_line[6][0].startswith("department_id 99") and by_line[6][1].startswith("job_id 77")
    assert by_line[7] == ("id 3000000000 is too large (at most 2147483647)",)
    assert [r[0] for r in _table_rows(engine)["hired_employees"]] == [1]


def test_name_conflicts_are_rejects_not_crashes(engine: Engine, tmp_path: Path) -> None:
    load_ingest_refs(engine, tmp_path)
    text = "4,Sales\n1,Platform Engineering\n5,Finance\n6,Finance\n"
    result = load_table(
        engine=engine, source=write_text_file(tmp_path, "departments.csv", text), actor=CLI_ACTOR
    )
    assert (result.inserted, result.updated, result.rejected) == (1, 1, 2)
    reasons = {r.line: r.reasons for r in result.reject_rows}
    assert reasons == {
        1: (
            "department 'Sales' already belongs to id 2 in the database (names must be unique): "
            "departments.csv does not rename id 2; rename one of them",
        ),
        4: (
            "department 'Finance' is also given to id 5 on line 3 of departments.csv (names must be unique); "
            "rename one of them",
        ),
    }
    assert _table_rows(engine)["departments"] == [
        (1, "Platform Engineering"),
        (2, "Sales"),
        (3, "Legal"),
        (5, "Finance"),
    ]


def test_header_is_detected_reordered_or_forced(engine: Engine, tmp_path: Path) -> None:
    with_header = "\ufeffDepartment,ID\nEngineering,1\r\nSales,2\r\n"
    result = load_table(
        engine=engine, source=write_text_file(tmp_path, "departments.csv", with_header), actor=CLI_ACTOR
    )
    assert (result.inserted, result.rejected) == (2, 0)
    forced = "code,title\n3,Paralegal\n"
    result = load_table(
        engine=engine, source=write_text_file(tmp_path, "jobs.csv", forced), actor=CLI_ACTOR, header=True
    )
    assert (result.inserted, result.rejected) == (1, 0)
    rows = _table_rows(engine)
    assert rows["departments"] == [(1, "Engineering"), (2, "Sales")] and rows["jobs"] == [(3, "Paralegal")]


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("1,Caf\xe9\n".encode("latin-1"), r"not UTF-8 \(it looks like"),
        ("1,Eng\n".encode("utf-16"), "UTF-16 LE, not UTF-8"),
        (b"1,Eng\n2,Sales,extra\n", "line 2: 3 fields, expected 2"),
        (b"1,Eng\n\x00\x01\x02\x03,\x00\n", "line 2: binary data"),
        (b'1,"Eng\n', "malformed"),
    ],
    ids=["latin1", "utf16", "ragged", "binary", "unterminated-quote"],
)
def test_bad_files_are_refused_and_change_nothing(
    engine: Engine, tmp_path: Path, content: bytes, message: str
) -> None:
    load_ingest_refs(engine, tmp_path)
    before = _table_rows(engine)
    path = tmp_path / "departments_new.csv"
    path.write_bytes(content)
    with pytest.raises(InvalidInputError, match=message):
        load_table(engine=engine, source=path, table="departments", actor=CLI_ACTOR)
    assert _table_rows(engine) == before


def test_files_over_the_size_limit_are_refused(
    engine: Engine, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("HR_UPLOAD_LIMIT_MB", "1")
    reset_settings()
    big = "".join(f"{i},Department {i}\n" for i in range(1, 80_000))
    path = write_text_file(tmp_path, "departments.csv", big)
    with pytest.raises(InvalidInputError, match=r"over the upload limit of 1 MB"):
        load_table(engine=engine, source=path, actor=CLI_ACTOR)
    assert _table_rows(engine)["departments"] == []


def test_an_error_after_rows_were_staged_rolls_everything_back(
    engine: Engine, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    load_ingest_refs(engine, tmp_path)
    before = _table_rows(engine)
    monkeypatch.setattr(load, "CHUNK_ROWS", 2)  # stage (and write) rows before the bad line is read
    text = "".join(f"{i},Dept {i}\n" for i in range(10, 20)) + "20,Dept 20,oops\n"
    with pytest.raises(InvalidInputError, match="line 11: 3 fields"):
        load_table(engine=engine, source=write_text_file(tmp_path, "departments.csv", text), actor=CLI_ACTOR)
    assert _table_rows(engine) == before
    events = list_events(engine, actor=CLI_ACTOR, action="hr.load", outcome="error")
    assert "line 11" in events.iloc[0]["details"]["error"]


def test_new_and_known_ids_mixed_across_chunks_give_true_counts(
    engine: Engine, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # On PostgreSQL ids above the current maximum are copied straight in, the rest go through the upsert.
    load_ingest_refs(engine, tmp_path)
    seed = "".join(f"{i},Person {i},2021-01-0{i}T10:00:00Z,1,1\n" for i in (2, 4, 6))
    load_table(
        engine=engine,
        source=write_text_file(tmp_path, "a.csv", seed),
        table="hired_employees",
        actor=CLI_ACTOR,
    )
    monkeypatch.setattr(load, "CHUNK_ROWS", 2)
    later = (
        "7,Person 7,2021-02-07T10:00:00Z,2,2\n"  # new, above the maximum
        "2,Person 2,2021-01-02T10:00:00Z,1,1\n"  # unchanged
        "3,Person 3,2021-02-03T10:00:00Z,2,2\n"  # new, in a gap below the maximum
        "4,Person Four,2021-01-04T10:00:00Z,1,1\n"  # corrected name
        "9,Person 9,2021-02-09T10:00:00Z,3,3\n"  # new
        "6,Person 6,2021-01-06T10:00:00Z,1,1\n"  # unchanged
        "8,Person 8,2021-02-08T10:00:00Z,1,2\n"  # new
    )
    result = load_table(
        engine=engine,
        source=write_text_file(tmp_path, "b.csv", later),
        table="hired_employees",
        actor=CLI_ACTOR,
    )
    assert (result.inserted, result.updated, result.unchanged, result.rejected) == (4, 1, 2, 0)
    assert [r[0] for r in _table_rows(engine)["hired_employees"]] == [2, 3, 4, 6, 7, 8, 9]
    assert _employee(engine, 4)[0] == "Person Four"
    assert _employee(engine, 9) == ("Person 9", dt.datetime(2021, 2, 9, 10, 0, tzinfo=dt.UTC), 3, 3)
    again = load_table(
        engine=engine,
        source=write_text_file(tmp_path, "b.csv", later),
        table="hired_employees",
        actor=CLI_ACTOR,
    )
    assert (again.inserted, again.updated, again.unchanged) == (0, 0, 7)


def test_an_error_after_new_employees_were_copied_rolls_everything_back(
    engine: Engine, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    load_ingest_refs(engine, tmp_path)
    before = _table_rows(engine)
    monkeypatch.setattr(load, "CHUNK_ROWS", 2)  # new ids are sent to the table before the bad line is read
    text = "".join(f"{i},P {i},2021-03-01T10:00:00Z,1,1\n" for i in range(1, 8)) + "8,P 8,2021-03-01,1\n"
    with pytest.raises(InvalidInputError, match="line 8: 4 fields"):
        load_table(
            engine=engine,
            source=write_text_file(tmp_path, "e.csv", text),
            table="hired_employees",
            actor=CLI_ACTOR,
        )
    assert _table_rows(engine) == before
    ok = load_table(
        engine=engine,
        source=write_text_file(tmp_path, "e.csv", text.rsplit("8,P", 1)[0]),
        table="hired_employees",
        actor=CLI_ACTOR,
    )
    assert ok.inserted == 7


def _batch(*entries: tuple[str, list[dict]]) -> bytes:
    return json.dumps({"records": [{"table_name": t, "data": d} for t, d in entries]}).encode()


def test_json_batch_loads_departments_and_jobs_first_and_assigns_ids(engine: Engine, tmp_path: Path) -> None:
    load_ingest_refs(engine, tmp_path)
    load_table(
        engine=engine,
        source=write_text_file(tmp_path, "e.csv", "7,Old Hand,2020-05-05T05:05:05Z,1,1\n"),
        table="hired_employees",
        actor=CLI_ACTOR,
    )
    batch = _batch(
        (
            "employee",
            [
                {"name": "New One", "datetime": "2022-01-02T03:04:05Z", "department_id": 10, "job_id": 10},
                {
                    "id": 3,
                    "name": "Given Id",
                    "datetime": "2022-01-02T03:04:05-03:00",
                    "department_id": 1,
                    "job_id": 2,
                },
                {"name": "", "datetime": "2022-01-02T03:04:05Z", "department_id": 1, "job_id": 2},
            ],
        ),
        ("department", [{"id": 10, "department": "Research"}]),
        ("job", [{"id": 10, "job": "Scientist"}]),
    )
    results = load_batch(
        engine=engine, source=io.BytesIO(batch), filename="batch.json", actor=CLI_ACTOR, partial=True
    )
    assert [(r.table, r.inserted, r.rejected) for r in results] == [
        ("departments", 1, 0),
        ("jobs", 1, 0),
        ("hired_employees", 2, 1),
    ]
    assert results[2].reject_rows[0].reasons == ("name is empty",)
    assert _employee(engine, 8) == ("New One", dt.datetime(2022, 1, 2, 3, 4, 5, tzinfo=dt.UTC), 10, 10)
    assert _employee(engine, 3)[1] == dt.datetime(2022, 1, 2, 6, 4, 5, tzinfo=dt.UTC)


@pytest.mark.parametrize(
    ("batch", "message"),
    [
        (
            _batch(("department", [{"id": i, "department": f"D{i}"} for i in range(1, 1002)])),
            "1 to 1,000 rows, got 1001",
        ),
        (_batch(("department", [])), "1 to 1,000 rows, got 0"),
        (
            _batch(("department", [{"id": 1, "department": "A"}]), ("salary", [{"id": 1}])),
            "'salary' is not one of",
        ),
        (b'{"rows": []}', '"records"'),
        (b"{not json", "not valid JSON"),
    ],
    ids=["too-many", "empty", "unknown-table", "no-records", "broken"],
)
def test_bad_batches_are_refused_whole(engine: Engine, batch: bytes, message: str) -> None:
    with pytest.raises(InvalidInputError, match=message):
        load_batch(engine=engine, source=batch, filename="batch.json", actor=CLI_ACTOR)
    assert _table_rows(engine)["departments"] == []


def test_json_array_and_avro_files_go_through_the_same_rules(engine: Engine, tmp_path: Path) -> None:
    import fastavro

    load_ingest_refs(engine, tmp_path)
    rows = [
        {"id": 1, "name": "Ana", "datetime": "2021-01-01T10:00:00Z", "department_id": 1, "job_id": 1},
        {"id": 2, "name": "Bo", "datetime": "2021-01-01T10:00:00Z", "department_id": 42, "job_id": 1},
    ]
    path = write_text_file(tmp_path, "hired_employees.json", json.dumps(rows))
    result = load_table(engine=engine, source=path, actor=CLI_ACTOR)
    assert (result.inserted, result.rejected, result.reject_rows[0].line) == (1, 1, 2)

    schema = {
        "type": "record",
        "name": "Hire",
        "fields": [
            {"name": "id", "type": "long"},
            {"name": "name", "type": "string"},
            {"name": "hired_at", "type": {"type": "long", "logicalType": "timestamp-millis"}},
            {"name": "department_id", "type": ["null", "long"]},
            {"name": "job_id", "type": "long"},
        ],
    }
    buf = io.BytesIO()
    fastavro.writer(
        buf,
        schema,
        [
            {
                "id": 5,
                "name": "Cy",
                "hired_at": dt.datetime(2022, 3, 4, 5, 6, 7, tzinfo=dt.UTC),
                "department_id": 2,
                "job_id": 3,
            },
            {
                "id": 6,
                "name": "Di",
                "hired_at": dt.datetime(2022, 3, 4, tzinfo=dt.UTC),
                "department_id": None,
                "job_id": 3,
            },
        ],
    )
    result = load_table(
        engine=engine, source=buf.getvalue(), filename="hires.avro", table="hired_employees", actor=CLI_ACTOR
    )
    assert (result.inserted, result.rejected) == (1, 1)
    assert result.reject_rows[0].reasons == ("department_id is empty",)
    assert _employee(engine, 5) == ("Cy", dt.datetime(2022, 3, 4, 5, 6, 7, tzinfo=dt.UTC), 2, 3)

    wrong = io.BytesIO()
    fastavro.writer(
        wrong, {"type": "record", "name": "X", "fields": [{"name": "id", "type": "long"}]}, [{"id": 1}]
    )
    with pytest.raises(InvalidInputError, match="lacks name, datetime, department_id, job_id"):
        load_table(
            engine=engine,
            source=wrong.getvalue(),
            filename="x.avro",
            table="hired_employees",
            actor=CLI_ACTOR,
        )


def test_dry_run_validation_writes_nothing(engine: Engine, shared_data: Path, tmp_path: Path) -> None:
    folder = shared_data / "globant"
    summary = validate_upload(engine=engine, source=folder / "hired_employees.csv", actor=CLI_ACTOR)
    # Nothing loaded yet, so every department and job id is unknown.
    assert (summary.rows, summary.valid, summary.rejected, summary.header_skipped) == (1999, 0, 1999, False)
    load_table(engine=engine, source=folder / "departments.csv", actor=CLI_ACTOR)
    load_table(engine=engine, source=folder / "jobs.csv", actor=CLI_ACTOR)
    summary = validate_upload(engine=engine, source=folder / "hired_employees.csv", actor=CLI_ACTOR)
    assert (summary.valid, summary.rejected) == (1929, 70)
    assert summary.reason_counts() == {
        "department_id is empty": 21,
        "name is empty": 19,
        "job_id is empty": 16,
        "datetime is empty": 14,
    }
    assert summary.preview_frame().iloc[0].tolist() == ["1", "Harold Vogt", "2021-11-07T02:48:42Z", "2", "96"]
    assert _table_rows(engine)["hired_employees"] == []
    batch = _batch(
        ("department", [{"id": 77, "department": "New"}]),
        ("employee", [{"name": "X", "datetime": "2021-01-01T00:00:00Z", "department_id": 77, "job_id": 1}]),
    )
    summaries = validate_batch(engine=engine, source=batch, filename="b.json", actor=CLI_ACTOR)
    assert [(s.table, s.valid, s.rejected) for s in summaries] == [
        ("departments", 1, 0),
        ("hired_employees", 1, 0),
    ]
    assert len(_table_rows(engine)["departments"]) == 12


def test_only_analysts_and_admins_may_load(engine: Engine, tmp_path: Path) -> None:
    path = write_text_file(tmp_path, "departments.csv", "1,Engineering\n")
    with pytest.raises(PermissionDenied, match="may not load HR data"):
        load_table(engine=engine, source=path, actor=Actor(username="rita", role="recruiter"))
    assert _table_rows(engine)["departments"] == []
    events = list_events(engine, actor=CLI_ACTOR, action="hr.load")
    assert events.iloc[0]["outcome"] == "error" and events.iloc[0]["actor"] == "rita"
    load_table(engine=engine, source=path, actor=Actor(username="ann", role="analyst"))
    events = list_events(engine, actor=CLI_ACTOR, action="hr.load", outcome="ok")
    assert events.iloc[0]["details"]["result"]["inserted"] == 1


def test_load_dir_reads_the_three_files_in_order(engine: Engine, tmp_path: Path) -> None:
    folder = tmp_path / "drop"
    folder.mkdir()
    write_text_file(folder, "hired_employees.csv", "1,Ana,2021-01-01T10:00:00Z,1,1\n")
    write_text_file(folder, "jobs.csv", "1,Engineer\n")
    write_text_file(folder, "departments.csv", "1,Engineering\n")
    results = load_dir(engine=engine, source=folder, actor=CLI_ACTOR)
    assert [(r.table, r.inserted) for r in results] == [
        ("departments", 1),
        ("jobs", 1),
        ("hired_employees", 1),
    ]
    with pytest.raises(NotFoundError, match="holds none of"):
        load_dir(engine=engine, source=tmp_path, actor=CLI_ACTOR)


SEED_BATCH = Path(__file__).resolve().parents[1] / "api" / "data" / "seed_batch.json"


def test_the_seed_services_example_batch_loads_whole_through_the_cli(
    engine: Engine, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from hr_core.cli import main as cli_main

    jobs = tmp_path / "jobs.json"
    jobs.write_bytes(_batch(("job", [{"job_id": 3, "job": "Engineer"}, {"job_id": 4, "job": "Analyst"}])))
    assert cli_main(["load-batch", str(jobs)]) == 0
    assert cli_main(["load-batch", str(SEED_BATCH)]) == 0
    assert [
        (r["table"], r["inserted"], r["rejected"])
        for r in json.loads(capsys.readouterr().out.splitlines()[-1])
    ] == [
        ("departments", 1, 0),
        ("hired_employees", 2, 0),
    ]
    assert [r[:2] for r in _table_rows(engine)["hired_employees"]] == [(1, "John"), (2, "Jane")]
    given = tmp_path / "given.json"
    given.write_bytes(
        _batch(
            (
                "employee",
                [
                    {
                        "employee_id": 7,
                        "name": "Ana",
                        "datetime": "2021-05-01T00:00:00Z",
                        "department_id": 2,
                        "job_id": 4,
                    }
                ],
            )
        )
    )
    assert cli_main(["load-batch", str(given)]) == 0
    assert _table_rows(engine)["hired_employees"][-1][:2] == (7, "Ana")
    bad = tmp_path / "bad.json"
    bad.write_bytes(_batch(("job", [{"job_id": 5, "job": "Clerk"}, {"job_id": 6, "job": ""}])))
    assert cli_main(["load-batch", str(bad)]) == 2
    assert "job is empty" in capsys.readouterr().err
    assert 5 not in [r[0] for r in _table_rows(engine)["jobs"]]
    assert cli_main(["load-batch", "--partial", str(bad)]) == 0
    assert 5 in [r[0] for r in _table_rows(engine)["jobs"]]


def test_dry_run_lists_what_the_load_would_add_update_and_leave(engine: Engine, tmp_path: Path) -> None:
    from hr_core.ingest import validate_upload

    load_ingest_refs(engine, tmp_path)
    before = _table_rows(engine)["departments"]
    text = "1,Platform Engineering\n2,Sales\n9,Research\n"
    summary = validate_upload(
        engine=engine, source=write_text_file(tmp_path, "departments.csv", text), actor=CLI_ACTOR
    )
    changes = summary.changes
    assert changes is not None
    assert (changes.inserts, changes.updates, changes.unchanged) == (1, 1, 1)
    assert changes.inserted_ids == [9]
    old_name = dict(before)[1]
    assert changes.changes_frame().to_dict(orient="records") == [
        {"id": 1, "field": "department", "before": old_name, "after": "Platform Engineering"}
    ]
    assert _table_rows(engine)["departments"] == before  # a dry run writes nothing
