"""Schema creation and constraints behave the same on SQLite and PostgreSQL."""

import datetime as dt
import sqlite3
import threading
from pathlib import Path

import pytest
from sqlalchemy import Engine, insert, inspect, select
from sqlalchemy import exc as sa_exc

from hr_core.db import check_database, init_db, make_engine
from hr_core.errors import DatabaseUnavailableError, InvalidInputError
from hr_core.models import Department, HiredEmployee, Job
from hr_core.sqlfiles import get_query


def test_init_db_is_idempotent(engine: Engine) -> None:
    first = init_db(engine)
    second = init_db(engine)
    assert first == second
    assert {"departments", "jobs", "hired_employees", "audit_log"} <= set(first)
    indexes = {ix["name"] for ix in inspect(engine).get_indexes("hired_employees")}
    assert "ix_hired_employees_hired_at" in indexes


def test_foreign_keys_are_enforced(engine: Engine) -> None:
    with pytest.raises(sa_exc.IntegrityError), engine.begin() as conn:
        conn.execute(
            insert(HiredEmployee).values(
                id=1, name="A", hired_at=dt.datetime(2021, 1, 1, tzinfo=dt.UTC), department_id=99, job_id=99
            )
        )


def test_timestamps_come_back_in_utc(engine: Engine) -> None:
    plus2 = dt.timezone(dt.timedelta(hours=2))
    with engine.begin() as conn:
        conn.execute(insert(Department).values(id=1, department="Sales"))
        conn.execute(insert(Job).values(id=1, job="Analyst"))
        conn.execute(
            insert(HiredEmployee).values(
                id=1,
                name="A",
                hired_at=dt.datetime(2021, 4, 1, 1, 30, tzinfo=plus2),
                department_id=1,
                job_id=1,
            )
        )
        value = conn.execute(select(HiredEmployee.hired_at)).scalar_one()
    assert value == dt.datetime(2021, 3, 31, 23, 30, tzinfo=dt.UTC)
    assert value.utcoffset() == dt.timedelta(0)


def test_unique_department_names(engine: Engine) -> None:
    with engine.begin() as conn:
        conn.execute(insert(Department).values(id=1, department="Sales"))
    with pytest.raises(sa_exc.IntegrityError), engine.begin() as conn:
        conn.execute(insert(Department).values(id=2, department="Sales"))


def test_health_query_counts(engine: Engine) -> None:
    with engine.connect() as conn:
        row = conn.execute(get_query("count_hr_rows", engine)).mappings().one()
    assert dict(row) == {"departments": 0, "jobs": 0, "hired_employees": 0}


def test_unreachable_database_is_a_clear_error() -> None:
    engine = make_engine("postgresql://nobody@127.0.0.1:1/none")
    with pytest.raises(DatabaseUnavailableError, match="cannot reach the database"):
        check_database(engine)


def test_bad_url_refused() -> None:
    with pytest.raises(InvalidInputError, match="not a valid database URL"):
        make_engine("not a url")
    with pytest.raises(InvalidInputError, match="unsupported database"):
        make_engine("mysql://x@localhost/y")


def test_sqlite_waits_for_another_process_switching_a_new_file_to_wal(tmp_path: Path) -> None:
    """Two `init-db` on a fresh SQLite file: while one holds the file's write lock in its first
    (rollback-journal) transaction, SQLite refuses the other's `PRAGMA journal_mode=WAL` at once
    ("database is locked", no busy wait). CI saw the second init-db fail so; the switch is retried."""
    path = tmp_path / "hr.db"
    other = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
    other.execute("CREATE TABLE t (a INTEGER)")
    other.execute("BEGIN IMMEDIATE")
    released = threading.Timer(0.5, lambda: other.execute("COMMIT"))
    released.start()
    engine = make_engine(f"sqlite:///{path}")
    try:
        with engine.connect() as conn:
            assert conn.exec_driver_sql("PRAGMA journal_mode").scalar_one() == "wal"
            assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar_one() == 1
    finally:
        released.join()
        engine.dispose()
        other.close()
