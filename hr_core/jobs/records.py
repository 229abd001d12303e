"""The `background_jobs` records: create, claim, report progress, finish, and fail the orphans."""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
import logging
import math
import numbers
import os
import socket
import threading
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from sqlalchemy import Engine, insert, or_, select, update
from sqlalchemy import exc as sa_exc

from hr_core.access import Actor
from hr_core.db import begin
from hr_core.errors import ConflictError, DatabaseUnavailableError
from hr_core.models.jobs import BackgroundJob

log = logging.getLogger(__name__)

# A running job's heartbeat is refreshed this often; one older than STALE_AFTER means its process is gone.
HEARTBEAT_SECONDS = 10.0
STALE_AFTER = dt.timedelta(seconds=60)
LOCAL_STALE_AFTER = dt.timedelta(minutes=15)
# Progress is written at most this often (the latest report wins), by the tracker's thread.
PROGRESS_EVERY_SECONDS = 0.5
ORPHAN_ERROR = (
    "interrupted: the process running it (the app, the API or a worker) stopped before it finished; "
    "run it again"
)

_HOST = socket.gethostname()
# host/pid/nonce: the nonce tells this process from an earlier one that had the same pid.
WORKER_ID = f"{_HOST}/{os.getpid()}/{uuid.uuid4().hex[:8]}"


class JobState(StrEnum):
    """Where a job is in its life: queued → running → succeeded | failed."""

    QUEUED = "queued"
    RUNNING = "running"
    SUCCEEDED = "succeeded"
    FAILED = "failed"


@dataclass(frozen=True)
class JobInfo:
    """A job's record as pages, the CLI and the HTTP API show it."""

    id: int
    kind: str
    params: dict[str, Any]
    actor: str
    state: JobState
    progress: float
    message: str
    result: Any
    error: str | None
    created_at: dt.datetime
    started_at: dt.datetime | None
    finished_at: dt.datetime | None
    heartbeat_at: dt.datetime | None

    @property
    def done(self) -> bool:
        """Whether the job has ended (succeeded or failed)."""
        return self.state in (JobState.SUCCEEDED, JobState.FAILED)

    def as_dict(self) -> dict[str, Any]:
        """JSON-ready fields (timestamps as ISO 8601 strings)."""
        out = dataclasses.asdict(self)
        out["state"] = str(self.state)
        for key in ("created_at", "started_at", "finished_at", "heartbeat_at"):
            value = out[key]
            out[key] = value.isoformat() if value is not None else None
        return out


_COLUMNS = [getattr(BackgroundJob, f.name) for f in dataclasses.fields(JobInfo)]


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def _to_info(row: Any) -> JobInfo:
    values = dict(row._mapping)
    values["state"] = JobState(values["state"])
    values["params"] = values["params"] or {}
    return JobInfo(**values)


def to_jsonable(value: Any) -> Any:
    """A job's result as plain JSON values (dataclasses and objects with as_dict() included)."""

    def convert(v: Any) -> Any:
        if hasattr(v, "as_dict"):
            return convert(v.as_dict())
        if dataclasses.is_dataclass(v) and not isinstance(v, type):
            return convert(dataclasses.asdict(v))
        if isinstance(v, dict):
            return {str(k): convert(x) for k, x in v.items()}
        if isinstance(v, list | tuple | set):
            return [convert(x) for x in v]
        if isinstance(v, bool | str) or v is None:
            return v
        if isinstance(v, numbers.Integral):
            return int(v)  # numpy integers too
        if isinstance(v, numbers.Real):
            # JSON (and PostgreSQL's json type) has no NaN or infinity.
            return float(v) if math.isfinite(v) else None
        return v

    return json.loads(json.dumps(convert(value), default=str))


@contextmanager
def _db_errors(what: str) -> Iterator[None]:
    """Turn an unreachable database into DatabaseUnavailableError naming what was tried."""
    try:
        yield
    except sa_exc.OperationalError as e:
        raise DatabaseUnavailableError(f"cannot reach the database to {what}: {e.orig}") from e


