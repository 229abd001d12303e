"""Property: any rows of the widest table survive backup → change → restore unchanged."""

from __future__ import annotations

import datetime as dt
import uuid
from pathlib import Path
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import Engine, Executable, delete, insert

from hr_core.access import Actor
from hr_core.backup import create_backup, restore_backup
from hr_core.models import Candidate
from hr_core.storage import make_storage
from tests.db.test_backup import snapshot

ADMIN = Actor(username="prop", role="admin")
# PostgreSQL text cannot hold NUL; surrogates are not valid UTF-8.
TEXT = st.text(st.characters(blacklist_categories=("Cs",), blacklist_characters="\x00"), max_size=30)
JSON = st.recursive(
    st.none() | st.booleans() | st.integers(-(2**53), 2**53) | TEXT,
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(TEXT, inner, max_size=3),
    max_leaves=8,
)
STAMP = st.none() | st.datetimes(
    min_value=dt.datetime(1900, 1, 1), max_value=dt.datetime(2200, 1, 1), timezones=st.just(dt.UTC)
)


@st.composite
def candidate_rows(draw: st.DrawFn) -> list[dict[str, Any]]:
    codes = draw(st.lists(TEXT.filter(bool), min_size=0, max_size=6, unique=True))
    return [
        {
            "codigo": code,
            "nome": draw(TEXT),
            "cv_pt": draw(TEXT),
            "data_criacao": draw(STAMP),
            "data_atualizacao": draw(STAMP),
            "infos_basicas": draw(st.dictionaries(TEXT, JSON, max_size=3)),
            "extra": draw(st.dictionaries(TEXT, JSON, max_size=2)),
        }
        for code in codes
    ]


def assert_round_trip(
    engine: Engine, tmp_path: Path, model: Any, table: str, rows: list[dict[str, Any]], *, damage: Executable
) -> None:
    """Replace a table's rows with rows, back it up, run damage, restore: verified, and the rows as before."""
    storage = make_storage(f"file://{tmp_path / uuid.uuid4().hex}")
    with engine.begin() as conn:
        conn.execute(delete(model))
        if rows:
            conn.execute(insert(model), rows)
    before = snapshot(engine, model)
    backup = create_backup(engine=engine, storage=storage, table=table, actor=ADMIN)
    with engine.begin() as conn:
        conn.execute(damage)
    result = restore_backup(
        engine=engine, storage=storage, table=table, backup_id=backup.backup_id, actor=ADMIN
    )
    assert result.verified and result.rows == len(rows)
    assert snapshot(engine, model) == before


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(rows=candidate_rows(), keep=st.integers(0, 6))
def test_backup_restore_round_trip(
    engine: Engine, tmp_path: Path, rows: list[dict[str, Any]], keep: int
) -> None:
    kept = [r["codigo"] for r in rows[:keep]]
    assert_round_trip(
        engine,
        tmp_path,
        Candidate,
        "candidates",
        rows,
        damage=delete(Candidate).where(Candidate.codigo.not_in(kept)),
    )
