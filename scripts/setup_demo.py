"""First-run set-up for `make run`: database, demo data, demo users and the match model.

Everything a page needs to open is ready when this ends; the slow ML work (embedding indexes, drift
report) runs after the app is up, in scripts/build_models.py. Each step runs the core's own command
line, so `make run` exercises what admins use.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
DEMO_DIR = REPO / "data" / "demo"


def hr(*args: str, show: bool = False) -> dict | list | None:
    """Run `python -m hr_core ARGS`; stop set-up with its message if it fails."""
    print(f"[setup] python -m hr_core {' '.join(args)}", end="", flush=True)
    start = time.monotonic()
    out = subprocess.run(
        [sys.executable, "-m", "hr_core", *args],
        cwd=REPO,
        capture_output=True,
        text=True,
        env={**os.environ, "HF_HUB_OFFLINE": "1", "TRANSFORMERS_OFFLINE": "1"},
    )
    print(f"  ({time.monotonic() - start:.1f} s)", flush=True)
    if out.returncode != 0:
        sys.stderr.write(out.stderr)
        raise SystemExit(f"[setup] step failed: {' '.join(args)}")
    result = json.loads(out.stdout) if out.stdout.strip() else None
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
    hr("train-match")
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
