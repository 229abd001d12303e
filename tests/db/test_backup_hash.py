"""The content hash's row encoding, the fast PostgreSQL read path, old-format backups, bulk-load rebuild."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st
from sqlalchemy import Engine, insert, select, text

from hr_core.access import Actor
from hr_core.backup import create_backup, restore_backup, verify_backup
from hr_core.backup.allowed_tables import list_live_columns
from hr_core.backup.codec import ContentHasher, encode_row, make_row_normalizer
from hr_core.backup.manifest import build_manifest_key, load_manifest
from hr_core.backup.verify import iter_backup_rows
from hr_core.backup.writer import stream_canonical_batches, stream_table_rows
from hr_core.models import Department, HiredEmployee, Job, Prospect
from hr_core.storage import Storage
from tests.db.test_backup import snapshot

ADMIN = Actor(username="boss", role="admin")
_TEXT = st.text(alphabet=st.sampled_from(["a", "1", "\x1f", "\x1e", "\t", "\\", "N", "ç", " "]), max_size=4)
_VALUE = st.one_of(st.none(), st.integers(min_value=-(2**63), max_value=2**63 - 1), _TEXT)


@settings(max_examples=200, deadline=None)
@given(st.lists(st.tuples(_VALUE, _VALUE, _VALUE), min_size=2, max_size=2))
def test_row_encoding_is_injective(rows: list[tuple[Any, Any, Any]]) -> None:
    first, second = rows
    assert (encode_row(first) == encode_row(second)) == (first == second)


def test_row_encoding_separates_nulls_and_field_boundaries() -> None:
    assert encode_row([1, "a", 2]) == b"1\x1fa\x1f2"
    assert encode_row([1, None]) != encode_row([1, "None"])
    assert encode_row(["a\x1fb", "c"]) != encode_row(["a", "b\x1fc"])
    assert encode_row(["\x1e[1]"]) != encode_row([1])


def _prospects() -> list[dict[str, Any]]:
    return [
        {
            "id": 1,
            "vaga_codigo": "V\x1f1",
            "candidate_codigo": "C\t1",
            "nome": "Zoë \\N Ñandú",
            "stage": "prospect",
            "data_candidatura": dt.date(1969, 12, 31),
            "ultima_atualizacao": dt.date(2024, 2, 29),
            "comentario": "linha 1\nlinha 2\r\x1e",
            "raw": {"z": 1, "a": [1.5, None, {"k": "ç"}], "empty": {}},
        },
        {
            "id": 7,
            "vaga_codigo": "V2",
            "candidate_codigo": "",
            "nome": "None",
            "stage": "",
            "data_candidatura": None,
            "ultima_atualizacao": None,
            "comentario": "",
            "raw": {},
        },
    ]


def test_fast_read_path_gives_the_codec_values(engine: Engine) -> None:
    """The canonical batches (computed by PostgreSQL there) equal the codec's normalisation."""
    with engine.begin() as conn:
        conn.execute(insert(Prospect), _prospects())
        conn.execute(insert(Department).values(id=1, department="D"))
        conn.execute(insert(Job).values(id=1, job="J"))
        conn.execute(
            insert(HiredEmployee),
            [
                {
                    "id": i,
                    "name": f"E\t{i}",
                    "hired_at": dt.datetime(1969, 12, 31, 23, 59, 59, 999_999 - i, tzinfo=dt.UTC),
                    "department_id": 1,
                    "job_id": 1,
                }
                for i in range(3)
            ],
        )
    for table in ("prospects", "hired_employees"):
        columns = list_live_columns(engine, table)
        normalize = make_row_normalizer(columns)
        with engine.connect() as conn:
            fast = sorted(tuple(r) for b in stream_canonical_batches(conn, table, columns) for r in b)
            slow = sorted(tuple(normalize(r)) for r in stream_table_rows(conn, table, columns))
        assert fast == slow and len(fast) in (2, 3)
    # 1969-12-31 23:59:59.999999 UTC is -1 µs; exact before the epoch too.
    assert sorted(r[2] for r in fast) == [-3, -2, -1]


