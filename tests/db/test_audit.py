"""The audit log on SQLite and PostgreSQL: recording, filtering, facets, an unreachable database."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import Engine

from hr_core.access import CLI_ACTOR, Actor
from hr_core.audit import list_event_facets, list_events, record_event
from hr_core.db import make_engine
from hr_core.errors import DatabaseUnavailableError


def test_events_are_listed_newest_first_and_filtered(engine: Engine) -> None:
    admin = Actor(username="root", role="admin")
    record_event(engine, actor=admin, action="backup", outcome="ok", details={"tables": ["jobs"]})
    record_event(
        engine, actor="ana", action="auth.login", outcome="error", details={"when": dt.date(2024, 1, 2)}
    )
    record_event(engine, actor=None, action="auth.login", outcome="ok")
    everything = list_events(engine, actor=CLI_ACTOR)
    assert list(everything["actor"]) == ["anonymous", "ana", "root"]
    assert everything["details"].iloc[1] == {"when": "2024-01-02"}
    assert list(list_events(engine, actor=CLI_ACTOR, action="auth.login", outcome="error")["actor"]) == [
        "ana"
    ]
    assert list(list_events(engine, actor=CLI_ACTOR, user="root")["action"]) == ["backup"]
    now = dt.datetime.now(dt.UTC)
    assert list_events(engine, actor=CLI_ACTOR, since=now + dt.timedelta(minutes=1)).empty
    assert (
        len(
            list_events(
                engine,
                actor=CLI_ACTOR,
                since=now - dt.timedelta(minutes=5),
                until=now + dt.timedelta(minutes=1),
            )
        )
        == 3
    )
    assert list_event_facets(engine, actor=CLI_ACTOR) == {
        "actor": ["ana", "anonymous", "root"],
        "action": ["auth.login", "backup"],
        "outcome": ["error", "ok"],
    }


def test_limit_keeps_the_newest(engine: Engine) -> None:
    for i in range(5):
        record_event(engine, actor="x", action=f"a{i}")
    assert list(list_events(engine, actor=CLI_ACTOR, limit=2)["action"]) == ["a4", "a3"]


@pytest.mark.parametrize("url", ["postgresql+psycopg://postgres@127.0.0.1:1/none"])
def test_unreachable_database_is_a_clear_error_and_recording_never_raises(url: str) -> None:
    down = make_engine(url)
    record_event(
        down, actor="x", action="auth.login", outcome="error"
    )  # swallowed: the caller's error matters
    with pytest.raises(DatabaseUnavailableError, match="cannot reach the database"):
        list_events(down, actor=CLI_ACTOR)
    with pytest.raises(DatabaseUnavailableError):
        list_event_facets(down, actor=CLI_ACTOR)


def test_audited_records_success_with_details_and_failure_with_the_message(engine: Engine) -> None:
    from hr_core.access import Action
    from hr_core.audit import audited
    from hr_core.errors import InvalidInputError, PermissionDenied

    admin = Actor(username="root", role="admin")
    with audited(engine, admin, Action.BACKUP_PRUNE, {"keep": 3}) as audit:
        audit.details["deleted"] = 2
    with pytest.raises(InvalidInputError), audited(engine, admin, Action.BACKUP_PRUNE, {"keep": 0}):
        raise InvalidInputError("keep must be at least 1")
    analyst = Actor(username="ana", role="analyst")
    ran = []
    with pytest.raises(PermissionDenied), audited(engine, analyst, Action.BACKUP_PRUNE):
        ran.append(True)
    assert ran == []  # a refused actor never runs the block
    events = list_events(engine, actor=CLI_ACTOR, action="backup.prune").sort_values("id")
    assert list(events["outcome"]) == ["ok", "error", "error"]
    assert events["details"].iloc[0] == {"keep": 3, "deleted": 2}
    assert events["details"].iloc[1]["error"] == "keep must be at least 1"
    assert events["details"].iloc[2]["error_type"] == "PermissionDenied" and list(events["actor"])[2] == "ana"
