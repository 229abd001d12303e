"""Read back the export's two CSV files, opening_skill_requirements.csv and match_feedback.csv, so an
export imports into another installation (or the same one) unchanged.

Unlike a Decision JSON record, a bad row here rejects the whole import: every row is checked first and
RowsRejected lists each bad row with its line, field, value and reason; nothing is written. Skill levels are
upserted by (opening, term) — a 'preferred' row removes a stored level, as saving it on the Skills tab does;
feedback is a history, so a verdict already stored (same pair, verdict, reason, source, user and time) is
left alone and the others are added with new ids. Codes are not checked against the stored candidates and
openings (neither table has a foreign key to them: an import may bring those later).
"""

from __future__ import annotations

import csv
import datetime as dt
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import bindparam, delete, insert, select, tuple_, update
from sqlalchemy.engine import Connection

from hr_core.errors import InvalidInputError, RowProblem, RowsRejected
from hr_core.exports import restore_cell
from hr_core.ingest.validate import parse_instant
from hr_core.ml.feedback import MAX_REASON
from hr_core.models.feedback import MatchFeedback
from hr_core.models.skill_requirements import OpeningSkillRequirement
from hr_core.recruiting.exporter import (
    FEEDBACK_COLUMNS,
    FEEDBACK_FILE,
    REQUIREMENTS_COLUMNS,
    REQUIREMENTS_FILE,
)
from hr_core.storage import fetch_input
from hr_core.vocabulary import DEFAULT_SKILL_LEVEL, FEEDBACK_SOURCES, FEEDBACK_VERDICTS, SKILL_LEVELS

MAX_FIELD = 200  # codes, skill terms and labels, user names
CHUNK = 500
SHOWN_PROBLEMS = 3


@dataclass
class FileCounts:
    """What one CSV file changed: rows inserted, updated (or, for a 'preferred' level, removed), unchanged."""

    inserted: int = 0
    updated: int = 0
    unchanged: int = 0

    def as_dict(self) -> dict[str, int]:
        return {"inserted": self.inserted, "updated": self.updated, "unchanged": self.unchanged}


@dataclass(frozen=True)
class CsvRow:
    """One data row as read: the line it starts on, its raw text and its cells by column."""

    line: int
    raw: str
    cells: dict[str, str]


class _BadValue(Exception):
    def __init__(self, field: str, value: str, reason: str) -> None:
        super().__init__(reason)
        self.field, self.value, self.reason = field, value, reason

    def __str__(self) -> str:
        return f"field {self.field}, value {_short(self.value)!r}: {self.reason}"


def _short(value: str) -> str:
    return value if len(value) <= 60 else value[:57] + "..."


def _read_rows(path: Path, name: str, required: Sequence[str], optional: Sequence[str]) -> Iterator[CsvRow]:
    """The rows of a headed UTF-8 CSV whose header names every required column and no unknown one."""
    try:
        with path.open(newline="", encoding="utf-8-sig") as fh:
            lines: list[str] = []

            def tap() -> Iterator[str]:
                for line in fh:
                    lines.append(line)
                    yield line

            reader = csv.reader(tap())
            header = next(reader, None)
            if header is None:
                raise InvalidInputError(
                    f"{name}: the file is empty; it needs a header row ({', '.join(required)})"
                )
            columns = [h.strip() for h in header]
            missing = [c for c in required if c not in columns]
            unknown = [c for c in columns if c not in (*required, *optional)]
            if missing or unknown or len(set(columns)) != len(columns):
                raise InvalidInputError(
                    f"{name}: the header must name the columns {', '.join(required)} (optional: "
                    f"{', '.join(optional)}), each once; found {', '.join(columns) or 'none'}"
                    + (f" — missing {', '.join(missing)}" if missing else "")
                    + (f" — unknown {', '.join(unknown)}" if unknown else "")
                )
            start = reader.line_num + 1
            lines.clear()
            for cells in reader:
                raw, lines[:] = "".join(lines), []
                line, start = start, reader.line_num + 1
                if not any(c.strip() for c in cells):
                    continue  # a blank line
                if len(cells) != len(columns):
                    yield CsvRow(line, raw, {"": f"{len(cells)} cells where the header has {len(columns)}"})
                    continue
                yield CsvRow(line, raw, dict(zip(columns, cells, strict=True)))
    except UnicodeDecodeError as e:
        raise InvalidInputError(f"{name}: the text is not UTF-8 ({e.reason}); save it as UTF-8") from e
    except csv.Error as e:
        raise InvalidInputError(f"{name}: not a readable CSV ({e})") from e


