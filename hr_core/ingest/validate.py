"""Row rules: required fields, positive ids, ISO-8601 instants, known departments/jobs, duplicates."""

from __future__ import annotations

import datetime as dt
import io
from dataclasses import dataclass, field
from typing import Any

from hr_core.ingest.modes import LoadMode
from hr_core.ingest.readers import CleanBlock
from hr_core.ingest.table_specs import NotAnObject, TableSpec

MAX_INT = 2_147_483_647  # the INTEGER columns of both databases
# Longest accepted text of a name, department or job, in characters (documented in the README).
MAX_TEXT_LENGTH = 200


def _kind_of(value: Any) -> str | None:
    """'an object' or 'a list' for JSON containers (never stored as text), else None."""
    if isinstance(value, dict):
        return "an object"
    if isinstance(value, list | tuple):
        return "a list"
    return None


# Characters str.strip() removes (and other controls): a name that starts or ends with one of them
# takes the row-by-row path, so a block's names are exactly what the row checks would store.
_EDGE = r"[^\x00-\x20\x7f-\x{a0}\x{1680}\x{2000}-\x{200a}\x{2028}\x{2029}\x{202f}\x{205f}\x{3000}]"
_INSTANT = r"^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}Z$"
_DIGITS = r"^[0-9]{1,10}$"


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
    kind = _kind_of(value)
    if kind:
        reasons.append(f"field {name}: expected an integer, got {kind}")
        return None
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
    kind = _kind_of(value)
    if kind:
        reasons.append(f"field {name}: expected text, got {kind}")
        return None
    text = "" if value is None else str(value).strip()
    if not text:
        reasons.append(f"{name} is empty")
        return None
    if len(text) > MAX_TEXT_LENGTH:
        reasons.append(
            f"{name} is {len(text):,} characters long; at most {MAX_TEXT_LENGTH} are allowed "
            f"(starts {text[:30]!r})"
        )
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
    kind = _kind_of(value)
    if kind:
        reasons.append(f"field {name}: expected a date and time, got {kind}")
        return None
    if value is None or (isinstance(value, str) and not value.strip()):
        reasons.append(f"{name} is empty")
        return None
    try:
        return parse_instant(value)
    except OverflowError:
        reasons.append(
            f"{name} {str(value).strip()[:40]!r} is out of range (not a date and time in UTC years 1-9999)"
        )
        return None
    except (ValueError, TypeError):
        reasons.append(
            f"{name} {str(value).strip()[:40]!r} is not an ISO-8601 date and time (e.g. 2021-11-07T02:48:42Z)"
        )
        return None


@dataclass(frozen=True)
class ValidBlock:
    """A block of CSV lines that all passed: its bytes as read (what COPY wants) and its rows."""

    data: bytes
    count: int
    min_id: int
    max_id: int
    columns: tuple[Any, ...]  # pyarrow arrays: id, name, datetime text, department_id, job_id

    def rows(self) -> list[tuple[Any, ...]]:
        """The clean rows, as the row checks give them (hired_at as canonical UTC text)."""
        return list(zip(*(c.to_pylist() for c in self.columns), strict=True))


