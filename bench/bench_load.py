"""A team at once (issue #13 point 5): 20 browser sessions of mixed roles on one Streamlit server process.

One server with linked recruiting data, the match model trained and the indexes built before it starts; one user
per session, roles analyst, recruiter, admin in turn. Each session (a context of one headless Chromium) opens the
app, logs in, waits until every session has logged in, then opens Hiring analytics, Candidates and Recommendations
in turn — those of them its role sees, with Home between so a new heading always renders — ROUNDS times.
The baseline is the same work done by one session of each role, one after another, in the same run (after a
warm-up pass of the same kind, so both measure warm caches).

Figures: p95 page ready (target 2 s, and the ratio to the one-session p95), the log-in form's appearance and the
log-in's p95, errors (sessions that failed; target 0), the server's peak RSS (VmHWM; target 1.5 GB). Beside them,
CPU seconds during the log-in phase and the page phase for the server process, the browser (Chromium and
Playwright's driver) and this process, against the wall time and the machine's cores — to tell where log-ins stall.
The server's own side: the p95 of script runs as the tabs saw them (new_session to script_finished: the server's
work plus its queue) and the server's CPU seconds per page open (Home included), beside the one-session figure.

Two runs of SESSIONS sessions on the same server: all clicking as soon as the last page is ready, and with a think
time (seeded uniform THINK_S, per user) before each page open — a team does not click in the same millisecond; the
log-in barrier is kept in both. The contexts are lean (LEAN_ARGS, LEAN_CONTEXT: 800x600, no images, no software
WebGL, reduced motion) to spend less of the 2 cores on painting; BENCH_LOAD_BROWSER=full measures with the browser
tests' flags and a 1440x900 window. The readiness poll asks the page once per 50 ms (one evaluate, not two).

Measured on 30 Nov 2026, 2 cores, nothing else running at the start (load average 0.6 -> 21 during the run):
                                  lean 800x600            full 1440x900 (19:29, load 1.6 -> 20)
  one session, p95 page ready      0.59 s                  0.65 s
  20 at once, p95 page ready      14.8 s (25x)            20.0 s (31x)
  20 thinking, p95 page ready     11.8 s (20x)            19.6 s (30x)
  20 at once, p95 script run       6.4 s (0.47 alone)      9.7 s (0.54 alone)
  failed sessions, peak RSS        0, 402 MB (343 idle)    0, 406 MB (342 idle)
  log-in phase, wall / CPU         43 s: server 9.4 s,     48 s: server 9.6 s,
                                   browser side 69 s       browser side 81 s (GPU/utility 15.8 -> 7.7 lean)
  page phase, wall / CPU           73 s: server 34 s,      92 s: server 33 s, browser side 145 s
                                   browser side 103 s (70 % of both cores; the server 46 % of one core)
  server CPU per page open         0.285 s (0.259 alone)   0.278 s (0.273 alone)
  p95 log-in form / log-in        30.2 s / 8.5 s          36.0 s / 7.6 s  (alone 1.1-1.3 s / 0.4 s)
Lean contexts cut the browsers' CPU by 15 % (log-in) and 29 % (pages) and the page p95 from 20 to 15 s, but the
browsers still take most of the machine, so on these 2 cores the run cannot show the server's own p95.

The server alone, from its CPU per page open (c = 0.26-0.30 s, stable from 1 to 20 sessions): one GIL-bound
Streamlit process serves at most 1/c = 3.5-3.9 page opens a second, whatever machine the browsers run on. 20
sessions clicking together: the last waits about 20 c = 5.2-5.7 s; a closed loop of 20 sessions thinking Z seconds
has a mean response of about 20 c - Z once saturated: 3.5-3.9 s at Z = 1.75 s (THINK_S), and a mean of 2 s only from
Z = 3.6 s (more for a p95). So target 5's 2 s p95 does not hold on one server process at today's per-page cost even
with the browsers elsewhere; it needs c <= 0.1 s (or several server processes). Where c goes (the page scripts
profiled in AppTest, warm, under cProfile, which inflates many small calls): Hiring analytics 0.22 s, 0.16 s of it
writing the Excel file for its download button on every run (Candidates 0.03 s of 0.11 s); Recommendations 0.4-0.5
s; Home 0.04 s; plus the router and Streamlit's own delta and websocket work. Since then the Excel file is built
only when clicked (a callable as download_button's data), but the next run (19:43, load 1.1 -> 21) moved c little:
0.256 s alone, 0.244 s at once, 0.278 s thinking; p95 page ready 15.4 s at once (24x one session's 0.64 s), 12.3 s
thinking; no failures; peak RSS 380 MB. The workbook was a small part of c without the profiler; the rest is spread
over Streamlit's per-run work and the pages' own (not profiled further). Memory holds: 0.4 GB of 1.5 GB.
Profiled further on 30 Nov (22:05, the live server sampled in its own threads, only while running): the script
threads do most of c, Recommendations most of theirs, and half of that was explaining each of the 10 results with
its own prediction and a pandas cell write per feature; they are explained in one prediction since
(match.explain_pairs). The next quiet run (22:47, load 0.2 -> 26, a slower machine than the runs above: one
session's p95 page 0.93 s against 0.59-0.64 s) gave c 0.308 s at once, 0.294 s thinking, 0.327 s alone; p95 page
ready 16.9 s at once (18x), 16.1 s thinking (17x); no failures; peak RSS 371 MB. On this machine an A/B of the
same three sessions (45 opens) moved c from 0.338 to 0.314 s (-7 %), within the noise of one run.
Sampled live with py-spy on 1 Dec (three sessions, 45 opens, warm): 53 % of the server's samples were one line,
Streamlit's gc.collect(2) after every script run (runner.postScriptGC, on by default), which walks every object of a
process holding pandas, scikit-learn, plotly and the encoder. Turned off in .streamlit/config.toml (Python's own
generational collector still runs); the same 45 opens, A/B on one machine: c 0.325 -> 0.114 s; 180 opens 0.261 ->
0.084 s, RSS 353 -> 368 MB without it (337 -> 343 with it); 450 opens 0.073 s, RSS 362 -> 381 MB (growth slowing).
The next full run (1 Dec 03:17, quiet start, load 0.3 -> 25):
  one session, p95 page ready      0.51 s
  20 at once, p95 page ready      10.5 s (20x; was 14.8-16.9 s)     thinking 10.9 s (21x)
  20 at once, p95 script run       4.0 s (0.28 alone)
  server CPU per page open         0.086 s (0.081 alone; was 0.26-0.33 s): 20 opens in the same instant queue
                                   20 c = 1.7 s of server work, inside the 2 s target
  page phase, wall / CPU           59 s: server 10.1 s (9 %), browser side 104 s (88 % of both cores)
  log-in form / log-in p95         37.4 s / 5.5 s (alone 1.5 s / 0.26 s); failed sessions 0; peak RSS 386 MB
The browsers now spend 0.88 CPU-s per page open (104 s over 118 opens) against the server's 0.086 s: 20 opens at
once need about 20 x 0.88 / 2 cores = 8.8 s of the machine for the browsers alone, which is the p95 seen. On these
2 cores the target cannot be shown with the browsers beside the server; the server's side of it holds.
Where the browsers' CPU goes, by page (1 Dec, one lean admin context, each page opened 5 times with Home between,
browser-side CPU per page + Home pair, measured while the test suite ran beside it): Match a CV 0.45 s, Backups
0.48, Upload 0.53, Pipeline 0.65, Audit log 0.68, Candidates 0.70, Users 0.70, Hiring analytics 0.70, Job openings
0.78, Recommendations 0.80, Model monitoring 1.15, Match scoring 1.18 s (server 0.04-0.20 s for the same pairs).
Even the lightest pages cost Chromium about 0.22 CPU-s per open (Streamlit's frontend rendering the run), so 20
opens at once need 20 x 0.22 / 2 cores = 2.2 s of browser work alone: with every page trivial, 20 local browsers
would still miss 2 s on this machine.
The two heaviest pages were then lightened, A/B on a quiet machine with a drift report present (8 pairs each):
Match scoring runs only its open tab (browser 1.76 -> 0.89 CPU-s per pair, server 0.249 -> 0.156 s); Model
monitoring no longer sends and runs the 5 MB Evidently report inside a collapsed expander on every run, but only
when asked for (browser 2.48 -> 1.26 CPU-s, server 0.325 -> 0.114 s).

Earlier runs, before lean contexts, under other work (load average 5-32):
- run A (load 10 -> 21): log-in phase 223 s wall; CPU: server 18 s, browser side 208 s. Log-in form p95 146 s,
  log-in p95 42 s; 3 of 20 sessions failed (a page not finished within 120 s).
- run B (load 7 -> 30): log-in phase 99 s wall; CPU: server 16 s (16 % of one core), browser side 135 s (68 % of
  both cores): page renderers 59 s, GPU/utility processes (software compositing: --disable-gpu) 35 s, the browser
  process 20 s, the browser-UI renderer new headless Chromium starts per context 14 s, Playwright's driver 4 s.
  Log-in form p95 77 s (2.4 s for one session alone), log-in p95 23 s (1.9 s alone); no session failed.
So the server mostly waits while log-ins stall: the stall is the browsers' own CPU, not the server, and not the
cookie component's round trip (a server run like any other, on an idle server). What the app adds to the browsers'
work: every script run rendered streamlit-authenticator's CookieManager, a component iframe with its own React bundle
(gone since: the page sets the session cookie with a few lines of script and the server reads it from the
connection, see bench_pages), and every session loads Streamlit's frontend. The per-part CPU split holds for the log-in phase only (in the page
phase closed contexts' renderers are counted under the zygote). To measure the app rather than Chromium, drive the
sessions from another machine, or read the ratio to the one-session baseline of the same run.
"""

