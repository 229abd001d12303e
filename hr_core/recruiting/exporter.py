"""Write the recruiting tables back as applicants.json, vagas.json and prospects.json, and beside them the
openings' tuned skill levels (opening_skill_requirements.csv) and recruiters' match feedback
(match_feedback.csv), both formula-safe."""

from __future__ import annotations

import json
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any, TextIO

import pandas as pd
from sqlalchemy import Engine, Table, bindparam, func, select
from sqlalchemy import exc as sa_exc

from hr_core.access import Action, Actor
from hr_core.audit import audited
from hr_core.errors import DatabaseUnavailableError
from hr_core.exports import to_csv_bytes
from hr_core.ml.feedback import list_feedback
from hr_core.ml.requirements import list_skill_requirements
from hr_core.models.recruiting import Prospect
from hr_core.progress import Progress
from hr_core.recruiting.core_tables import CANDIDATES, OPENINGS, PROSPECTS, VAGAS
from hr_core.recruiting.records import build_candidate_record, build_opening_record, build_vaga_record
from hr_core.storage import make_storage

PAGE = 1000
FEEDBACK_FILE = "match_feedback.csv"
FEEDBACK_COLUMNS = ["id", "candidate", "vaga", "verdict", "reason", "source", "username", "created_at"]
REQUIREMENTS_FILE = "opening_skill_requirements.csv"
REQUIREMENTS_COLUMNS = ["vaga", "term", "label", "level", "username", "updated_at"]


def _pages(engine: Engine, table: Table, key: str) -> Iterator[list[dict[str, Any]]]:
    """Rows ordered by (position, key), a page at a time (keyset pagination keeps memory flat)."""
    last: tuple[int, str] | None = None
    order = (table.c.position, table.c[key])
    while True:
        stmt = select(table).order_by(*order).limit(PAGE)
        if last is not None:
            stmt = stmt.where(
                (table.c.position > last[0]) | ((table.c.position == last[0]) & (table.c[key] > last[1]))
            )
        with engine.connect() as conn:
            rows = [dict(r) for r in conn.execute(stmt).mappings()]
        if not rows:
            return
        yield rows
        last = (rows[-1]["position"], rows[-1][key])


def _write_pairs(fh: TextIO, pairs: Iterator[tuple[str, Any]]) -> int:
    count = 0
    fh.write("{")
    for key, value in pairs:
        fh.write(
            ("," if count else "")
            + json.dumps(key, ensure_ascii=False)
            + ": "
            + json.dumps(value, ensure_ascii=False)
        )
        count += 1
    fh.write("}")
    return count


def _candidates(engine: Engine) -> Iterator[tuple[str, Any]]:
    for rows in _pages(engine, CANDIDATES, "codigo"):
        for row in rows:
            yield row["codigo"], build_candidate_record(row)


def _vagas(engine: Engine) -> Iterator[tuple[str, Any]]:
    for rows in _pages(engine, VAGAS, "codigo"):
        for row in rows:
            yield row["codigo"], build_vaga_record(row)


def _openings(engine: Engine) -> Iterator[tuple[str, Any]]:
    table = PROSPECTS
    stmt = (
        select(table.c.vaga_codigo, table.c.raw)
        .where(table.c.vaga_codigo.in_(bindparam("codes", expanding=True)))
        .order_by(table.c.vaga_codigo, table.c.position, table.c.id)
    )
    for rows in _pages(engine, OPENINGS, "vaga_codigo"):
        grouped: dict[str, list[dict[str, Any]]] = {}
        with engine.connect() as conn:
            for code, raw in conn.execute(stmt, {"codes": [r["vaga_codigo"] for r in rows]}):
                grouped.setdefault(code, []).append(raw)
        for row in rows:
            yield row["vaga_codigo"], build_opening_record(row, grouped.get(row["vaga_codigo"], []))


def _feedback_csv(engine: Engine, actor: Actor) -> tuple[bytes, int]:
    """Every verdict ever given, oldest first (the history, not only the latest per pair)."""
    rows = [f.as_dict() for f in reversed(list_feedback(engine=engine, actor=actor, limit=None))]
    return to_csv_bytes(pd.DataFrame(rows, columns=FEEDBACK_COLUMNS)), len(rows)


def _requirements_csv(engine: Engine, actor: Actor) -> tuple[bytes, int]:
    """The skill levels recruiters saved for the openings (required / ignored; the rest are preferred)."""
    rows = list_skill_requirements(engine=engine, actor=actor)
    return to_csv_bytes(pd.DataFrame(rows, columns=REQUIREMENTS_COLUMNS)), len(rows)


def export_recruiting(
    *, engine: Engine, actor: Actor, out: str, progress: Progress | None = None
) -> dict[str, Any]:
    """Write applicants.json, vagas.json, prospects.json, opening_skill_requirements.csv and
    match_feedback.csv to a folder or s3://bucket/prefix."""
    parts = (
        ("applicants.json", _candidates),
        ("vagas.json", _vagas),
        ("prospects.json", _openings),
    )
    counts: dict[str, int] = {}
    with audited(engine, actor, Action.RECRUITING_EXPORT, {"out": out}) as audit:
        try:
            store = make_storage(out)
            with tempfile.TemporaryDirectory(prefix="hr-export-") as tmp:
                for step, (name, produce) in enumerate(parts):
                    if progress is not None:
                        progress(step / len(parts), f"writing {name}")
                    path = Path(tmp) / name
                    with open(path, "w", encoding="utf-8") as fh:
                        counts[name] = _write_pairs(fh, produce(engine))
                    store.put_file(name, path)
                requirements, counts[REQUIREMENTS_FILE] = _requirements_csv(engine, actor)
                store.put_bytes(REQUIREMENTS_FILE, requirements)
                feedback, counts[FEEDBACK_FILE] = _feedback_csv(engine, actor)
                store.put_bytes(FEEDBACK_FILE, feedback)
            with engine.connect() as conn:
                counts["prospect_rows"] = int(
                    conn.execute(select(func.count()).select_from(Prospect)).scalar_one()
                )
        except sa_exc.SQLAlchemyError as e:
            raise DatabaseUnavailableError(f"cannot read the recruiting tables for the export: {e}") from e
        if progress is not None:
            progress(1.0, "export finished")
        files = [*(p[0] for p in parts), REQUIREMENTS_FILE, FEEDBACK_FILE]
        result = {"out": store.url, "files": files, "counts": counts}
        audit.details.update(result)
    return result
