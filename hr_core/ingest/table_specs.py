"""The loadable HR tables: their fields, batch names and how a file name picks one."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import PurePath

from hr_core.errors import InvalidInputError


@dataclass(frozen=True)
class TableSpec:
    """A loadable table: the file fields in order and the names the JSON batch format uses."""

    name: str
    fields: tuple[str, ...]
    batch_name: str
    aliases: tuple[tuple[str, str], ...] = ()  # (alternative header/field name, field)

    def field_for(self, header: str) -> str | None:
        """The field a header cell or record key names, or None."""
        key = header.strip().lower()
        if key in self.fields:
            return key
        return dict(self.aliases).get(key)


# The aliases accept the names the replaced HR service's clients send (department_id, job_id, employee_id).
DEPARTMENTS = TableSpec(
    "departments", ("id", "department"), "department", (("name", "department"), ("department_id", "id"))
)
JOBS = TableSpec("jobs", ("id", "job"), "job", (("name", "job"), ("title", "job"), ("job_id", "id")))
HIRED_EMPLOYEES = TableSpec(
    "hired_employees",
    ("id", "name", "datetime", "department_id", "job_id"),
    "employee",
    (("hired_at", "datetime"), ("employee_id", "id")),
)

TABLES: dict[str, TableSpec] = {t.name: t for t in (DEPARTMENTS, JOBS, HIRED_EMPLOYEES)}
BATCH_TABLES: dict[str, TableSpec] = {t.batch_name: t for t in TABLES.values()}
# Load order: employees refer to departments and jobs.
LOAD_ORDER: tuple[str, ...] = ("departments", "jobs", "hired_employees")


def get_table(name: str) -> TableSpec:
    """The spec of a loadable table, or InvalidInputError listing the choices."""
    spec = TABLES.get(name.strip().lower())
    if spec is None:
        raise InvalidInputError(f"unknown table {name!r}; choose one of {', '.join(LOAD_ORDER)}")
    return spec


def infer_table(filename: str) -> str:
    """The table a file name points at (hired_employees.csv → hired_employees), else InvalidInputError."""
    stem = PurePath(filename).stem.lower()
    for table, words in (
        ("hired_employees", ("hired_employee", "employee")),
        ("departments", ("department",)),
        ("jobs", ("job",)),
    ):
        if any(w in stem for w in words):
            return table
    raise InvalidInputError(
        f"cannot tell the table from the file name {filename!r}; choose one of {', '.join(LOAD_ORDER)}"
    )


class NotAnObject:
    """The values of a JSON or Avro record that is not an object (a number, a list, a string…)."""

    def __init__(self, kind: str) -> None:
        self.kind = kind
