"""Log-in on SQLite and PostgreSQL: lockout after 5 failures, session versions, credentials, audit."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import Engine

from hr_core.access import CLI_ACTOR, Actor
from hr_core.audit import list_events
from hr_core.auth import (
    LoginFailed,
    SessionEnded,
    authenticate,
    change_own_password,
    end_sessions,
    get_user,
    reset_password,
    resume_session,
)
from hr_core.errors import InvalidInputError
from hr_core.settings import reset_settings
from tests.factories import make_user


@pytest.fixture(autouse=True)
def _fast_bcrypt(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HR_BCRYPT_ROUNDS", "4")
    reset_settings()


def test_success_and_failure_are_audited(engine: Engine) -> None:
    password = make_user(engine, username="ana", role="recruiter")
    session = authenticate(engine=engine, username="Ana ", password=password)
    assert session.actor == Actor(username="ana", role="recruiter")
    with pytest.raises(LoginFailed, match="wrong user name or password"):
        authenticate(engine=engine, username="ana", password="not-it-" + password)
    with pytest.raises(LoginFailed, match="wrong user name or password"):
        authenticate(engine=engine, username="nobody", password=password)
    events = list_events(engine, actor=CLI_ACTOR, action="auth.login").sort_values("id")
    assert list(zip(events["actor"], events["outcome"], strict=True)) == [
        ("ana", "ok"),
        ("ana", "error"),
        ("nobody", "error"),
    ]
    assert [d.get("reason") for d in events["details"]][1:] == ["wrong password", "unknown user"]
    assert all(password not in str(d) for d in events["details"])
    assert get_user(engine=engine, actor=CLI_ACTOR, username="ana").last_login_at is not None


def test_five_failures_lock_the_account_for_a_while(engine: Engine) -> None:
    password = make_user(engine, username="bia")
    start = dt.datetime.now(dt.UTC)
    for attempt in range(1, 5):
        with pytest.raises(LoginFailed, match="wrong user name or password$"):
            authenticate(engine=engine, username="bia", password=f"wrong-{attempt}", now=start)
        assert get_user(engine=engine, actor=CLI_ACTOR, username="bia").failed_logins == attempt
    with pytest.raises(LoginFailed, match="locked for 15 minutes"):
        authenticate(engine=engine, username="bia", password="wrong-5", now=start)
    # Locked: even the right password is refused, without checking it.
    with pytest.raises(LoginFailed, match="locked"):
        authenticate(engine=engine, username="bia", password=password, now=start + dt.timedelta(minutes=14))
    later = start + dt.timedelta(minutes=16)
    assert authenticate(engine=engine, username="bia", password=password, now=later).actor.username == "bia"
    assert get_user(engine=engine, actor=CLI_ACTOR, username="bia").failed_logins == 0
    reasons = [
        d["reason"]
        for d in list_events(engine, actor=CLI_ACTOR, action="auth.login", outcome="error")["details"]
    ]
    assert reasons.count("locked") == 1 and reasons.count("wrong password") == 5


def test_a_success_resets_the_failure_count(engine: Engine) -> None:
    password = make_user(engine, username="caio")
    for _ in range(4):
        with pytest.raises(LoginFailed):
            authenticate(engine=engine, username="caio", password="nope-nope-nope")
    authenticate(engine=engine, username="caio", password=password)
    for _ in range(4):
        with pytest.raises(LoginFailed, match="password$"):
            authenticate(engine=engine, username="caio", password="nope-nope-nope")
    assert get_user(engine=engine, actor=CLI_ACTOR, username="caio").locked_until is None


def test_reset_password_lifts_a_lockout(engine: Engine) -> None:
    make_user(engine, username="duda")
    for _ in range(5):
        with pytest.raises(LoginFailed):
            authenticate(engine=engine, username="duda", password="nope-nope-nope")
    assert get_user(engine=engine, actor=CLI_ACTOR, username="duda").is_locked()
    reset_password(engine=engine, actor=CLI_ACTOR, username="duda", password="Fresh-Start-2026")
    assert authenticate(engine=engine, username="duda", password="Fresh-Start-2026").actor.username == "duda"


def test_log_out_ends_every_session_of_the_user(engine: Engine) -> None:
    password = make_user(engine, username="eva", role="admin")
    tab1 = authenticate(engine=engine, username="eva", password=password)
    tab2 = authenticate(engine=engine, username="eva", password=password)
    assert resume_session(engine=engine, username="eva", session_version=tab2.session_version).role == "admin"
    end_sessions(engine=engine, actor=tab1.actor)
    for tab in (tab1, tab2):
        with pytest.raises(SessionEnded, match="log in again"):
            resume_session(engine=engine, username="eva", session_version=tab.session_version)
    with pytest.raises(SessionEnded):
        resume_session(engine=engine, username="eva", session_version=None)
    assert list(list_events(engine, actor=CLI_ACTOR, action="auth.logout")["actor"]) == ["eva"]


def test_changing_ones_password_needs_the_current_one_and_ends_sessions(engine: Engine) -> None:
    password = make_user(engine, username="fabio")
    session = authenticate(engine=engine, username="fabio", password=password)
    with pytest.raises(InvalidInputError, match="current password is wrong"):
        change_own_password(
            engine=engine, actor=session.actor, current_password="wrong-one-1A", new_password="Another-Good-1"
        )
    with pytest.raises(InvalidInputError, match="too short"):
        change_own_password(
            engine=engine, actor=session.actor, current_password=password, new_password="short"
        )
    resume_session(engine=engine, username="fabio", session_version=session.session_version)
    change_own_password(
        engine=engine, actor=session.actor, current_password=password, new_password="Another-Good-1"
    )
    with pytest.raises(SessionEnded):
        resume_session(engine=engine, username="fabio", session_version=session.session_version)
    authenticate(engine=engine, username="fabio", password="Another-Good-1")
