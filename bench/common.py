"""Shared benchmark plumbing: a PostgreSQL database, timers, peak-memory probes, figures."""

from __future__ import annotations

import asyncio
import json
import os
import statistics
import subprocess
import sys
import time
import uuid
from collections.abc import Callable, Collection, Iterator
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
    limit: float | None = None  # an absolute bound on the value (its unit), checked beside any ratio target

    @property
    def ratio(self) -> float | None:
        return self.value / self.baseline if self.baseline else None

    @property
    def ok(self) -> bool | None:
        checks = []
        if self.target is not None:
            checks.append((self.ratio if self.ratio is not None else self.value) <= self.target)
        if self.limit is not None:
            checks.append(self.value <= self.limit)
        return all(checks) if checks else None

    def row(self) -> str:
        base = f"{self.baseline:.3f}" if self.baseline is not None else "-"
        ratio = f"{self.ratio:.2f}x" if self.ratio is not None else "-"
        target = f"{self.target:g}" + ("x" if self.baseline else "") if self.target is not None else "-"
        if self.limit is not None:
            target = f"<={self.limit:g}{self.unit}"
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


def make_recruiting_db(folder: Path, database: Path, **demo: Any) -> Engine:
    """A migrated SQLite database at `database` holding generated Decision data (write_recruiting_demo's
    files, written to folder with the given seed and sizes; the demo's own without), imported as a user
    would."""
    from hr_core.access import CLI_ACTOR
    from hr_core.db import init_db, make_engine
    from hr_core.demo.recruiting import write_recruiting_demo
    from hr_core.recruiting.importer import import_recruiting

    write_recruiting_demo(folder, **demo)
    engine = make_engine(f"sqlite:///{database}")
    init_db(engine)
    import_recruiting(
        engine=engine,
        actor=CLI_ACTOR,
        applicants=folder / "applicants.json",
        vagas=folder / "vagas.json",
        prospects=folder / "prospects.json",
    )
    return engine


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


def p95(values: list[float]) -> float:
    """The 95th percentile (inclusive quantiles; the one value when there is one)."""
    return statistics.quantiles(values, n=20, method="inclusive")[-1] if len(values) > 1 else values[0]


def load_average() -> str:
    """The machine's 1/5/15-minute load averages and core count, printed beside noisy timings."""
    one, five, fifteen = os.getloadavg()
    return f"load average {one:.2f} {five:.2f} {fifteen:.2f} on {os.cpu_count()} cores"


def peak_rss_mb(pid: int) -> float:
    """A live process's own peak resident memory (VmHWM), in MB."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    raise RuntimeError(f"no VmHWM for process {pid}")


def _proc_stat(pid: int) -> tuple[int, list[str]] | None:
    """(parent pid, fields after the command name) of a live process, or None if it is gone."""
    try:
        raw = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    fields = raw[raw.rindex(")") + 2 :].split()
    return int(fields[1]), fields


def cpu_seconds(pid: int, *, reaped_children: bool = False) -> float:
    """CPU time (user + system, all threads) a live process used; with reaped_children, also its waited-for children's."""
    stat = _proc_stat(pid)
    if stat is None:
        return 0.0
    fields = stat[1]
    # after the command name: state ppid ... utime(11) stime(12) cutime(13) cstime(14), in clock ticks
    ticks = int(fields[11]) + int(fields[12])
    if reaped_children:
        ticks += int(fields[13]) + int(fields[14])
    return ticks / os.sysconf("SC_CLK_TCK")


def descendant_pids(root: int) -> list[int]:
    """Live processes below root (children, grandchildren, …)."""
    parents: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit() and (stat := _proc_stat(int(entry.name))) is not None:
            parents.setdefault(stat[0], []).append(int(entry.name))
    found, todo = [], [root]
    while todo:
        for child in parents.get(todo.pop(), []):
            found.append(child)
            todo.append(child)
    return found


def tree_cpu_by_kind(
    root: int, kind_of: Callable[[str], str], *, skip: Collection[int] = ()
) -> dict[str, float]:
    """CPU time of root's live descendants (each with its reaped children) summed per kind_of(command line),
    leaving out the skip pids."""
    totals: dict[str, float] = {}
    for pid in descendant_pids(root):
        if pid in skip:
            continue
        try:
            cmdline = Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
        except OSError:
            continue
        kind = kind_of(cmdline)
        totals[kind] = totals.get(kind, 0.0) + cpu_seconds(pid, reaped_children=True)
    return totals


# ---- driving the app in a real browser (Playwright's async API) ----

BUSY = '[data-testid="stStatusWidget"], [data-stale="true"]'
NAV = '[data-testid="stSidebarNav"]'


