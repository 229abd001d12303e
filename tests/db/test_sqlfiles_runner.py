"""The query runner: result shapes, expanding binds, transactions and error mapping on both databases."""

from __future__ import annotations

import pytest
from sqlalchemy import Engine, insert
from sqlalchemy import exc as sa_exc

from hr_core.db import make_engine
from hr_core.errors import DatabaseUnavailableError, HRCoreError
from hr_core.models import Department, Prospect
from hr_core.sqlfiles import execute, fetch_all, fetch_frame, fetch_one, scalar


def _departments(engine: Engine) -> None:
    with engine.begin() as conn:
        conn.execute(insert(Department), [{"id": 2, "department": "Sales"}, {"id": 1, "department": "Legal"}])


def test_fetch_all_fetch_one_and_scalar(engine: Engine) -> None:
    assert fetch_all(engine, "list_ingest_departments") == []
    _departments(engine)
    rows = sorted(fetch_all(engine, "list_ingest_departments"), key=lambda r: r["id"])
    assert [dict(r) for r in rows] == [{"id": 1, "department": "Legal"}, {"id": 2, "department": "Sales"}]
    counts = fetch_one(engine, "count_hr_rows")
    assert counts is not None and dict(counts) == {"departments": 2, "jobs": 0, "hired_employees": 0}
    assert scalar(engine, "get_ingest_max_employee_id") == 0
    assert fetch_one(engine, "has_hires_between", start_at="2021-01-01", end_at="2022-01-01") is None


def test_lists_bind_as_expanding_in_lists(engine: Engine) -> None:
    with engine.begin() as conn:
        conn.execute(
            insert(Prospect),
            [
                {"vaga_codigo": v, "candidate_codigo": c, "stage": "applied"}
                for v, c in (("V1", "C1"), ("V1", "C2"), ("V2", "C1"), ("V3", "C1"))
            ],
        )
    frame = fetch_frame(engine, "count_prospects_by_opening_stage", codes=["V1", "V3"])
    assert sorted(zip(frame["vaga_codigo"], frame["prospects"], strict=True)) == [("V1", 2), ("V3", 1)]
    empty = fetch_frame(engine, "count_prospects_by_opening_stage", codes=["none"])
    assert empty.empty and list(empty.columns) == ["vaga_codigo", "stage", "prospects"]


def test_execute_runs_in_the_callers_transaction(engine: Engine) -> None:
    _departments(engine)
    with engine.begin() as conn:
        execute(conn, "drop_ingest_stage_departments")
        execute(conn, "create_ingest_stage_departments")
        rows = [{"id": 1, "department": "Legal"}, {"id": 3, "department": "Support"}]
        execute(conn, "insert_ingest_stage_departments", *rows)
        assert scalar(conn, "count_ingest_existing_departments") == 1
        assert execute(conn, "upsert_ingest_departments") == 1  # one new id, one identical row
        execute(conn, "drop_ingest_stage_departments")
    assert len(fetch_all(engine, "list_ingest_departments")) == 3


def test_unknown_name_is_a_clear_error(engine: Engine) -> None:
    with pytest.raises(HRCoreError, match="no SQL query named 'list_nothing'"):
        fetch_all(engine, "list_nothing")


def test_unreachable_database_becomes_database_unavailable() -> None:
    engine = make_engine("postgresql://nobody@127.0.0.1:1/none")
    with pytest.raises(DatabaseUnavailableError, match="query 'count_hr_rows' failed"):
        fetch_one(engine, "count_hr_rows")


def test_missing_schema_says_to_run_init_db(db_url: str) -> None:
    engine = make_engine(db_url)  # an empty database: no tables yet
    with pytest.raises(DatabaseUnavailableError, match="run `python -m hr_core init-db`"):
        fetch_one(engine, "count_hr_rows")
    engine.dispose()


def test_on_a_connection_the_driver_error_reaches_the_transaction_owner(db_url: str) -> None:
    engine = make_engine(db_url)
    with pytest.raises(sa_exc.DBAPIError), engine.connect() as conn:
        fetch_one(conn, "count_hr_rows")
    engine.dispose()
