"""CLI: worker (runs queued jobs and the backup schedule), jobs list|show."""

from __future__ import annotations

import argparse
from typing import Any

from hr_core.cli._common import emit, open_engine


def _worker(args: argparse.Namespace) -> None:
    import logging

    from hr_core.jobs import run_worker

    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    ran = run_worker(engine=open_engine(), stop_after=args.max_jobs, burst=args.burst)
    emit({"jobs_run": ran})


def _list(args: argparse.Namespace) -> None:
    from hr_core.access import CLI_ACTOR
    from hr_core.jobs import list_jobs

    emit([j.as_dict() for j in list_jobs(engine=open_engine(), actor=CLI_ACTOR, limit=args.limit)])


def _show(args: argparse.Namespace) -> None:
    from hr_core.access import CLI_ACTOR
    from hr_core.jobs import get_job

    emit(get_job(engine=open_engine(), actor=CLI_ACTOR, job_id=args.job_id).as_dict())


def register(sub: Any) -> None:
    p = sub.add_parser(
        "worker",
        help="run queued jobs and the scheduled backup (PostgreSQL: any number of workers, any machine)",
    )
    p.add_argument("--burst", action="store_true", help="stop when no job is queued")
    p.add_argument("--max-jobs", type=int, default=None, help="stop after this many jobs")
    p.set_defaults(handler=_worker)

    p = sub.add_parser("jobs", help="list jobs or show one (state, progress, result or error)")
    jobs_sub = p.add_subparsers(dest="jobs_command", metavar="list|show", parser_class=type(p))
    jobs_sub.required = True
    q = jobs_sub.add_parser("list", help="jobs, newest first")
    q.add_argument("--limit", type=int, default=50)
    q.set_defaults(handler=_list)
    q = jobs_sub.add_parser("show", help="one job")
    q.add_argument("job_id", type=int)
    q.set_defaults(handler=_show)
