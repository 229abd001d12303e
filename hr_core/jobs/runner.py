"""Submit, read and run jobs: in-process threads on SQLite, procrastinate's queue on PostgreSQL."""

from __future__ import annotations

import logging
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from sqlalchemy import Engine

from hr_core.access import Action, Actor, may, require_role
from hr_core.audit import audited
from hr_core.errors import DatabaseUnavailableError, HRCoreError, InvalidInputError, NotFoundError
from hr_core.jobs import records
from hr_core.jobs.kinds import JOB_KINDS, JobContext, get_job_kind
from hr_core.jobs.records import TRACKER, JobInfo
from hr_core.settings import get_settings

log = logging.getLogger(__name__)

# How often a runner fails orphaned jobs and checks whether the scheduled backup is due.
TICK_SECONDS = 30.0
LOCAL_THREADS = 2
MAX_LIST = 500


def submit_job(*, engine: Engine, actor: Actor, kind: str, params: dict[str, Any]) -> JobInfo:
    """Queue long work of a registered kind if the actor's role may do it; return its record at once."""
    with audited(engine, actor, Action.JOBS_SUBMIT, {"kind": kind}) as audit:
        spec = get_job_kind(kind)
        require_role(actor, spec.action)
        checked = spec.check_params(params)
        info = records.create_job_record(engine, actor=actor, kind=kind, params=checked)
        audit.details.update(job_id=info.id, params=checked)
    dispatch_job(engine, info.id)
    return info


def get_job(*, engine: Engine, actor: Actor, job_id: int) -> JobInfo:
    """One job's record: state, progress, result or error (one's own jobs; admins see all)."""
    require_role(actor, Action.JOBS_READ)
    info = records.read_job(engine, job_id)
    if info is None or (info.actor != actor.username and not may(actor.role, Action.JOBS_READ_ALL)):
        raise NotFoundError(f"there is no job {job_id} of yours; list your jobs to see their ids")
    return info


def list_jobs(*, engine: Engine, actor: Actor, limit: int = 50) -> list[JobInfo]:
    """Jobs newest first: one's own, or everyone's for admins."""
    require_role(actor, Action.JOBS_READ)
    if not 1 <= limit <= MAX_LIST:
        raise InvalidInputError(f"limit must be between 1 and {MAX_LIST}, got {limit}")
    mine_only = None if may(actor.role, Action.JOBS_READ_ALL) else actor.username
    return records.read_jobs(engine, actor=mine_only, limit=limit)


def execute_job(engine: Engine, job_id: int) -> bool:
    """Claim a queued job and run it here, recording progress and the outcome; False if not ours to run."""
    if not records.claim_job(engine, job_id):
        return False
    info = records.read_job(engine, job_id)
    role = records.read_job_actor_role(engine, job_id)
    assert info is not None and role is not None
    progress = TRACKER.track(engine, job_id)
    outcome: dict[str, Any] = {}
    try:
        spec = JOB_KINDS.get(info.kind)
        if spec is None:
            raise InvalidInputError(f"job kind {info.kind!r} is not known to this worker (an older version?)")
        actor = Actor(username=info.actor, role=role)  # type: ignore[arg-type]
        outcome["result"] = spec.run(JobContext(engine, actor, dict(info.params), progress))
    except HRCoreError as e:
        log.info("job %s (%s) failed: %s", job_id, info.kind, e)
        outcome["error"] = str(e) or type(e).__name__
    except Exception as e:
        log.exception("job %s (%s) failed unexpectedly", job_id, info.kind)
        outcome["error"] = f"unexpected {type(e).__name__}: {e}"
    except BaseException:
        outcome["error"] = "interrupted: the process running it was stopped"
        raise
    finally:
        TRACKER.untrack(progress)
        records.finish_job(
            engine,
            job_id,
            result=outcome.get("result"),
            error=outcome.get("error"),
            progress=progress.fraction,
        )
    return True


def tick(engine: Engine) -> None:
    """A runner's periodic chores: fail orphaned jobs, start the scheduled backup when it is due."""
    from hr_core.jobs.schedule import run_due_backup

    try:
        records.fail_orphaned_jobs(engine)
        run_due_backup(engine=engine)
    except HRCoreError as e:
        log.warning("job runner tick failed: %s", e)


def dispatch_job(engine: Engine, job_id: int) -> None:
    """Hand a queued job to whoever runs jobs: the PostgreSQL queue, or this process's threads."""
    in_process = get_settings().jobs_in_process
    if engine.dialect.name == "postgresql":
        from hr_core.jobs.pgqueue import defer_job

        try:
            defer_job(engine, job_id)
        except HRCoreError as e:
            records.fail_queued_job(engine, job_id, f"the job queue refused it: {e}")
            raise
        except Exception as e:  # procrastinate's and psycopg's own errors
            records.fail_queued_job(engine, job_id, f"the job queue refused it: {e}")
            raise DatabaseUnavailableError(f"the job queue refused job {job_id}: {e}") from e
        if in_process:
            start_job_runner(engine)
    elif in_process:
        _local_runner(engine).submit(job_id)


