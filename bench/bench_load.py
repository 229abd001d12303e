"""Load: 10 concurrent browser sessions (one chromium, 10 contexts) against one Streamlit server."""

from __future__ import annotations

import asyncio
import statistics
import time
from pathlib import Path
from typing import Any

from bench.common import BenchContext, Figure
from tests.support.app_server import CHROMIUM, CHROMIUM_ARGS, AppServer, start_app_server

SESSIONS = 10
ROUNDS = 1


async def _idle(page: Any, settle: float = 0.4, timeout: float = 120) -> None:
    deadline = time.monotonic() + timeout
    quiet: float | None = None
    while time.monotonic() < deadline:
        if await page.locator('[data-testid="stStatusWidget"], [data-stale="true"]').count():
            quiet = None
        elif quiet is None:
            quiet = time.monotonic()
        elif time.monotonic() - quiet >= settle:
            return
        await asyncio.sleep(0.05)
    raise TimeoutError("page did not finish")


async def _open(page: Any, href: str) -> None:
    """Click the nav link and wait for the page to finish; click again if a busy server dropped it."""
    for _ in range(3):
        await page.locator(f'[data-testid="stSidebarNav"] a[href="{href}"]').click()
        try:
            await page.wait_for_function("u => location.href === u", arg=href, timeout=30_000)
        except Exception:  # noqa: S110 - retried below
            continue
        await _idle(page)
        return
    raise TimeoutError(f"navigation to {href} did not happen")


async def _session(browser: Any, server: AppServer, times: list[float]) -> None:
    """Log in as the analyst, then open each of the role's pages ROUNDS times, timing each."""
    context = await browser.new_context()
    page = await context.new_page()
    page.set_default_timeout(120_000)
    await page.goto(server.url)
    for attempt in range(3):
        await _idle(page)
        await page.get_by_label("User name").fill("e2e-analyst")
        await page.get_by_label("Password", exact=True).fill(server.passwords["analyst"])
        await page.get_by_role("button", name="Log in").click()
        try:
            await page.wait_for_selector('[data-testid="stSidebarNav"]', timeout=60_000)
            break
        except Exception:
            if attempt == 2:
                await page.screenshot(path=str(server.workdir / "login-timeout.png"))
                raise
    await _idle(page)
    hrefs = await page.locator('[data-testid="stSidebarNav"] a').evaluate_all(
        "els => els.map(e => e.getAttribute('href'))"
    )
    for _ in range(ROUNDS):
        for href in [*hrefs[1:], hrefs[0]]:
            start = time.perf_counter()
            await _open(page, href)
            # the settle window is waiting, not work
            times.append(time.perf_counter() - start - 0.4)
            if await page.locator('[data-testid="stException"]').count():
                raise RuntimeError(f"an exception is shown on {href}")
    await context.close()


async def _drive(server: AppServer, sessions: int) -> list[float]:
    from playwright.async_api import async_playwright

    times: list[float] = []
    async with async_playwright() as p:
        browser = await p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        await asyncio.gather(*(_session(browser, server, times) for _ in range(sessions)))
        await browser.close()
    return times


def _p95(values: list[float]) -> float:
    return statistics.quantiles(values, n=20)[-1] if len(values) > 1 else values[0]


def _peak_rss_mb(server: AppServer) -> float:
    for line in Path(f"/proc/{server.proc.pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return server.rss_mb()


def run(ctx: BenchContext) -> list[Figure]:
    server = start_app_server(ctx.workdir / "load")
    try:
        asyncio.run(_drive(server, 1))  # warm caches and imports once
        idle_rss = server.rss_mb()
        single = asyncio.run(_drive(server, 1))
        loaded = asyncio.run(_drive(server, SESSIONS))
        peak = _peak_rss_mb(server)
    finally:
        server.stop()
    return [
        Figure(
            f"load: p95 page time, {SESSIONS} concurrent sessions",
            _p95(loaded),
            "s",
            baseline=_p95(single),
            target=SESSIONS,  # no worse than serving the sessions one after another
            extra={"pages": len(loaded), "median": statistics.median(loaded)},
        ),
        Figure(
            f"load: server peak RSS, {SESSIONS} sessions",
            peak,
            "MB",
            baseline=idle_rss,
            target=3,
        ),
    ]
