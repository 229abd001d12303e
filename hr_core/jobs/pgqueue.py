"""The PostgreSQL queue: procrastinate in the same database, so workers on any machine can take jobs.

Our `background_jobs` table stays the record; procrastinate only carries "run job N" to a worker,
and its periodic task ticks the backup schedule once a minute across all workers.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import threading
from collections.abc import Callable
from typing import Any

from sqlalchemy import Engine

from hr_core.db import begin
from hr_core.errors import DatabaseUnavailableError
from hr_core.sqlfiles import scalar

log = logging.getLogger(__name__)

QUEUE = "talentlens"
RUN_TASK = "talentlens.run_job"
TICK_TASK = "talentlens.tick"


def conninfo_of(engine: Engine) -> str:
    """A libpq connection string for the engine's database (procrastinate uses psycopg directly)."""
    return engine.url.set(drivername="postgresql").render_as_string(hide_password=False)


def ensure_queue_schema(engine: Engine) -> None:
    """Refuse, naming the fix, when the database lacks the queue's tables (migration 0003 adds them)."""
    with begin(engine) as conn:
        if not scalar(conn, "has_queue_schema"):
            raise DatabaseUnavailableError(
                "the job queue's tables are missing from the database; run `python -m hr_core init-db`"
            )


def make_queue_app(
    engine: Engine,
    *,
    run_job: Callable[[int], None],
    tick: Callable[[], None],
    sync: bool = False,
) -> Any:
    """A procrastinate App on the engine's database with the run-job task and the one-minute tick."""
    from procrastinate import App, PsycopgConnector, SyncPsycopgConnector

    conninfo = conninfo_of(engine)
    connector: Any = (
        SyncPsycopgConnector(conninfo=conninfo, min_size=1, max_size=1)
        if sync
        else PsycopgConnector(conninfo=conninfo, min_size=1, max_size=4)
    )
    app = App(connector=connector)

    @app.task(name=RUN_TASK, queue=QUEUE)
    def _run(job_id: int) -> None:
        run_job(job_id)

    @app.periodic(cron="* * * * *", periodic_id="backup-schedule")
    @app.task(name=TICK_TASK, queue=QUEUE)
    def _tick(timestamp: int) -> None:
        tick()

    return app


def defer_job(engine: Engine, job_id: int) -> None:
    """Put "run job N" on the queue for whichever worker is free."""
    ensure_queue_schema(engine)
    app = make_queue_app(engine, run_job=lambda _id: None, tick=lambda: None, sync=True)
    with app.open():
        app.configure_task(RUN_TASK, queue=QUEUE).defer(job_id=job_id)


def run_queue_worker(
    engine: Engine,
    *,
    run_job: Callable[[int], None],
    tick: Callable[[], None],
    stop_after: int | None,
    burst: bool,
    stop_event: threading.Event | None = None,
    concurrency: int = 2,
) -> int:
    """Run a procrastinate worker until stopped, `stop_after` jobs ran, or (burst) the queue is empty."""
    ensure_queue_schema(engine)
    done = 0
    loop = asyncio.new_event_loop()
    enough = asyncio.Event()

    def counted(job_id: int) -> None:
        nonlocal done
        try:
            run_job(job_id)
        finally:
            done += 1
            if stop_after is not None and done >= stop_after:
                loop.call_soon_threadsafe(enough.set)

    app = make_queue_app(engine, run_job=counted, tick=tick)

    async def main() -> None:
        async with app.open_async():
            worker = asyncio.create_task(
                app.run_worker_async(
                    queues=[QUEUE],
                    wait=not burst,
                    concurrency=concurrency,
                    delete_jobs="always",
                    install_signal_handlers=threading.current_thread() is threading.main_thread(),
                    fetch_job_polling_interval=2.0,
                )
            )

            async def stopped() -> None:
                while stop_event is not None and not stop_event.is_set():
                    await asyncio.sleep(0.5)
                if stop_event is None:
                    await asyncio.Event().wait()

            waits = [asyncio.create_task(enough.wait()), asyncio.create_task(stopped())]
            await asyncio.wait([worker, *waits], return_when=asyncio.FIRST_COMPLETED)
            if not worker.done():
                worker.cancel()
            for w in waits:
                w.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await worker

    try:
        loop.run_until_complete(main())
    finally:
        loop.close()
    return done
