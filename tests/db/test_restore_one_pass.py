"""A restore reads its Avro file once: rows are hashed and counted on their way into the table.

A file whose rows do not match its manifest is therefore found only after they were copied in; the
transaction then rolls back, so the table, its keys and indexes are as they were and the safety backup
(of a state that never changed) is gone.
"""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

import fastavro
import pytest
from sqlalchemy import Engine, update

from hr_core.access import Actor
from hr_core.backup import create_backup, list_backups, restore_backup
from hr_core.backup.manifest import build_manifest_key
from hr_core.errors import IntegrityError
from hr_core.models import HiredEmployee
from hr_core.storage import Storage
from tests.db.test_backup import snapshot
from tests.factories import insert_numbered_hires, read_hired_employees_catalogue

ADMIN = Actor(username="boss", role="admin")
ROWS = 1_200


@pytest.fixture
def hires(engine: Engine) -> Engine:
    return insert_numbered_hires(engine, rows=ROWS, departments=4, jobs=7, step=dt.timedelta(minutes=1))


class _CountingReader:
    """fastavro.reader that counts the records it decodes, across every reader opened."""

    decoded = 0

    def __init__(self, fh: Any, *args: Any, **kwargs: Any) -> None:
        self._reader = _REAL_READER(fh, *args, **kwargs)
        self.metadata = self._reader.metadata

    def __iter__(self) -> Any:
        for record in self._reader:
            _CountingReader.decoded += 1
            yield record


_REAL_READER = fastavro.reader


def test_a_restore_decodes_each_row_of_the_backup_once(
    hires: Engine, storage: Storage, monkeypatch: pytest.MonkeyPatch
) -> None:
    backup = create_backup(engine=hires, storage=storage, table="hired_employees", actor=ADMIN)
    original = snapshot(hires, HiredEmployee)
    with hires.begin() as conn:
        conn.execute(update(HiredEmployee).where(HiredEmployee.id > 600).values(name="Changed"))
    monkeypatch.setattr(fastavro, "reader", _CountingReader)
    _CountingReader.decoded = 0
    result = restore_backup(
        engine=hires, storage=storage, table="hired_employees", backup_id=backup.backup_id, actor=ADMIN
    )
    assert result.verified and result.rows == ROWS
    assert _CountingReader.decoded == ROWS  # not twice: verify and load share one pass
    assert snapshot(hires, HiredEmployee) == original


def _reseal(storage: Storage, table: str, backup_id: str, **changes: Any) -> None:
    key = build_manifest_key(table, backup_id)
    manifest = json.loads(storage.get_bytes(key))
    manifest.update(changes)
    storage.put_bytes(key, json.dumps(manifest).encode())


@pytest.mark.parametrize(
    "damage, expected",
    [
        ({"content_hash": "0" * 64}, "content hash of its rows as restored"),  # hashed before COMMIT
        ({"rows": ROWS - 1}, f"holds {ROWS} rows but its manifest says {ROWS - 1}"),
    ],
)
def test_rows_that_do_not_match_the_manifest_roll_the_whole_restore_back(
    hires: Engine, storage: Storage, damage: dict[str, Any], expected: str
) -> None:
    backup = create_backup(engine=hires, storage=storage, table="hired_employees", actor=ADMIN)
    with hires.begin() as conn:
        conn.execute(update(HiredEmployee).where(HiredEmployee.id <= 10).values(name="Edited"))
    _reseal(storage, "hired_employees", backup.backup_id, **damage)
    state, catalogue = snapshot(hires, HiredEmployee), read_hired_employees_catalogue(hires)
    backups = {b.backup_id for b in list_backups(storage, actor=ADMIN)}
    with pytest.raises(IntegrityError, match=expected):
        restore_backup(
            engine=hires, storage=storage, table="hired_employees", backup_id=backup.backup_id, actor=ADMIN
        )
    assert snapshot(hires, HiredEmployee) == state
    assert (
        read_hired_employees_catalogue(hires) == catalogue
    )  # the keys and index dropped for the copy are back, validated
    # The safety backup was written before the rows were read; the rollback made it pointless.
    assert {b.backup_id for b in list_backups(storage, actor=ADMIN)} == backups
    if hires.dialect.name == "postgresql":
        assert len(catalogue) == 5  # primary key, two foreign keys, the primary key index, the hired_at index


def test_every_restorable_table_is_copied_in_binary_on_postgresql(engine: Engine) -> None:
    """Each allow-listed table's columns have a binary COPY type, so the round trips above exercise it."""
    from hr_core.backup.allowed_tables import TABLE_ORDER, list_live_columns
    from hr_core.backup.restore import get_binary_copy_types

    if engine.dialect.name != "postgresql":
        assert engine.dialect.name == "sqlite"  # SQLite restores insert in batches; there is no COPY
        return
    with engine.connect() as conn:
        found = {t: get_binary_copy_types(conn, t, list_live_columns(engine, t)) for t in TABLE_ORDER}
    assert all(types is not None for types in found.values()), found
    assert found["hired_employees"] == ["int4", "text", "timestamptz", "int4", "int4"]


def test_a_column_type_without_a_binary_path_keeps_the_text_copy(engine: Engine) -> None:
    """jsonb (whose binary form carries a version byte) and naive timestamps fall back to text COPY."""
    from sqlalchemy import text

    from hr_core.backup.allowed_tables import ColumnSpec
    from hr_core.backup.restore import get_binary_copy_types

    if engine.dialect.name != "postgresql":
        assert engine.dialect.name == "sqlite"
        return
    with engine.begin() as conn:
        conn.execute(text("CREATE TABLE scratch_copy_types (id integer, doc jsonb, at timestamp)"))
        try:
            cols = [ColumnSpec("id", "integer", False), ColumnSpec("doc", "json", True)]
            assert get_binary_copy_types(conn, "scratch_copy_types", cols) is None
            cols = [ColumnSpec("id", "integer", False), ColumnSpec("at", "timestamp", True)]
            assert get_binary_copy_types(conn, "scratch_copy_types", cols) is None
            assert get_binary_copy_types(conn, "scratch_copy_types", cols[:1]) == ["int4"]
        finally:
            conn.execute(text("DROP TABLE scratch_copy_types"))
