"""The Backups page: admins back up, verify, dry-run and restore; analysts are turned away."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from sqlalchemy import insert, select, update
from streamlit.testing.v1 import AppTest

from hr_core.access import Actor
from hr_core.db import init_db, make_engine
from hr_core.jobs import get_backup_schedule
from hr_core.models import Job
from hr_core.settings import get_settings
from tests.factories import insert_failed_scheduled_backup

REPO = Path(__file__).resolve().parents[2]


def _app(role: str) -> AppTest:
    at = AppTest.from_file(str(REPO / "pages/backups.py"), default_timeout=120)
    at.session_state["actor"] = Actor(username=f"ui-{role}", role=role)  # type: ignore[arg-type]
    return at


def _jobs() -> list[tuple[int, str]]:
    engine = make_engine(get_settings().database_url)
    with engine.connect() as conn:
        rows = [tuple(r) for r in conn.execute(select(Job.id, Job.job).order_by(Job.id))]
    engine.dispose()
    return rows  # type: ignore[return-value]


def test_admin_backs_up_verifies_previews_and_restores() -> None:
    engine = make_engine(get_settings().database_url)
    init_db(engine)
    with engine.begin() as conn:
        conn.execute(insert(Job), [{"id": i, "job": f"Job {i}"} for i in range(1, 8)])
    original = _jobs()

    at = _app("admin")
    at.run()
    assert not at.exception
    assert any("No backups yet" in i.value for i in at.info)

    at.selectbox(key="backup_table").set_value("jobs")
    at.button(key="backup_run").click().run()
    assert not at.exception, [e.value for e in at.exception]
    assert any("Backed up jobs (7 rows)" in s.value for s in at.success)
    assert {m.label: m.value for m in at.metric}["Backups"] == "1"

    with engine.begin() as conn:
        conn.execute(update(Job).where(Job.id == 3).values(job="Edited"))

    at.button(key="verify_run").click().run()
    assert any("Verified" in s.value for s in at.success)

    at.button(key="dry_run").click().run()
    assert not at.exception
    changed = [m for m in at.metric if m.label == "Rows changed"]
    assert changed and changed[0].value == "1"
    assert at.button(key="restore_run").disabled

    at.text_input(key="restore_confirm").input("departments").run()
    assert at.button(key="restore_run").disabled
    at.text_input(key="restore_confirm").input("jobs").run()
    assert not at.button(key="restore_run").disabled
    at.button(key="restore_run").click().run()
    assert not at.exception, [e.value for e in at.exception]
    assert any("Restored 7 rows into jobs" in s.value for s in at.success)
    assert _jobs() == original

    # The safety backup now sits in the catalogue beside the original.
    at.run()
    assert {m.label: m.value for m in at.metric}["Backups"] == "2"
    at.button(key="download_prepare").click().run()
    assert at.get("download_button")
    engine.dispose()


def test_analyst_is_told_they_lack_the_right() -> None:
    at = _app("analyst")
    at.run()
    assert not at.exception
    assert any("You do not have access to" in e.value for e in at.error)
    assert not at.button


def test_admin_sets_the_schedule_and_sees_its_next_run_and_last_failure() -> None:
    engine = make_engine(get_settings().database_url)
    init_db(engine)
    at = _app("admin")
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    metrics = {m.label: m.value for m in at.metric}
    assert metrics["Next run"] == "not scheduled" and metrics["Last success"] == "—"

    at.time_input(key="schedule_time").set_value(dt.time(3, 15))
    at.number_input(key="schedule_retention").set_value(5)
    at.button(key="schedule_save").click().run()
    assert not at.exception, [e.value for e in at.exception]
    assert any("Schedule saved" in s.value for s in at.success)
    schedule = get_backup_schedule(engine=engine, actor=Actor("ada", "admin"))
    assert schedule is not None and (schedule.time, schedule.retention, schedule.updated_by) == (
        "03:15",
        5,
        "ui-admin",
    )
    assert {m.label: m.value for m in at.metric}["Next run"].endswith("03:15 UTC")

    insert_failed_scheduled_backup(engine, error="storage is full")
    at.run()
    assert any("The last scheduled backup failed: storage is full" in e.value for e in at.error)
    engine.dispose()


def test_the_page_speaks_spanish() -> None:
    engine = make_engine(get_settings().database_url)
    init_db(engine)
    engine.dispose()
    at = _app("admin")
    at.session_state["locale"] = "es"
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    assert at.title[0].value == "Copias de seguridad"
    assert {m.label: m.value for m in at.metric}["Próxima ejecución"] == "sin programar"
    assert any("Todavía no hay copias de seguridad" in i.value for i in at.info)
    assert at.button(key="backup_run").label == "Respaldar"
