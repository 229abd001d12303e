"""Every page under every role: opens without an exception, or says the role lacks the right."""

from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from hr_core.access import ROLES, Actor
from pages._menu import PAGES, may_open

REPO = Path(__file__).resolve().parents[2]


def _app(path: str, actor: Actor | None) -> AppTest:
    at = AppTest.from_file(str(REPO / path), default_timeout=120)
    if actor is not None:
        at.session_state["actor"] = actor
    return at


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("page", [p.path for p in PAGES])
def test_page_under_role(page: str, role: str) -> None:
    at = _app(page, Actor(username=f"test-{role}", role=role))  # type: ignore[arg-type]
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    denied = any("You do not have access to" in e.value for e in at.error)
    assert denied == (not may_open(role, page))  # type: ignore[arg-type]


@pytest.mark.parametrize("page", [p.path for p in PAGES])
def test_page_without_login_asks_to_log_in(page: str) -> None:
    at = _app(page, None)
    at.run()
    assert not at.exception
    assert any("log in" in w.value.lower() for w in at.warning)


@pytest.mark.parametrize("page", [p.path for p in PAGES])
def test_page_says_when_the_database_is_down(page: str, monkeypatch: pytest.MonkeyPatch) -> None:
    from hr_core.settings import reset_settings

    monkeypatch.setenv("HR_DATABASE_URL", "postgresql://nobody@127.0.0.1:1/none")
    reset_settings()
    at = _app(page, Actor(username="test-admin", role="admin"))
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    assert any("cannot reach the database" in e.value for e in at.error), [e.value for e in at.error]


def test_backups_page_says_when_storage_is_unreachable(monkeypatch: pytest.MonkeyPatch) -> None:
    from hr_core.settings import reset_settings

    monkeypatch.setenv("HR_STORAGE_URL", "s3://no-bucket/x")
    monkeypatch.setenv("HR_S3_ENDPOINT_URL", "http://127.0.0.1:1")
    reset_settings()
    at = _app("pages/backups.py", Actor(username="test-admin", role="admin"))
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    assert any("Could not connect" in e.value and "s3://no-bucket/x" in e.value for e in at.error)


def test_page_says_when_the_schema_is_not_migrated(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """Pages do not migrate: on a database without the schema they say to run init-db."""
    from hr_core.settings import reset_settings

    monkeypatch.setenv("HR_DATABASE_URL", f"sqlite:///{tmp_path / 'never-migrated.db'}")
    reset_settings()
    at = _app("pages/candidates.py", Actor(username="test-admin", role="admin"))
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    assert any("python -m hr_core init-db" in e.value for e in at.error), [e.value for e in at.error]