class _LocalRunner:
    """This process's threads running jobs (SQLite), plus the scheduler tick."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self.pool = ThreadPoolExecutor(max_workers=LOCAL_THREADS, thread_name_prefix="job")
        self.stop = threading.Event()
        records.fail_orphaned_jobs(engine)
        for job_id in records.list_queued_ids(engine):
            self.submit(job_id)
        self.ticker = threading.Thread(target=self._tick, name="job-scheduler", daemon=True)
        self.ticker.start()

    def submit(self, job_id: int) -> None:
        self.pool.submit(execute_job, self.engine, job_id)

    def _tick(self) -> None:
        while not self.stop.wait(TICK_SECONDS):
            tick(self.engine)

    def close(self) -> None:
        self.stop.set()
        self.pool.shutdown(wait=True, cancel_futures=True)


class _QueueWorkerThread:
    """A procrastinate worker inside this process (PostgreSQL), for apps run without separate workers."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self.stop = threading.Event()
        self.thread = threading.Thread(target=self._run, name="job-worker", daemon=True)
        self.thread.start()

    def _run(self) -> None:
        try:
            run_worker(engine=self.engine, stop_event=self.stop)
        except Exception:
            log.exception("the in-process job worker stopped")

    def close(self) -> None:
        self.stop.set()
        self.thread.join(timeout=30)


_RUNNERS: dict[str, _LocalRunner | _QueueWorkerThread] = {}
_RUNNERS_LOCK = threading.Lock()


def _key(engine: Engine) -> str:
    return engine.url.render_as_string(hide_password=False)


def _local_runner(engine: Engine) -> _LocalRunner:
    start_job_runner(engine, force=True)
    runner = _RUNNERS[_key(engine)]
    assert isinstance(runner, _LocalRunner)
    return runner


def start_job_runner(engine: Engine, *, force: bool = False) -> None:
    """Run jobs inside this process from now on (idempotent): the app and the HTTP API call it at start.

    Does nothing when HR_JOBS_IN_PROCESS is false (dedicated `python -m hr_core worker` processes
    run the jobs then). Starting fails any job left running by a process that died.
    """
    if not (force or get_settings().jobs_in_process):
        return
    with _RUNNERS_LOCK:
        if _key(engine) in _RUNNERS:
            return
        runner: _LocalRunner | _QueueWorkerThread = (
            _QueueWorkerThread(engine) if engine.dialect.name == "postgresql" else _LocalRunner(engine)
        )
        _RUNNERS[_key(engine)] = runner


def stop_job_runners() -> None:
    """Stop this process's job threads after their current jobs (tests; orderly shutdown)."""
    with _RUNNERS_LOCK:
        runners = list(_RUNNERS.values())
        _RUNNERS.clear()
    for runner in runners:
        runner.close()


def run_worker(
    *,
    engine: Engine,
    stop_after: int | None = None,
    burst: bool = False,
    stop_event: threading.Event | None = None,
) -> int:
    """Run queued jobs until stopped (`python -m hr_core worker`); return how many ran.

    stop_after: return once that many jobs have finished; burst: return when none is queued;
    stop_event: return when it is set. First fails every job left running by a dead process.
    On PostgreSQL this is a procrastinate worker (any number, on any machine); on SQLite it takes
    queued records one at a time. Either also ticks the backup schedule.
    """
    records.fail_orphaned_jobs(engine)
    if engine.dialect.name == "postgresql":
        from hr_core.jobs.pgqueue import run_queue_worker

        def run_job(job_id: int) -> None:
            execute_job(engine, job_id)

        return run_queue_worker(
            engine,
            run_job=run_job,
            tick=lambda: tick(engine),
            stop_after=stop_after,
            burst=burst,
            stop_event=stop_event,
        )
    return _run_sqlite_worker(engine, stop_after=stop_after, burst=burst, stop_event=stop_event)


def _run_sqlite_worker(
    engine: Engine, *, stop_after: int | None, burst: bool, stop_event: threading.Event | None
) -> int:
    stop = stop_event or threading.Event()
    done = 0
    next_tick = 0.0
    while not stop.is_set():
        if time.monotonic() >= next_tick:
            tick(engine)
            next_tick = time.monotonic() + TICK_SECONDS
        ran = False
        for job_id in records.list_queued_ids(engine):
            if execute_job(engine, job_id):
                ran = True
                done += 1
                if stop_after is not None and done >= stop_after:
                    return done
                break
        if not ran:
            if burst:
                return done
            stop.wait(1.0)
    return done
