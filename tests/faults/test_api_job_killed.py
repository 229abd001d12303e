"""A job's life over HTTP when the API process is killed in the middle of it: after a restart the job is
reported failed (never left "running"), the import it was doing left no row behind, and running it
again works. Real uvicorn, real SIGKILL, on SQLite and PostgreSQL."""

from __future__ import annotations

import json
import os
import signal
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from hr_core.access import Actor
from hr_core.db import make_engine
from hr_core.jobs import ORPHAN_ERROR, JobState, get_job
from tests.factories import make_applicant_record
from tests.support.api_server import PASSWORD, ApiServer, launch_api_server, start_api_server

RECORDS = 4000  # four chunks of the importer's 1,000 rows
IMPORT_KEY = "imports/applicants.json"
ADMIN = Actor("admin", "admin")


@pytest.fixture
def servers(db_url: str, tmp_path: Path) -> Iterator[list[ApiServer]]:
    """The API on a fresh database (first item); a test appends the servers it restarts, all stopped after."""
    running = [start_api_server(tmp_path / "api", database_url=db_url)]
    yield running
    for server in running:
        server.stop()


def write_applicants(path: Path) -> int:
    """An applicants.json of RECORDS candidates, the first one updating 'keep'; return the byte offset
    past which the importer has surely upserted its first chunk (record 1,000 plus two read buffers)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", encoding="utf-8") as fh:
        fh.write("{")
        for i in range(RECORDS):
            code = "keep" if i == 0 else f"K{i:05d}"
            record = make_applicant_record(code, nome="Changed Name" if i == 0 else f"Pessoa {i}")
            fh.write(("," if i else "") + json.dumps(code) + ":" + json.dumps(record, ensure_ascii=False))
            if i == 1000:
                first_chunk_end = fh.tell()
        fh.write("}")
    return first_chunk_end + 2 * 64 * 1024


def open_offset(pid: int, suffix: str) -> int | None:
    """Where process pid reads the file whose path ends with suffix (its fdinfo 'pos'), None if not open."""
    for fd in Path(f"/proc/{pid}/fd").iterdir():
        try:
            if os.readlink(fd).endswith(suffix):
                info = Path(f"/proc/{pid}/fdinfo/{fd.name}").read_text()
                return int(next(line for line in info.splitlines() if line.startswith("pos:")).split()[1])
        except (FileNotFoundError, ProcessLookupError):
            continue
    return None


def _all_threads_stopped(pid: int) -> bool:
    for task in Path(f"/proc/{pid}/task").iterdir():
        try:
            state = (task / "stat").read_text().rsplit(")", 1)[1].split()[0]
        except FileNotFoundError:
            continue
        if state not in ("T", "t"):
            return False
    return True


def freeze_when(pid: int, reached: Callable[[], bool], *, steps: int = 20_000) -> None:
    """Run the process a few milliseconds at a time and leave it stopped (SIGSTOP) once `reached` holds.

    Looking only while it is stopped makes what we see the state it is frozen in, however busy the
    machine: no race with the work going on.
    """
    for _ in range(steps):
        os.kill(pid, signal.SIGSTOP)
        while not _all_threads_stopped(pid):
            time.sleep(0.001)
        if reached():
            return
        os.kill(pid, signal.SIGCONT)
        time.sleep(0.01)
    raise AssertionError("the process never reached the awaited state")


def wait_for_job(client: httpx.Client, job_id: int, done: Callable[[dict[str, Any]], bool]) -> dict[str, Any]:
    deadline = time.monotonic() + 180
    while time.monotonic() < deadline:
        job = client.get(f"/api/v1/jobs/{job_id}").json()
        if done(job):
            return job
        time.sleep(0.2)
    raise AssertionError(f"job {job_id} did not get there: {job}")


def recruiter(url: str) -> httpx.Client:
    """A client logged in as the recruiter."""
    token = httpx.post(f"{url}/api/v1/auth/token", data={"username": "recruiter", "password": PASSWORD})
    assert token.status_code == 200, token.text
    auth = {"Authorization": f"Bearer {token.json()['access_token']}"}
    return httpx.Client(base_url=url, timeout=60, headers=auth)


def test_a_job_killed_mid_import_is_reported_failed_after_a_restart_and_wrote_nothing(
    servers: list[ApiServer], db_url: str, tmp_path: Path
) -> None:
    server = servers[0]
    storage = Path(server.env["HR_STORAGE_URL"].removeprefix("file://"))
    past_first_chunk = write_applicants(storage / IMPORT_KEY)
    size = (storage / IMPORT_KEY).stat().st_size
    with recruiter(server.url) as client:
        kept = client.post("/api/v1/recruiting/candidates", json={"codigo": "keep", "nome": "Ana Keep"})
        assert kept.status_code == 200, kept.text
        response = client.post("/api/v1/recruiting/import", json={"applicants": IMPORT_KEY})
        assert response.status_code == 202, response.text
        job_id = response.json()["id"]

        # Stop the server while its import holds the file open past the first chunk: rows are
        # written in its transaction, which commits only after the file is closed.
        def mid_import() -> bool:
            offset = open_offset(server.proc.pid, IMPORT_KEY)
            return offset is not None and past_first_chunk <= offset < size

        freeze_when(server.proc.pid, mid_import)
    server.proc.send_signal(signal.SIGKILL)
    server.proc.wait(timeout=30)

    restarted = launch_api_server(server.env, tmp_path / "api")
    servers.append(restarted)
    # The restarted API fails the orphan as it starts, before any client calls it.
    engine = make_engine(db_url)
    try:
        deadline = time.monotonic() + 60
        while get_job(engine=engine, actor=ADMIN, job_id=job_id).state == JobState.RUNNING:
            assert time.monotonic() < deadline, "the restarted API left the killed job running"
            time.sleep(0.2)
    finally:
        engine.dispose()
    with recruiter(restarted.url) as client:
        job = wait_for_job(client, job_id, lambda j: j["state"] != "running")
        assert (job["state"], job["error"]) == ("failed", ORPHAN_ERROR)
        assert job["finished_at"] is not None and "run it again" in job["error"]
        page = client.get("/api/v1/recruiting/candidates").json()
        assert [(c["codigo"], c["nome"]) for c in page["items"]] == [("keep", "Ana Keep")]
        assert page["total"] == 1

        # Run it again: it goes through, and the data is all there.
        again = client.post("/api/v1/recruiting/import", json={"applicants": IMPORT_KEY}).json()
        done = wait_for_job(client, again["id"], lambda j: j["state"] in ("succeeded", "failed"))
        assert done["state"] == "succeeded", done
        assert done["result"]["candidates"] == {"inserted": RECORDS - 1, "updated": 1, "rejected": 0}
        assert client.get("/api/v1/recruiting/candidates?q=keep").json()["items"][0]["nome"] == "Changed Name"
        assert client.get("/api/v1/recruiting/candidates?limit=1").json()["total"] == RECORDS
