"""Start `streamlit run Home.py` on a free loopback port against a fresh database with demo data and users."""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from tests.support.s3server import free_port

REPO = Path(__file__).resolve().parents[2]
SHARED_DATA = REPO / "samples"  # public sample files kept in the repository (see samples/README.md)
ROLES = ("analyst", "recruiter", "admin")
# Debian's chromium, driven by Playwright (never `playwright install`: it downloads a browser).
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
ARTIFACTS = REPO / "test-artifacts"  # a failed browser test's screenshot lands here


@contextmanager
def launched_chromium() -> Iterator[Any]:
    """Debian's chromium under Playwright (sync API); a clear failure when it is not installed."""
    from playwright.sync_api import sync_playwright

    if not Path(CHROMIUM).exists():
        raise RuntimeError(f"{CHROMIUM} is missing: apt-get install chromium (.ci/run does it)")
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            yield browser
        finally:
            browser.close()


def browser_fixtures(width: int, height: int) -> tuple[Any, Any]:
    """The `browser` (one Chromium per module) and `page` (a fresh context per test, its screenshot kept
    when the test fails) fixtures of a browser test module: `browser, page = browser_fixtures(w, h)`."""
    import pytest

    @pytest.fixture(scope="module")
    def browser() -> Iterator[Any]:
        try:
            with launched_chromium() as chromium:
                yield chromium
        except RuntimeError as e:
            pytest.fail(str(e), pytrace=False)

    @pytest.fixture
    def page(browser: Any, request: Any) -> Iterator[Any]:
        failed_before = request.session.testsfailed
        failed = lambda: request.session.testsfailed > failed_before  # noqa: E731
        with fresh_tab(browser, request.node.nodeid, failed, width=width, height=height) as tab:
            yield tab

    return browser, page


@contextmanager
def fresh_tab(browser: Any, nodeid: str, failed: Any, *, width: int, height: int) -> Iterator[Any]:
    """A tab in a fresh browser context (no cookies). When failed() is true at the end (the test failed),
    a full-page screenshot named after the test id lands in test-artifacts/."""
    context = browser.new_context(viewport={"width": width, "height": height})
    context.set_default_timeout(60_000)
    tab = context.new_page()
    try:
        yield tab
        if failed():
            ARTIFACTS.mkdir(exist_ok=True)
            name = re.sub(r"[^A-Za-z0-9_.-]+", "_", nodeid)[-150:]
            tab.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)
    finally:
        context.close()


@dataclass
class AppServer:
    """A running Streamlit server, its environment and the demo users' passwords."""

    url: str
    proc: subprocess.Popen[bytes]
    env: dict[str, str]
    workdir: Path
    log: Path
    passwords: dict[str, str] = field(default_factory=dict)

    def hr(self, *args: str, stdin: str | None = None) -> object:
        """Run `python -m hr_core ARGS` against this server's database; return its JSON result."""
        return run_hr(self.env, *args, stdin=stdin)

    def rss_mb(self) -> float:
        """Resident memory of the server process, in MB."""
        for line in Path(f"/proc/{self.proc.pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
        raise RuntimeError("no VmRSS for the server process")

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(timeout=10)


def run_hr(env: dict[str, str], *args: str, stdin: str | None = None) -> object:
    """Run the core's CLI; raise with its stderr if it fails."""
    out = subprocess.run(
        [sys.executable, "-m", "hr_core", *args],
        cwd=REPO,
        env=env,
        input=stdin,
        capture_output=True,
        text=True,
        timeout=600,
    )
    if out.returncode != 0:
        raise RuntimeError(
            f"python -m hr_core {' '.join(args)} failed ({out.returncode}): {out.stderr[-2000:]}"
        )
    return json.loads(out.stdout) if out.stdout.strip() else None


def _load_demo_data(env: dict[str, str], workdir: Path, *, linked_recruiting: bool) -> None:
    """The real Globant CSVs; the real Decision slices, or (linked_recruiting) a small generated set in the
    same format whose prospects link candidates to openings, so a match model can be trained."""
    from hr_core.cli import COMMAND_MODULES

    if "hr_core.cli.ingest_cmds" in COMMAND_MODULES:
        run_hr(env, "load-dir", str(SHARED_DATA / "globant"))
    if "hr_core.cli.recruiting_cmds" in COMMAND_MODULES:
        decision = SHARED_DATA / "decision"
        if linked_recruiting:
            from hr_core.demo.recruiting import write_recruiting_demo

            decision = workdir / "recruiting"
            write_recruiting_demo(decision, seed=7, applicants=240, vagas=60)
        run_hr(
            env,
            "import-recruiting",
            "--applicants",
            str(decision / "applicants.json"),
            "--vagas",
            str(decision / "vagas.json"),
            "--prospects",
            str(decision / "prospects.json"),
        )


def wait_healthy(url: str, proc: subprocess.Popen[bytes], log: Path, timeout: float = 180) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"streamlit exited with {proc.returncode}: {log.read_text()[-3000:]}")
        try:
            with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2) as resp:
                if resp.status == 200:
                    return
        except OSError:
            pass
        time.sleep(0.5)
    raise RuntimeError(
        f"streamlit did not answer /_stcore/health within {timeout} s: {log.read_text()[-3000:]}"
    )


def start_app_server(
    workdir: Path,
    *,
    load_data: bool = True,
    linked_recruiting: bool = False,
    train_match: bool = False,
    extra_env: dict[str, str] | None = None,
) -> AppServer:
    """A fresh SQLite database in workdir, demo data, one user per role (random passwords), the app running.

    train_match (with linked_recruiting): the match model trained and the indexes built before the server starts,
    so the ML pages have something to show from their first open."""
    workdir.mkdir(parents=True, exist_ok=True)
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith("HR_") or k in ("HR_TEST_PG_ADMIN_URL", "HR_DEBUG")
    }
    env.update(
        {
            "HR_ENV": "development",
            "HR_DATABASE_URL": f"sqlite:///{workdir / 'hr.db'}",
            "HR_STORAGE_URL": f"file://{workdir / 'storage'}",
            "HR_MODELS_DIR": str(workdir / "models"),
            "HR_BCRYPT_ROUNDS": "4",
            "HF_HUB_OFFLINE": "1",
            "TRANSFORMERS_OFFLINE": "1",
            "PYTHONDONTWRITEBYTECODE": "1",
            **(extra_env or {}),
        }
    )
    run_hr(env, "init-db")
    if load_data:
        _load_demo_data(env, workdir, linked_recruiting=linked_recruiting)
    if train_match:
        run_hr(env, "train-match")
        run_hr(env, "build-index")
    passwords = {}
    for role in ROLES:
        result = run_hr(env, "users", "add", f"e2e-{role}", "--role", role, "--generate")
        assert isinstance(result, dict)
        passwords[role] = str(result["password"])
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    log = workdir / "streamlit.log"
    with log.open("wb") as sink:
        proc = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "streamlit",
                "run",
                "Home.py",
                "--server.address=127.0.0.1",
                f"--server.port={port}",
                "--server.headless=true",
                "--server.fileWatcherType=none",
                "--browser.gatherUsageStats=false",
            ],
            cwd=REPO,
            env=env,
            stdout=sink,
            stderr=subprocess.STDOUT,
        )
    server = AppServer(url=url, proc=proc, env=env, workdir=workdir, log=log, passwords=passwords)
    try:
        wait_healthy(url, proc, log)
    except Exception:
        server.stop()
        raise
    return server
