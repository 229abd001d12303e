"""Damaged manifests are refused by their schema with a message naming the field, never a raw error."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import pytest
from sqlalchemy import Engine, insert

from hr_core.access import Actor
from hr_core.backup import create_backup, diff_backup, list_backups, restore_backup, verify_backup
from hr_core.backup.manifest import build_manifest_key
from hr_core.errors import IntegrityError
from hr_core.models import Job
from hr_core.storage import Storage, make_storage

ADMIN = Actor(username="boss", role="admin")


def _drop_nullable(m: dict[str, Any]) -> str:
    del m["columns"][0]["nullable"]
    return r"columns\.0\.nullable: Field required"


def _unknown_primary_key(m: dict[str, Any]) -> str:
    m["primary_key"] = ["nope"]
    return r"primary_key names \['nope'\], which are not among the columns"


def _negative_rows(m: dict[str, Any]) -> str:
    m["rows"] = -1
    return r"rows: Input should be greater than or equal to 0"


def _rows_as_text(m: dict[str, Any]) -> str:
    m["rows"] = "12"
    return r"rows: Input should be a valid integer"


def _unknown_type(m: dict[str, Any]) -> str:
    m["columns"][1]["type"] = "blob"
    return r"columns\.1\.type: Input should be"


def _key_elsewhere(m: dict[str, Any]) -> str:
    m["key"] = "backups/departments/x.avro"
    return r"key is 'backups/departments/x.avro', expected"


@pytest.mark.parametrize(
    "damage",
    [_drop_nullable, _unknown_primary_key, _negative_rows, _rows_as_text, _unknown_type, _key_elsewhere],
)
def test_a_damaged_manifest_is_refused_by_verify_dry_run_and_restore(
    engine: Engine, tmp_path: Any, damage: Callable[[dict[str, Any]], str]
) -> None:
    storage: Storage = make_storage(f"file://{tmp_path / 'store'}")
    with engine.begin() as conn:
        conn.execute(insert(Job), [{"id": i, "job": f"J{i}"} for i in range(1, 6)])
    backup = create_backup(engine=engine, storage=storage, table="jobs", actor=ADMIN)
    key = build_manifest_key("jobs", backup.backup_id)
    manifest = json.loads(storage.get_bytes(key))
    expected = damage(manifest)
    storage.put_bytes(key, json.dumps(manifest).encode())
    calls = [
        lambda: verify_backup(engine=engine, storage=storage, actor=ADMIN, backup_id=backup.backup_id),
        lambda: diff_backup(
            engine=engine, storage=storage, actor=ADMIN, table="jobs", backup_id=backup.backup_id
        ),
        lambda: restore_backup(
            engine=engine, storage=storage, actor=ADMIN, table="jobs", backup_id=backup.backup_id
        ),
    ]
    for call in calls:
        with pytest.raises(IntegrityError, match=f"manifest .* is damaged: .*{expected}"):
            call()
    assert backup.backup_id not in {b.backup_id for b in list_backups(storage, actor=ADMIN)}
