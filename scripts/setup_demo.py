"""First-run set-up for `make run`: database, demo data and demo users.

Everything a page needs to open is ready when this ends; the slow ML work (embedding indexes, match
model, drift report) runs after the app is up, in scripts/build_models.py. Each step runs the core's own command
line (in this one process, so its libraries are imported once), so `make run` exercises what admins use.
"""

from __future__ import annotations

import contextlib
import io
import json
import os
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
os.chdir(REPO)
sys.path.insert(0, str(REPO))
os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")

from hr_core.cli import main as cli_main  # noqa: E402 - after the path and environment are set

DEMO_DIR = REPO / "data" / "demo"


def hr(*args: str, show: bool = False) -> dict | list | None:
    """Run `python -m hr_core ARGS`; stop set-up with its message if it fails."""
    print(f"[setup] python -m hr_core {' '.join(args)}", end="", flush=True)
    start = time.monotonic()
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        code = cli_main(list(args))
    print(f"  ({time.monotonic() - start:.1f} s)", flush=True)
    if code != 0:
        raise SystemExit(f"[setup] step failed: {' '.join(args)}")
    text = out.getvalue()
    result = json.loads(text) if text.strip() else None
    if show:
        print(json.dumps(result, indent=2, ensure_ascii=False))
    return result


def main() -> None:
    hr("init-db")
    if not (DEMO_DIR / "hired_employees.csv").exists():
        hr("demo", "--out", str(DEMO_DIR))
    hr("load-dir", str(DEMO_DIR))
    hr(
        "import-recruiting",
        "--applicants",
        str(DEMO_DIR / "applicants.json"),
        "--vagas",
        str(DEMO_DIR / "vagas.json"),
        "--prospects",
        str(DEMO_DIR / "prospects.json"),
    )
    create_demo_users()
    print("[setup] done")


DEMO_USERS = (("analyst", "analyst"), ("recruiter", "recruiter"), ("admin", "admin"))


def create_demo_users() -> None:
    """Add the demo users that do not exist yet, each with a random password printed once here."""
    listed = hr("users", "list") or []
    existing = {u["username"] for u in listed if isinstance(u, dict)}
    made = []
    for name, role in DEMO_USERS:
        if name not in existing:
            result = hr("users", "add", name, "--role", role, "--generate")
            assert isinstance(result, dict)
            made.append((name, role, result["password"]))
    if made:
        print("\n[setup] demo users (passwords are shown only now; store them, or reset with")
        print("[setup]   python -m hr_core users reset-password NAME --generate):")
        for name, role, password in made:
            print(f"[setup]   {name:10} {role:10} {password}")
        print()


if __name__ == "__main__":
    main()
