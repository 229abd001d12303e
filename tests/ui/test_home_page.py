"""AppTest of the home page: greeting, row-count KPI cards and quick links per role."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from hr_core.access import Actor
from hr_core.db import init_db, make_engine
from hr_core.settings import get_settings, reset_settings
from pages._menu import list_pages_for
from tests.db.test_analytics import DEPARTMENTS, HIRES, JOBS
from tests.factories import insert_failed_scheduled_backup, insert_hiring_rows

PAGE = str(Path(__file__).resolve().parents[2] / "pages" / "home.py")


@pytest.fixture
def seeded() -> Iterator[None]:
    engine = make_engine(get_settings().database_url)
    init_db(engine)
    insert_hiring_rows(engine, departments=DEPARTMENTS, jobs=JOBS, hires=HIRES)
    yield
    engine.dispose()


def _open(role: str) -> AppTest:
    at = AppTest.from_file(PAGE, default_timeout=120)
    at.session_state["actor"] = Actor(username=f"user-{role}", role=role)  # type: ignore[arg-type]
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def _links(at: AppTest) -> list[str]:
    return [link.proto.label for link in at.get("page_link")]


def test_analyst_sees_hiring_counts_and_hiring_links(seeded: None) -> None:
    at = _open("analyst")
    assert at.title[0].value == "Welcome, user-analyst"
    metrics = {m.label: m.value for m in at.metric}
    assert metrics == {
        "Departments": "5",
        "Jobs": "3",
        "Hired employees": "11",
        "Years with hires": "2019–2021",
    }
    assert _links(at) == ["Upload", "Hiring analytics"]


def test_recruiter_sees_recruiting_counts_and_links() -> None:
    at = _open("recruiter")
    metrics = {m.label: m.value for m in at.metric}
    assert metrics == {"Candidates": "0", "Job openings": "0", "Applications": "0"}
    assert any("No recruiting data yet" in i.value for i in at.info)
    expected = [p.title for p in list_pages_for("recruiter") if p.path != "pages/home.py"]
    assert _links(at) == expected
    assert "Upload" not in expected


def test_admin_sees_everything_and_an_empty_state() -> None:
    at = _open("admin")
    labels = {m.label for m in at.metric}
    assert {"Departments", "Hired employees", "Candidates", "Applications"} <= labels
    assert any("No hiring data yet" in i.value for i in at.info)
    assert _links(at) == [p.title for p in list_pages_for("admin") if p.path != "pages/home.py"]
    assert "Backups" in _links(at)


def test_admins_are_warned_when_the_scheduled_backup_failed() -> None:
    engine = make_engine(get_settings().database_url)
    init_db(engine)
    insert_failed_scheduled_backup(engine, error="storage s3://hr/backups is unreachable")
    engine.dispose()
    at = _open("admin")
    assert any(
        "scheduled backup" in e.value and "s3://hr/backups is unreachable" in e.value for e in at.error
    )
    assert not [e for e in _open("recruiter").error if "scheduled backup" in e.value]


def test_every_role_is_told_where_the_api_is_and_how_to_get_a_key(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HR_API_PUBLIC_URL", "https://hr.example.com/api/")
    reset_settings()
    for role in ("analyst", "recruiter"):
        help_line = " ".join(c.value for c in _open(role).caption)
        assert "https://hr.example.com/api (" in help_line and "https://hr.example.com/api/docs" in help_line
        assert "python -m hr_core users api-key NAME" in help_line
    at = AppTest.from_file(PAGE, default_timeout=120)
    at.session_state["actor"] = Actor(username="user-admin", role="admin")
    at.session_state["locale"] = "pt_BR"
    at.run()
    assert any("Programas podem usar a API HTTP em https://hr.example.com/api" in c.value for c in at.caption)
