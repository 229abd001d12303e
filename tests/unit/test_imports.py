"""hr_core stays UI-free and light to start."""

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


def test_cli_help_runs() -> None:
    start = time.perf_counter()
    out = subprocess.run(
        [sys.executable, "-m", "hr_core", "--help"], cwd=REPO, capture_output=True, text=True
    )
    assert out.returncode == 0
    assert "init-db" in out.stdout
    assert time.perf_counter() - start < 30  # a sanity bound only; speed is measured in make bench
