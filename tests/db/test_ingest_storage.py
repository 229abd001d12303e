"""Reject reports land in the configured storage (folder and SeaweedFS S3); load-dir and load read from S3 too."""

from __future__ import annotations

import csv
import io
import json
import os
import subprocess
import sys
from pathlib import Path

from sqlalchemy import Engine

from hr_core.access import CLI_ACTOR
from hr_core.ingest import load_dir, load_table
from hr_core.storage import Storage
from tests.factories import write_text_file

REPO = Path(__file__).resolve().parents[2]


def test_rejects_report_is_written_to_storage(engine: Engine, storage: Storage, tmp_path: Path) -> None:
    folder = tmp_path / "in"
    folder.mkdir()
    write_text_file(folder, "departments.csv", "1,Engineering\n")
    write_text_file(folder, "jobs.csv", "1,Engineer\n")
    write_text_file(
        folder, "hired_employees.csv", "1,Ana,2021-01-01T10:00:00Z,1,1\n2,=cmd(),2021-01-01T10:00:00Z,,1\n"
    )
    if storage.url.startswith("s3://"):
        for name in ("departments.csv", "jobs.csv", "hired_employees.csv"):
            storage.put_file(f"inbox/{name}", folder / name)
        source: str | Path = f"{storage.url}/inbox"
    else:
        source = folder
    results = load_dir(engine=engine, source=source, actor=CLI_ACTOR, storage=storage)
    assert [(r.table, r.inserted, r.rejected) for r in results] == [
        ("departments", 1, 0),
        ("jobs", 1, 0),
        ("hired_employees", 1, 1),
    ]
    key = results[2].rejects_key
    assert key is not None
    assert [o.key for o in storage.list_objects("rejects/")] == [key]
    report = list(csv.DictReader(io.StringIO(storage.get_bytes(key).decode("utf-8"))))
    # A spreadsheet must not run the raw row as a formula.
    assert report == [
        {"line": "2", "raw": "2,=cmd(),2021-01-01T10:00:00Z,,1", "reasons": "department_id is empty"}
    ]


def test_load_from_an_s3_url(engine: Engine, storage: Storage, tmp_path: Path) -> None:
    storage.put_bytes("drop/departments.csv", b"1,Engineering\n2,Sales\n")
    path = write_text_file(tmp_path, "departments.csv", "1,Engineering\n2,Sales\n")
    source = f"{storage.url}/drop/departments.csv" if storage.url.startswith("s3://") else path
    result = load_table(engine=engine, source=source, table="departments", actor=CLI_ACTOR, storage=storage)
    assert (result.inserted, result.rejects_key) == (2, None)


def _cli(*args: str, db_url: str, tmp_path: Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "HR_DATABASE_URL": db_url, "HR_STORAGE_URL": f"file://{tmp_path / 'cli-store'}"}
    return subprocess.run(
        [sys.executable, "-m", "hr_core", *args],
        cwd=REPO,
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
    )


def test_cli_load_commands(engine: Engine, db_url: str, tmp_path: Path) -> None:
    write_text_file(tmp_path, "departments.csv", "id,department\n1,Engineering\n")
    out = _cli(
        "load", "departments", str(tmp_path / "departments.csv"), "--header", db_url=db_url, tmp_path=tmp_path
    )
    assert out.returncode == 0, out.stderr
    assert json.loads(out.stdout) == {
        "table": "departments",
        "mode": "add-and-update",
        "inserted": 1,
        "updated": 0,
        "unchanged": 0,
        "skipped": 0,
        "rejected": 0,
        "rejects": None,
    }
    batch = {"records": [{"table_name": "job", "data": [{"id": 1, "job": "Engineer"}]}]}
    write_text_file(tmp_path, "batch.json", json.dumps(batch))
    out = _cli("load-batch", str(tmp_path / "batch.json"), db_url=db_url, tmp_path=tmp_path)
    assert out.returncode == 0, out.stderr
    assert [r["inserted"] for r in json.loads(out.stdout)] == [1]
    write_text_file(tmp_path, "hired_employees.csv", "1,Ana,2021-01-01T10:00:00Z,1,1\n2,Bo,,1,1\n")
    out = _cli("load-dir", str(tmp_path), db_url=db_url, tmp_path=tmp_path)
    assert out.returncode == 0, out.stderr
    results = json.loads(out.stdout)
    assert [(r["table"], r["unchanged"], r["inserted"], r["rejected"]) for r in results] == [
        ("departments", 1, 0, 0),
        ("hired_employees", 0, 1, 1),
    ]
    assert (tmp_path / "cli-store" / results[1]["rejects"]).is_file()
    write_text_file(tmp_path, "bad.csv", "1,Eng,extra\n")
    out = _cli("load", "departments", str(tmp_path / "bad.csv"), db_url=db_url, tmp_path=tmp_path)
    assert out.returncode == 2 and "line 1: 3 fields, expected 2" in out.stderr and out.stdout == ""
