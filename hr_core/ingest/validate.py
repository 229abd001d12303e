"""Row rules: required fields, positive ids, ISO-8601 instants, known departments/jobs, duplicates."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from hr_core.ingest.tables import TableSpec

MAX_INT = 2_147_483_647  # the INTEGER columns of both databases


@dataclass(frozen=True)
class RejectRow:
    """A row that broke a rule: where it was, what it said, and every reason."""

    line: int
    raw: str
    reasons: tuple[str, ...]


@dataclass
class RefData:
    """What rows may refer to: ids and names already in the database or accepted earlier in this upload."""

    department_ids: set[int] = field(default_factory=set)
    job_ids: set[int] = field(default_factory=set)
    department_names: dict[str, int] = field(default_factory=dict)
    job_names: dict[str, int] = field(default_factory=dict)
    max_employee_id: int = 0


def _int_field(value: Any, name: str, reasons: list[str]) -> int | None:
    if value is None or (isinstance(value, str) and not value.strip()):
        reasons.append(f"{name} is empty")
        return None
    if isinstance(value, bool):
        reasons.append(f"{name} {value!r} is not an integer")
        return None
    if isinstance(value, int):
        number = value
    else:
        text = str(value).strip()
        digits = text[1:] if text[:1] in "+-" else text
        if not (digits.isascii() and digits.isdigit()):
            reasons.append(f"{name} {text!r} is not an integer")
            return None
        number = int(text)
    if number < 1:
        reasons.append(f"{name} {number} is not a positive integer")
        return None
    if number > MAX_INT:
        reasons.append(f"{name} {number} is too large (at most {MAX_INT})")
        return None
    return number


def _text_field(value: Any, name: str, reasons: list[str]) -> str | None:
    text = "" if value is None else str(value).strip()
    if not text:
        reasons.append(f"{name} is empty")
        return None
    return text


def parse_instant(value: Any) -> dt.datetime:
    """A UTC datetime from an ISO-8601 date and time (Z or an offset; naive means UTC); ValueError if not."""
    if isinstance(value, dt.datetime):
        parsed = value
    else:
        text = str(value).strip()
        if len(text) < 13 or text[10] not in "Tt ":
            raise ValueError("no time of day")
        parsed = dt.datetime.fromisoformat(text)
    if parsed.tzinfo is None:
        return parsed.replace(tzinfo=dt.UTC)
    if parsed.tzinfo is dt.UTC:
        return parsed
    return parsed.astimezone(dt.UTC)


def _instant_field(value: Any, name: str, reasons: list[str]) -> dt.datetime | None:
    if value is None or (isinstance(value, str) and not value.strip()):
        reasons.append(f"{name} is empty")
        return None
    try:
        return parse_instant(value)
    except (ValueError, TypeError, OverflowError):
        reasons.append(
            f"{name} {str(value).strip()!r} is not an ISO-8601 date and time (e.g. 2021-11-07T02:48:42Z)"
        )
        return None


class RowValidator:
    """Checks rows of one table in file order; remembers ids seen so later duplicates are rejected."""

    def __init__(self, spec: TableSpec, refs: RefData) -> None:
        self.spec = spec
        self.refs = refs
        self.seen: dict[int, int] = {}

    def check(self, line: int, values: list[Any]) -> tuple[Any, ...] | list[str]:
        """The clean row as a tuple, or the list of every reason it breaks a rule."""
        if self.spec.name == "hired_employees":
            row = self._fast_employee(line, values)
            if row is not None:
                return row
        reasons: list[str] = []
        row_id = _int_field(values[0], "id", reasons)
        if row_id is not None:
            first = self.seen.get(row_id)
            if first is not None:
                reasons.append(
                    f"id {row_id} appears again (first on line {first}; the first occurrence wins)"
                )
            else:
                self.seen[row_id] = line
        if self.spec.name == "hired_employees":
            return self._check_employee(row_id, values, reasons)
        return self._check_named(row_id, values, reasons)

    def _check_named(
        self, row_id: int | None, values: list[Any], reasons: list[str]
    ) -> tuple[Any, ...] | list[str]:
        label = self.spec.fields[1]
        name = _text_field(values[1], label, reasons)
        names = self.refs.department_names if label == "department" else self.refs.job_names
        if name is not None and row_id is not None:
            owner = names.get(name)
            if owner is not None and owner != row_id:
                reasons.append(f"{label} {name!r} already belongs to id {owner} (names must be unique)")
        if reasons or row_id is None or name is None:
            return reasons
        names[name] = row_id
        ids = self.refs.department_ids if label == "department" else self.refs.job_ids
        ids.add(row_id)
        return (row_id, name)

    def _check_employee(
        self, row_id: int | None, values: list[Any], reasons: list[str]
    ) -> tuple[Any, ...] | list[str]:
        name = _text_field(values[1], "name", reasons)
        hired_at = _instant_field(values[2], "datetime", reasons)
        department_id = _int_field(values[3], "department_id", reasons)
        if department_id is not None and department_id not in self.refs.department_ids:
            reasons.append(
                f"department_id {department_id} names no known department (load departments first)"
            )
        job_id = _int_field(values[4], "job_id", reasons)
        if job_id is not None and job_id not in self.refs.job_ids:
            reasons.append(f"job_id {job_id} names no known job (load jobs first)")
        if reasons:
            return reasons
        return (row_id, name, hired_at, department_id, job_id)

    def _fast_employee(self, line: int, values: list[Any]) -> tuple[Any, ...] | None:
        """The clean row of a plainly valid CSV employee row, or None to let the full check explain."""
        row_id, name, when, department, job = values
        if not (
            type(row_id) is str
            and type(department) is str
            and type(job) is str
            and type(when) is str
            and row_id.isdigit()
            and department.isdigit()
            and job.isdigit()
            and row_id.isascii()
            and department.isascii()
            and job.isascii()
        ):
            return None
        number, department_id, job_id = int(row_id), int(department), int(job)
        name = str(name).strip()
        if (
            not name
            or not 0 < number <= MAX_INT
            or number in self.seen
            or department_id not in self.refs.department_ids
            or job_id not in self.refs.job_ids
        ):
            return None
        hired_at: str | dt.datetime
        try:
            if len(when) == 20 and when[10] == "T" and when[19] == "Z":
                dt.datetime.fromisoformat(when)
                hired_at = when  # already the canonical UTC text both databases read
            else:
                hired_at = parse_instant(when)
        except ValueError:
            return None
        self.seen[number] = line
        return (number, name, hired_at, department_id, job_id)
