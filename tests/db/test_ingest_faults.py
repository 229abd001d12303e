"""A PostgreSQL connection killed mid-load (pg_terminate_backend) leaves every table as it was."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import Engine, create_engine, func, select, text

from hr_core.access import CLI_ACTOR
from hr_core.db import init_db, make_engine
from hr_core.errors import DatabaseUnavailableError
from hr_core.ingest import load, load_table
from hr_core.models import Department, HiredEmployee, Job
from tests.factories import load_ingest_refs, write_text_file


@pytest.fixture
def pg_engine(pg_database_url: str) -> Iterator[Engine]:
    """An engine on a fresh public schema of the session's PostgreSQL database."""
    admin = create_engine(pg_database_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text("DROP SCHEMA public CASCADE"))
        conn.execute(text("CREATE SCHEMA public"))
    eng = make_engine(pg_database_url)
    init_db(eng)
    yield eng
    eng.dispose()
    admin.dispose()


def _kill_loading_backend(url: str) -> int:
    """From a second connection, terminate the backend inside the load's open transaction (or its COPY)."""
    killer = create_engine(url, isolation_level="AUTOCOMMIT")
    with killer.connect() as conn:
        killed = conn.execute(
            text(
                "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity "
                "WHERE datname = current_database() AND pid <> pg_backend_pid() "
                "AND (state LIKE 'idle in transaction%' OR query LIKE 'COPY %')"
            )
        ).scalar_one()
    killer.dispose()
    return int(killed)


def _counts(engine: Engine) -> tuple[int, int, int]:
    with engine.connect() as conn:
        return tuple(  # type: ignore[return-value]
            conn.execute(select(func.count()).select_from(t)).scalar_one()
            for t in (Department, Job, HiredEmployee)
        )


@pytest.mark.parametrize("moment", ["rows staged", "merging"])
def test_connection_killed_mid_load_changes_nothing(
    pg_engine: Engine, pg_database_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, moment: str
) -> None:
    load_ingest_refs(pg_engine, tmp_path)
    load_table(
        engine=pg_engine,
        source=write_text_file(tmp_path, "seed.csv", "1,Ana,2021-01-01T10:00:00Z,1,1\n"),
        table="hired_employees",
        actor=CLI_ACTOR,
    )
    before = _counts(pg_engine)
    monkeypatch.setattr(load, "CHUNK_ROWS", 3)
    rows = "".join(f"{i},Person {i},2021-02-0{i % 9 + 1}T10:00:00Z,2,3\n" for i in range(1, 13))
    killed: list[int] = []

    def progress(_fraction: float, message: str) -> None:
        if moment in message and not killed:
            killed.append(_kill_loading_backend(pg_database_url))

    with pytest.raises(DatabaseUnavailableError, match="nothing was changed"):
        load_table(
            engine=pg_engine,
            source=write_text_file(tmp_path, "hired_employees.csv", rows),
            actor=CLI_ACTOR,
            progress=progress,
        )
    assert killed == [1]
    assert _counts(pg_engine) == before
    with pg_engine.connect() as conn:
        assert conn.execute(select(HiredEmployee.name).where(HiredEmployee.id == 1)).scalar_one() == "Ana"
