"""`python -m hr_core pipeline-report` on SQLite and PostgreSQL: one JSON line, a CSV table, bad names exit 2."""

from __future__ import annotations

import csv
import json
import os
import subprocess
import sys
from pathlib import Path

from sqlalchemy import Engine

from tests.db.test_pipeline_metrics import pipeline  # noqa: F401  (fixture)

REPO = Path(__file__).resolve().parents[2]


def _cli(db_url: str, *args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "HR_DATABASE_URL": db_url}
    return subprocess.run(
        [sys.executable, "-m", "hr_core", "pipeline-report", *args],
        cwd=REPO,
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
    )


def test_report_as_json_with_one_table_as_csv(pipeline: Engine, db_url: str, tmp_path: Path) -> None:  # noqa: F811
    out_file = tmp_path / "ageing.csv"
    args = ("--group-by", "recruiter", "--as-of", "2024-03-31", "--out", str(out_file), "--table", "ageing")
    out = _cli(db_url, *args)
    assert out.returncode == 0, out.stderr
    assert len(out.stdout.splitlines()) == 1
    report = json.loads(out.stdout)
    assert (report["group_by"], report["as_of"], report["prospects"], report["stale_openings"]) == (
        "recruiter",
        "2024-03-31",
        9,
        3,
    )
    decision = report["time_to_decision"]
    assert [(d["group"], d["median_days"], d["p25_days"], d["p75_days"]) for d in decision] == [
        ("Rita", 14.0, 12.0, 17.0)
    ]
    assert report["date_gaps"]["prospects"] == 3
    assert report["written"] == {"path": str(out_file), "table": "ageing", "rows": 3}
    with out_file.open(encoding="utf-8", newline="") as f:
        rows = list(csv.DictReader(f))
    assert [(r["vaga_codigo"], r["days_without_movement"]) for r in rows] == [
        ("P9", "71"),
        ("V3", "59"),
        ("V2", "40"),
    ]


def test_unknown_grouping_or_table_exits_2(pipeline: Engine, db_url: str, tmp_path: Path) -> None:  # noqa: F811
    out = _cli(db_url, "--group-by", "candidate")
    assert out.returncode == 2 and "group_by 'candidate' is not one of overall" in out.stderr
    out = _cli(db_url, "--out", str(tmp_path / "x.csv"), "--table", "users")
    assert out.returncode == 2 and "table 'users' is not one of" in out.stderr
    assert not (tmp_path / "x.csv").exists()
