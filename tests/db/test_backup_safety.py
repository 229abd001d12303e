"""A restore is atomic and exclusive: a concurrent restore is refused, a killed connection changes nothing."""

from __future__ import annotations

import datetime as dt
import threading
from collections.abc import Callable
from typing import Any

import pytest
from sqlalchemy import Connection, Engine, create_engine, insert, text, update

from hr_core.access import CLI_ACTOR, Actor
from hr_core.audit import list_events
from hr_core.backup import RestoreObserver, RestoreStage, create_backup, list_backups, restore_backup
from hr_core.errors import ConflictError, DatabaseUnavailableError
from hr_core.models import HiredEmployee, Job
from hr_core.storage import Storage
from tests.db.test_backup import snapshot
from tests.factories import insert_numbered_hires

ADMIN = Actor(username="boss", role="admin")


@pytest.fixture
def small(engine: Engine) -> Engine:
    return insert_numbered_hires(engine, rows=300, departments=3, jobs=20, step=dt.timedelta(hours=1))


def at(stage: RestoreStage, act: Callable[[Connection], None]) -> RestoreObserver:
    """An observer that acts on the restore's connection at one stage and only watches the others."""

    def observe(reached: RestoreStage, conn: Connection) -> None:
        if reached is stage:
            act(conn)

    return observe


def test_concurrent_restore_of_the_same_table_is_refused(small: Engine, storage: Storage) -> None:
    backup = create_backup(engine=small, storage=storage, table="jobs", actor=ADMIN)
    original = snapshot(small, Job)
    with small.begin() as conn:
        conn.execute(update(Job).where(Job.id <= 5).values(job=Job.job + " (edited)"))
    inside, release = threading.Event(), threading.Event()

    def hold(conn: Connection) -> None:
        inside.set()
        assert release.wait(60), "the test never released the first restore"

    outcome: dict[str, Any] = {}

    def first() -> None:
        # Held once it has claimed the table, before it takes the write lock (on SQLite that lock
        # covers the whole database, so the refused restore could not write its audit event).
        try:
            outcome["result"] = restore_backup(
                engine=small,
                storage=storage,
                table="jobs",
                backup_id=backup.backup_id,
                actor=ADMIN,
                on_stage=at(RestoreStage.CLAIMED, hold),
            )
        except Exception as e:  # reported to the main thread below
            outcome["error"] = e

    worker = threading.Thread(target=first)
    worker.start()
    try:
        assert inside.wait(60), outcome.get("error")
        with pytest.raises(ConflictError, match="a restore of table jobs is already running"):
            restore_backup(
                engine=small, storage=storage, table="jobs", backup_id=backup.backup_id, actor=ADMIN
            )
    finally:
        release.set()
        worker.join(60)
    assert "error" not in outcome, outcome.get("error")
    assert outcome["result"].verified
    assert snapshot(small, Job) == original
    # Only the first restore made a safety backup: the second was refused before touching anything.
    assert [b.kind for b in list_backups(storage, "jobs", actor=ADMIN)].count("safety") == 1
    assert list(list_events(small, actor=CLI_ACTOR, action="backup.restore")["outcome"]) == ["ok", "error"]


@pytest.mark.parametrize("db_url", ["postgresql"], indirect=True)
@pytest.mark.parametrize("table, model", [("hired_employees", HiredEmployee), ("jobs", Job)])
def test_restore_whose_connection_is_killed_leaves_table_unchanged(
    small: Engine, db_url: str, storage: Storage, table: str, model: Any
) -> None:
    backup = create_backup(engine=small, storage=storage, table=table, actor=ADMIN)
    original = snapshot(small, model)
    column = model.name if model is HiredEmployee else model.job
    with small.begin() as conn:
        conn.execute(update(model).where(model.id > 10).values({column: column + " (edited)"}))
    state = snapshot(small, model)
    killer = create_engine(
        db_url.replace("postgresql://", "postgresql+psycopg://"), isolation_level="AUTOCOMMIT"
    )

    def kill(conn: Connection) -> None:
        pid = conn.exec_driver_sql("SELECT pg_backend_pid()").scalar_one()
        with killer.connect() as other:
            assert other.execute(text("SELECT pg_terminate_backend(:pid)"), {"pid": pid}).scalar_one()

    try:
        with pytest.raises(DatabaseUnavailableError, match="nothing was changed"):
            restore_backup(
                engine=small,
                storage=storage,
                table=table,
                backup_id=backup.backup_id,
                actor=ADMIN,
                on_stage=at(RestoreStage.DELETED, kill),
            )
    finally:
        killer.dispose()
    assert snapshot(small, model) == state
    # The lock died with the connection: the next restore goes through.
    assert restore_backup(
        engine=small, storage=storage, table=table, backup_id=backup.backup_id, actor=ADMIN
    ).verified
    assert snapshot(small, model) == original


def test_restore_whose_sqlite_connection_is_closed_leaves_table_unchanged(tmp_path: Any) -> None:
    from hr_core.db import init_db, make_engine
    from hr_core.storage import make_storage

    engine = make_engine(f"sqlite:///{tmp_path / 'kill.db'}")
    init_db(engine)
    storage = make_storage(f"file://{tmp_path / 'store'}")
    with engine.begin() as conn:
        conn.execute(insert(Job), [{"id": i, "job": f"J{i}"} for i in range(1, 50)])
    backup = create_backup(engine=engine, storage=storage, table="jobs", actor=ADMIN)
    with engine.begin() as conn:
        conn.execute(text("DELETE FROM jobs WHERE id > 10"))
    state = snapshot(engine, Job)

    def close(conn: Connection) -> None:
        conn.connection.driver_connection.close()  # type: ignore[union-attr]

    with pytest.raises(DatabaseUnavailableError, match="nothing was changed"):
        restore_backup(
            engine=engine,
            storage=storage,
            table="jobs",
            backup_id=backup.backup_id,
            actor=ADMIN,
            on_stage=at(RestoreStage.DELETED, close),
        )
    assert snapshot(engine, Job) == state
    engine.dispose()