from __future__ import annotations

import asyncio
import os
import random
import subprocess
import sys
import time
from dataclasses import dataclass, field
from typing import Any

from bench.common import (
    LOGIN_FORM,
    BenchContext,
    Figure,
    ScriptRuns,
    cpu_seconds,
    descendant_pids,
    load_average,
    log_in,
    nav_links,
    open_page,
    p95,
    peak_rss_mb,
    shown_exception,
    tree_cpu_by_kind,
    wait_ready,
)
from hr_core.access import ROLES
from tests.support.app_server import CHROMIUM, CHROMIUM_ARGS, REPO, AppServer, start_app_server

SESSIONS = 20
ROUNDS = 2
PAGES = ("Hiring analytics", "Candidates", "Recommendations")
HOME = "Home"
PAGE_TARGET_S = 2.0
RSS_TARGET_MB = 1536
PASSWORD = "Load-bench-pass-2026!"
THINK_S = (0.5, 3.0)  # a session's pause before each page open when it thinks (seeded uniform, per user)
# Cheaper contexts of the same real Chromium: a small window, no images, no software WebGL, no motion. The
# app's pages do not depend on any of these; they only cut the browsers' own painting work.
LEAN_ARGS = [
    *CHROMIUM_ARGS,
    "--disable-software-rasterizer",
    "--disable-extensions",
    "--disable-dev-shm-usage",
    "--blink-settings=imagesEnabled=false",
]
LEAN_CONTEXT: dict[str, Any] = {"viewport": {"width": 800, "height": 600}, "reduced_motion": "reduce"}
FULL_CONTEXT: dict[str, Any] = {"viewport": {"width": 1440, "height": 900}}
# BENCH_LOAD_BROWSER=full measures with the browser tests' Chromium and a 1440x900 window (the "before").
LEAN = os.environ.get("BENCH_LOAD_BROWSER", "lean") != "full"


