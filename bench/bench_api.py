"""The HTTP API against the same hr_core calls in-process: batch insert, quarterly report, 20 concurrent clients.

PostgreSQL, one uvicorn worker on loopback. BENCH_API_ROWS (default 1,000,000) hired employees for the
reports; BENCH_API_SECONDS (default 30) of load.
"""

from __future__ import annotations

import asyncio
import io
import json
import os
import statistics
import time
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx
from sqlalchemy import create_engine, text

from bench.common import PG_ADMIN_URL, BenchContext, Figure, fill_hires
from hr_core.access import Actor
from hr_core.analytics import build_report
from hr_core.db import make_engine
from hr_core.ingest import load_batch
from tests.support.api_server import PASSWORD, start_api_server

ROWS = int(os.environ.get("BENCH_API_ROWS", "1000000"))
SECONDS = float(os.environ.get("BENCH_API_SECONDS", "30"))
CLIENTS = 20
REQUESTS = 50


def _batch() -> dict[str, Any]:
    rows = [
        {
            "name": f"Bench {i}",
            "datetime": "2021-06-01T12:00:00Z",
            "department_id": 1 + i % 12,
            "job_id": 1 + i % 183,
        }
        for i in range(1000)
    ]
    return {"records": [{"table_name": "employee", "data": rows}]}


