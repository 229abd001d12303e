"""Alembic migrations: from empty, from a pre-Alembic create_all database, down and up, models agree."""

from __future__ import annotations

import datetime as dt
import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import Date, DateTime, Engine, MetaData, func, insert, inspect, select

from hr_core.db import Base, check_database, import_all_models, init_db, make_engine
from hr_core.errors import DatabaseUnavailableError, IntegrityError
from hr_core.migrations import (
    FIRST_REVISION,
    VERSION_TABLE,
    downgrade_database,
    get_current_revision,
    get_head_revision,
    include_object,
    upgrade_database,
)
from hr_core.models import AuditEvent, Candidate, Department, HiredEmployee, Prospect, User, Vaga
from hr_core.schema_revision import read_head_revision, read_schema_revision
from hr_core.sqlfiles import get_query

LEGACY = Path(__file__).parent / "legacy"
REPO = Path(__file__).resolve().parents[2]


def _differences(engine: Engine) -> list[Any]:
    import_all_models()
    with engine.connect() as conn:
        ctx = MigrationContext.configure(conn, opts={"compare_type": True, "include_object": include_object})
        return list(compare_metadata(ctx, Base.metadata))


def _value(column_type: Any, value: Any, dialect: str) -> Any:
    if value is None:
        return None
    if isinstance(column_type, DateTime):
        stamp = dt.datetime.fromisoformat(value)
        return stamp if dialect == "sqlite" else stamp.replace(tzinfo=dt.UTC)
    if isinstance(column_type, Date):
        return dt.date.fromisoformat(value)
    return value


def _build_pre_alembic_database(engine: Engine, commit: str) -> dict[str, list[dict[str, Any]]]:
    """The frozen DDL of create_all on main at commit (before Alembic), filled with the rows of rows.json."""
    dialect = engine.dialect.name
    ddl = (LEGACY / f"schema_{commit}_{dialect}.sql").read_text(encoding="utf-8")
    rows: dict[str, list[dict[str, Any]]] = json.loads((LEGACY / "rows.json").read_text(encoding="utf-8"))
    rows.pop("_about")
    with engine.begin() as conn:
        for statement in ddl.split(";"):
            body = "\n".join(ln for ln in statement.splitlines() if not ln.startswith("--")).strip()
            if body:
                conn.exec_driver_sql(body)
        meta = MetaData()
        meta.reflect(conn)
        for table in meta.sorted_tables:
            if table.name not in rows:
                continue
            data = [
                {col: _value(table.c[col].type, value, dialect) for col, value in row.items()}
                for row in rows[table.name]
            ]
            conn.execute(insert(table), data)
    return rows


def test_upgrade_from_empty(db_url: str) -> None:
    engine = make_engine(db_url)
    assert get_current_revision(engine) is None
    assert read_schema_revision(engine) is None
    with pytest.raises(DatabaseUnavailableError, match="run `python -m hr_core init-db`"):
        check_database(engine)
    import_all_models()
    assert set(init_db(engine)) == set(Base.metadata.tables)
    assert get_current_revision(engine) == get_head_revision()
    # The Alembic-free reader that `check` and the pages use agrees with Alembic at both ends.
    assert read_schema_revision(engine) == get_current_revision(engine)
    assert read_head_revision() == get_head_revision()
    check_database(engine)
    assert init_db(engine) == sorted(Base.metadata.tables)  # again: nothing to do
    engine.dispose()


# 4318699: the schema when migrations were planned; dbb0d47: the last main made by create_all.
@pytest.mark.parametrize("commit", ["4318699", "dbb0d47"])
def test_upgrade_keeps_the_data_of_a_create_all_database(db_url: str, commit: str) -> None:
    engine = make_engine(db_url)
    rows = _build_pre_alembic_database(engine, commit)
    assert VERSION_TABLE not in inspect(engine).get_table_names()

    assert upgrade_database(engine) == get_head_revision()
    check_database(engine)
    assert _differences(engine) == []
    with engine.connect() as conn:
        for table, expected in rows.items():
            count = conn.execute(select(func.count()).select_from(Base.metadata.tables[table])).scalar_one()
            assert count == len(expected), table
        assert conn.execute(select(Department.department).order_by(Department.id)).scalars().all() == [
            "Product Management",
            "Sales",
            "Engineering",
        ]
        hired = conn.execute(select(HiredEmployee.hired_at).where(HiredEmployee.id == 2)).scalar_one()
        assert hired == dt.datetime(2021, 3, 31, 23, 30, tzinfo=dt.UTC)
        user = conn.execute(select(User.username, User.session_version, User.disabled, User.locale)).one()
        assert tuple(user) == ("admin", 3, False, "en")
        details = conn.execute(select(AuditEvent.details).where(AuditEvent.id == 2)).scalar_one()
        assert details == {"table": "hired_employees", "inserted": 5}
        cand = conn.execute(select(Candidate.infos_basicas).where(Candidate.codigo == "31000")).scalar_one()
        assert cand == {"codigo_profissional": "31000", "nome": "Fernanda Alves"}
        assert conn.execute(
            select(Vaga.data_requisicao).where(Vaga.codigo == "5100")
        ).scalar_one() == dt.date(2021, 2, 1)
        assert conn.execute(select(func.count()).select_from(Prospect)).scalar_one() == 3
        counts = conn.execute(get_query("count_hr_rows", engine)).mappings().one()
    assert dict(counts) == {"departments": 3, "jobs": 3, "hired_employees": 5}
    engine.dispose()


def test_a_partial_pre_alembic_database_is_refused(db_url: str) -> None:
    engine = make_engine(db_url)
    with engine.begin() as conn:
        conn.exec_driver_sql("CREATE TABLE departments (id INTEGER PRIMARY KEY, department TEXT NOT NULL)")
    with pytest.raises(IntegrityError, match="not audit_log, candidates"):
        init_db(engine)
    assert get_current_revision(engine) is None  # nothing stamped, nothing created
    assert inspect(engine).get_table_names() == ["departments"]
    engine.dispose()


def test_downgrade_to_base_then_upgrade(engine: Engine) -> None:
    with engine.begin() as conn:
        conn.execute(insert(Department).values(id=1, department="Sales"))
    assert downgrade_database(engine, "base") is None
    assert set(inspect(engine).get_table_names()) <= {VERSION_TABLE}
    assert upgrade_database(engine, FIRST_REVISION) == FIRST_REVISION
    assert upgrade_database(engine) == get_head_revision()
    assert _differences(engine) == []
    with engine.connect() as conn:
        assert conn.execute(select(func.count()).select_from(Department)).scalar_one() == 0


def test_models_and_migrations_agree(engine: Engine) -> None:
    """Fails when a model changes without a revision (or a revision without the model): autogenerate finds it."""
    assert _differences(engine) == []


def test_two_processes_migrating_at_once_take_turns(db_url: str) -> None:
    import_all_models()
    env = {**os.environ, "HR_DATABASE_URL": db_url}
    procs = [
        subprocess.Popen(
            [sys.executable, "-m", "hr_core", "init-db"],
            cwd=REPO,
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for _ in range(2)
    ]
    outs = [p.communicate(timeout=120) for p in procs]
    assert [p.returncode for p in procs] == [0, 0], [err for _, err in outs]
    for out, _ in outs:
        assert set(json.loads(out)["tables"]) == set(Base.metadata.tables)
    engine = make_engine(db_url)
    assert get_current_revision(engine) == get_head_revision()
    engine.dispose()
