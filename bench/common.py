"""Shared benchmark plumbing: a PostgreSQL database, timers, peak-memory probes, figures."""

from __future__ import annotations

import os
import subprocess
import sys
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, create_engine, text

PG_ADMIN_URL = os.environ.get("HR_TEST_PG_ADMIN_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/postgres")
HIRES_SPAN_SECONDS = 4 * 365 * 86400  # hires spread over 2018-2021
# Deterministic rows: 12 departments, 183 jobs, hires spread by a multiplicative hash over four years.
HIRES_FILL = {
    "postgresql": [
        "INSERT INTO departments (id, department) SELECT g, 'Department ' || g FROM generate_series(1, 12) g",
        "INSERT INTO jobs (id, job) SELECT g, 'Job ' || g FROM generate_series(1, 183) g",
        "INSERT INTO hired_employees (id, name, hired_at, department_id, job_id) "
        "SELECT g, 'Employee ' || g, "
        "TIMESTAMPTZ '2018-01-01 00:00:00+00' + ((g::bigint * 7919) % :span) * INTERVAL '1 second', "
        "1 + (g * 31) % 12, 1 + (g * 17) % 183 FROM generate_series(1, :rows) g",
        "ANALYZE",
    ],
    "sqlite": [
        "WITH RECURSIVE g(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM g WHERE x < 12) "
        "INSERT INTO departments (id, department) SELECT x, 'Department ' || x FROM g",
        "WITH RECURSIVE g(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM g WHERE x < 183) "
        "INSERT INTO jobs (id, job) SELECT x, 'Job ' || x FROM g",
        "WITH RECURSIVE g(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM g WHERE x < :rows) "
        "INSERT INTO hired_employees (id, name, hired_at, department_id, job_id) "
        "SELECT x, 'Employee ' || x, "
        "datetime('2018-01-01 00:00:00', '+' || ((x * 7919) % :span) || ' seconds') || '.000000', "
        "1 + (x * 31) % 12, 1 + (x * 17) % 183 FROM g",
        "ANALYZE",
    ],
}


def fill_hires(engine: Engine, rows: int) -> None:
    """Fill an empty migrated database (PostgreSQL or SQLite) with the deterministic departments, jobs and hires."""
    with engine.begin() as conn:
        for sql in HIRES_FILL[engine.dialect.name]:
            params = {k: v for k, v in {"rows": rows, "span": HIRES_SPAN_SECONDS}.items() if f":{k}" in sql}
            conn.execute(text(sql), params)


@dataclass
class Figure:
    """One measured figure; ratio = value / baseline (both in the same unit, same run)."""

    name: str
    value: float
    unit: str
    baseline: float | None = None
    target: float | None = None  # the ratio (or, with no baseline, the value) must not exceed it
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def ratio(self) -> float | None:
        return self.value / self.baseline if self.baseline else None

    @property
    def ok(self) -> bool | None:
        if self.target is None:
            return None
        measured = self.ratio if self.ratio is not None else self.value
        return measured <= self.target

    def row(self) -> str:
        base = f"{self.baseline:.3f}" if self.baseline is not None else "-"
        ratio = f"{self.ratio:.2f}x" if self.ratio is not None else "-"
        target = f"{self.target:g}" + ("x" if self.baseline else "") if self.target is not None else "-"
        ok = {True: "yes", False: "NO", None: ""}[self.ok]
        return f"{self.name:52} {self.value:>9.3f} {self.unit:2} {base:>12} {ratio:>7} {target:>10}  {ok}"

    def as_dict(self) -> dict[str, Any]:
        return {**asdict(self), "ratio": self.ratio, "ok": self.ok}


@dataclass
class BenchContext:
    """What benchmarks share: a scratch folder and a fresh PostgreSQL database."""

    workdir: Path
    pg_url: str

    @classmethod
    @contextmanager
    def create(cls) -> Iterator[BenchContext]:
        import tempfile

        name = f"hr_bench_{uuid.uuid4().hex[:8]}"
        admin = create_engine(PG_ADMIN_URL, isolation_level="AUTOCOMMIT")
        with admin.connect() as conn:
            conn.execute(text(f'CREATE DATABASE "{name}"'))
        try:
            with tempfile.TemporaryDirectory(prefix="hr-bench-") as tmp:
                yield cls(Path(tmp), PG_ADMIN_URL.rsplit("/", 1)[0] + f"/{name}")
        finally:
            with admin.connect() as conn:
                conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
            admin.dispose()


def timed(fn: Callable[[], Any], repeat: int = 1) -> tuple[float, Any]:
    """Best wall time of repeat runs, and the last result."""
    best = float("inf")
    result = None
    for _ in range(repeat):
        start = time.perf_counter()
        result = fn()
        best = min(best, time.perf_counter() - start)
    return best, result


def run_measured(code: str, env: dict[str, str] | None = None) -> tuple[float, float, str]:
    """Run python code in a child process: (wall seconds, peak RSS in MB, stdout)."""
    # VmHWM is this process's own peak; ru_maxrss would carry the parent's peak across exec.
    trailer = (
        "\nimport sys as _s\n"
        "_hwm = [l.split()[1] for l in open('/proc/self/status') if l.startswith('VmHWM')][0]\n"
        "print('__PEAK_KB__', _hwm, file=_s.stderr)\n"
    )
    start = time.perf_counter()
    out = subprocess.run(
        [sys.executable, "-c", code + trailer],
        capture_output=True,
        text=True,
        env={**os.environ, **(env or {})},
    )
    wall = time.perf_counter() - start
    if out.returncode != 0:
        raise RuntimeError(out.stderr[-3000:])
    peak_kb = [line.split()[1] for line in out.stderr.splitlines() if line.startswith("__PEAK_KB__")]
    return wall, int(peak_kb[-1]) / 1024, out.stdout


def psql_time(pg_url: str, sql: str, repeat: int = 3) -> float:
    """Best time of running sql through psql (server round trip included, output discarded)."""
    plain = pg_url.replace("postgresql+psycopg://", "postgresql://")
    best = float("inf")
    for _ in range(repeat):
        start = time.perf_counter()
        subprocess.run(["psql", plain, "-q", "-o", "/dev/null", "-c", sql], check=True)
        best = min(best, time.perf_counter() - start)
    return best
