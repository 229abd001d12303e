"""The CLI contract: one JSON line on success; stderr and exit 2 for bad input, 1 otherwise."""

import json
import os
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]


def run_cli(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    full_env = {**os.environ, **(env or {})}
    return subprocess.run(
        [sys.executable, "-m", "hr_core", *args],
        cwd=REPO,
        capture_output=True,
        text=True,
        env=full_env,
        timeout=300,
    )


def test_init_db_prints_one_json_line(tmp_path: Path) -> None:
    out = run_cli("init-db", env={"HR_DATABASE_URL": f"sqlite:///{tmp_path / 'x.db'}"})
    assert out.returncode == 0, out.stderr
    lines = out.stdout.strip().splitlines()
    assert len(lines) == 1
    assert "hired_employees" in json.loads(lines[0])["tables"]


def test_unknown_command_exits_2() -> None:
    out = run_cli("frobnicate")
    assert out.returncode == 2
    assert "invalid choice" in out.stderr
    assert out.stdout == ""


def test_bad_database_url_exits_2_without_traceback() -> None:
    out = run_cli("init-db", env={"HR_DATABASE_URL": "mysql://x@localhost/y"})
    assert out.returncode == 2
    assert "unsupported database" in out.stderr
    assert "Traceback" not in out.stderr


def test_unreachable_database_exits_1() -> None:
    out = run_cli("check", env={"HR_DATABASE_URL": "postgresql://nobody@127.0.0.1:1/none"})
    assert out.returncode == 1
    assert "cannot reach the database" in out.stderr
    assert "Traceback" not in out.stderr


def test_load_modes_on_the_command_line_are_the_cores() -> None:
    from hr_core.cli.ingest_cmds import MODES
    from hr_core.ingest import LoadMode

    assert tuple(m.value for m in LoadMode) == MODES
    out = run_cli("load", "departments", "departments.csv", "--mode", "replace")
    assert out.returncode == 2
    assert "invalid choice: 'replace'" in out.stderr and "add-only" in out.stderr
    assert out.stdout == ""