class ScriptRuns:
    """The server's own word on a browser tab's script runs, read from Streamlit's websocket messages.

    The page alone cannot tell: the "running" status widget shows only 0.5 s into a run, so a page that looks
    quiet may still be computing. A run starts with new_session and ends with script_finished."""

    def __init__(self, page: Any) -> None:
        self.running = False
        self.last_finished = 0.0  # time.perf_counter() of the latest script_finished
        self.started: float | None = None  # time.perf_counter() of the running run's new_session
        # each finished run, new_session to script_finished, as the tab saw it
        self.durations: list[float] = []
        page.on("websocket", lambda ws: ws.on("framereceived", self._on_frame))

    def _on_frame(self, payload: str | bytes) -> None:
        from streamlit.proto.ForwardMsg_pb2 import ForwardMsg

        if isinstance(payload, str):
            return
        msg = ForwardMsg.FromString(payload)
        kind = msg.WhichOneof("type")
        if kind == "new_session":
            self.running = True
            self.started = time.perf_counter()
        elif kind == "session_status_changed":
            self.running = msg.session_status_changed.script_is_running
        elif kind == "script_finished":
            self.running = False
            self.last_finished = time.perf_counter()
            if self.started is not None:
                self.durations.append(self.last_finished - self.started)
                self.started = None


async def wait_ready(
    page: Any,
    runs: ScriptRuns,
    since: float,
    ready: str = "true",
    settle: float = 0.4,
    timeout: float = 120,
) -> float:
    """Wait until a script run finished after `since` (a time.perf_counter()), none is running, the page shows
    no running status or stale element and the JS condition `ready` holds, all for settle seconds; return the
    time at which that began (the settle window is waiting, not work)."""
    deadline = time.monotonic() + timeout
    quiet: float | None = None
    # one round trip to the page per poll (20 sessions poll 400 times a second: the browser's work, not the app's)
    page_quiet = f"!document.querySelector({json.dumps(BUSY)}) && !!({ready})"
    while time.monotonic() < deadline:
        now = time.perf_counter()
        if runs.running or runs.last_finished <= since or not await page.evaluate(page_quiet):
            quiet = None
        elif quiet is None:
            quiet = now
        elif now - max(quiet, runs.last_finished) >= settle:
            return max(quiet, runs.last_finished)
        await asyncio.sleep(0.05)
    raise TimeoutError("the page did not finish")


def heading_changed_from(old: str) -> str:
    """A JS condition: the page's first heading shows and reads differently from old (so a new page rendered)."""
    return f"(() => {{ const h = document.querySelector('h1'); return !!h && h.innerText.trim() !== {json.dumps(old)}; }})()"


async def current_heading(page: Any) -> str:
    return str(await page.evaluate("(() => document.querySelector('h1')?.innerText.trim() ?? '')()"))


async def expand_menu(page: Any) -> None:
    """Show every menu entry: Streamlit folds a long menu behind "View N more"."""
    more = page.locator('[data-testid="stSidebarNavViewButton"]')
    if await more.count() and "more" in await more.inner_text():
        await more.click()


async def nav_links(page: Any) -> list[tuple[str, str]]:
    """(title, href) of every sidebar menu entry, in order (a collapsed menu is expanded first)."""
    await expand_menu(page)
    pairs = await page.locator(f"{NAV} a").evaluate_all(
        "els => els.map(e => [e.innerText.split('\\n').pop().trim(), e.getAttribute('href')])"
    )
    return [(str(t), str(h)) for t, h in pairs]


LOGIN_FORM = "!!document.querySelector('input[type=password]')"


async def log_in(
    page: Any,
    runs: ScriptRuns,
    url: str,
    username: str,
    password: str,
    *,
    navigate: bool = True,
    timeout: float = 120,
) -> float:
    """Open the app (unless already there), log in; seconds from pressing Log in until the sidebar menu shows
    and the run is over."""
    if navigate:
        start = time.perf_counter()
        await page.goto(url)
        await wait_ready(page, runs, start, LOGIN_FORM, timeout=timeout)
    await page.get_by_label("User name").fill(username)
    await page.get_by_label("Password", exact=True).fill(password)
    start = time.perf_counter()
    await page.get_by_role("button", name="Log in").click()
    ready = await wait_ready(page, runs, start, f"!!document.querySelector('{NAV}')", timeout=timeout)
    return ready - start


async def open_page(page: Any, runs: ScriptRuns, href: str, timeout: float = 120) -> float:
    """Click a menu entry; seconds until its address shows, a new heading rendered and the run is over.

    If a busy server dropped the click (the address did not change), click again."""
    old = await current_heading(page)
    start = time.perf_counter()
    for _ in range(3):
        await expand_menu(page)
        await page.locator(f'{NAV} a[href="{href}"]').click()
        try:
            await page.wait_for_function("u => location.href === u", arg=href, timeout=30_000)
        except Exception:  # noqa: S112 - clicked again below
            continue
        ready = await wait_ready(page, runs, start, heading_changed_from(old), timeout=timeout)
        return ready - start
    raise TimeoutError(f"navigation to {href} did not happen")


async def shown_exception(page: Any) -> str | None:
    """The text of an exception box on the page, if Streamlit shows one."""
    shown = page.locator('[data-testid="stException"]')
    return str(await shown.first.inner_text())[:300] if await shown.count() else None