class RowValidator:
    """Checks rows of one table in file order; remembers ids seen so later duplicates are rejected.

    Department and job names must be unique in the table as the load leaves it, so their rows are
    judged together once all are read (settle_names), not one by one against the table as it was.
    """

    def __init__(
        self,
        spec: TableSpec,
        refs: RefData,
        *,
        mode: LoadMode = LoadMode.ADD_AND_UPDATE,
        source: str = "the file",
    ) -> None:
        self.spec = spec
        self.refs = refs
        self.mode = mode
        self.source = source
        self.seen: dict[int, int] = {}
        self.settles_names = spec.name != "hired_employees"
        # Ids whose first row in this file was rejected (they keep their name in the table).
        self._rejected_at: dict[int, int] = {}

    def check(self, line: int, values: list[Any]) -> tuple[Any, ...] | list[str]:
        """The clean row as a tuple, or the list of every reason it breaks a rule."""
        if values and isinstance(values[0], NotAnObject):
            return [f"row {line} is not an object (it is {values[0].kind}); each row must be a JSON object"]
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
        result = self._check_named(row_id, values, reasons)
        if isinstance(result, list) and row_id is not None and self.seen.get(row_id) == line:
            self._rejected_at[row_id] = line
        return result

    def _check_named(
        self, row_id: int | None, values: list[Any], reasons: list[str]
    ) -> tuple[Any, ...] | list[str]:
        name = _text_field(values[1], self.spec.fields[1], reasons)
        if reasons or row_id is None or name is None:
            return reasons
        return (row_id, name)

    def _names(self) -> tuple[dict[str, int], set[int]]:
        if self.spec.name == "departments":
            return self.refs.department_names, self.refs.department_ids
        return self.refs.job_names, self.refs.job_ids

    def settle_names(self, rows: list[tuple[int, tuple[Any, ...]]]) -> dict[int, str]:
        """Judge the names of all valid rows (line, (id, name)) on the table as the load would leave it.

        A row is refused when its name stays with another id (one this file does not rename, skips or
        could not load) or when an earlier row of the file takes the same name; refusing a row leaves its
        id with its old name, which may refuse another, until nothing changes. Renames and swaps between
        ids of the file pass. Returns the reason per refused line and records the rest in refs.
        """
        names, ids = self._names()
        existing = {owner: name for name, owner in names.items()}
        updating = self.mode is LoadMode.ADD_AND_UPDATE
        refused: dict[int, str] = {}
        settled = False
        while not settled:
            written = [
                (line, row)
                for line, row in rows
                if line not in refused and (updating or row[0] not in existing)
            ]
            written_ids = {row[0] for _line, row in written}
            kept = {name: owner for name, owner in names.items() if owner not in written_ids}
            first: dict[str, tuple[int, int]] = {}
            settled = True
            for line, (row_id, name) in written:
                if name in first:
                    other_id, other_line = first[name]
                    refused[line] = (
                        f"{self.spec.fields[1]} {name!r} is also given to id {other_id} on line {other_line} "
                        f"of {self.source} (names must be unique); rename one of them"
                    )
                elif name in kept:
                    refused[line] = self._held_reason(name, kept[name])
                else:
                    first[name] = (row_id, line)
                    continue
                self._rejected_at.setdefault(row_id, line)
                settled = False
        for line, (row_id, name) in rows:
            if line in refused or (not updating and row_id in existing):
                continue
            old = existing.get(row_id)
            if old is not None and names.get(old) == row_id:
                del names[old]
            names[name] = row_id
            ids.add(row_id)
        return refused

    def _held_reason(self, name: str, holder: int) -> str:
        """Why a name that stays with another id in the table cannot be given to this row."""
        start = (
            f"{self.spec.fields[1]} {name!r} already belongs to id {holder} in the database "
            "(names must be unique): "
        )
        line = self._rejected_at.get(holder)
        if line is not None:
            return (
                start
                + f"the row for id {holder} on line {line} of {self.source} was rejected, so id {holder} "
                "keeps the name; fix that row or rename this one"
            )
        if holder in self.seen:  # its row is valid but skipped: an add-only load
            return (
                start + f"id {holder} is in {self.source} too, but an add-only load leaves it as it is; "
                "load with add and update, or rename this one"
            )
        return start + f"{self.source} does not rename id {holder}; rename one of them"

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
            or len(name) > MAX_TEXT_LENGTH
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
        except (ValueError, OverflowError):  # the full check names the problem
            return None
        self.seen[number] = line
        return (number, name, hired_at, department_id, job_id)

    def check_block(self, block: CleanBlock) -> ValidBlock | None:
        """Check many plain employee lines at once: a ValidBlock if every row passes, else None.

        Only rows the row checks would accept unchanged pass here (plain ids, trimmed names, canonical
        Z instants, known departments/jobs, new ids); for any other block the caller checks row by row,
        so rejects keep their exact reasons and lines.
        """
        import pyarrow as pa
        import pyarrow.compute as pc
        from pyarrow import csv as pa_csv

        if self.spec.name != "hired_employees":
            return None
        names = list(self.spec.fields)
        try:
            table = pa_csv.read_csv(
                io.BytesIO(block.data),
                read_options=pa_csv.ReadOptions(column_names=names, use_threads=False),
                parse_options=pa_csv.ParseOptions(quote_char=False, ignore_empty_lines=False),
                convert_options=pa_csv.ConvertOptions(
                    column_types=dict.fromkeys(names, pa.string()), strings_can_be_null=False
                ),
            )
        except (pa.ArrowInvalid, pa.ArrowTypeError):
            return None
        if table.num_rows != block.count:
            return None
        ids, person, when, department, job = (table.column(n) for n in names)
        for column in (ids, department, job):
            if not pc.all(pc.match_substring_regex(column, _DIGITS)).as_py():
                return None
        if pc.max(pc.utf8_length(person)).as_py() > MAX_TEXT_LENGTH:
            return None
        if not (
            pc.all(pc.match_substring_regex(person, "^" + _EDGE)).as_py()
            and pc.all(pc.match_substring_regex(person, _EDGE + "$")).as_py()
            and pc.all(pc.match_substring_regex(when, _INSTANT)).as_py()
        ):
            return None
        # A real instant: parsed, its parts are the ones written (no Feb 30, no 24:00, no second 60).
        parsed = pc.strptime(when, format="%Y-%m-%dT%H:%M:%SZ", unit="s", error_is_null=True)
        if parsed.null_count or pc.any(pc.starts_with(when, "0000")).as_py():
            return None
        for start, part in (
            (0, pc.year),
            (5, pc.month),
            (8, pc.day),
            (11, pc.hour),
            (14, pc.minute),
            (17, pc.second),
        ):
            written = pc.cast(
                pc.utf8_slice_codeunits(when, start, start + (4 if start == 0 else 2)), pa.int64()
            )
            if not pc.all(pc.equal(part(parsed), written)).as_py():
                return None
        id_values, department_values, job_values = (pc.cast(c, pa.int64()) for c in (ids, department, job))
        low, high = pc.min_max(id_values).values()
        if low.as_py() < 1 or high.as_py() > MAX_INT:
            return None
        if not (
            pc.all(
                pc.is_in(department_values, value_set=pa.array(list(self.refs.department_ids), pa.int64()))
            ).as_py()
            and pc.all(pc.is_in(job_values, value_set=pa.array(list(self.refs.job_ids), pa.int64()))).as_py()
        ):
            return None
        id_list = id_values.to_pylist()
        if pc.count_distinct(id_values).as_py() != len(id_list) or not self.seen.keys().isdisjoint(id_list):
            return None
        self.seen.update(zip(id_list, range(block.first_line, block.first_line + block.count), strict=True))
        return ValidBlock(
            data=block.data,
            count=block.count,
            min_id=low.as_py(),
            max_id=high.as_py(),
            columns=(id_values, person, when, department_values, job_values),
        )