def create_job_record(
    engine: Engine, *, actor: Actor, kind: str, params: dict[str, Any], dedupe_key: str | None = None
) -> JobInfo:
    """Insert a queued job; a dedupe_key already used raises ConflictError (the slot ran already)."""
    values = {
        "kind": kind,
        "params": to_jsonable(params),
        "actor": actor.username,
        "actor_role": actor.role,
        "state": JobState.QUEUED.value,
        "progress": 0.0,
        "message": "queued",
        "created_at": _now(),
        "dedupe_key": dedupe_key,
    }
    try:
        with begin(engine) as conn:
            row = conn.execute(insert(BackgroundJob).values(**values).returning(*_COLUMNS)).one()
    except sa_exc.IntegrityError as e:
        raise ConflictError(f"a job with key {dedupe_key!r} already exists") from e
    return _to_info(row)


def read_job(engine: Engine, job_id: int) -> JobInfo | None:
    """The record of one job, or None."""
    with _db_errors(f"read job {job_id}"), engine.connect() as conn:
        row = conn.execute(select(*_COLUMNS).where(BackgroundJob.id == job_id)).first()
    return _to_info(row) if row is not None else None


def read_job_actor_role(engine: Engine, job_id: int) -> str | None:
    """The role the submitter had when the job was submitted (the job runs with it)."""
    with _db_errors(f"read job {job_id}"), engine.connect() as conn:
        return conn.execute(select(BackgroundJob.actor_role).where(BackgroundJob.id == job_id)).scalar()


def read_jobs(engine: Engine, *, actor: str | None, limit: int) -> list[JobInfo]:
    """Jobs newest first, only one actor's when actor is given."""
    stmt = select(*_COLUMNS).order_by(BackgroundJob.id.desc()).limit(limit)
    if actor is not None:
        stmt = stmt.where(BackgroundJob.actor == actor)
    with _db_errors("list jobs"), engine.connect() as conn:
        return [_to_info(r) for r in conn.execute(stmt)]


def list_queued_ids(engine: Engine) -> list[int]:
    """Ids of jobs waiting for a runner, oldest first."""
    stmt = select(BackgroundJob.id).where(BackgroundJob.state == JobState.QUEUED.value)
    with _db_errors("list queued jobs"), engine.connect() as conn:
        return list(conn.execute(stmt.order_by(BackgroundJob.id)).scalars())


def claim_job(engine: Engine, job_id: int) -> bool:
    """Mark a queued job running by this process; False if another runner took it first."""
    now = _now()
    stmt = (
        update(BackgroundJob)
        .where(BackgroundJob.id == job_id, BackgroundJob.state == JobState.QUEUED.value)
        .values(
            state=JobState.RUNNING.value,
            started_at=now,
            heartbeat_at=now,
            worker=WORKER_ID,
            message="started",
        )
    )
    with begin(engine) as conn:
        return conn.execute(stmt).rowcount == 1


def finish_job(
    engine: Engine, job_id: int, *, result: Any = None, error: str | None = None, progress: float = 0.0
) -> None:
    """Mark a running job succeeded with its result, or failed with its error and how far it got."""
    values: dict[str, Any] = {"finished_at": _now(), "heartbeat_at": _now()}
    if error is None:
        values.update(
            state=JobState.SUCCEEDED.value, progress=1.0, message="done", result=to_jsonable(result)
        )
    else:
        fraction = min(max(progress, 0.0), 1.0)
        values.update(state=JobState.FAILED.value, error=error, message="failed", progress=fraction)
    with begin(engine) as conn:
        conn.execute(
            update(BackgroundJob)
            .where(BackgroundJob.id == job_id, BackgroundJob.state == JobState.RUNNING.value)
            .values(**values)
        )


def fail_queued_job(engine: Engine, job_id: int, error: str) -> None:
    """Mark a job that could not be handed to a runner failed (e.g. its queue refused it)."""
    with begin(engine) as conn:
        conn.execute(
            update(BackgroundJob)
            .where(BackgroundJob.id == job_id, BackgroundJob.state == JobState.QUEUED.value)
            .values(state=JobState.FAILED.value, error=error, message="failed", finished_at=_now())
        )


def _is_orphan(worker: str | None, heartbeat_at: dt.datetime | None, now: dt.datetime) -> bool:
    """Whether a running job's process surely stopped.

    On this host the process table decides (a heartbeat may lag while SQLite's lock is held); a
    heartbeat older than LOCAL_STALE_AFTER still counts, in case the dead worker's pid was reused.
    Elsewhere only the heartbeat can tell.
    """
    age = now - heartbeat_at if heartbeat_at is not None else dt.timedelta.max
    host, _, rest = (worker or "").partition("/")
    pid_text = rest.partition("/")[0]
    if host != _HOST or not pid_text.isdigit():
        return age > STALE_AFTER
    if worker == WORKER_ID:
        return False
    pid = int(pid_text)
    if pid == os.getpid():
        return True  # an earlier process that had our pid
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return True
    except PermissionError:
        pass
    return age > LOCAL_STALE_AFTER


