"""The daily backup schedule: an admin sets the time and retention; job runners start it when due."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from sqlalchemy import Engine, func, select
from sqlalchemy.dialects import postgresql, sqlite

from hr_core.access import SCHEDULER_ACTOR, Action, Actor, require_role
from hr_core.audit import audited
from hr_core.db import begin
from hr_core.errors import ConflictError, InvalidInputError
from hr_core.jobs import records
from hr_core.jobs.records import JobInfo, JobState
from hr_core.models.jobs import AppSetting, BackgroundJob

SETTING_KEY = "backup_schedule"
SCHEDULED_KIND = "backup.all"
# A slot missed by more than this (the server was down) is skipped; the next day's runs instead.
GRACE = dt.timedelta(hours=6)
MAX_RETENTION = 1000
_TIME = re.compile(r"^([01]\d|2[0-3]):([0-5]\d)$")


@dataclass(frozen=True)
class BackupSchedule:
    """All tables backed up daily at `time` (HH:MM in `timezone`), keeping `retention` backups per table."""

    enabled: bool
    time: str
    timezone: str
    retention: int
    updated_at: dt.datetime
    updated_by: str


@dataclass(frozen=True)
class BackupScheduleStatus:
    """The schedule with how its runs went: for the Backups page and the admins' warning on Home."""

    schedule: BackupSchedule | None
    next_run_at: dt.datetime | None
    last_success_at: dt.datetime | None
    last_failure_at: dt.datetime | None
    last_error: str | None
    last_job: JobInfo | None

    @property
    def last_run_failed(self) -> bool:
        """Whether the newest scheduled backup failed (admins are warned until one succeeds)."""
        return self.last_job is not None and self.last_job.state == JobState.FAILED


def _zone(name: str) -> ZoneInfo:
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError) as e:
        raise InvalidInputError(
            f"time zone {name!r} is unknown; use a name like UTC or America/Sao_Paulo"
        ) from e


def _slot_on(day: dt.date, schedule: BackupSchedule) -> dt.datetime:
    hour, minute = (int(p) for p in schedule.time.split(":"))
    local = dt.datetime.combine(day, dt.time(hour, minute), tzinfo=_zone(schedule.timezone))
    return local.astimezone(dt.UTC)


def latest_slot(schedule: BackupSchedule, now: dt.datetime) -> dt.datetime:
    """The most recent scheduled time at or before now (UTC)."""
    today = now.astimezone(_zone(schedule.timezone)).date()
    slot = _slot_on(today, schedule)
    return slot if slot <= now else _slot_on(today - dt.timedelta(days=1), schedule)


def _is_due(schedule: BackupSchedule, slot: dt.datetime, now: dt.datetime) -> bool:
    return schedule.enabled and slot >= schedule.updated_at and now - slot <= GRACE


def compute_next_run(
    schedule: BackupSchedule | None, *, now: dt.datetime, latest_slot_ran: bool
) -> dt.datetime | None:
    """When the scheduled backup runs next: the latest slot if due and not run yet, else the next one."""
    if schedule is None or not schedule.enabled:
        return None
    last = latest_slot(schedule, now)
    if _is_due(schedule, last, now) and not latest_slot_ran:
        return last
    today = now.astimezone(_zone(schedule.timezone)).date()
    slot = _slot_on(today, schedule)
    return slot if slot > now else _slot_on(today + dt.timedelta(days=1), schedule)


def _dedupe_key(slot: dt.datetime) -> str:
    return f"backup.schedule@{slot.astimezone(dt.UTC).isoformat(timespec='minutes')}"


def _read_schedule(engine: Engine) -> BackupSchedule | None:
    with engine.connect() as conn:
        row = conn.execute(
            select(AppSetting.value, AppSetting.updated_at, AppSetting.updated_by).where(
                AppSetting.key == SETTING_KEY
            )
        ).first()
    if row is None:
        return None
    value: dict[str, Any] = row.value
    return BackupSchedule(
        enabled=bool(value.get("enabled", True)),
        time=str(value["time"]),
        timezone=str(value.get("timezone", "UTC")),
        retention=int(value["retention"]),
        updated_at=row.updated_at,
        updated_by=row.updated_by,
    )


def get_backup_schedule(*, engine: Engine, actor: Actor) -> BackupSchedule | None:
    """The backup schedule, or None if no admin has set one."""
    require_role(actor, Action.BACKUP_LIST)
    return _read_schedule(engine)


