"""Races around a restore, on SQLite and PostgreSQL with real concurrent connections.

The invariant: a row a writer committed (a load that answered success, or a transaction that
committed) is never lost; it is either in the table after the restore or in its safety backup.
"""

from __future__ import annotations

import datetime as dt
import io
import threading
import time
from typing import Any

import pytest
from sqlalchemy import Connection, Engine, insert, select

from hr_core.access import Actor
from hr_core.backup import RestoreStage, create_backup, restore_backup
from hr_core.backup.allowed_tables import list_live_columns
from hr_core.backup.verify import iter_backup_rows, open_verified_backup
from hr_core.errors import ConflictError
from hr_core.ingest import load_table
from hr_core.models import HiredEmployee
from hr_core.storage import Storage, make_storage
from tests.factories import insert_numbered_hires

ADMIN = Actor(username="boss", role="admin")
ANALYST = Actor(username="ana", role="analyst")


@pytest.fixture
def local_storage(tmp_path: Any) -> Storage:
    return make_storage(f"file://{tmp_path / 'store'}")


@pytest.fixture
def hires(engine: Engine) -> Engine:
    return insert_numbered_hires(engine, rows=200, departments=3, jobs=5, step=dt.timedelta(hours=1))


def ids_in_table(engine: Engine) -> set[int]:
    with engine.connect() as conn:
        return set(conn.execute(select(HiredEmployee.id)).scalars())


def ids_in_backup(engine: Engine, storage: Storage, backup_id: str) -> set[int]:
    columns = list_live_columns(engine, "hired_employees")
    with open_verified_backup(storage=storage, table="hired_employees", backup_id=backup_id) as vb:
        index = [c.name for c in vb.manifest.column_specs].index("id")
        return {row[index] for row in iter_backup_rows(vb.path, columns, where="safety")}


def csv_of(ids: range) -> bytes:
    return "".join(f"{i},New {i},2022-03-01T10:00:00Z,1,1\n" for i in ids).encode()


def run_in_thread(fn: Any) -> tuple[threading.Thread, dict[str, Any]]:
    out: dict[str, Any] = {}

    def target() -> None:
        try:
            out["result"] = fn()
        except Exception as e:  # reported to the test thread
            out["error"] = e

    thread = threading.Thread(target=target, daemon=True)
    thread.start()
    return thread, out


def test_a_load_during_a_restore_is_refused_or_waits_and_its_rows_survive(
    hires: Engine, local_storage: Storage
) -> None:
    """Once the safety backup is written, a load either waits for the restore or is refused."""
    backup = create_backup(engine=hires, storage=local_storage, table="hired_employees", actor=ADMIN)
    loads: list[tuple[threading.Thread, dict[str, Any]]] = []

    def load_now(stage: RestoreStage, conn: Connection) -> None:
        # Between the safety backup and the replacement of the rows: the old code let this commit.
        if stage is not RestoreStage.BACKED_UP:
            return
        thread, out = run_in_thread(
            lambda: load_table(
                engine=hires,
                source=io.BytesIO(csv_of(range(5001, 5003))),
                filename="hired_employees.csv",
                table="hired_employees",
                actor=ANALYST,
                storage=local_storage,
            )
        )
        loads.append((thread, out))
        thread.join(3)

    result = restore_backup(
        engine=hires,
        storage=local_storage,
        table="hired_employees",
        backup_id=backup.backup_id,
        actor=ADMIN,
        on_stage=load_now,
    )
    thread, out = loads[0]
    thread.join(30)
    assert result.verified
    if "error" in out:
        assert isinstance(out["error"], ConflictError), out["error"]
        assert "a restore of hired_employees is running" in str(out["error"])
    else:
        assert out["result"].inserted == 2
        kept = ids_in_table(hires) | ids_in_backup(hires, local_storage, result.safety_backup_id)
        assert {5001, 5002} <= kept, "rows of a successful load were lost"


def test_rows_committed_while_a_restore_starts_are_in_its_safety_backup(
    hires: Engine, local_storage: Storage
) -> None:
    """A writer whose transaction is open when the restore starts: the restore waits for its commit."""
    backup = create_backup(engine=hires, storage=local_storage, table="hired_employees", actor=ADMIN)
    writer = hires.connect()
    tx = writer.begin()
    writer.execute(
        insert(HiredEmployee),
        [
            {
                "id": i,
                "name": f"W{i}",
                "hired_at": dt.datetime(2022, 1, 1, tzinfo=dt.UTC),
                "department_id": 1,
                "job_id": 1,
            }
            for i in (7001, 7002)
        ],
    )
    thread, out = run_in_thread(
        lambda: restore_backup(
            engine=hires,
            storage=local_storage,
            table="hired_employees",
            backup_id=backup.backup_id,
            actor=ADMIN,
        )
    )
    time.sleep(1.0)  # the restore is now waiting for the writer (its lock request is queued)
    tx.commit()
    writer.close()
    thread.join(60)
    assert "error" not in out, out.get("error")
    result = out["result"]
    assert result.verified
    assert {7001, 7002} <= ids_in_backup(hires, local_storage, result.safety_backup_id)
    assert not {7001, 7002} & ids_in_table(hires)  # the restore replaced the table, as asked


def test_two_concurrent_loads_both_land(hires: Engine, local_storage: Storage) -> None:
    def load(ids: range) -> Any:
        return load_table(
            engine=hires,
            source=io.BytesIO(csv_of(ids)),
            filename="hired_employees.csv",
            table="hired_employees",
            actor=ANALYST,
            storage=local_storage,
        )

    first = run_in_thread(lambda: load(range(6001, 6301)))
    second = run_in_thread(lambda: load(range(6301, 6601)))
    for thread, out in (first, second):
        thread.join(60)
        assert "error" not in out, out.get("error")
        assert out["result"].inserted == 300
    assert set(range(6001, 6601)) <= ids_in_table(hires)


def test_two_concurrent_restores_one_refused_nothing_lost(hires: Engine, local_storage: Storage) -> None:
    backup = create_backup(engine=hires, storage=local_storage, table="hired_employees", actor=ADMIN)
    with hires.begin() as conn:
        conn.execute(
            insert(HiredEmployee),
            [
                {
                    "id": 8001,
                    "name": "Late",
                    "hired_at": dt.datetime(2022, 1, 1, tzinfo=dt.UTC),
                    "department_id": 1,
                    "job_id": 1,
                }
            ],
        )
    runs = [
        run_in_thread(
            lambda: restore_backup(
                engine=hires,
                storage=local_storage,
                table="hired_employees",
                backup_id=backup.backup_id,
                actor=ADMIN,
            )
        )
        for _ in range(2)
    ]
    outcomes = []
    for thread, out in runs:
        thread.join(60)
        outcomes.append(out)
    ok = [o["result"] for o in outcomes if "result" in o]
    errors = [o["error"] for o in outcomes if "error" in o]
    assert ok and all(r.verified for r in ok)
    for e in errors:
        assert isinstance(e, ConflictError) and "already running" in str(e)
    # 8001 was committed before both restores: the first restore's safety backup holds it.
    assert 8001 in ids_in_backup(hires, local_storage, ok[0].safety_backup_id)
