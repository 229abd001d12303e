"""Backups and restores on SQLite and PostgreSQL, with a local folder and a real S3 server."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine, delete, insert, select, text, update

from hr_core.access import CLI_ACTOR, Actor
from hr_core.audit import list_events
from hr_core.backup import (
    create_all_backups,
    create_backup,
    diff_backup,
    list_backups,
    prune_backups,
    restore_backup,
    verify_backup,
)
from hr_core.backup.manifest import build_avro_key, build_manifest_key
from hr_core.db import import_all_models
from hr_core.errors import IntegrityError, InvalidInputError, NotFoundError, PermissionDenied
from hr_core.models import Department, HiredEmployee, Job, Prospect
from hr_core.storage import Storage
from tests.factories import insert_hiring_rows, read_globant_rows

ADMIN = Actor(username="boss", role="admin")


def snapshot(engine: Engine, model: Any) -> list[tuple[Any, ...]]:
    """Every row of a model's table through the models' types, ordered by primary key."""
    table = model.__table__
    with engine.connect() as conn:
        return [tuple(r) for r in conn.execute(select(table).order_by(*table.primary_key.columns))]


@pytest.fixture
def hiring(engine: Engine, shared_data: Path) -> Engine:
    """The real globant sample loaded (valid rows only)."""
    departments, jobs, hires = read_globant_rows(shared_data / "globant")
    insert_hiring_rows(engine, departments=departments, jobs=jobs, hires=hires)
    return engine


def test_backup_change_restore_gives_equal_content(hiring: Engine, storage: Storage) -> None:
    engine = hiring
    before = snapshot(engine, HiredEmployee)
    result = create_backup(engine=engine, storage=storage, table="hired_employees", actor=ADMIN)
    assert result.rows == len(before) > 1000
    assert result.key == f"backups/hired_employees/{result.backup_id}.avro"
    assert storage.exists(result.key)

    with engine.begin() as conn:
        conn.execute(
            update(HiredEmployee).where(HiredEmployee.id == before[0][0]).values(name="Changed Name")
        )
        conn.execute(delete(HiredEmployee).where(HiredEmployee.id.in_([before[1][0], before[2][0]])))
        conn.execute(
            insert(HiredEmployee).values(
                id=900_001,
                name="New",
                hired_at=dt.datetime(2022, 5, 1, tzinfo=dt.UTC),
                department_id=1,
                job_id=1,
            )
        )
    changed_state = snapshot(engine, HiredEmployee)

    diff = diff_backup(
        engine=engine, storage=storage, table="hired_employees", backup_id=result.backup_id, actor=ADMIN
    )
    assert (diff.added, diff.removed, diff.changed) == (
        sorted([before[1][0], before[2][0]]),
        [900_001],
        [before[0][0]],
    )
    assert diff.unchanged_count == len(before) - 3
    assert snapshot(engine, HiredEmployee) == changed_state  # a dry run changes nothing

    restored = restore_backup(
        engine=engine, storage=storage, table="hired_employees", backup_id=result.backup_id, actor=ADMIN
    )
    assert restored.verified and restored.rows == len(before)
    assert snapshot(engine, HiredEmployee) == before

    # The safety backup holds the state just before the restore, so the restore can be undone.
    safety = [
        b
        for b in list_backups(storage, "hired_employees", actor=ADMIN)
        if b.backup_id == restored.safety_backup_id
    ]
    assert safety and safety[0].kind == "safety" and safety[0].rows == len(changed_state)
    restore_backup(
        engine=engine,
        storage=storage,
        table="hired_employees",
        backup_id=restored.safety_backup_id,
        actor=ADMIN,
    )
    assert snapshot(engine, HiredEmployee) == changed_state

    actions = list_events(engine, actor=CLI_ACTOR, user="boss")
    assert list(actions["action"]).count("backup.restore") == 3  # the dry run and two restores
    assert list(actions["action"]).count("backup.create") == 1


def _prospect_rows() -> list[dict[str, Any]]:
    return [
        {
            "id": 3,
            "vaga_codigo": "V1",
            "candidate_codigo": "C1",
            "nome": "Zoë Ñandú",
            "situacao": "Prospect",
            "stage": "prospect",
            "data_candidatura": dt.date(2021, 3, 4),
            "ultima_atualizacao": None,
            "comentario": "linha 1\nlinha 2\t'quote' \"dq\" \\ back",
            "raw": {"z": 1, "a": [1, 2, {"k": "ç"}], "empty": {}},
        },
        {
            "id": 10,
            "vaga_codigo": "V2",
            "candidate_codigo": "C2",
            "nome": "",
            "situacao": "",
            "stage": "",
            "data_candidatura": None,
            "ultima_atualizacao": dt.date(1969, 12, 31),
            "comentario": "",
            "raw": {},
        },
    ]


def test_round_trip_of_json_dates_nulls_and_sequence(engine: Engine, storage: Storage) -> None:
    with engine.begin() as conn:
        conn.execute(insert(Prospect), _prospect_rows())
    before = snapshot(engine, Prospect)
    result = create_backup(engine=engine, storage=storage, table="prospects", actor=ADMIN)
    with engine.begin() as conn:
        conn.execute(delete(Prospect))
    restored = restore_backup(
        engine=engine, storage=storage, table="prospects", backup_id=result.backup_id, actor=ADMIN
    )
    assert restored.verified
    after = snapshot(engine, Prospect)
    assert after == before
    assert after[0][-1] == {"z": 1, "a": [1, 2, {"k": "ç"}], "empty": {}}
    assert list(after[0][-1]) == ["z", "a", "empty"]  # JSON key order is kept
    # The id sequence continues after the restored ids (PostgreSQL resets it; SQLite uses max(rowid)).
    with engine.begin() as conn:
        new_id = conn.execute(
            insert(Prospect).values(vaga_codigo="V3", candidate_codigo="C3").returning(Prospect.id)
        ).scalar_one()
    assert new_id == 11


def test_backup_all_in_foreign_key_order_and_catalogue(hiring: Engine, storage: Storage) -> None:
    results = create_all_backups(engine=hiring, storage=storage, actor=ADMIN)
    tables = [r.table for r in results]
    assert tables[:3] == ["departments", "jobs", "hired_employees"]
    assert set(tables) == {
        "departments",
        "jobs",
        "hired_employees",
        "candidates",
        "vagas",
        "pipeline_openings",
        "prospects",
        "opening_skill_requirements",
        "match_feedback",
    }
    assert tables[-2:] == ["opening_skill_requirements", "match_feedback"]  # after what they name by code
    rows = {r.table: r.rows for r in results}
    assert (rows["departments"], rows["jobs"], rows["candidates"]) == (12, 183, 0)
    catalogue = list_backups(storage, actor=ADMIN)
    assert [b.backup_id for b in catalogue] == sorted((b.backup_id for b in catalogue), reverse=True)
    assert {b.table for b in list_backups(storage, "jobs", actor=ADMIN)} == {"jobs"}
    assert all(b.size > 0 for b in catalogue)
    # A file without a manifest is not a backup.
    storage.put_bytes("backups/jobs/20990101T000000000000Z-deadbeef.avro", b"orphan")
    assert "20990101T000000000000Z-deadbeef" not in {b.backup_id for b in list_backups(storage, actor=ADMIN)}
    verified = verify_backup(engine=hiring, storage=storage, actor=ADMIN, backup_id=results[1].backup_id)
    assert verified.verified and verified.table == "jobs" and verified.fits_live_table


# --- refusals: the table must stay exactly as it was -------------------------------------------


def _flip_bit(data: bytes) -> bytes:
    pos = len(data) // 2
    return data[:pos] + bytes([data[pos] ^ 0x10]) + data[pos + 1 :]


def _damage(storage: Storage, table: str, backup_id: str, how: str) -> str:
    """Damage a stored backup; return the words the refusal must contain."""
    key, mkey = build_avro_key(table, backup_id), build_manifest_key(table, backup_id)
    data = storage.get_bytes(key)
    manifest = json.loads(storage.get_bytes(mkey))
    reseal = False
    if how == "flipped_bit":
        storage.put_bytes(key, _flip_bit(data))
        expected = "SHA-256"
    elif how == "flipped_bit_resealed":
        storage.put_bytes(key, _flip_bit(data))
        reseal, expected = True, "content hash|not a readable Avro"
    elif how == "truncated":
        storage.put_bytes(key, data[: len(data) - 40])
        expected = "SHA-256"
    elif how == "truncated_resealed":
        storage.put_bytes(key, data[: len(data) - 40])
        reseal, expected = True, "not a readable Avro|rows but its manifest"
    elif how == "wrong_count":
        manifest["rows"] += 1
        expected = "rows but its manifest says"
    elif how == "not_avro":
        storage.put_bytes(key, b"id,job\n1,Analyst\n" * 50)
        reseal, expected = True, "not an Avro file"
    else:
        raise AssertionError(how)
    if reseal:
        import hashlib

        manifest["sha256"] = hashlib.sha256(storage.get_bytes(key)).hexdigest()
    storage.put_bytes(mkey, json.dumps(manifest).encode())
    return expected


@pytest.mark.parametrize(
    "how",
    ["flipped_bit", "flipped_bit_resealed", "truncated", "truncated_resealed", "wrong_count", "not_avro"],
)
def test_damaged_backup_is_refused_and_table_unchanged(hiring: Engine, storage: Storage, how: str) -> None:
    backup = create_backup(engine=hiring, storage=storage, table="jobs", actor=ADMIN)
    with hiring.begin() as conn:
        conn.execute(update(Job).where(Job.id == 1).values(job="Changed since the backup"))
    state = snapshot(hiring, Job)
    expected = _damage(storage, "jobs", backup.backup_id, how)
    count = len(list_backups(storage, actor=ADMIN))
    with pytest.raises(IntegrityError, match=expected):
        restore_backup(engine=hiring, storage=storage, table="jobs", backup_id=backup.backup_id, actor=ADMIN)
    assert snapshot(hiring, Job) == state
    assert len(list_backups(storage, actor=ADMIN)) == count  # refused before the safety backup
    with pytest.raises(IntegrityError):
        verify_backup(engine=hiring, storage=storage, actor=ADMIN, backup_id=backup.backup_id)
    events = list_events(hiring, actor=CLI_ACTOR, action="backup.restore")
    assert list(events["outcome"]) == ["error"]


def test_column_added_since_backup_is_refused(engine: Engine, storage: Storage) -> None:
    with engine.begin() as conn:
        conn.execute(insert(Job), [{"id": 1, "job": "A"}, {"id": 2, "job": "B"}])
    backup = create_backup(engine=engine, storage=storage, table="jobs", actor=ADMIN)
    with engine.begin() as conn:
        conn.execute(text("ALTER TABLE jobs ADD COLUMN grade TEXT"))
        conn.execute(text("UPDATE jobs SET grade = 'x'"))
    with engine.connect() as conn:
        state = list(conn.execute(text("SELECT id, job, grade FROM jobs ORDER BY id")))
    with pytest.raises(
        IntegrityError, match=r"'grade' exists in the table but not in the backup \(added since\)"
    ):
        restore_backup(engine=engine, storage=storage, table="jobs", backup_id=backup.backup_id, actor=ADMIN)
    with pytest.raises(IntegrityError, match="added since"):
        diff_backup(engine=engine, storage=storage, table="jobs", backup_id=backup.backup_id, actor=ADMIN)
    with engine.connect() as conn:
        assert list(conn.execute(text("SELECT id, job, grade FROM jobs ORDER BY id"))) == state
    assert (
        verify_backup(engine=engine, storage=storage, actor=ADMIN, backup_id=backup.backup_id).fits_live_table
        is False
    )


def test_column_removed_since_backup_is_refused(engine: Engine, storage: Storage) -> None:
    with engine.begin() as conn:
        conn.execute(text("ALTER TABLE jobs ADD COLUMN grade TEXT"))
        conn.execute(text("INSERT INTO jobs (id, job, grade) VALUES (1, 'A', 'g1'), (2, 'B', NULL)"))
    backup = create_backup(engine=engine, storage=storage, table="jobs", actor=ADMIN)
    manifest = json.loads(storage.get_bytes(build_manifest_key("jobs", backup.backup_id)))
    assert {"name": "grade", "type": "text", "nullable": True} in manifest["columns"]
    with engine.begin() as conn:
        conn.execute(text("ALTER TABLE jobs DROP COLUMN grade"))
        conn.execute(text("DELETE FROM jobs WHERE id = 2"))
    state = snapshot(engine, Job)
    with pytest.raises(
        IntegrityError, match=r"'grade' is in the backup but no longer in the table \(removed since\)"
    ):
        restore_backup(engine=engine, storage=storage, table="jobs", backup_id=backup.backup_id, actor=ADMIN)
    assert snapshot(engine, Job) == state


@pytest.mark.parametrize("db_url", ["postgresql"], indirect=True)
def test_retyped_column_is_refused_on_postgresql(engine: Engine, storage: Storage) -> None:
    with engine.begin() as conn:
        conn.execute(insert(Department), [{"id": 1, "department": "10"}])
    backup = create_backup(engine=engine, storage=storage, table="departments", actor=ADMIN)
    with engine.begin() as conn:
        conn.execute(
            text("ALTER TABLE departments ALTER COLUMN department TYPE integer USING department::integer")
        )
    with pytest.raises(
        IntegrityError, match=r"'department' was text in the backup and is integer now \(retyped\)"
    ):
        restore_backup(
            engine=engine, storage=storage, table="departments", backup_id=backup.backup_id, actor=ADMIN
        )
    with engine.connect() as conn:
        assert list(conn.execute(text("SELECT id, department FROM departments"))) == [(1, 10)]


# --- injection -----------------------------------------------------------------------------------


@pytest.mark.parametrize("table", ["jobs; DROP TABLE departments", "audit_log", "../jobs", "JOBS", ""])
def test_table_name_injection_is_refused(hiring: Engine, storage: Storage, table: str) -> None:
    calls = [
        lambda: create_backup(engine=hiring, storage=storage, table=table, actor=ADMIN),
        lambda: restore_backup(
            engine=hiring,
            storage=storage,
            table=table,
            backup_id="20250101T000000000000Z-00000000",
            actor=ADMIN,
        ),
        lambda: diff_backup(
            engine=hiring,
            storage=storage,
            table=table,
            backup_id="20250101T000000000000Z-00000000",
            actor=ADMIN,
        ),
        lambda: list_backups(storage, table or "x", actor=ADMIN),
    ]
    for call in calls:
        with pytest.raises(InvalidInputError, match="cannot be backed up or restored"):
            call()
    assert len(snapshot(hiring, Department)) == 12
    assert storage.list_objects("") == []


@pytest.mark.parametrize(
    "backup_id",
    ["../../etc", "../../etc/passwd", "20250101T000000000000Z-00000000/../../x", "/etc/passwd", "a b"],
)
def test_path_injection_in_backup_id_is_refused(hiring: Engine, storage: Storage, backup_id: str) -> None:
    state = snapshot(hiring, Job)
    with pytest.raises(InvalidInputError, match="backup id .* is not valid"):
        restore_backup(engine=hiring, storage=storage, table="jobs", backup_id=backup_id, actor=ADMIN)
    with pytest.raises(InvalidInputError, match="is not valid"):
        verify_backup(engine=hiring, storage=storage, actor=ADMIN, backup_id=backup_id)
    assert snapshot(hiring, Job) == state


def test_unknown_backup_and_roles(hiring: Engine, storage: Storage) -> None:
    with pytest.raises(NotFoundError, match="does not exist"):
        restore_backup(
            engine=hiring,
            storage=storage,
            table="jobs",
            backup_id="20250101T000000000000Z-00000000",
            actor=ADMIN,
        )
    analyst = Actor(username="ana", role="analyst")
    with pytest.raises(PermissionDenied, match="may not back up"):
        create_backup(engine=hiring, storage=storage, table="jobs", actor=analyst)
    with pytest.raises(PermissionDenied, match="may not restore"):
        restore_backup(
            engine=hiring,
            storage=storage,
            table="jobs",
            backup_id="20250101T000000000000Z-00000000",
            actor=analyst,
        )


# --- foreign keys --------------------------------------------------------------------------------


def test_restore_of_parent_refused_while_children_reference_missing_ids(
    hiring: Engine, storage: Storage
) -> None:
    backup = create_backup(engine=hiring, storage=storage, table="departments", actor=ADMIN)
    with hiring.begin() as conn:
        conn.execute(
            insert(Department), [{"id": 99, "department": "New A"}, {"id": 98, "department": "New B"}]
        )
        conn.execute(
            insert(HiredEmployee),
            [
                {
                    "id": 900_000 + d,
                    "name": "x",
                    "hired_at": dt.datetime(2021, 1, 1),
                    "department_id": d,
                    "job_id": 1,
                }
                for d in (98, 99)
            ],
        )
    state = snapshot(hiring, Department)
    with pytest.raises(
        IntegrityError, match=r"hired_employees.department_id still references id values .*: 98, 99"
    ):
        restore_backup(
            engine=hiring, storage=storage, table="departments", backup_id=backup.backup_id, actor=ADMIN
        )
    assert snapshot(hiring, Department) == state


def test_restore_of_child_refused_when_parent_ids_are_gone(hiring: Engine, storage: Storage) -> None:
    with hiring.begin() as conn:
        conn.execute(insert(Job), [{"id": 500, "job": "Temp"}])
        conn.execute(
            insert(HiredEmployee),
            [
                {
                    "id": 900_001,
                    "name": "t",
                    "hired_at": dt.datetime(2021, 1, 1),
                    "department_id": 1,
                    "job_id": 500,
                }
            ],
        )
    backup = create_backup(engine=hiring, storage=storage, table="hired_employees", actor=ADMIN)
    with hiring.begin() as conn:
        conn.execute(delete(HiredEmployee).where(HiredEmployee.job_id == 500))
        conn.execute(delete(Job).where(Job.id == 500))
    state = snapshot(hiring, HiredEmployee)
    with pytest.raises(IntegrityError, match=r"job_id values 500 do not exist in jobs.id"):
        restore_backup(
            engine=hiring, storage=storage, table="hired_employees", backup_id=backup.backup_id, actor=ADMIN
        )
    assert snapshot(hiring, HiredEmployee) == state


# --- retention -----------------------------------------------------------------------------------


def test_prune_keeps_the_newest_per_table(
    engine: Engine, storage: Storage, monkeypatch: pytest.MonkeyPatch
) -> None:
    import_all_models()
    ids = [
        create_backup(engine=engine, storage=storage, table="jobs", actor=ADMIN).backup_id for _ in range(3)
    ]
    dept = create_backup(engine=engine, storage=storage, table="departments", actor=ADMIN).backup_id
    result = prune_backups(engine=engine, storage=storage, actor=ADMIN, keep=2)
    assert result.deleted == [{"table": "jobs", "backup_id": ids[0]}]
    assert {b.backup_id for b in list_backups(storage, actor=ADMIN)} == {ids[1], ids[2], dept}
    assert not storage.exists(build_avro_key("jobs", ids[0]))
    assert not storage.exists(build_manifest_key("jobs", ids[0]))
    monkeypatch.setenv("HR_BACKUP_RETENTION", "1")
    from hr_core.settings import reset_settings

    reset_settings()
    assert prune_backups(engine=engine, storage=storage, actor=ADMIN).deleted == [
        {"table": "jobs", "backup_id": ids[1]}
    ]
    assert list(list_events(engine, actor=CLI_ACTOR, action="backup.prune")["outcome"]) == ["ok", "ok"]