def set_backup_schedule(
    *,
    engine: Engine,
    actor: Actor,
    time: str,
    retention: int,
    enabled: bool = True,
    timezone: str = "UTC",
) -> BackupSchedule:
    """Back up all tables daily at `time` (HH:MM) in `timezone`, keeping `retention` backups per table."""
    details = {"time": time, "timezone": timezone, "retention": retention, "enabled": enabled}
    with audited(engine, actor, Action.BACKUP_SCHEDULE, details):
        if not _TIME.match(time or ""):
            raise InvalidInputError(f"time {time!r} is not a time of day like 02:30 (24-hour HH:MM)")
        _zone(timezone)
        if (
            isinstance(retention, bool)
            or not isinstance(retention, int)
            or not 1 <= retention <= MAX_RETENTION
        ):
            raise InvalidInputError(
                f"retention must be a whole number of backups from 1 to {MAX_RETENTION}, got {retention!r}"
            )
        values = {
            "key": SETTING_KEY,
            "value": {"enabled": enabled, "time": time, "timezone": timezone, "retention": retention},
            "updated_at": dt.datetime.now(dt.UTC),
            "updated_by": actor.username,
        }
        insert_fn = postgresql.insert if engine.dialect.name == "postgresql" else sqlite.insert
        stmt = insert_fn(AppSetting).values(**values)
        stmt = stmt.on_conflict_do_update(
            index_elements=[AppSetting.key],
            set_={k: stmt.excluded[k] for k in ("value", "updated_at", "updated_by")},
        )
        with begin(engine) as conn:
            conn.execute(stmt)
    schedule = _read_schedule(engine)
    assert schedule is not None
    return schedule


def _slot_ran(engine: Engine, slot: dt.datetime) -> bool:
    stmt = select(func.count()).where(BackgroundJob.dedupe_key == _dedupe_key(slot))
    with engine.connect() as conn:
        return bool(conn.execute(stmt).scalar())


def run_due_backup(*, engine: Engine, now: dt.datetime | None = None) -> JobInfo | None:
    """Start the scheduled backup if its slot is due and no process started it yet; return its job."""
    from hr_core.jobs.runner import dispatch_job

    now = now or dt.datetime.now(dt.UTC)
    schedule = _read_schedule(engine)
    if schedule is None:
        return None
    slot = latest_slot(schedule, now)
    if not _is_due(schedule, slot, now):
        return None
    try:
        # The unique dedupe key makes this the one claim of the slot across every process.
        info = records.create_job_record(
            engine,
            actor=SCHEDULER_ACTOR,
            kind=SCHEDULED_KIND,
            params={"retention": schedule.retention},
            dedupe_key=_dedupe_key(slot),
        )
    except ConflictError:
        return None
    dispatch_job(engine, info.id)
    return info


def get_backup_schedule_status(
    *, engine: Engine, actor: Actor, now: dt.datetime | None = None
) -> BackupScheduleStatus:
    """The schedule, its next run, and the last scheduled backup's success or failure."""
    require_role(actor, Action.BACKUP_LIST)
    now = now or dt.datetime.now(dt.UTC)
    schedule = _read_schedule(engine)
    scheduled = (BackgroundJob.kind == SCHEDULED_KIND, BackgroundJob.actor == SCHEDULER_ACTOR.username)
    with engine.connect() as conn:
        last_id = conn.execute(select(func.max(BackgroundJob.id)).where(*scheduled)).scalar()
        last_success = conn.execute(
            select(func.max(BackgroundJob.finished_at)).where(
                *scheduled, BackgroundJob.state == JobState.SUCCEEDED.value
            )
        ).scalar()
        failure = conn.execute(
            select(BackgroundJob.finished_at, BackgroundJob.error)
            .where(*scheduled, BackgroundJob.state == JobState.FAILED.value)
            .order_by(BackgroundJob.id.desc())
            .limit(1)
        ).first()
    next_run = None
    if schedule is not None:
        ran = _slot_ran(engine, latest_slot(schedule, now))
        next_run = compute_next_run(schedule, now=now, latest_slot_ran=ran)
    if isinstance(last_success, str):  # SQLite's max() hands back the stored text
        last_success = dt.datetime.fromisoformat(last_success).replace(tzinfo=dt.UTC)
    return BackupScheduleStatus(
        schedule=schedule,
        next_run_at=next_run,
        last_success_at=last_success,
        last_failure_at=failure.finished_at if failure else None,
        last_error=failure.error if failure else None,
        last_job=records.read_job(engine, last_id) if last_id is not None else None,
    )


__all__ = [
    "BackupSchedule",
    "BackupScheduleStatus",
    "compute_next_run",
    "get_backup_schedule",
    "get_backup_schedule_status",
    "latest_slot",
    "run_due_backup",
    "set_backup_schedule",
]
