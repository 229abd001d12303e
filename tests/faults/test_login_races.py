"""Parallel log-in attempts cannot get past the five-failure lock-out; disabled accounts confirm nothing."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor

import pytest
from sqlalchemy import Engine

from hr_core.access import CLI_ACTOR
from hr_core.audit import list_events
from hr_core.auth import LoginFailed, authenticate, disable_user, get_user
from hr_core.settings import reset_settings
from tests.factories import make_user


@pytest.fixture(autouse=True)
def _quick_bcrypt(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HR_BCRYPT_ROUNDS", "8")  # slow enough for the guesses to overlap
    reset_settings()


def _attempt(engine: Engine, password: str, barrier: threading.Barrier) -> str:
    barrier.wait(30)
    try:
        authenticate(engine=engine, username="bia", password=password)
        return "ok"
    except LoginFailed as e:
        return str(e)


def test_thirty_parallel_wrong_guesses_lock_the_account_and_only_five_are_checked(engine: Engine) -> None:
    password = make_user(engine, username="bia")
    barrier = threading.Barrier(30)
    with ThreadPoolExecutor(30) as pool:
        answers = list(pool.map(lambda i: _attempt(engine, f"guess-{i}-x", barrier), range(30)))
    assert "ok" not in answers
    # The right password now finds the account locked, without being checked.
    with pytest.raises(LoginFailed, match="locked"):
        authenticate(engine=engine, username="bia", password=password)
    user = get_user(engine=engine, actor=CLI_ACTOR, username="bia")
    assert user.is_locked()
    assert user.failed_logins == 0  # the lock took the place of the count
    reasons = [
        d["reason"]
        for d in list_events(engine, actor=CLI_ACTOR, action="auth.login", outcome="error")["details"]
    ]
    assert reasons.count("wrong password") == 5, reasons  # only five guesses were ever checked
    assert reasons.count("locked") == 26


def test_a_right_password_among_parallel_guesses_never_unlocks_more_guesses(engine: Engine) -> None:
    password = make_user(engine, username="bia")
    barrier = threading.Barrier(30)
    tries = [f"guess-{i}-x" for i in range(29)] + [password]
    with ThreadPoolExecutor(30) as pool:
        answers = list(pool.map(lambda p: _attempt(engine, p, barrier), tries))
    reasons = [
        d["reason"]
        for d in list_events(engine, actor=CLI_ACTOR, action="auth.login", outcome="error")["details"]
    ]
    checked = reasons.count("wrong password") + answers.count("ok")
    # Each success may grant a fresh count of five, so at most ten passwords were ever checked.
    assert checked <= 10, reasons
    assert answers.count("ok") <= 1
    user = get_user(engine=engine, actor=CLI_ACTOR, username="bia")
    assert 0 <= user.failed_logins <= 5


def test_a_disabled_account_answers_the_same_whatever_the_password(engine: Engine) -> None:
    password = make_user(engine, username="bia")
    disable_user(engine=engine, actor=CLI_ACTOR, username="bia")
    answers = []
    for attempt in (password, "wrong-password-1"):
        with pytest.raises(LoginFailed) as err:
            authenticate(engine=engine, username="bia", password=attempt)
        answers.append(str(err.value))
    assert answers[0] == answers[1]
    assert "disabled" in answers[0]
    assert get_user(engine=engine, actor=CLI_ACTOR, username="bia").failed_logins == 0
