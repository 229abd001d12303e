"""Start `uvicorn hr_api.app:app` on a free loopback port against a fresh SQLite database with one user per role."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

from tests.support.app_server import REPO, ROLES, run_hr
from tests.support.s3server import free_port

PASSWORD = "Tall-Quiet-Harbor-42"


@dataclass
class ApiServer:
    """A running API process, its environment, and an admin API key."""

    url: str
    proc: subprocess.Popen[bytes]
    env: dict[str, str]
    log: Path
    api_key: str = field(default="", repr=False)

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(timeout=10)


def wait_ready(url: str, proc: subprocess.Popen[bytes], log: Path, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"uvicorn exited with {proc.returncode}: {log.read_text()[-3000:]}")
        try:
            with urllib.request.urlopen(f"{url}/healthz", timeout=2) as resp:
                if resp.status == 200:
                    return
        except OSError:
            pass
        time.sleep(0.2)
    raise RuntimeError(f"the API did not answer /healthz within {timeout} s: {log.read_text()[-3000:]}")


def start_api_server(workdir: Path, *, database_url: str | None = None, workers: int = 1) -> ApiServer:
    """A fresh database (SQLite in workdir unless given), users analyst/recruiter/admin with PASSWORD, an admin API key."""
    workdir.mkdir(parents=True, exist_ok=True)
    env = {k: v for k, v in os.environ.items() if not k.startswith("HR_") or k in ("HR_DEBUG",)}
    env.update(
        HR_ENV="test",
        HR_DATABASE_URL=database_url or f"sqlite:///{workdir / 'hr.db'}",
        HR_STORAGE_URL=f"file://{workdir / 'storage'}",
        HR_MODELS_DIR=str(workdir / "models"),
        HR_BCRYPT_ROUNDS="4",
        HR_COOKIE_KEY="live-test-key-" + "x" * 40,
        PYTHONDONTWRITEBYTECODE="1",
    )
    run_hr(env, "init-db")
    for role in ROLES:
        run_hr(env, "users", "add", role, "--role", role, stdin=PASSWORD + "\n")
    key = run_hr(env, "users", "api-key", "admin")
    return launch_api_server(env, workdir, api_key=key["key"], workers=workers)  # type: ignore[index]


def launch_api_server(
    env: dict[str, str], workdir: Path, *, api_key: str = "", workers: int = 1
) -> ApiServer:
    """Serve the API with env (its database already set up) on a new free port; wait until it answers."""
    port = free_port()
    log = workdir / f"uvicorn-{port}.log"
    cmd = [sys.executable, "-m", "uvicorn", "hr_api.app:app", "--host", "127.0.0.1", "--port", str(port)]
    cmd += ["--workers", str(workers), "--log-level", "warning"]
    with log.open("wb") as out:
        proc = subprocess.Popen(cmd, cwd=REPO, env=env, stdout=out, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}"
    server = ApiServer(url=url, proc=proc, env=env, log=log, api_key=api_key)
    try:
        wait_ready(url, proc, log)
    except Exception:
        server.stop()
        raise
    return server
