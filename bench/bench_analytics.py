"""Hiring reports at 1,000,000 hired_employees rows: hr_core vs the same SQL through psql (and SQLite)."""

from __future__ import annotations

import os
import re
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from bench.common import BenchContext, Figure, fill_hires, psql_time, timed
from hr_core import analytics
from hr_core.db import init_db, make_engine
from hr_core.sqlfiles import get_query
from tests.support.app_server import launched_chromium, wait_healthy
from tests.support.s3server import free_port

ROWS = 1_000_000
YEAR = 2021
REPORTS = {
    "hires_by_quarter": ("get_hires_by_quarter", analytics.get_hires_by_quarter),
    "departments_above_mean": ("list_departments_above_mean", analytics.list_departments_above_mean),
}


def _literal_sql(name: str, bounds: dict[str, Any]) -> str:
    """The PostgreSQL text of a report with its bound instants written in as literals (for psql)."""
    sql = get_query(name, "postgresql").text
    return re.sub(r"(?<!:):(\w+)", lambda m: f"TIMESTAMPTZ '{bounds[m.group(1)].isoformat()}'", sql)


REPO = Path(__file__).resolve().parent.parent
BENCH_USER, BENCH_PASSWORD = "bench-analyst", "Bench-analytics-pass-2026!"


def _browser_warm_render(pg_url: str) -> list[float]:
    """Seconds from clicking "Hiring analytics" until its table shows, caches warm (real browser)."""
    env = {**os.environ, "HR_DATABASE_URL": pg_url, "HR_ENV": "development"}
    subprocess.run(
        [sys.executable, "-m", "hr_core", "users", "add", BENCH_USER, "--role", "analyst"],
        input=BENCH_PASSWORD + "\n",
        text=True,
        env=env,
        cwd=REPO,
        check=True,
        capture_output=True,
    )
    port = free_port()
    log = Path(tempfile.mkdtemp(prefix="hr-bench-app-")) / "streamlit.log"
    server = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "streamlit",
            "run",
            "Home.py",
            "--server.headless",
            "true",
            "--server.address",
            "127.0.0.1",
            "--server.port",
            str(port),
        ],
        cwd=REPO,
        env=env,
        stdout=log.open("wb"),
        stderr=subprocess.STDOUT,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        wait_healthy(url, server, log)
        with launched_chromium() as browser:
            page = browser.new_page(viewport={"width": 1400, "height": 1000})
            page.goto(url)
            page.get_by_label("User name").fill(BENCH_USER)
            page.get_by_role("textbox", name="Password").fill(BENCH_PASSWORD)
            page.get_by_role("button", name="Log in").click()
            page.get_by_text(f"Welcome, {BENCH_USER}").wait_for(timeout=60_000)
            times = []
            for _ in range(4):  # the first visit fills the caches; the rest are warm
                page.get_by_role("link", name="Home").first.click()
                page.get_by_text(f"Welcome, {BENCH_USER}").wait_for(timeout=60_000)
                start = time.perf_counter()
                page.get_by_role("link", name="Hiring analytics").first.click()
                page.locator("[data-testid=stDataFrame]").first.wait_for(timeout=60_000)
                page.wait_for_function(
                    "document.querySelectorAll('[data-testid=stStatusWidget]').length == 0", timeout=60_000
                )
                times.append(time.perf_counter() - start)
        return times
    finally:
        server.terminate()
        server.wait(timeout=30)


def run(ctx: BenchContext) -> list[Figure]:
    figures: list[Figure] = []
    pg = make_engine(ctx.pg_url)
    init_db(pg)
    fill_s, _ = timed(lambda: fill_hires(pg, ROWS))
    bounds = analytics._year_bounds(YEAR, pg)
    for label, (query_name, report) in REPORTS.items():
        report(engine=pg, year=YEAR)  # warm the pool and the server's cache
        seconds, df = timed(lambda report=report: report(engine=pg, year=YEAR), repeat=5)
        baseline = psql_time(ctx.pg_url, _literal_sql(query_name, bounds), repeat=5)
        extra = {"rows_out": len(df), "rows_in": ROWS, "fill_seconds": round(fill_s, 1)}
        figures.append(Figure(f"analytics {label} pg 1M vs psql", seconds, "s", baseline, 1.5, extra))
        figures.append(Figure(f"analytics {label} pg 1M absolute", seconds, "s", None, 1.0))
    years_s, _ = timed(lambda: analytics.list_years(engine=pg), repeat=3)
    figures.append(Figure("analytics list_years pg 1M", years_s, "s"))
    kpi_s, _ = timed(lambda: analytics.get_hiring_kpis(engine=pg, year=YEAR), repeat=3)
    figures.append(Figure("analytics kpis pg 1M", kpi_s, "s"))
    pg.dispose()
    try:
        renders = _browser_warm_render(ctx.pg_url)
        figures.append(
            Figure(
                "analytics page warm render pg 1M (browser)",
                min(renders[1:]),
                "s",
                None,
                2.0,
                {"all_seconds": [round(t, 3) for t in renders]},
            )
        )
    except Exception as e:  # no browser or Playwright here: keep the database figures
        print(f"   browser figure skipped: {type(e).__name__}: {e}", file=sys.stderr)

    sqlite = make_engine(f"sqlite:///{ctx.workdir / 'analytics.db'}")
    init_db(sqlite)
    fill_hires(sqlite, ROWS)
    for label, (_query_name, report) in REPORTS.items():
        report(engine=sqlite, year=YEAR)
        seconds, _ = timed(lambda report=report: report(engine=sqlite, year=YEAR), repeat=3)
        figures.append(Figure(f"analytics {label} sqlite 1M (info)", seconds, "s"))
    sqlite.dispose()
    return figures