@dataclass
class SessionResult:
    """What one browser session measured."""

    user: str
    form: float | None = None  # from opening the address to the log-in form usable
    login: float | None = None  # from pressing Log in to the menu shown and the run over
    pages: list[float] = field(default_factory=list)  # the wanted pages' ready times
    opens: int = 0  # page opens after log-in, Home included
    # script runs after log-in, new_session to script_finished
    runs: list[float] = field(default_factory=list)
    server_cpu: float = 0.0  # the server CPU seconds over the page opens (its own only when run alone)
    error: str | None = None


def _users(sessions: int) -> list[tuple[str, str]]:
    """(user name, role) per session: roles in turn."""
    return [(f"load-{i:02d}", ROLES[i % len(ROLES)]) for i in range(sessions)]


def _add_users(server: AppServer, users: list[tuple[str, str]]) -> None:
    """Create the sessions' users in one child process (one import of the core, not one per user)."""
    code = (
        "import sys\n"
        "from hr_core.access import CLI_ACTOR\n"
        "from hr_core.auth import create_user\n"
        "from hr_core.cli._common import open_engine\n"
        "engine = open_engine()\n"
        "for line in sys.stdin.read().split():\n"
        "    name, role = line.split(':')\n"
        f"    create_user(engine=engine, actor=CLI_ACTOR, username=name, role=role, password={PASSWORD!r})\n"
    )
    subprocess.run(
        [sys.executable, "-c", code],
        input="\n".join(f"{name}:{role}" for name, role in users),
        text=True,
        env=server.env,
        cwd=REPO,
        check=True,
        capture_output=True,
    )


