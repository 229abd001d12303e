"""Cold start of non-ML commands: `python -m hr_core --help`, `check` and a report, vs a bare interpreter."""

from __future__ import annotations

import os
import subprocess
import sys
import time

from bench.common import BenchContext, Figure

REPEAT = 5


def _best(args: list[str], env: dict[str, str]) -> float:
    best = float("inf")
    for _ in range(REPEAT):
        start = time.perf_counter()
        subprocess.run(args, env=env, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        best = min(best, time.perf_counter() - start)
    return best


def run(ctx: BenchContext) -> list[Figure]:
    db = ctx.workdir / "cli.db"
    env = {
        **os.environ,
        "HR_DATABASE_URL": f"sqlite:///{db}",
        "HR_STORAGE_URL": f"file://{ctx.workdir / 's'}",
    }
    subprocess.run(
        [sys.executable, "-m", "hr_core", "init-db"], env=env, check=True, stdout=subprocess.DEVNULL
    )
    bare = _best([sys.executable, "-c", "pass"], env)
    figures = []
    for label, args in (
        ("--help", ["--help"]),
        ("check", ["check"]),
        ("report hires-by-quarter", ["report", "hires-by-quarter", "--year", "2021"]),
    ):
        seconds = _best([sys.executable, "-m", "hr_core", *args], env)
        figures.append(Figure(f"cli: `python -m hr_core {label}` start, s", seconds, "s", None, 1.0))
        figures.append(Figure(f"cli: `{label}` vs a bare interpreter", seconds, "s", bare))
    return figures
