"""`python -m hr_core backup|backups|restore|verify|prune`: one JSON line, exit 2 on bad input."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine, insert, update

from hr_core.models import Job
from tests.db.test_backup import snapshot

REPO = Path(__file__).resolve().parents[2]


def _cli(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "hr_core", *args],
        cwd=REPO,
        capture_output=True,
        text=True,
        env=dict(os.environ),  # HR_DATABASE_URL / HR_STORAGE_URL set by the fixtures
        timeout=120,
    )


def _json(out: subprocess.CompletedProcess[str]) -> Any:
    assert out.returncode == 0, out.stderr
    assert len(out.stdout.splitlines()) == 1
    return json.loads(out.stdout)


# Subprocesses are slow on a busy machine: the API tests cover every database × storage pair,
# these cover each database and each storage once.
@pytest.mark.parametrize("db_url, storage_url", [("sqlite", "s3"), ("postgresql", "file")], indirect=True)
def test_cli_backup_list_dry_run_restore_verify_prune(engine: Engine, storage_url: str) -> None:
    with engine.begin() as conn:
        conn.execute(insert(Job), [{"id": i, "job": f"Job {i}"} for i in range(1, 6)])
    original = snapshot(engine, Job)

    made = _json(_cli("backup", "jobs"))
    assert set(made) == {"backup_id", "table", "rows", "sha256", "key"}
    assert (made["table"], made["rows"], made["key"]) == ("jobs", 5, f"backups/jobs/{made['backup_id']}.avro")

    with engine.begin() as conn:
        conn.execute(update(Job).where(Job.id == 2).values(job="Renamed"))
    listed = _json(_cli("backups", "jobs"))
    assert [b["backup_id"] for b in listed] == [made["backup_id"]]

    diff = _json(_cli("restore", "jobs", made["backup_id"], "--dry-run"))
    assert (diff["changed_ids"], diff["added_ids"], diff["removed_ids"]) == ([2], [], [])
    assert snapshot(engine, Job) != original

    restored = _json(_cli("restore", "jobs", made["backup_id"]))
    assert restored["verified"] is True and restored["rows"] == 5 and restored["safety_backup_id"]
    assert snapshot(engine, Job) == original

    verified = _json(_cli("verify", restored["safety_backup_id"]))
    assert verified["verified"] is True and verified["table"] == "jobs"

    pruned = _json(_cli("prune", "--keep", "1"))
    assert pruned["deleted"] == [{"table": "jobs", "backup_id": made["backup_id"]}]

    everything = _json(_cli("backup", "--all"))
    assert [r["table"] for r in everything][:3] == ["departments", "jobs", "hired_employees"]


@pytest.mark.parametrize("db_url, storage_url", [("sqlite", "file")], indirect=True)
def test_cli_refuses_bad_input_with_exit_2(engine: Engine, storage_url: str) -> None:
    out = _cli("restore", "jobs; DROP TABLE departments", "20250101T000000000000Z-00000000")
    assert out.returncode == 2 and "cannot be backed up or restored" in out.stderr and not out.stdout
    out = _cli("restore", "jobs", "../../etc")
    assert out.returncode == 2 and "is not valid" in out.stderr
    out = _cli("verify", "20250101T000000000000Z-00000000")
    assert out.returncode == 2 and "no backup" in out.stderr
    out = _cli("backup")
    assert out.returncode == 2 and "TABLE or --all" in out.stderr
