"""Recruiters' feedback and openings' skill levels are backed up and restored like every allow-listed
table, on both databases: verified, the rows equal after a restore, the feedback ids' sequence continuing."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import Engine, delete, insert, update

from hr_core.access import Actor
from hr_core.backup import create_all_backups, restore_backup, verify_backup
from hr_core.models import MatchFeedback, OpeningSkillRequirement
from hr_core.storage import Storage
from hr_core.vocabulary import FEEDBACK_VERDICTS, SKILL_LEVELS
from tests.db.test_backup import snapshot
from tests.db.test_backup_roundtrip import TEXT, assert_round_trip

ADMIN = Actor(username="boss", role="admin")
T0 = dt.datetime(2026, 11, 30, 9, 0, tzinfo=dt.UTC)
STAMP = st.datetimes(
    min_value=dt.datetime(1970, 1, 1), max_value=dt.datetime(2200, 1, 1), timezones=st.just(dt.UTC)
)


def _feedback(n: int) -> list[dict[str, Any]]:
    return [
        {
            "id": i + 1,
            "candidate_codigo": f"C{i % 3}",
            "vaga_codigo": "V1",
            "verdict": FEEDBACK_VERDICTS[i % 2],
            "reason": "sem Kotlin; =SUM(A1)" if i % 2 else "",
            "source": "api",
            "username": "rita",
            "created_at": T0 + dt.timedelta(minutes=i),
        }
        for i in range(n)
    ]


def _levels() -> list[dict[str, Any]]:
    return [
        {"vaga_codigo": "V1", "term": "python", "label": "python", "level": "required"},
        {"vaga_codigo": "V1", "term": "sap fi", "label": "SAP FI", "level": "ignored"},
        {"vaga_codigo": "V2", "term": "ingl", "label": "inglês", "level": "required"},
    ]


def test_both_tables_back_up_change_and_restore_to_equal_rows(engine: Engine, storage: Storage) -> None:
    with engine.begin() as conn:
        conn.execute(insert(MatchFeedback), _feedback(5))
        conn.execute(
            insert(OpeningSkillRequirement), [{**r, "username": "rita", "updated_at": T0} for r in _levels()]
        )
    before = {m: snapshot(engine, m) for m in (MatchFeedback, OpeningSkillRequirement)}
    made = {r.table: r for r in create_all_backups(engine=engine, storage=storage, actor=ADMIN)}
    assert (made["match_feedback"].rows, made["opening_skill_requirements"].rows) == (5, 3)
    for table in ("match_feedback", "opening_skill_requirements"):
        checked = verify_backup(engine=engine, storage=storage, actor=ADMIN, backup_id=made[table].backup_id)
        assert checked.verified and checked.fits_live_table

    with engine.begin() as conn:
        conn.execute(delete(MatchFeedback).where(MatchFeedback.id > 2))
        conn.execute(update(OpeningSkillRequirement).values(level="ignored"))
    for table in ("match_feedback", "opening_skill_requirements"):
        result = restore_backup(
            engine=engine, storage=storage, table=table, backup_id=made[table].backup_id, actor=ADMIN
        )
        assert result.verified
    assert {m: snapshot(engine, m) for m in before} == before
    # New feedback after the restore continues after the restored ids.
    with engine.begin() as conn:
        new_id = conn.execute(
            insert(MatchFeedback)
            .values(**{k: v for k, v in _feedback(1)[0].items() if k != "id"})
            .returning(MatchFeedback.id)
        ).scalar_one()
    assert new_id == 6


@st.composite
def level_rows(draw: st.DrawFn) -> list[dict[str, Any]]:
    keys = draw(st.lists(st.tuples(TEXT.filter(bool), TEXT.filter(bool)), max_size=6, unique=True))
    return [
        {
            "vaga_codigo": vaga,
            "term": term,
            "label": draw(TEXT),
            "level": draw(st.sampled_from(SKILL_LEVELS)),
            "username": draw(TEXT),
            "updated_at": draw(STAMP),
        }
        for vaga, term in keys
    ]


@settings(max_examples=10, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(rows=level_rows())
def test_any_skill_levels_survive_backup_and_restore(
    engine: Engine, tmp_path: Path, rows: list[dict[str, Any]]
) -> None:
    damage = delete(OpeningSkillRequirement)
    assert_round_trip(
        engine, tmp_path, OpeningSkillRequirement, "opening_skill_requirements", rows, damage=damage
    )