def test_backup_of_the_older_format_still_verifies_and_restores(
    engine: Engine, storage: Storage, tmp_path: Path
) -> None:
    with engine.begin() as conn:
        conn.execute(insert(Prospect), _prospects())
    before = snapshot(engine, Prospect)
    result = create_backup(engine=engine, storage=storage, table="prospects", actor=ADMIN)
    manifest = load_manifest(storage, "prospects", result.backup_id)
    legacy = ContentHasher(legacy=True)
    storage.download(manifest.key, tmp_path / "file.avro")
    for values in iter_backup_rows(tmp_path / "file.avro", manifest.column_specs, where="test"):
        legacy.add(values)
    assert legacy.hexdigest() != manifest.content_hash  # the two formats really hash differently
    raw = json.loads(manifest.to_json())
    raw.update(format="talentlens-backup/1", content_hash=legacy.hexdigest())
    storage.put_bytes(build_manifest_key("prospects", result.backup_id), json.dumps(raw).encode())

    assert verify_backup(engine=engine, storage=storage, actor=ADMIN, backup_id=result.backup_id).verified
    with engine.begin() as conn:
        conn.execute(text("DELETE FROM prospects"))
    restored = restore_backup(
        engine=engine, storage=storage, table="prospects", backup_id=result.backup_id, actor=ADMIN
    )
    assert restored.verified and snapshot(engine, Prospect) == before


def _catalogue(engine: Engine) -> list[tuple[str, str]]:
    """Index and constraint definitions of hired_employees (PostgreSQL), or SQLite's schema rows."""
    with engine.connect() as conn:
        if engine.dialect.name == "sqlite":
            rows = conn.execute(
                text("SELECT name, COALESCE(sql, '') FROM sqlite_master WHERE tbl_name = 'hired_employees'")
            )
        else:
            rows = conn.execute(
                text(
                    "SELECT indexrelid::regclass::text, pg_get_indexdef(indexrelid) FROM pg_index "
                    "WHERE indrelid = 'hired_employees'::regclass UNION ALL "
                    "SELECT conname, pg_get_constraintdef(oid) || convalidated::text FROM pg_constraint "
                    "WHERE conrelid = 'hired_employees'::regclass"
                )
            )
        return sorted((str(a), str(b)) for a, b in rows)


def test_restore_keeps_every_index_and_validated_foreign_key(engine: Engine, storage: Storage) -> None:
    with engine.begin() as conn:
        conn.execute(insert(Department), [{"id": 1, "department": "A"}, {"id": 2, "department": "B"}])
        conn.execute(insert(Job).values(id=1, job="J"))
        conn.execute(
            insert(HiredEmployee),
            [
                {
                    "id": i,
                    "name": f"E{i}",
                    "hired_at": dt.datetime(2021, 1, i, tzinfo=dt.UTC),
                    "department_id": 1 + i % 2,
                    "job_id": 1,
                }
                for i in range(1, 6)
            ],
        )
        # A partial index whose definition holds a '%' (catalogue DDL must not be parsed for placeholders).
        conn.exec_driver_sql(
            "CREATE INDEX ix_hired_employees_test_e ON hired_employees (name) WHERE name LIKE 'E%%'"
        )
    before = _catalogue(engine)
    assert any("'E%" in definition for _, definition in before)
    assert len(before) >= 4 if engine.dialect.name == "postgresql" else before
    result = create_backup(engine=engine, storage=storage, table="hired_employees", actor=ADMIN)
    restored = restore_backup(
        engine=engine, storage=storage, table="hired_employees", backup_id=result.backup_id, actor=ADMIN
    )
    assert restored.verified and restored.rows == 5
    assert _catalogue(engine) == before
    with engine.connect() as conn:
        assert (
            conn.execute(select(HiredEmployee.department_id).where(HiredEmployee.id == 2)).scalar_one() == 1
        )
