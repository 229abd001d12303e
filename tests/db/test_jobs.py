"""Jobs: lifecycle with progress, failures, refusals, orphans of a killed process, the backup schedule."""

from __future__ import annotations

import datetime as dt
import json
import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine, func, select

from hr_core.access import CLI_ACTOR, Action, Actor
from hr_core.audit import list_events
from hr_core.backup import list_backups
from hr_core.cli import main as cli_main
from hr_core.errors import InvalidInputError, NotFoundError, PermissionDenied
from hr_core.jobs import (
    JOB_KINDS,
    ORPHAN_ERROR,
    JobContext,
    JobInfo,
    JobKind,
    JobState,
    get_backup_schedule_status,
    get_job,
    list_jobs,
    run_due_backup,
    run_worker,
    set_backup_schedule,
    start_job_runner,
    stop_job_runners,
    submit_job,
)
from hr_core.models.jobs import BackgroundJob
from hr_core.settings import reset_settings
from hr_core.storage import make_storage

REPO = Path(__file__).resolve().parents[2]
ADMIN = Actor("ada", "admin")
RECRUITER = Actor("rui", "recruiter")
OTHER_RECRUITER = Actor("rita", "recruiter")
ANALYST = Actor("ana", "analyst")


@dataclass
class GatedKinds:
    gate: threading.Event


