"""Long work as jobs: submit, follow and run them, and the scheduled backup.

Every job is a record in `background_jobs` (state, progress, result or error) whoever runs it:
threads of the submitting process on SQLite, procrastinate workers (`python -m hr_core worker`,
on any machine) on PostgreSQL. A job whose process died is marked failed, never left running.
"""

from hr_core.jobs.kinds import JOB_KINDS, JobContext, JobKind, get_job_kind
from hr_core.jobs.records import ORPHAN_ERROR, JobInfo, JobState, fail_orphaned_jobs
from hr_core.jobs.runner import (
    execute_job,
    get_job,
    list_jobs,
    run_worker,
    start_job_runner,
    stop_job_runners,
    submit_job,
)
from hr_core.jobs.schedule import (
    BackupSchedule,
    BackupScheduleStatus,
    compute_next_run,
    get_backup_schedule,
    get_backup_schedule_status,
    run_due_backup,
    set_backup_schedule,
)

__all__ = [
    "JOB_KINDS",
    "ORPHAN_ERROR",
    "BackupSchedule",
    "BackupScheduleStatus",
    "JobContext",
    "JobInfo",
    "JobKind",
    "JobState",
    "compute_next_run",
    "execute_job",
    "fail_orphaned_jobs",
    "get_backup_schedule",
    "get_backup_schedule_status",
    "get_job",
    "get_job_kind",
    "list_jobs",
    "run_due_backup",
    "run_worker",
    "set_backup_schedule",
    "start_job_runner",
    "stop_job_runners",
    "submit_job",
]
