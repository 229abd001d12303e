"""`python -m hr_core report …` on SQLite and PostgreSQL: JSON on one line, CSV with a header."""

from __future__ import annotations

import csv
import io
import json
import os
import subprocess
import sys
from pathlib import Path

from sqlalchemy import Engine

from tests.db.test_analytics import DEPARTMENTS, HIRES, JOBS
from tests.factories import insert_hiring_rows

REPO = Path(__file__).resolve().parents[2]


def _cli(db_url: str, *args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "HR_DATABASE_URL": db_url}
    return subprocess.run(
        [sys.executable, "-m", "hr_core", "report", *args],
        cwd=REPO,
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
    )


def test_reports_as_json_and_csv(engine: Engine, db_url: str) -> None:
    insert_hiring_rows(engine, departments=DEPARTMENTS, jobs=JOBS, hires=HIRES)

    out = _cli(db_url, "departments-above-mean", "--year", "2020")
    assert out.returncode == 0, out.stderr
    assert len(out.stdout.splitlines()) == 1
    assert json.loads(out.stdout) == [
        {"id": 2, "department": "Engineering", "hired": 3},
        {"id": 1, "department": "Sales", "hired": 3},
    ]

    out = _cli(db_url, "hires-by-quarter", "--year", "2020", "--format", "csv")
    assert out.returncode == 0, out.stderr
    rows = list(csv.reader(io.StringIO(out.stdout)))
    assert rows[0] == ["department", "job", "Q1", "Q2", "Q3", "Q4"]
    assert rows[1] == ["Engineering", "Developer", "1", "0", "1", "1"]
    assert len(rows) == 6

    out = _cli(db_url, "hires-by-quarter", "--year", "2020", "--format", "json")
    records = json.loads(out.stdout)
    assert records[-1] == {"department": "accounting", "job": "Analyst", "Q1": 0, "Q2": 1, "Q3": 0, "Q4": 0}


def test_empty_year_prints_empty_results(engine: Engine, db_url: str) -> None:
    insert_hiring_rows(engine, departments=DEPARTMENTS, jobs=JOBS, hires=HIRES)
    out = _cli(db_url, "hires-by-quarter", "--year", "2030")
    assert (out.returncode, out.stdout) == (0, "[]\n")
    out = _cli(db_url, "departments-above-mean", "--year", "2030", "--format", "csv")
    assert (out.returncode, out.stdout.strip()) == (0, "id,department,hired")


def test_bad_year_exits_2(engine: Engine, db_url: str) -> None:
    out = _cli(db_url, "hires-by-quarter", "--year", "0")
    assert out.returncode == 2
    assert "year 0 is not valid" in out.stderr
    assert out.stdout == ""
    out = _cli(db_url, "hires-by-quarter", "--year", "twenty")
    assert out.returncode == 2 and "invalid int value" in out.stderr