async def _session(
    browser: Any,
    server: AppServer,
    user: str,
    result: SessionResult,
    logged_in: asyncio.Barrier | None,
    think: random.Random | None = None,
) -> None:
    context = await browser.new_context(**(LEAN_CONTEXT if LEAN else FULL_CONTEXT))
    waited = False
    try:
        page = await context.new_page()
        page.set_default_timeout(120_000)
        runs = ScriptRuns(page)
        try:
            start = time.perf_counter()
            await page.goto(server.url)
            result.form = await wait_ready(page, runs, start, LOGIN_FORM) - start
            result.login = await log_in(page, runs, server.url, user, PASSWORD, navigate=False)
        finally:
            if logged_in is not None:
                waited = True
                await logged_in.wait()
        links = dict(await nav_links(page))
        wanted = [links[title] for title in PAGES if title in links]
        logged_in_runs = len(runs.durations)
        server_cpu = cpu_seconds(server.proc.pid)
        for _ in range(ROUNDS):
            for href in [*wanted, links[HOME]]:
                if think is not None:
                    await asyncio.sleep(think.uniform(*THINK_S))
                seconds = await open_page(page, runs, href)
                result.opens += 1
                if error := await shown_exception(page):
                    raise RuntimeError(f"exception shown: {error}")
                if href != links[HOME]:
                    result.pages.append(seconds)
        result.runs = runs.durations[logged_in_runs:]
        result.server_cpu = cpu_seconds(server.proc.pid) - server_cpu
    except Exception as e:
        result.error = f"{type(e).__name__}: {e}"[:300]
        if logged_in is not None and not waited:
            await logged_in.wait()
    finally:
        await context.close()


def _process_kind(cmdline: str) -> str:
    """Which part of the browser side a process is, from its command line."""
    if "playwright/driver" in cmdline.split(" ", 1)[0]:  # Chromium's profile folder is named playwright_… too
        return "Playwright driver"
    if "--type=renderer" in cmdline:
        # new headless Chromium opens a window, with its own browser-UI renderer, per context
        return (
            "Chromium browser-UI renderers" if "--top-chrome-webui" in cmdline else "Chromium page renderers"
        )
    if "--type=zygote" in cmdline:
        return "Chromium closed renderers"  # the zygote reaps renderers of closed contexts
    if "--type=" in cmdline:
        return "Chromium GPU and utility"
    return "Chromium browser process"


@dataclass
class Phase:
    """Wall seconds of one phase and CPU seconds per side: the server process, this process, browser parts."""

    wall: float
    cpu: dict[str, float]