def _cpu_seconds(pid: int) -> float:
    """User + system CPU seconds a process has used so far (from /proc), robust to other load."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


class _CpuMeter:
    """Wraps a call and adds up the CPU time it cost in one process (the server's, or this one)."""

    def __init__(self, fn: Callable[[], Any], read: Callable[[], float]) -> None:
        self.fn, self.read, self.total, self.calls = fn, read, 0.0, 0

    def __call__(self) -> None:
        start = self.read()
        self.fn()
        self.total += self.read() - start
        self.calls += 1

    @property
    def per_call_ms(self) -> float:
        return 1000.0 * self.total / max(self.calls, 1)


def _pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def _paired_times(a: Callable[[], Any], b: Callable[[], Any], n: int) -> tuple[list[float], list[float]]:
    """n timings of a and of b, alternating, so both meet the same machine load."""
    out_a: list[float] = []
    out_b: list[float] = []
    for _ in range(n):
        for fn, out in ((a, out_a), (b, out_b)):
            start = time.perf_counter()
            fn()
            out.append(time.perf_counter() - start)
    return out_a, out_b


async def _load(url: str, headers: dict[str, str], seconds: float) -> tuple[int, int, list[float]]:
    """CLIENTS clients, each sending report requests back to back for `seconds`."""
    latencies: list[float] = []
    errors = 0
    paths = ["/api/v1/reports/hires-by-quarter?year=2021", "/api/v1/reports/departments-above-mean?year=2021"]
    deadline = time.perf_counter() + seconds

    async def client(n: int) -> None:
        nonlocal errors
        async with httpx.AsyncClient(base_url=url, headers=headers, timeout=60) as http:
            i = n
            while time.perf_counter() < deadline:
                start = time.perf_counter()
                try:
                    response = await http.get(paths[i % 2])
                    if response.status_code != 200:
                        errors += 1
                except httpx.HTTPError:
                    errors += 1
                latencies.append(time.perf_counter() - start)
                i += 1

    await asyncio.gather(*(client(n) for n in range(CLIENTS)))
    return len(latencies), errors, latencies


def run(ctx: BenchContext) -> list[Figure]:
    name = f"hr_bench_api_{uuid.uuid4().hex[:8]}"
    admin = create_engine(PG_ADMIN_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    url = PG_ADMIN_URL.rsplit("/", 1)[0] + f"/{name}"
    server = None
    try:
        server = start_api_server(ctx.workdir / "api", database_url=url)
        engine = make_engine(url)
        fill_hires(engine, ROWS)
        actor = Actor(username="analyst", role="analyst")
        body = _batch()
        raw = json.dumps(body).encode()
        with httpx.Client(base_url=server.url, timeout=120) as http:
            token = http.post("/api/v1/auth/token", data={"username": "analyst", "password": PASSWORD}).json()
            headers = {"Authorization": f"Bearer {token['access_token']}"}
            http.headers.update(headers)

            def post_batch() -> None:
                # The same bytes the in-process call reads: the client's own JSON encoding is not the API's cost.
                response = http.post(
                    "/api/v1/hr/batch", content=raw, headers={"Content-Type": "application/json"}
                )
                assert response.status_code == 200, response.text

            def report_api() -> None:
                assert http.get("/api/v1/reports/hires-by-quarter?year=2021").status_code == 200

            post_batch()  # warm up both paths
            report_api()
            pid = server.proc.pid
            meters = {
                "batch": (
                    _CpuMeter(post_batch, lambda: _cpu_seconds(pid)),
                    _CpuMeter(
                        lambda: load_batch(
                            engine=engine, source=io.BytesIO(raw), filename="b.json", actor=actor
                        ),
                        time.process_time,
                    ),
                ),
                "report": (
                    _CpuMeter(report_api, lambda: _cpu_seconds(pid)),
                    _CpuMeter(
                        lambda: build_report(
                            engine=engine, actor=actor, report="hires-by-quarter", year=2021
                        ),
                        time.process_time,
                    ),
                ),
            }
            api_batch, core_batch = _paired_times(*meters["batch"], REQUESTS)
            api_report, core_report = _paired_times(*meters["report"], 20)
        count, errors, latencies = asyncio.run(_load(server.url, headers, SECONDS))
        engine.dispose()
    finally:
        if server is not None:
            server.stop()
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()

    ms = 1000.0
    figures = []
    for label, api, core in (
        ("1,000-row batch", api_batch, core_batch),
        ("quarterly report", api_report, core_report),
    ):
        for q, tag in ((0.5, "p50"), (0.95, "p95")):
            figures.append(
                Figure(
                    f"api {label} {tag} (vs in-process)",
                    _pct(api, q) * ms,
                    "ms",
                    baseline=_pct(core, q) * ms,
                    extra={"rows": ROWS, "overhead_ms": (_pct(api, q) - _pct(core, q)) * ms},
                )
            )
        overhead = (_pct(api, 0.95) - _pct(core, 0.95)) * ms
        figures.append(Figure(f"api {label} p95 overhead", overhead, "ms", target=10.0, extra={"rows": ROWS}))
        paired = statistics.median(a - c for a, c in zip(api, core, strict=True)) * ms
        figures.append(
            Figure(f"api {label} median paired overhead (info)", paired, "ms", extra={"rows": ROWS})
        )
    # CPU time is what the machine's other load does not inflate: the server process's CPU per request
    # against this process's CPU for the same in-process call (the database's own work is in neither).
    for label, (api_meter, core_meter) in (
        ("1,000-row batch", meters["batch"]),
        ("quarterly report", meters["report"]),
    ):
        figures.append(
            Figure(
                f"api {label} server CPU per request (vs in-process CPU)",
                api_meter.per_call_ms,
                "ms",
                baseline=core_meter.per_call_ms,
                extra={"cpu_overhead_ms": api_meter.per_call_ms - core_meter.per_call_ms},
            )
        )
    figures += [
        Figure(
            f"api {CLIENTS} clients reports req/s",
            count / SECONDS,
            "/s",
            extra={"rows": ROWS, "seconds": SECONDS},
        ),
        Figure(
            f"api {CLIENTS} clients reports p95",
            _pct(latencies, 0.95) * ms,
            "ms",
            extra={"median_ms": statistics.median(latencies) * ms},
        ),
        Figure(f"api {CLIENTS} clients errors", errors, "n", target=0, extra={"requests": count}),
    ]
    return figures
