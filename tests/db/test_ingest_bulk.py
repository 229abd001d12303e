"""The bulk path of large loads (foreign keys and indexes rebuilt at the end) behaves like the small one."""

from __future__ import annotations

import random
from pathlib import Path

import pytest
from sqlalchemy import Engine, create_engine, delete, text

from hr_core import bulkload
from hr_core.access import CLI_ACTOR
from hr_core.errors import DatabaseUnavailableError, IntegrityError
from hr_core.ingest import load, load_table, writers
from hr_core.ingest.load import LoadResult
from hr_core.models import HiredEmployee
from tests.db.test_ingest import _table_rows
from tests.factories import load_ingest_refs, read_hired_employees_catalogue, write_text_file


def _mixed_rows(seed: int = 5, n: int = 400) -> str:
    """Employees with every kind of reject spread through them (bad ids, references, dates, repeats)."""
    rng = random.Random(seed)
    lines = []
    for i in range(1, n + 1):
        kind = rng.random()
        dep, job = rng.randint(1, 3), rng.randint(1, 3)
        if kind < 0.05:
            dep = 9  # no such department
        elif kind < 0.08:
            job = 77  # no such job
        day = "2021-13-01" if 0.08 <= kind < 0.1 else f"2021-0{rng.randint(1, 9)}-1{rng.randint(0, 9)}"
        ident = str(rng.randint(1, i)) if 0.1 <= kind < 0.13 else str(i)  # repeats of earlier ids
        name = "" if 0.13 <= kind < 0.15 else f"Person {i}"
        lines.append(f"{ident},{name},{day}T10:00:00Z,{dep},{job}\n")
    return "".join(lines)


def _load(engine: Engine, path: Path) -> LoadResult:
    return load_table(engine=engine, source=path, table="hired_employees", actor=CLI_ACTOR)


def _summary(result: LoadResult) -> tuple:
    rejects = [(r.line, r.raw, r.reasons) for r in result.reject_rows]
    return result.inserted, result.updated, result.unchanged, result.rejected, rejects


def test_bulk_path_rejects_the_same_rows_and_leaves_the_same_table(
    engine: Engine, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    load_ingest_refs(engine, tmp_path)
    first = write_text_file(tmp_path, "first.csv", _mixed_rows(seed=5))
    # A second file: corrections of some rows, new ids above and below the maximum, more rejects.
    second = write_text_file(tmp_path, "second.csv", _mixed_rows(seed=6, n=500))
    catalogue = read_hired_employees_catalogue(engine)
    monkeypatch.setattr(load, "CHUNK_ROWS", 37)

    calls: list[str] = []
    real = bulkload.suspend_own_checks

    def spy(conn: object, table: str) -> list[str]:
        calls.append(table)
        return real(conn, table)  # type: ignore[arg-type]

    monkeypatch.setattr(bulkload, "suspend_own_checks", spy)
    small = [_summary(_load(engine, first)), _summary(_load(engine, second))]
    small_rows = _table_rows(engine)["hired_employees"]
    assert calls == []  # small loads keep the per-row checks
    with engine.begin() as conn:
        conn.execute(delete(HiredEmployee))

    monkeypatch.setattr(writers, "BULK_ROWS", 20)
    bulk = [_summary(_load(engine, first)), _summary(_load(engine, second))]
    assert bulk == small
    assert _table_rows(engine)["hired_employees"] == small_rows
    assert small[0][3] > 20 and small[0][0] > 300  # rejects of every kind and rows enough to go bulk
    if engine.dialect.name == "postgresql":
        assert calls == ["hired_employees", "hired_employees"]
        assert (
            read_hired_employees_catalogue(engine) == catalogue
        )  # the same keys and indexes, validated, are back


def test_the_database_still_refuses_a_bad_reference_on_both_paths(
    engine: Engine, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Let a row the validator would reject through, so only the database's own check can stop it.
    load_ingest_refs(engine, tmp_path)
    real_refs = load._read_refs

    def lenient(conn: object) -> object:
        refs = real_refs(conn)  # type: ignore[arg-type]
        refs.department_ids.add(9)
        return refs

    monkeypatch.setattr(load, "_read_refs", lenient)
    rows = "".join(f"{i},Person {i},2021-01-01T10:00:00Z,{9 if i == 40 else 1},1\n" for i in range(1, 61))
    path = write_text_file(tmp_path, "bad.csv", rows)
    catalogue = read_hired_employees_catalogue(engine)
    for bulk_rows in (50_000, 10):
        monkeypatch.setattr(writers, "BULK_ROWS", bulk_rows)
        with pytest.raises(IntegrityError):
            _load(engine, path)
        assert _table_rows(engine)["hired_employees"] == []
    assert (
        read_hired_employees_catalogue(engine) == catalogue
    )  # the rollback put the dropped keys and indexes back


@pytest.mark.parametrize("db_url", ["postgresql"], indirect=True)
def test_a_bulk_load_whose_connection_is_killed_leaves_rows_keys_and_indexes_as_they_were(
    engine: Engine, db_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    load_ingest_refs(engine, tmp_path)
    _load(engine, write_text_file(tmp_path, "first.csv", _mixed_rows(seed=5)))
    rows, catalogue = _table_rows(engine)["hired_employees"], read_hired_employees_catalogue(engine)
    # New ids above the maximum, enough to take the bulk path (keys and index dropped until commit).
    more = "".join(f"{i},Person {i},2022-02-02T10:00:00Z,1,2\n" for i in range(1_000, 1_600))
    monkeypatch.setattr(writers, "BULK_ROWS", 100)
    killer = create_engine(
        db_url.replace("postgresql://", "postgresql+psycopg://"), isolation_level="AUTOCOMMIT"
    )
    killed: list[int] = []

    def kill_the_load(fraction: float, message: str) -> None:
        # Called once rows are on their way in through the open COPY, with the table's checks dropped.
        if "rows staged" not in message or killed:
            return
        with killer.connect() as other:
            pid = other.execute(
                text(
                    "SELECT pid FROM pg_locks WHERE relation = 'hired_employees'::regclass AND granted "
                    "AND mode = 'AccessExclusiveLock' "
                    "AND database = (SELECT oid FROM pg_database WHERE datname = current_database())"
                )
            ).scalar_one_or_none()
            if pid is None:  # not on the bulk path yet (the first row is read alone, to look for a header)
                return
            assert other.execute(text("SELECT pg_terminate_backend(:pid)"), {"pid": pid}).scalar_one()
        killed.append(pid)

    try:
        with pytest.raises(DatabaseUnavailableError, match="nothing was changed"):
            load_table(
                engine=engine,
                source=write_text_file(tmp_path, "more.csv", more),
                table="hired_employees",
                actor=CLI_ACTOR,
                progress=kill_the_load,
            )
    finally:
        killer.dispose()
    assert killed
    assert _table_rows(engine)["hired_employees"] == rows
    assert (
        read_hired_employees_catalogue(engine) == catalogue
    )  # the keys and index the load dropped are there, validated
    assert len(catalogue) == 5  # primary key, two foreign keys, the primary key index, the hired_at index
