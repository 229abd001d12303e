"""Background ML work for `make run`, started beside the app: embedding indexes, match model, drift report.

Waits until the app answers (so the first page is not slowed down), then runs the core's command line:
`build-index --progress` (only new or changed texts are encoded; its progress lines go to the
terminal and to the status record that Home and Recommendations show), then, while no model version is
promoted in storage (`model-versions list`), `train-match` (the first version is promoted at once), and the
first drift report. Until then the pages say what is missing (no error). A failure is
printed and leaves the app running.
"""

from __future__ import annotations

import argparse
import json
import os
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
DRIFT_REPORT = REPO / "data" / "drift_report.html"


def wait_for(url: str, timeout: float) -> bool:
    """True once url answers 200, False after timeout seconds."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(url, timeout=2) as response:  # noqa: S310 - our own local app
                if response.status == 200:
                    return True
        except (urllib.error.URLError, OSError):
            pass
        time.sleep(0.5)
    return False


def hr(*args: str) -> dict | None:
    """Run `python -m hr_core ARGS` with its stderr on the terminal; its JSON result, or None on failure."""
    child = subprocess.Popen(
        [sys.executable, "-m", "hr_core", *args],
        cwd=REPO,
        stdout=subprocess.PIPE,
        text=True,
        env={**os.environ, "HF_HUB_OFFLINE": "1", "TRANSFORMERS_OFFLINE": "1"},
    )

    def stop(signum: int, _frame: object) -> None:
        child.terminate()
        raise SystemExit(128 + signum)

    signal.signal(signal.SIGTERM, stop)
    stdout, _ = child.communicate()
    out = subprocess.CompletedProcess(child.args, child.returncode, stdout)
    if out.returncode != 0:
        print(
            f"[models] `python -m hr_core {' '.join(args)}` failed (exit {out.returncode}); the app keeps running"
        )
        return None
    result = json.loads(out.stdout) if out.stdout.strip() else None
    return result if isinstance(result, dict) else None


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--wait", help="URL to wait for before starting (the app's health check)")
    args = parser.parse_args()
    if args.wait and not wait_for(args.wait, timeout=180):
        print(f"[models] {args.wait} did not answer; building the indexes anyway", flush=True)
    start = time.monotonic()
    print(
        "[index] building the recommendation indexes in the background (pages show the progress)", flush=True
    )
    result = hr("build-index", "--progress")
    if result is not None:
        print(
            f"[index] done in {time.monotonic() - start:.0f} s: {result.get('vagas')} openings, "
            f"{result.get('candidates')} candidates ({result.get('encoded')} texts encoded, "
            f"{result.get('reused')} unchanged)",
            flush=True,
        )
    listed = hr("model-versions", "list")
    if listed is not None and listed.get("promoted") is None:
        print("[model] training the match model", flush=True)
        start = time.monotonic()
        trained = hr("train-match")
        if trained is not None:
            print(
                f"[model] done in {time.monotonic() - start:.0f} s: ROC AUC {trained.get('roc_auc')}",
                flush=True,
            )
    if not DRIFT_REPORT.exists():
        print("[drift] writing the first drift report", flush=True)
        if hr("drift-report", "--out", str(DRIFT_REPORT.relative_to(REPO))) is not None:
            print(f"[drift] done: {DRIFT_REPORT.relative_to(REPO)}", flush=True)


if __name__ == "__main__":
    main()
