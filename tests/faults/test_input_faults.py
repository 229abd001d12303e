"""Inputs that used to slip through: every parse problem is a row rejection naming row, field and value."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest
from sqlalchemy import Engine, func, select

from hr_core.access import CLI_ACTOR
from hr_core.errors import InvalidInputError, RowsRejected
from hr_core.ingest import load_batch, load_table
from hr_core.ingest.validate import MAX_TEXT_LENGTH
from hr_core.models import HiredEmployee
from tests.factories import load_ingest_refs


@pytest.fixture
def refs(engine: Engine, tmp_path: Path) -> Engine:
    load_ingest_refs(engine, tmp_path)
    return engine


def _load(engine: Engine, data: bytes, filename: str = "hired_employees.csv") -> object:
    return load_table(
        engine=engine, source=io.BytesIO(data), filename=filename, table="hired_employees", actor=CLI_ACTOR
    )


def _count(engine: Engine) -> int:
    with engine.connect() as conn:
        return int(conn.execute(select(func.count()).select_from(HiredEmployee)).scalar_one())


def test_out_of_range_instants_in_a_csv_are_rejected_row_by_row(refs: Engine) -> None:
    data = (
        b"5001,Ana,2021-01-01T10:00:00Z,1,1\n"
        b"5009,X,9999-12-31T23:59:59-05:00,1,1\n"
        b"5010,Y,0001-01-01T00:00:00+01:00,1,1\n"
        b"5002,Bia,2021-01-02T10:00:00Z,1,1\n"
    )
    result = _load(refs, data)
    assert (result.inserted, result.rejected) == (2, 2)  # type: ignore[attr-defined]
    lines = {r.line: r.reasons for r in result.reject_rows}  # type: ignore[attr-defined]
    assert set(lines) == {2, 3}
    assert "datetime '9999-12-31T23:59:59-05:00' is out of range" in lines[2][0]


@pytest.mark.parametrize("line", [1, 2])
def test_a_huge_name_is_rejected_by_its_length_on_any_line(refs: Engine, line: int) -> None:
    huge = "N" * 300_000  # beyond the csv module's own 128 kB field limit
    rows = [b"5001,Ana,2021-01-01T10:00:00Z,1,1\n", f"5002,{huge},2021-01-01T10:00:00Z,1,1\n".encode()]
    if line == 1:
        rows.reverse()
    result = _load(refs, b"".join(rows))
    assert (result.inserted, result.rejected) == (1, 1)  # type: ignore[attr-defined]
    reject = result.reject_rows[0]  # type: ignore[attr-defined]
    assert reject.line == line
    assert f"name is 300,000 characters long; at most {MAX_TEXT_LENGTH} are allowed" in reject.reasons[0]
    assert len(reject.raw) < 3_000  # the report names the line instead of copying 300 kB


def test_the_length_limit_holds_for_json_and_avro(refs: Engine, tmp_path: Path) -> None:
    import fastavro

    long_name = "L" * (MAX_TEXT_LENGTH + 1)
    rows = [
        {"id": 5001, "name": long_name, "datetime": "2021-01-01T10:00:00Z", "department_id": 1, "job_id": 1},
        {"id": 5002, "name": "Ok", "datetime": "2021-01-01T10:00:00Z", "department_id": 1, "job_id": 1},
    ]
    result = _load(refs, json.dumps(rows).encode(), "hired_employees.json")
    assert (result.inserted, result.rejected) == (1, 1)  # type: ignore[attr-defined]
    schema = {
        "type": "record",
        "name": "hire",
        "fields": [
            {"name": "id", "type": "int"},
            {"name": "name", "type": "string"},
            {"name": "datetime", "type": "string"},
            {"name": "department_id", "type": "int"},
            {"name": "job_id", "type": "int"},
        ],
    }
    buf = io.BytesIO()
    fastavro.writer(buf, schema, [dict(rows[0], id=5003), dict(rows[1], id=5004)])
    result = _load(refs, buf.getvalue(), "hired_employees.avro")
    assert (result.inserted, result.rejected) == (1, 1)  # type: ignore[attr-defined]
    assert "at most 200 are allowed" in result.reject_rows[0].reasons[0]  # type: ignore[attr-defined]
    assert _count(refs) == 2


def test_a_batch_refuses_nested_objects_and_records_that_are_not_objects(refs: Engine) -> None:
    batch = {
        "records": [
            {
                "table_name": "employee",
                "data": [
                    {
                        "id": 6001,
                        "name": "A",
                        "datetime": "2021-01-01T10:00:00Z",
                        "department_id": 1,
                        "job_id": 1,
                    },
                    {
                        "id": 6002,
                        "name": "B",
                        "datetime": "2021-01-01T10:00:00Z",
                        "department_id": 1,
                        "job_id": 1,
                    },
                    {
                        "id": 6003,
                        "name": {"first": "A", "last": ["B"]},
                        "datetime": "2021-01-01T10:00:00Z",
                        "department_id": 1,
                        "job_id": 1,
                    },
                    42,
                ],
            }
        ]
    }
    with pytest.raises(RowsRejected) as err:
        load_batch(
            engine=refs, source=io.BytesIO(json.dumps(batch).encode()), filename="b.json", actor=CLI_ACTOR
        )
    reasons = {p.line: p.reasons for p in err.value.problems}
    assert reasons[3] == ("field name: expected text, got an object",)
    assert reasons[4] == ("row 4 is not an object (it is a number); each row must be a JSON object",)
    assert _count(refs) == 0  # all or nothing: no repr of a dict was stored


@pytest.mark.parametrize("data", [b"", b"id,name,datetime,department_id,job_id\n"])
def test_an_empty_file_is_refused_not_silently_loaded(refs: Engine, data: bytes) -> None:
    with pytest.raises(InvalidInputError, match="is empty.*holds no rows"):
        _load(refs, data)


def test_a_multi_file_recruiting_import_is_all_or_nothing(engine: Engine, tmp_path: Path) -> None:
    from hr_core.models.recruiting import Candidate
    from hr_core.recruiting.importer import import_recruiting
    from tests.factories import make_applicant_record

    applicants = tmp_path / "applicants.json"
    applicants.write_text(json.dumps({str(i): make_applicant_record(str(i)) for i in range(1, 31)}))
    vagas = tmp_path / "vagas.json"
    vagas.write_text('{"1": {"informacoes_basicas": {"titulo_vaga": "Dev"')  # truncated
    with pytest.raises(InvalidInputError, match="(?s)vagas.json.*nothing was imported"):
        import_recruiting(engine=engine, actor=CLI_ACTOR, applicants=applicants, vagas=vagas)
    with engine.connect() as conn:
        assert conn.execute(select(func.count()).select_from(Candidate)).scalar_one() == 0
