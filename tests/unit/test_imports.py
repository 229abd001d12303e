"""hr_core stays UI-free and light to start."""

import os
import subprocess
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]


def test_hr_core_never_imports_streamlit() -> None:
    code = (
        "import sys, pkgutil, importlib, hr_core\n"
        "for m in pkgutil.walk_packages(hr_core.__path__, 'hr_core.'):\n"
        # migrations.env is Alembic's script: it runs only inside an Alembic command.
        "    if not m.name.endswith(('__main__', '.migrations.env')): importlib.import_module(m.name)\n"
        "assert 'streamlit' not in sys.modules, 'hr_core imported streamlit'\n"
        "assert 'fastapi' not in sys.modules and 'hr_api' not in sys.modules, 'hr_core imported the HTTP face'\n"
        "print('ok')\n"
    )
    out = subprocess.run([sys.executable, "-c", code], cwd=REPO, capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == "ok"


def test_cli_help_does_not_import_heavy_libraries() -> None:
    code = (
        "import sys\n"
        "from hr_core.cli import build_parser\n"
        "build_parser()\n"
        "heavy = [m for m in ('torch', 'sentence_transformers', 'evidently', 'streamlit', 'sklearn') if m in sys.modules]\n"
        "print(heavy)\n"
    )
    out = subprocess.run([sys.executable, "-c", code], cwd=REPO, capture_output=True, text=True, timeout=60)
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == "[]"


def test_cli_reports_and_checks_do_not_import_pandas_or_alembic(tmp_path: Path) -> None:
    # Start-up cost of the everyday commands (`make bench`: bench_cli); a migrated database needs no Alembic.
    env = {
        **os.environ,
        "HR_DATABASE_URL": f"sqlite:///{tmp_path / 'c.db'}",
        "HR_STORAGE_URL": f"file://{tmp_path}",
    }
    run = [sys.executable, "-m", "hr_core"]
    assert subprocess.run([*run, "init-db"], cwd=REPO, env=env, capture_output=True).returncode == 0
    code = (
        "import sys\n"
        "from hr_core.cli import main\n"
        "for argv in (['check'], ['report', 'hires-by-quarter'], ['users', 'list'], ['backups']):\n"
        "    assert main(argv) == 0, argv\n"
        "print(sorted(m for m in ('pandas', 'alembic', 'torch', 'sklearn') if m in sys.modules), file=sys.stderr)\n"
    )
    out = subprocess.run([sys.executable, "-c", code], cwd=REPO, env=env, capture_output=True, text=True)
    assert out.returncode == 0, out.stderr
    assert out.stderr.strip() == "[]"


def test_cli_help_runs() -> None:
    start = time.perf_counter()
    out = subprocess.run(
        [sys.executable, "-m", "hr_core", "--help"], cwd=REPO, capture_output=True, text=True
    )
    assert out.returncode == 0
    assert "init-db" in out.stdout
    assert time.perf_counter() - start < 30  # a sanity bound only; speed is measured in make bench