class CpuProbe:
    """CPU seconds used so far by the server, this process and each part of the browser side."""

    def __init__(self, server: AppServer) -> None:
        self.server = server

    def sample(self) -> Phase:
        skip = {self.server.proc.pid, *descendant_pids(self.server.proc.pid)}
        own = os.times()
        return Phase(
            wall=time.perf_counter(),
            cpu={
                "server": cpu_seconds(self.server.proc.pid),
                "bench": own.user + own.system,
                **tree_cpu_by_kind(os.getpid(), _process_kind, skip=skip),
            },
        )

    @staticmethod
    def delta(before: Phase, after: Phase) -> Phase:
        kinds = set(before.cpu) | set(after.cpu)
        return Phase(
            after.wall - before.wall,
            {k: after.cpu.get(k, 0.0) - before.cpu.get(k, 0.0) for k in sorted(kinds)},
        )


async def _drive(
    server: AppServer, users: list[tuple[str, str]], *, together: bool, think: bool = False
) -> tuple[list[SessionResult], dict[str, Phase]]:
    """Run the users' sessions all at once (together) or one after another; CPU per phase when together.
    With think, each session pauses a seeded random THINK_S before each page open."""
    from playwright.async_api import async_playwright

    results = [SessionResult(user) for user, _ in users]
    phases: dict[str, Phase] = {}
    async with async_playwright() as p:
        browser = await p.chromium.launch(executable_path=CHROMIUM, args=LEAN_ARGS if LEAN else CHROMIUM_ARGS)
        probe = CpuProbe(server)
        if together:
            barrier = asyncio.Barrier(len(users) + 1)
            start = probe.sample()
            tasks = [
                asyncio.create_task(
                    _session(browser, server, user, result, barrier, random.Random(user) if think else None)
                )
                for (user, _), result in zip(users, results, strict=True)
            ]
            await barrier.wait()
            logged_in = probe.sample()
            await asyncio.gather(*tasks)
            done = probe.sample()
            phases = {"log-in": probe.delta(start, logged_in), "pages": probe.delta(logged_in, done)}
        else:
            for (user, _), result in zip(users, results, strict=True):
                await _session(browser, server, user, result, None)
        await browser.close()
    return results, phases


def _cpu_parts(name: str, phase: Phase) -> list[tuple[str, float]]:
    """CPU seconds of a phase by side: per browser part only while every context is open (in the page
    phase closed renderers move to the zygote's count, so the parts' deltas go negative), then the sum."""
    browser = sum(v for k, v in phase.cpu.items() if k not in ("server", "bench"))
    parts = list(phase.cpu.items()) if name == "log-in" else [(k, phase.cpu[k]) for k in ("server", "bench")]
    return [*parts, ("browser side in all", browser)]


def _cpu_figures(phases: dict[str, Phase], label: str) -> list[Figure]:
    cores = os.cpu_count() or 1
    figures = []
    for name, phase in phases.items():
        for side, used in _cpu_parts(name, phase):
            figures.append(
                Figure(
                    f"load{label}: CPU {name}: {side}",
                    used,
                    "s",
                    extra={"wall_s": phase.wall, "share_of_machine": used / (phase.wall * cores)},
                )
            )
    return figures


def _report(label: str, loaded: list[SessionResult], phases: dict[str, Phase]) -> None:
    for name, phase in phases.items():
        used = ", ".join(f"{k} {v:.1f}" for k, v in _cpu_parts(name, phase))
        print(f"   {label} {name}: {phase.wall:.1f} s wall; CPU s: {used}", file=sys.stderr, flush=True)
    for r in loaded:
        if r.error:
            print(f"   {label} session {r.user} failed: {r.error}", file=sys.stderr, flush=True)


