"""What a load would change: rows it adds, rows it updates (each changed field before → after) and rows
that stay as they are (or, adding only, rows it skips), found by comparing the valid rows of a dry run
with the database by id."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

import pandas as pd
from sqlalchemy import Connection, select

from hr_core.ingest.modes import LoadMode
from hr_core.models.hr import Department, HiredEmployee, Job

# How many inserted ids and changed fields a preview lists (the counts are always complete).
MAX_LISTED = 500
_CHUNK = 5_000
_COLUMNS: dict[str, tuple[Any, ...]] = {
    "departments": (Department.id, Department.department),
    "jobs": (Job.id, Job.job),
    "hired_employees": (
        HiredEmployee.id,
        HiredEmployee.name,
        HiredEmployee.hired_at,
        HiredEmployee.department_id,
        HiredEmployee.job_id,
    ),
}


@dataclass(frozen=True)
class FieldChange:
    """One field of an existing row that the load would change."""

    row_id: int
    field: str
    before: Any
    after: Any


@dataclass
class ChangePreview:
    """The effect of a load on one table before anything is written."""

    inserts: int = 0
    updates: int = 0
    unchanged: int = 0
    inserted_ids: list[int] = field(default_factory=list)
    changes: list[FieldChange] = field(default_factory=list)
    mode: LoadMode = LoadMode.ADD_AND_UPDATE
    # Add only: rows whose id the table already holds, left as they are (never updates or unchanged).
    skips: int = 0
    skipped_ids: list[int] = field(default_factory=list)

    def changes_frame(self) -> pd.DataFrame:
        """The listed field changes as a table (id, field, before, after)."""
        return pd.DataFrame(
            [(c.row_id, c.field, c.before, c.after) for c in self.changes],
            columns=["id", "field", "before", "after"],
        )


def _same(before: Any, after: Any) -> bool:
    if hasattr(before, "timestamp") and hasattr(after, "timestamp"):
        return bool(before.timestamp() == after.timestamp())
    return bool(before == after)


class ChangeCollector:
    """Classifies valid rows (id first), chunk by chunk as a dry run streams them, against the table."""

    def __init__(
        self,
        conn: Connection,
        *,
        table: str,
        fields: Sequence[str],
        mode: LoadMode = LoadMode.ADD_AND_UPDATE,
    ) -> None:
        self.conn, self.fields, self.columns = conn, tuple(fields), _COLUMNS[table]
        self.preview = ChangePreview(mode=mode)

    def add(self, rows: Iterable[tuple[Any, ...]]) -> None:
        batch = list(rows)
        for start in range(0, len(batch), _CHUNK):
            self._compare(batch[start : start + _CHUNK])

    def _compare(self, chunk: list[tuple[Any, ...]]) -> None:
        preview, key = self.preview, self.columns[0]
        ids = [r[0] for r in chunk]
        current = {r[0]: tuple(r) for r in self.conn.execute(select(*self.columns).where(key.in_(ids))).all()}
        for row in chunk:
            old = current.get(row[0])
            if old is None:
                preview.inserts += 1
                if len(preview.inserted_ids) < MAX_LISTED:
                    preview.inserted_ids.append(int(row[0]))
                continue
            if preview.mode is LoadMode.ADD_ONLY:
                preview.skips += 1
                if len(preview.skipped_ids) < MAX_LISTED:
                    preview.skipped_ids.append(int(row[0]))
                continue
            changed = [
                FieldChange(int(row[0]), name, old[i], row[i])
                for i, name in enumerate(self.fields)
                if i > 0 and not _same(old[i], row[i])
            ]
            if not changed:
                preview.unchanged += 1
                continue
            preview.updates += 1
            room = MAX_LISTED - len(preview.changes)
            preview.changes.extend(changed[: max(room, 0)])


def compare_with_database(
    conn: Connection,
    *,
    table: str,
    fields: Sequence[str],
    rows: Iterable[tuple[Any, ...]],
    mode: LoadMode = LoadMode.ADD_AND_UPDATE,
) -> ChangePreview:
    """Classify each valid row (id first) as an insert, an update, unchanged or (adding only) a skip."""
    collector = ChangeCollector(conn, table=table, fields=fields, mode=mode)
    collector.add(rows)
    return collector.preview