def _text(row: CsvRow, field: str, *, required: bool = True, limit: int = MAX_FIELD) -> str:
    value = restore_cell(row.cells.get(field, "")).strip()
    if required and not value:
        raise _BadValue(field, value, "is empty")
    if len(value) > limit:
        raise _BadValue(field, value, f"has {len(value):,} characters; at most {limit:,} are allowed")
    return value


def _choice(row: CsvRow, field: str, allowed: Sequence[str]) -> str:
    value = _text(row, field)
    if value not in allowed:
        raise _BadValue(field, value, f"is not one of: {', '.join(allowed)}")
    return value


def _stamp(row: CsvRow, field: str) -> dt.datetime:
    value = _text(row, field)
    try:
        return parse_instant(value)
    except ValueError:
        raise _BadValue(
            field, value, "is not an ISO-8601 date and time (e.g. 2026-11-30T09:00:00+00:00)"
        ) from None


def _check_rows(
    name: str,
    rows: Iterator[CsvRow],
    build: Callable[[CsvRow], dict[str, Any]],
    key: Callable[[dict[str, Any]], Any],
) -> list[dict[str, Any]]:
    """Every row built, or RowsRejected with every bad row (its line, field, value and reason)."""
    built: list[dict[str, Any]] = []
    problems: list[RowProblem] = []
    first_line: dict[Any, int] = {}
    for row in rows:
        try:
            if "" in row.cells:
                raise _BadValue("(row)", row.raw.strip(), row.cells[""])
            values = build(row)
            seen = first_line.setdefault(key(values), row.line)
            if seen != row.line:
                raise _BadValue("(row)", row.raw.strip(), f"repeats line {seen}")
        except _BadValue as e:
            problems.append(RowProblem(table=name, line=row.line, raw=row.raw, reasons=(str(e),)))
            continue
        built.append(values)
    if problems:
        shown = "; ".join(f"line {p.line}: {p.reasons[0]}" for p in problems[:SHOWN_PROBLEMS])
        more = f" (and {len(problems) - SHOWN_PROBLEMS:,} more)" if len(problems) > SHOWN_PROBLEMS else ""
        raise RowsRejected(
            f"{name}: {len(problems):,} row(s) are not valid, so nothing was imported — {shown}{more}. "
            "Fix those rows and import again",
            problems,
        )
    return built


def _requirement(row: CsvRow) -> dict[str, Any]:
    term = _text(row, "term")
    return {
        "vaga_codigo": _text(row, "vaga"),
        "term": term,
        "label": _text(row, "label", required=False) or term,
        "level": _choice(row, "level", SKILL_LEVELS),
        "username": _text(row, "username"),
        "updated_at": _stamp(row, "updated_at"),
    }


def _feedback(row: CsvRow) -> dict[str, Any]:
    if row.cells.get("id", "").strip() and not row.cells["id"].strip().isdigit():
        raise _BadValue("id", row.cells["id"], "is not a whole number (ids are not kept; leave it empty)")
    return {
        "candidate_codigo": _text(row, "candidate"),
        "vaga_codigo": _text(row, "vaga"),
        "verdict": _choice(row, "verdict", FEEDBACK_VERDICTS),
        "reason": _text(row, "reason", required=False, limit=MAX_REASON),
        "source": _choice(row, "source", FEEDBACK_SOURCES),
        "username": _text(row, "username"),
        "created_at": _stamp(row, "created_at"),
    }


def read_requirements_csv(source: str | Path) -> list[dict[str, Any]]:
    """The rows of an opening_skill_requirements.csv, checked (RowsRejected lists every bad one)."""
    required = [c for c in REQUIREMENTS_COLUMNS if c != "label"]
    with fetch_input(source) as path:
        rows = _read_rows(path, _name(source, REQUIREMENTS_FILE), required, ["label"])
        return _check_rows(_name(source, REQUIREMENTS_FILE), rows, _requirement, _requirement_key)