def _figures(
    label: str, single: list[SessionResult], loaded: list[SessionResult], phases: dict[str, Phase]
) -> list[Figure]:
    """The page figures of one run of SESSIONS sessions, the one-session baseline beside them."""
    single_pages = [t for r in single for t in r.pages]
    loaded_pages = [t for r in loaded for t in r.pages]
    runs = [t for r in loaded for t in r.runs]
    single_runs = [t for r in single for t in r.runs]
    opens = sum(r.opens for r in loaded)
    server_cpu = phases["pages"].cpu["server"]
    per_open = server_cpu / opens if opens else float("nan")
    single_opens = sum(r.opens for r in single)
    single_per_open = sum(r.server_cpu for r in single) / single_opens if single_opens else float("nan")
    return [
        Figure(
            f"load{label}: p95 page ready, {SESSIONS} mixed sessions",
            p95(loaded_pages),
            "s",
            baseline=p95(single_pages),
            limit=PAGE_TARGET_S,
            extra={"pages": len(loaded_pages), "max": max(loaded_pages), "load": load_average()},
        ),
        Figure(
            f"load{label}: failed sessions of {SESSIONS}",
            float(sum(1 for r in loaded if r.error)),
            "n",
            target=0,
        ),
        # The server's side alone: a script run's length as the tab saw it (server work plus queueing for the
        # GIL and the event loop), and the server's CPU per page open (Home included) in the page phase.
        Figure(
            f"load{label}: p95 script run, {SESSIONS} sessions",
            p95(runs),
            "s",
            baseline=p95(single_runs),
            extra={"runs": len(runs), "median": sorted(runs)[len(runs) // 2]},
        ),
        Figure(
            f"load{label}: server CPU per page open",
            per_open,
            "s",
            baseline=single_per_open,
            extra={
                "opens": opens,
                "server_cpu_s": server_cpu,
                # all SESSIONS clicking in the same instant on a GIL-bound process: the last one waits this long
                "all_at_once_queue_s": per_open * SESSIONS,
            },
        ),
        *_cpu_figures(phases, label),
    ]


def run(ctx: BenchContext) -> list[Figure]:
    print(f"   start: {load_average()}; browser {'lean' if LEAN else 'full'}", file=sys.stderr, flush=True)
    server = start_app_server(ctx.workdir / "load", linked_recruiting=True, train_match=True)
    try:
        users = _users(SESSIONS)
        _add_users(server, users)
        one_each = users[: len(ROLES)]
        asyncio.run(_drive(server, one_each, together=False))  # warm caches and imports once
        idle_rss = server.rss_mb()
        single, _ = asyncio.run(_drive(server, one_each, together=False))
        loaded, phases = asyncio.run(_drive(server, users, together=True))
        print(f"   after the run without think time: {load_average()}", file=sys.stderr, flush=True)
        thinking, think_phases = asyncio.run(_drive(server, users, together=True, think=True))
        peak = peak_rss_mb(server.proc.pid)
    finally:
        server.stop()
    print(f"   end: {load_average()}", file=sys.stderr, flush=True)
    _report("at once", loaded, phases)
    _report("thinking", thinking, think_phases)
    for r in single:
        if r.error:
            print(f"   single session {r.user} failed: {r.error}", file=sys.stderr, flush=True)
    single_logins = [r.login for r in single if r.login is not None]
    loaded_logins = [r.login for r in loaded if r.login is not None]
    single_forms = [r.form for r in single if r.form is not None]
    loaded_forms = [r.form for r in loaded if r.form is not None]
    return [
        *_figures("", single, loaded, phases),
        *_figures(f" (think {THINK_S[0]:g}-{THINK_S[1]:g} s)", single, thinking, think_phases),
        Figure(
            f"load: p95 log-in form shown, {SESSIONS} sessions",
            p95(loaded_forms),
            "s",
            baseline=p95(single_forms),
            extra={"max": max(loaded_forms)},
        ),
        Figure(
            f"load: p95 log-in, {SESSIONS} sessions",
            p95(loaded_logins),
            "s",
            baseline=p95(single_logins),
            extra={"completed": len(loaded_logins), "max": max(loaded_logins)},
        ),
        Figure(
            f"load: server peak RSS, {SESSIONS} sessions",
            peak,
            "MB",
            baseline=idle_rss,
            limit=RSS_TARGET_MB,
        ),
    ]
