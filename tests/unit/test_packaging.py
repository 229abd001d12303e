"""`pip install .` gives a working hr_core: every package listed, sql/ and migrations shipped, the CLI script."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tomllib
import zipfile
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]


def test_every_python_package_is_declared() -> None:
    config = tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))
    declared = set(config["tool"]["setuptools"]["packages"])
    found = {
        ".".join(p.parent.relative_to(REPO).parts)
        for top in ("hr_core", "hr_api")
        for p in (REPO / top).rglob("__init__.py")
    }
    assert found <= declared, f"add to pyproject [tool.setuptools] packages: {sorted(found - declared)}"
    assert config["project"]["scripts"]["talentlens"] == "hr_core.cli:main"


def test_installed_wheel_finds_its_sql_and_migrations(tmp_path: Path) -> None:
    wheels, target, src = tmp_path / "wheels", tmp_path / "site", tmp_path / "src"
    # A copy of what the build reads, so setuptools' build/ and egg-info stay out of the checkout.
    src.mkdir()
    for name in ("pyproject.toml", "requirements.txt", "README.md"):
        shutil.copy(REPO / name, src / name)
    for name in ("hr_core", "hr_api", "sql", "locales"):
        shutil.copytree(REPO / name, src / name, ignore=shutil.ignore_patterns("__pycache__"))
    pip = [sys.executable, "-m", "pip", "--disable-pip-version-check", "-q"]
    build = subprocess.run(
        [*pip, "wheel", str(src), "--no-deps", "--no-build-isolation", "-w", str(wheels)],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert build.returncode == 0, build.stderr[-2000:]
    (wheel,) = wheels.glob("talentlens-*.whl")
    names = set(zipfile.ZipFile(wheel).namelist())
    assert {
        "hr_core/sql/analytics.sql",
        "hr_core/sql/sqlite/ingest.sql",
        "hr_core/sql/postgresql/ingest.sql",
    } <= names
    assert "hr_core/migrations/versions/0001_initial_schema.py" in names
    assert "hr_core/migrations/versions/0003_procrastinate_3_10_schema.sql" in names
    subprocess.run(
        [*pip, "install", "--no-deps", "--target", str(target), str(wheel)], check=True, timeout=300
    )

    code = (
        "import hr_core, sys\n"
        "from hr_core.db import init_db, make_engine\n"
        "from hr_core.sqlfiles import SQL_DIR, fetch_one\n"
        f"assert hr_core.__file__.startswith({str(target)!r}), hr_core.__file__\n"
        f"assert str(SQL_DIR).startswith({str(target)!r}), SQL_DIR\n"
        f"engine = make_engine('sqlite:///{tmp_path / 'x.db'}')\n"
        "init_db(engine)\n"
        "print(dict(fetch_one(engine, 'count_hr_rows')))\n"
    )
    env = {**os.environ, "PYTHONPATH": str(target)}
    out = subprocess.run([sys.executable, "-c", code], cwd=tmp_path, env=env, capture_output=True, text=True)
    assert out.returncode == 0, out.stderr[-2000:]
    assert out.stdout.strip() == "{'departments': 0, 'jobs': 0, 'hired_employees': 0}"
    script = subprocess.run(
        [sys.executable, str(target / "bin" / "talentlens"), "--help"],
        env=env,
        capture_output=True,
        text=True,
    )
    assert script.returncode == 0 and "init-db" in script.stdout