def read_feedback_csv(source: str | Path) -> list[dict[str, Any]]:
    """The rows of a match_feedback.csv, checked (RowsRejected lists every bad one); ids are not kept."""
    required = [c for c in FEEDBACK_COLUMNS if c not in ("id", "reason")]
    with fetch_input(source) as path:
        rows = _read_rows(path, _name(source, FEEDBACK_FILE), required, ["id", "reason"])
        return _check_rows(_name(source, FEEDBACK_FILE), rows, _feedback, _feedback_key)


def _name(source: str | Path, default: str) -> str:
    text = str(source)
    return text if "://" in text else (Path(text).name or default)


def _requirement_key(row: dict[str, Any]) -> tuple[str, str]:
    return row["vaga_codigo"], row["term"]


def _feedback_key(row: dict[str, Any]) -> tuple[Any, ...]:
    return tuple(row[c] for c in _FEEDBACK_KEY)


_FEEDBACK_KEY = ("candidate_codigo", "vaga_codigo", "verdict", "reason", "source", "username", "created_at")


def _chunks(items: Sequence[Any]) -> Iterator[Sequence[Any]]:
    for i in range(0, len(items), CHUNK):
        yield items[i : i + CHUNK]


def write_requirements(conn: Connection, rows: list[dict[str, Any]]) -> FileCounts:
    """Upsert checked skill levels by (opening, term); 'preferred' removes a stored level (the default)."""
    table = OpeningSkillRequirement
    counts = FileCounts()
    codes = sorted({r["vaga_codigo"] for r in rows})
    existing: dict[tuple[str, str], Any] = {}
    stmt = select(table).where(table.vaga_codigo.in_(bindparam("codes", expanding=True)))
    for part in _chunks(codes):
        for r in conn.execute(stmt, {"codes": list(part)}).mappings():
            existing[(r["vaga_codigo"], r["term"])] = r
    new, changed, removed = [], [], []
    for row in rows:
        old = existing.get(_requirement_key(row))
        if row["level"] == DEFAULT_SKILL_LEVEL:
            if old is None:
                counts.unchanged += 1  # preferred already: nothing is stored
            else:
                removed.append(_requirement_key(row))
        elif old is None:
            new.append(row)
        elif any(old[c] != row[c] for c in ("label", "level", "username", "updated_at")):
            changed.append({**row, "b_vaga": row["vaga_codigo"], "b_term": row["term"]})
        else:
            counts.unchanged += 1
    for part in _chunks(removed):
        conn.execute(delete(table).where(tuple_(table.vaga_codigo, table.term).in_(list(part))))
    if new:
        conn.execute(insert(table), new)
    if changed:
        values: dict[str, Any] = {c: bindparam(c) for c in ("label", "level", "username", "updated_at")}
        where = (table.vaga_codigo == bindparam("b_vaga")) & (table.term == bindparam("b_term"))
        conn.execute(update(table).where(where).values(values), changed)
    counts.inserted, counts.updated = len(new), len(changed) + len(removed)
    return counts


def write_feedback(conn: Connection, rows: list[dict[str, Any]]) -> FileCounts:
    """Add the checked verdicts not stored yet (oldest first, new ids); the stored ones count as unchanged."""
    table = MatchFeedback
    codes = sorted({r["vaga_codigo"] for r in rows})
    stored: set[tuple[Any, ...]] = set()
    stmt = select(*(table.__table__.c[c] for c in _FEEDBACK_KEY)).where(
        table.vaga_codigo.in_(bindparam("codes", expanding=True))
    )
    for part in _chunks(codes):
        stored.update(tuple(r) for r in conn.execute(stmt, {"codes": list(part)}))
    new = [r for r in rows if _feedback_key(r) not in stored]
    new.sort(key=lambda r: r["created_at"])  # a stable sort: the file's order among equal times
    if new:
        conn.execute(insert(table), new)
    return FileCounts(inserted=len(new), unchanged=len(rows) - len(new))
