"""Cold start of non-ML commands (help, check, reports, users, backups, jobs) vs a bare interpreter."""

from __future__ import annotations

import os
import resource
import subprocess
import sys
import time

from bench.common import BenchContext, Figure

REPEAT = 5


def _best(args: list[str], env: dict[str, str]) -> tuple[float, float]:
    """Best wall seconds and best CPU seconds (user + system) of REPEAT runs; CPU time does not grow
    when other work shares the machine, wall time does."""
    best, best_cpu = float("inf"), float("inf")
    for _ in range(REPEAT):
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        start = time.perf_counter()
        subprocess.run(args, env=env, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        best = min(best, time.perf_counter() - start)
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        best_cpu = min(best_cpu, after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime)
    return best, best_cpu


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
    bare, bare_cpu = _best([sys.executable, "-c", "pass"], env)
    figures = []
    for label, args in (
        ("--help", ["--help"]),
        ("check", ["check"]),
        ("report hires-by-quarter", ["report", "hires-by-quarter", "--year", "2021"]),
        ("report ... --format csv", ["report", "departments-above-mean", "--format", "csv"]),
        ("users list", ["users", "list"]),
        ("backups", ["backups"]),
        ("jobs list", ["jobs", "list"]),
    ):
        seconds, cpu = _best([sys.executable, "-m", "hr_core", *args], env)
        figures.append(Figure(f"cli: `python -m hr_core {label}` wall, s", seconds, "s", None, 1.0))
        figures.append(
            Figure(f"cli: `{label}` CPU vs a bare interpreter's", cpu, "s", bare_cpu, extra={"cpu_s": cpu})
        )
        figures.append(Figure(f"cli: `{label}` CPU s (target < 1 s)", cpu, "s", None, 1.0))
    return figures