def fail_orphaned_jobs(engine: Engine) -> list[int]:
    """Mark failed every running job whose process died (or whose heartbeat is stale); return their ids.

    Called when a process that runs jobs starts, and periodically by runners, so that no job is left
    "running" after its process stopped.
    """
    now = _now()
    stmt = select(BackgroundJob.id, BackgroundJob.worker, BackgroundJob.heartbeat_at).where(
        BackgroundJob.state == JobState.RUNNING.value
    )
    with _db_errors("check running jobs"), engine.connect() as conn:
        rows = conn.execute(stmt).all()
    orphans = [r.id for r in rows if _is_orphan(r.worker, r.heartbeat_at, now)]
    if not orphans:
        return []
    with begin(engine) as conn:
        conn.execute(
            update(BackgroundJob)
            .where(
                BackgroundJob.id.in_(orphans),
                BackgroundJob.state == JobState.RUNNING.value,
                or_(BackgroundJob.worker.is_(None), BackgroundJob.worker != WORKER_ID),
            )
            .values(state=JobState.FAILED.value, error=ORPHAN_ERROR, message="failed", finished_at=_now())
        )
    log.warning("marked %d orphaned job(s) failed: %s", len(orphans), orphans)
    return orphans


class JobProgress:
    """A running job's progress callback: it only notes the latest report, so the work never waits on
    the database (on SQLite the job's own write transaction may hold the lock); the tracker's thread
    writes it, with the heartbeat.
    """

    def __init__(self, engine: Engine, job_id: int) -> None:
        self.engine = engine
        self.job_id = job_id
        self.fraction = 0.0
        self.message = ""
        self.dirty = False
        self.beat_at = time.monotonic()
        self._lock = threading.Lock()

    def __call__(self, fraction: float, message: str) -> None:
        with self._lock:
            self.fraction, self.message, self.dirty = float(fraction), str(message), True

    def take(self) -> tuple[float, str] | None:
        """The report not yet written, if any."""
        with self._lock:
            if not self.dirty:
                return None
            self.dirty = False
            return self.fraction, self.message


class JobTracker:
    """One thread per process writing the progress (throttled) and heartbeat of the jobs it runs."""

    def __init__(self) -> None:
        self._jobs: dict[tuple[int, int], JobProgress] = {}
        self._lock = threading.Lock()
        self._thread: threading.Thread | None = None

    def track(self, engine: Engine, job_id: int) -> JobProgress:
        progress = JobProgress(engine, job_id)
        with self._lock:
            self._jobs[(id(engine), job_id)] = progress
            if self._thread is None or not self._thread.is_alive():
                self._thread = threading.Thread(target=self._run, name="job-tracker", daemon=True)
                self._thread.start()
        return progress

    def untrack(self, progress: JobProgress) -> None:
        with self._lock:
            self._jobs.pop((id(progress.engine), progress.job_id), None)

    def _run(self) -> None:
        while True:
            time.sleep(PROGRESS_EVERY_SECONDS)
            with self._lock:
                tracked = list(self._jobs.values())
            for progress in tracked:
                self.flush(progress)

    @staticmethod
    def flush(progress: JobProgress, *, force_beat: bool = False) -> None:
        """Write the job's pending progress, or a bare heartbeat when one is due."""
        report = progress.take()
        now = time.monotonic()
        if report is None and not force_beat and now - progress.beat_at < HEARTBEAT_SECONDS:
            return
        values: dict[str, Any] = {"heartbeat_at": _now()}
        if report is not None:
            values.update(progress=min(max(report[0], 0.0), 1.0), message=report[1][:500])
        try:
            with progress.engine.begin() as conn:
                conn.execute(
                    update(BackgroundJob)
                    .where(BackgroundJob.id == progress.job_id, BackgroundJob.state == JobState.RUNNING.value)
                    .values(**values)
                )
            progress.beat_at = now
        except sa_exc.SQLAlchemyError as e:
            # A missed update must not fail the work; the next round tries again.
            if report is not None:
                progress(*report)
            log.warning("job %s: could not record progress: %s", progress.job_id, e)


TRACKER = JobTracker()
