"""Reads of personal data check the role in hr_core itself, and opening a profile is audited."""

from __future__ import annotations

import pytest
from sqlalchemy import Engine, insert

from hr_core.access import CLI_ACTOR, Actor
from hr_core.audit import list_event_facets, list_events
from hr_core.auth import get_user, list_users
from hr_core.backup import diff_backup, list_backups, verify_backup
from hr_core.errors import PermissionDenied
from hr_core.models import Candidate
from hr_core.recruiting import queries
from hr_core.storage import make_storage

ANALYST = Actor(username="ana", role="analyst")
RECRUITER = Actor(username="rita", role="recruiter")


def test_reads_of_personal_data_refuse_the_wrong_role(engine: Engine, tmp_path: object) -> None:
    storage = make_storage(f"file://{tmp_path}/store")
    refused = [
        lambda: queries.search_candidates(engine=engine, actor=ANALYST, text="x"),
        lambda: queries.get_candidate(engine=engine, actor=ANALYST, codigo="1"),
        lambda: queries.list_candidate_prospects(engine=engine, actor=ANALYST, codigo="1"),
        lambda: queries.list_opening_prospects(engine=engine, actor=ANALYST, codigo="1"),
        lambda: list_events(engine, actor=RECRUITER),
        lambda: list_event_facets(engine, actor=ANALYST),
        lambda: list_users(engine=engine, actor=RECRUITER),
        lambda: get_user(engine=engine, actor=RECRUITER, username="someone-else"),
        lambda: list_backups(storage, actor=RECRUITER),
        lambda: verify_backup(
            engine=engine, storage=storage, actor=RECRUITER, backup_id="20250101T000000000000Z-00000000"
        ),
        lambda: diff_backup(
            engine=engine,
            storage=storage,
            actor=ANALYST,
            table="jobs",
            backup_id="20250101T000000000000Z-00000000",
        ),
    ]
    for call in refused:
        with pytest.raises(PermissionDenied, match="may not"):
            call()


def test_opening_a_profile_is_audited_with_who_and_whose(engine: Engine) -> None:
    with engine.begin() as conn:
        conn.execute(insert(Candidate).values(codigo="77", nome="Maria Souza"))
    assert queries.get_candidate(engine=engine, actor=RECRUITER, codigo="77")["nome"] == "Maria Souza"
    events = list_events(engine, actor=CLI_ACTOR, action="recruiting.view_profile")
    assert list(events["actor"]) == ["rita"]
    assert events["details"].iloc[0]["candidate"] == "77"
