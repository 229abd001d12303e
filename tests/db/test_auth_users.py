"""User accounts on SQLite and PostgreSQL: add, list, roles, disable, reset; admins only; audited."""

from __future__ import annotations

import pytest
from sqlalchemy import Engine, select

from hr_core.access import CLI_ACTOR, Actor
from hr_core.audit import list_events
from hr_core.auth import (
    SessionEnded,
    authenticate,
    create_user,
    disable_user,
    enable_user,
    get_user,
    list_users,
    reset_password,
    resume_session,
    set_role,
)
from hr_core.errors import InvalidInputError, NotFoundError, PermissionDenied
from hr_core.models import User
from hr_core.settings import reset_settings
from tests.factories import make_user


@pytest.fixture(autouse=True)
def _fast_bcrypt(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HR_BCRYPT_ROUNDS", "4")
    reset_settings()


def test_create_stores_a_bcrypt_hash_never_the_password(engine: Engine) -> None:
    password = make_user(engine, username="  Ana.Souza ", role="recruiter")
    with engine.connect() as conn:
        row = conn.execute(select(User)).one()
    assert row.username == "ana.souza" and row.role == "recruiter"
    assert row.password_hash.startswith("$2b$") and password not in row.password_hash
    assert [u.username for u in list_users(engine=engine, actor=CLI_ACTOR)] == ["ana.souza"]


@pytest.mark.parametrize(
    ("username", "role", "password", "fragment"),
    [
        ("x", "analyst", "Good-Password-42", "not allowed"),
        ("bad name", "analyst", "Good-Password-42", "not allowed"),
        ("cli", "analyst", "Good-Password-42", "reserved"),
        ("maria", "boss", "Good-Password-42", "role 'boss' is unknown"),
        ("maria", "analyst", "weak", "too short"),
    ],
)
def test_bad_input_is_refused_and_audited(
    engine: Engine, username: str, role: str, password: str, fragment: str
) -> None:
    with pytest.raises(InvalidInputError, match=fragment):
        create_user(engine=engine, actor=CLI_ACTOR, username=username, role=role, password=password)
    assert list_users(engine=engine, actor=CLI_ACTOR) == []
    events = list_events(engine, actor=CLI_ACTOR, action="users.add")
    assert list(events["outcome"]) == ["error"] and fragment.split("'")[0] in events["details"][0]["error"]


def test_duplicate_user_is_refused(engine: Engine) -> None:
    make_user(engine, username="maria")
    with pytest.raises(InvalidInputError, match="already exists"):
        make_user(engine, username="MARIA")


@pytest.mark.parametrize("role", ["analyst", "recruiter"])
def test_only_admins_manage_users(engine: Engine, role: str) -> None:
    make_user(engine, username="target")
    actor = Actor(username="someone", role=role)  # type: ignore[arg-type]
    calls = [
        lambda: create_user(
            engine=engine, actor=actor, username="new1", role="admin", password="Good-Password-42"
        ),
        lambda: set_role(engine=engine, actor=actor, username="target", role="admin"),
        lambda: disable_user(engine=engine, actor=actor, username="target"),
        lambda: reset_password(engine=engine, actor=actor, username="target", password="Good-Password-42"),
        lambda: list_users(engine=engine, actor=actor),
    ]
    for call in calls:
        with pytest.raises(PermissionDenied, match="admin"):
            call()
    assert get_user(engine=engine, actor=CLI_ACTOR, username="target").role == "analyst"
    denied = list_events(engine, actor=CLI_ACTOR, user="someone")
    assert len(denied) == 4 and set(denied["outcome"]) == {"error"}


def test_role_change_ends_the_users_sessions(engine: Engine) -> None:
    password = make_user(engine, username="rita", role="analyst")
    session = authenticate(engine=engine, username="rita", password=password)
    set_role(engine=engine, actor=CLI_ACTOR, username="rita", role="recruiter")
    with pytest.raises(SessionEnded):
        resume_session(engine=engine, username="rita", session_version=session.session_version)
    again = authenticate(engine=engine, username="rita", password=password)
    assert again.actor.role == "recruiter"


def test_the_last_active_admin_cannot_be_demoted_or_disabled(engine: Engine) -> None:
    make_user(engine, username="boss", role="admin")
    with pytest.raises(InvalidInputError, match="last active admin"):
        set_role(engine=engine, actor=CLI_ACTOR, username="boss", role="analyst")
    with pytest.raises(InvalidInputError, match="last active admin"):
        disable_user(engine=engine, actor=CLI_ACTOR, username="boss")
    make_user(engine, username="boss2", role="admin")
    assert disable_user(engine=engine, actor=CLI_ACTOR, username="boss").disabled


def test_disable_refuses_log_in_and_ends_sessions_enable_restores(engine: Engine) -> None:
    password = make_user(engine, username="joao")
    session = authenticate(engine=engine, username="joao", password=password)
    disable_user(engine=engine, actor=CLI_ACTOR, username="joao")
    with pytest.raises(SessionEnded):
        resume_session(engine=engine, username="joao", session_version=session.session_version)
    with pytest.raises(PermissionDenied, match="disabled"):
        authenticate(engine=engine, username="joao", password=password)
    enable_user(engine=engine, actor=CLI_ACTOR, username="joao")
    assert authenticate(engine=engine, username="joao", password=password).actor.username == "joao"


def test_reset_password_replaces_the_old_one(engine: Engine) -> None:
    old = make_user(engine, username="lia")
    reset_password(engine=engine, actor=CLI_ACTOR, username="lia", password="Brand-New-Secret-7")
    with pytest.raises(PermissionDenied):
        authenticate(engine=engine, username="lia", password=old)
    assert authenticate(engine=engine, username="lia", password="Brand-New-Secret-7").actor.username == "lia"


def test_changes_to_a_missing_user_say_so(engine: Engine) -> None:
    with pytest.raises(NotFoundError, match="'ghost' does not exist"):
        set_role(engine=engine, actor=CLI_ACTOR, username="ghost", role="admin")
    assert list(list_events(engine, actor=CLI_ACTOR, action="users.set_role")["outcome"]) == ["error"]
