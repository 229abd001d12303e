"""Loading 1,000,000 hired_employees rows: our validated upsert vs a raw COPY of the same file."""

from __future__ import annotations

import json
import random
import time
from pathlib import Path

from bench.common import BenchContext, Figure, run_measured

ROWS = 1_000_000
_FIRST = [
    "Ana",
    "Bruno",
    "Carla",
    "Diego",
    "Elena",
    "Fabio",
    "Giulia",
    "Hugo",
    "Ines",
    "Jonas",
    "Karin",
    "Lucas",
    "Maria",
    "Nadia",
    "Oscar",
    "Paula",
]
_LAST = [
    "Silva",
    "Santos",
    "Costa",
    "Pereira",
    "Smith",
    "Brown",
    "Taylor",
    "Müller",
    "Rossi",
    "García",
    "Novak",
    "Tanaka",
    "Kim",
    "Nguyen",
    "Okafor",
]


def write_rows(path: Path, rows: int = ROWS, seed: int = 3) -> None:
    """A headerless hired_employees CSV of valid rows (departments 1–12, jobs 1–180, 2019–2023)."""
    rng = random.Random(seed)
    start = 1546300800  # 2019-01-01T00:00:00Z
    with open(path, "w", encoding="utf-8", newline="") as fh:
        for i in range(1, rows + 1):
            at = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(start + rng.randrange(157_766_400)))
            name = f"{_FIRST[i % len(_FIRST)]} {_LAST[(i // 7) % len(_LAST)]}"
            fh.write(f"{i},{name},{at},{rng.randint(1, 12)},{rng.randint(1, 180)}\n")


def _raw_copy_seconds(pg_url: str, path: Path, repeat: int = 2) -> float:
    """Best time of COPY FROM STDIN of the file into a plain table (no keys, no checks)."""
    import psycopg

    plain = pg_url.replace("postgresql+psycopg://", "postgresql://")
    best = float("inf")
    with psycopg.connect(plain, autocommit=True) as conn:
        conn.execute(
            "CREATE TABLE IF NOT EXISTS hired_employees_raw "
            "(id integer, name text, datetime text, department_id integer, job_id integer)"
        )
        for _ in range(repeat):
            conn.execute("TRUNCATE hired_employees_raw")
            start = time.perf_counter()
            with (
                conn.cursor() as cur,
                cur.copy("COPY hired_employees_raw FROM STDIN (FORMAT csv)") as copy,
                open(path, "rb") as fh,
            ):
                while chunk := fh.read(1 << 20):
                    copy.write(chunk)
            best = min(best, time.perf_counter() - start)
        conn.execute("DROP TABLE hired_employees_raw")
    return best


_CHILD = """
import json, time
from pathlib import Path
from hr_core.access import CLI_ACTOR
from hr_core.db import init_db, make_engine
from hr_core.demo import DEPARTMENTS, list_jobs
from hr_core.ingest import load_table

engine = make_engine({url!r})
init_db(engine)
refs = Path({work!r})
(refs / "departments.csv").write_text("".join(f"{{i}},{{d}}\\n" for i, d in enumerate(DEPARTMENTS, 1)))
(refs / "jobs.csv").write_text("".join(f"{{i}},{{j}}\\n" for i, j in enumerate(list_jobs(), 1)))
load_table(engine=engine, source=refs / "departments.csv", actor=CLI_ACTOR)
load_table(engine=engine, source=refs / "jobs.csv", actor=CLI_ACTOR)
times = []
for _ in range({runs}):
    start = time.perf_counter()
    result = load_table(engine=engine, source={csv!r}, table="hired_employees", actor=CLI_ACTOR)
    times.append(time.perf_counter() - start)
    print(json.dumps({{"seconds": times[-1], **result.as_dict()}}))
"""


def _measure_load(url: str, csv_path: Path, work: Path, runs: int) -> tuple[list[dict], float]:
    code = _CHILD.format(url=url, csv=str(csv_path), work=str(work), runs=runs)
    _wall, peak_mb, out = run_measured(
        code, env={"HR_STORAGE_URL": f"file://{work / 'storage'}", "HR_UPLOAD_LIMIT_MB": "1000"}
    )
    return [json.loads(line) for line in out.splitlines() if line.startswith("{")], peak_mb


def run(ctx: BenchContext) -> list[Figure]:
    csv_path = ctx.workdir / "hired_employees_1m.csv"
    write_rows(csv_path)
    raw = _raw_copy_seconds(ctx.pg_url, csv_path)
    pg_work = ctx.workdir / "pg"
    pg_work.mkdir()
    # First run inserts every row; the second finds them all unchanged.
    pg_runs, pg_peak = _measure_load(ctx.pg_url, csv_path, pg_work, runs=2)
    assert pg_runs[0]["inserted"] == ROWS and pg_runs[1]["unchanged"] == ROWS, pg_runs
    lite_work = ctx.workdir / "sqlite"
    lite_work.mkdir()
    lite_runs, lite_peak = _measure_load(f"sqlite:///{lite_work / 'bench.db'}", csv_path, lite_work, runs=1)
    assert lite_runs[0]["inserted"] == ROWS, lite_runs
    return [
        Figure(
            "ingest: 1M rows CSV -> PostgreSQL load_table vs raw COPY", pg_runs[0]["seconds"], "s", raw, 2.0
        ),
        Figure("ingest: peak RSS of that PostgreSQL load (child process)", pg_peak, "MB", None, 500.0),
        Figure("ingest: reload of the same 1M rows (all unchanged), PG", pg_runs[1]["seconds"], "s", raw),
        Figure(
            "ingest: 1M rows CSV -> SQLite load_table (info)",
            lite_runs[0]["seconds"],
            "s",
            extra={"peak_rss_mb": lite_peak},
        ),
    ]