@pytest.fixture(autouse=True)
def _no_in_process_runner(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Tests drive run_worker themselves unless they turn the in-process runner on."""
    monkeypatch.setenv("HR_JOBS_IN_PROCESS", "false")
    reset_settings()
    yield
    stop_job_runners()


@pytest.fixture
def test_kinds(monkeypatch: pytest.MonkeyPatch) -> GatedKinds:
    """Two tiny kinds added to the one kinds table for this test: one waits for a gate, one fails."""
    gate = threading.Event()

    def echo(ctx: JobContext) -> dict[str, Any]:
        ctx.progress(0.5, "half way")
        assert gate.wait(timeout=30), "the test never opened the gate"
        return {"echo": ctx.params["x"], "by": ctx.actor.username}

    def fail(ctx: JobContext) -> None:
        ctx.progress(0.1, "reading")
        raise InvalidInputError("row 3, column 'age': 'abc' is not a number")

    kinds = {
        "test.echo": JobKind("test.echo", Action.RECRUITING_IMPORT, echo, "Echo", params={"x": int}),
        "test.fail": JobKind("test.fail", Action.RECRUITING_IMPORT, fail, "Fail"),
    }
    for name, kind in kinds.items():
        monkeypatch.setitem(JOB_KINDS, name, kind)
    return GatedKinds(gate)


def _wait_for(read: Callable[[], JobInfo], until: Callable[[JobInfo], bool], timeout: float = 30) -> JobInfo:
    deadline = time.monotonic() + timeout
    while True:
        info = read()
        if until(info):
            return info
        if time.monotonic() > deadline:
            raise AssertionError(f"job never reached the expected state: {info}")
        time.sleep(0.05)


def _worker_thread(engine: Engine, stop_after: int = 1) -> threading.Thread:
    thread = threading.Thread(target=run_worker, kwargs={"engine": engine, "stop_after": stop_after})
    thread.start()
    return thread


def test_job_goes_queued_running_succeeded_with_progress_and_result(
    engine: Engine, test_kinds: GatedKinds
) -> None:
    info = submit_job(engine=engine, actor=RECRUITER, kind="test.echo", params={"x": "7"})
    assert (info.state, info.progress, info.params, info.actor) == (JobState.QUEUED, 0.0, {"x": 7}, "rui")
    with pytest.raises(dataclasses_frozen_error()):
        info.state = JobState.FAILED  # type: ignore[misc]

    worker = _worker_thread(engine)
    read = lambda: get_job(engine=engine, actor=RECRUITER, job_id=info.id)  # noqa: E731
    running = _wait_for(read, lambda j: j.state == JobState.RUNNING and j.progress == 0.5)
    assert running.message == "half way" and running.started_at and running.heartbeat_at
    assert running.finished_at is None and running.result is None

    test_kinds.gate.set()
    worker.join(timeout=60)
    assert not worker.is_alive()
    done = read()
    assert done.state == JobState.SUCCEEDED and done.done
    assert (done.progress, done.result, done.error) == (1.0, {"echo": 7, "by": "rui"}, None)
    assert done.created_at <= done.started_at <= done.finished_at  # type: ignore[operator]
    assert json.loads(json.dumps(done.as_dict()))["state"] == "succeeded"

    # Own jobs for recruiters, everyone's for admins; another recruiter cannot read it.
    assert [j.id for j in list_jobs(engine=engine, actor=RECRUITER)] == [info.id]
    assert list_jobs(engine=engine, actor=OTHER_RECRUITER) == []
    assert get_job(engine=engine, actor=ADMIN, job_id=info.id).id == info.id
    with pytest.raises(NotFoundError, match=f"no job {info.id}"):
        get_job(engine=engine, actor=OTHER_RECRUITER, job_id=info.id)
    submitted = list_events(engine, actor=CLI_ACTOR, action=Action.JOBS_SUBMIT.value)
    assert submitted["outcome"].tolist() == ["ok"] and submitted["details"][0]["job_id"] == info.id


def dataclasses_frozen_error() -> type[Exception]:
    import dataclasses

    return dataclasses.FrozenInstanceError


def test_failure_is_recorded_with_the_error_message(engine: Engine, test_kinds: GatedKinds) -> None:
    info = submit_job(engine=engine, actor=ADMIN, kind="test.fail", params={})
    _worker_thread(engine).join(timeout=60)
    failed = get_job(engine=engine, actor=ADMIN, job_id=info.id)
    assert failed.state == JobState.FAILED and failed.done and failed.finished_at is not None
    assert failed.error == "row 3, column 'age': 'abc' is not a number"
    assert failed.result is None and failed.progress == 0.1


def test_refusals_and_bad_input_write_no_job(engine: Engine, test_kinds: GatedKinds) -> None:
    with pytest.raises(PermissionDenied, match=r"'ana' \(role analyst\) may not import recruiting data"):
        submit_job(engine=engine, actor=ANALYST, kind="test.echo", params={"x": 1})
    with pytest.raises(PermissionDenied, match="may not retrain the match model"):
        submit_job(engine=engine, actor=RECRUITER, kind="ml.train", params={})
    with pytest.raises(InvalidInputError, match="unknown job kind 'no.such'"):
        submit_job(engine=engine, actor=ADMIN, kind="no.such", params={})
    with pytest.raises(InvalidInputError, match="takes no parameter 'y'"):
        submit_job(engine=engine, actor=ADMIN, kind="test.echo", params={"y": 1})
    with pytest.raises(InvalidInputError, match="'x' must be int"):
        submit_job(engine=engine, actor=ADMIN, kind="test.echo", params={"x": "seven"})
    with pytest.raises(
        InvalidInputError, match="needs at least one of applicants, feedback, prospects, requirements, vagas"
    ):
        submit_job(engine=engine, actor=ADMIN, kind="recruiting.import", params={})
    with engine.connect() as conn:
        assert conn.execute(select(func.count()).select_from(BackgroundJob)).scalar() == 0
    refused = list_events(engine, actor=CLI_ACTOR, action=Action.JOBS_SUBMIT.value, outcome="error")
    assert len(refused) == 6 and refused["actor"].tolist()[-1] == "ana"
    with pytest.raises(PermissionDenied, match="log in"):
        list_jobs(engine=engine, actor=None)  # type: ignore[arg-type]


_HANGING_WORKER = """
import sys, time
from hr_core.access import Action, Actor
from hr_core.db import make_engine
from hr_core.jobs import JOB_KINDS, JobKind, run_worker, submit_job

def hang(ctx):
    ctx.progress(0.25, "working")
    time.sleep(600)

JOB_KINDS["test.hang"] = JobKind("test.hang", Action.RECRUITING_IMPORT, hang, "Hang")
engine = make_engine(sys.argv[1])
job = submit_job(engine=engine, actor=Actor("rui", "recruiter"), kind="test.hang", params={})
print(job.id, flush=True)
run_worker(engine=engine)
"""


def test_a_job_of_a_killed_process_is_marked_failed_at_the_next_start(engine: Engine, db_url: str) -> None:
    env = {**os.environ, "HR_JOBS_IN_PROCESS": "false", "PYTHONPATH": str(REPO)}
    proc = subprocess.Popen(
        [sys.executable, "-c", _HANGING_WORKER, db_url], stdout=subprocess.PIPE, env=env, text=True, cwd=REPO
    )
    try:
        assert proc.stdout is not None
        job_id = int(proc.stdout.readline())
        read = lambda: get_job(engine=engine, actor=ADMIN, job_id=job_id)  # noqa: E731
        _wait_for(read, lambda j: j.state == JobState.RUNNING and j.progress == 0.25, timeout=60)
    finally:
        proc.send_signal(signal.SIGKILL)
        proc.wait(timeout=30)
    assert read().state == JobState.RUNNING  # nobody has looked yet

    # The next process that runs jobs starts by failing the orphans, then finds nothing to do.
    assert run_worker(engine=engine, burst=True) == 0
    failed = read()
    assert failed.state == JobState.FAILED and failed.error == ORPHAN_ERROR
    assert failed.finished_at is not None and failed.progress == 0.25


def test_in_process_runner_runs_jobs_without_a_worker(
    engine: Engine, test_kinds: GatedKinds, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("HR_JOBS_IN_PROCESS", "true")
    reset_settings()
    start_job_runner(engine)
    test_kinds.gate.set()
    info = submit_job(engine=engine, actor=RECRUITER, kind="test.echo", params={"x": 3})
    done = _wait_for(lambda: get_job(engine=engine, actor=RECRUITER, job_id=info.id), lambda j: j.done, 60)
    assert done.state == JobState.SUCCEEDED and done.result == {"echo": 3, "by": "rui"}
    stop_job_runners()  # before the database is reset under the runner's threads


def test_schedule_computes_next_run_and_runs_a_due_backup_once(
    engine: Engine, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    slot = dt.datetime.now(dt.UTC).replace(second=0, microsecond=0) + dt.timedelta(minutes=2)
    with pytest.raises(PermissionDenied):
        set_backup_schedule(engine=engine, actor=RECRUITER, time="02:00", retention=3)
    with pytest.raises(InvalidInputError, match="'25:00' is not a time of day"):
        set_backup_schedule(engine=engine, actor=ADMIN, time="25:00", retention=3)
    with pytest.raises(InvalidInputError, match="retention must be"):
        set_backup_schedule(engine=engine, actor=ADMIN, time="02:00", retention=0)
    schedule = set_backup_schedule(engine=engine, actor=ADMIN, time=slot.strftime("%H:%M"), retention=2)
    assert (schedule.retention, schedule.timezone, schedule.updated_by) == (2, "UTC", "ada")

    status = get_backup_schedule_status(engine=engine, actor=ADMIN)
    assert status.next_run_at == slot and status.last_success_at is None and not status.last_run_failed
    assert run_due_backup(engine=engine, now=slot - dt.timedelta(minutes=1)) is None

    job = run_due_backup(engine=engine, now=slot + dt.timedelta(seconds=30))
    assert job is not None and (job.kind, job.actor, job.params) == (
        "backup.all",
        "scheduler",
        {"retention": 2},
    )
    assert run_due_backup(engine=engine, now=slot + dt.timedelta(minutes=1)) is None  # once per slot
    _worker_thread(engine).join(timeout=120)
    assert get_job(engine=engine, actor=ADMIN, job_id=job.id).state == JobState.SUCCEEDED
    assert {b.table for b in list_backups(make_storage(), actor=CLI_ACTOR)} >= {
        "departments",
        "jobs",
        "hired_employees",
    }
    status = get_backup_schedule_status(engine=engine, actor=ADMIN, now=slot + dt.timedelta(minutes=5))
    assert status.last_success_at is not None and not status.last_run_failed
    assert status.next_run_at == slot + dt.timedelta(days=1)

    # The next day storage is broken: the failure is recorded and shown.
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("x")
    monkeypatch.setenv("HR_STORAGE_URL", f"file://{blocker}/store")
    reset_settings()
    next_day = slot + dt.timedelta(days=1, seconds=10)
    failed = run_due_backup(engine=engine, now=next_day)
    assert failed is not None
    _worker_thread(engine).join(timeout=120)
    status = get_backup_schedule_status(engine=engine, actor=ADMIN, now=next_day)
    assert status.last_run_failed and status.last_error and status.last_failure_at is not None
    assert status.last_job is not None and status.last_job.id == failed.id
    assert status.next_run_at == slot + dt.timedelta(days=2)


def test_cli_lists_and_shows_jobs(
    engine: Engine, test_kinds: GatedKinds, capsys: pytest.CaptureFixture[str]
) -> None:
    info = submit_job(engine=engine, actor=ADMIN, kind="test.fail", params={})
    assert cli_main(["worker", "--burst"]) == 0
    assert json.loads(capsys.readouterr().out) == {"jobs_run": 1}
    assert cli_main(["jobs", "show", str(info.id)]) == 0
    shown = json.loads(capsys.readouterr().out)
    assert (shown["id"], shown["state"], shown["kind"]) == (info.id, "failed", "test.fail")
    assert cli_main(["jobs", "list"]) == 0
    assert [j["id"] for j in json.loads(capsys.readouterr().out)] == [info.id]
    assert cli_main(["jobs", "show", "999"]) == 2


def test_a_job_on_another_machine_is_failed_only_once_its_heartbeat_is_stale(engine: Engine) -> None:
    from sqlalchemy import update

    from hr_core.jobs import fail_orphaned_jobs
    from hr_core.jobs.records import claim_job, create_job_record

    job = create_job_record(engine, actor=ADMIN, kind="backup.all", params={})
    assert claim_job(engine, job.id)
    beat = dt.datetime.now(dt.UTC) - dt.timedelta(seconds=20)
    with engine.begin() as conn:
        conn.execute(
            update(BackgroundJob)
            .where(BackgroundJob.id == job.id)
            .values(worker="other-host/4242/abcd", heartbeat_at=beat)
        )
    assert fail_orphaned_jobs(engine) == []
    with engine.begin() as conn:
        conn.execute(
            update(BackgroundJob)
            .where(BackgroundJob.id == job.id)
            .values(heartbeat_at=beat - dt.timedelta(minutes=2))
        )
    assert fail_orphaned_jobs(engine) == [job.id]
    assert get_job(engine=engine, actor=ADMIN, job_id=job.id).error == ORPHAN_ERROR
