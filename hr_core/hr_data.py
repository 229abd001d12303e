"""Read the HR tables page by page (departments, jobs, hired employees), for people allowed to read them."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Engine, func, select
from sqlalchemy import exc as sa_exc

from hr_core.access import Action, Actor, require_role
from hr_core.errors import DatabaseUnavailableError, InvalidInputError
from hr_core.models.hr import Department, HiredEmployee, Job

MAX_PAGE_ROWS = 500
# Allow-list: table name -> (model, columns in answer order). Nothing else reaches SQL.
_TABLES: dict[str, tuple[Any, tuple[str, ...]]] = {
    "departments": (Department, ("id", "department")),
    "jobs": (Job, ("id", "job")),
    "hired_employees": (HiredEmployee, ("id", "name", "hired_at", "department_id", "job_id")),
}
HR_TABLES: tuple[str, ...] = tuple(_TABLES)


@dataclass(frozen=True)
class HrRowsPage:
    """One page of an HR table in id order, and how many rows the table has."""

    table: str
    total: int
    offset: int
    limit: int
    rows: list[dict[str, int | str | dt.datetime]]


def check_page(offset: int, limit: int, *, max_limit: int = MAX_PAGE_ROWS) -> None:
    """Refuse a page window outside 0 <= offset and 1 <= limit <= max_limit, saying what is allowed."""
    if offset < 0:
        raise InvalidInputError(f"offset {offset} must be 0 or more")
    if not 1 <= limit <= max_limit:
        raise InvalidInputError(f"limit {limit} must be between 1 and {max_limit}")


def list_hr_rows(
    *, engine: Engine, actor: Actor, table: str, offset: int = 0, limit: int = 100
) -> HrRowsPage:
    """Rows offset..offset+limit of an HR table by id, with the table's total row count."""
    require_role(actor, Action.HR_READ)
    if table not in _TABLES:
        raise InvalidInputError(f"unknown table {table!r}; choose one of {', '.join(HR_TABLES)}")
    check_page(offset, limit)
    model, columns = _TABLES[table]
    stmt = select(*[getattr(model, c) for c in columns]).order_by(model.id).offset(offset).limit(limit)
    try:
        with engine.connect() as conn:
            total = int(conn.execute(select(func.count()).select_from(model)).scalar_one())
            rows = [dict(r) for r in conn.execute(stmt).mappings()]
    except sa_exc.OperationalError as e:
        raise DatabaseUnavailableError(f"cannot reach the database to read {table}: {e.orig}") from e
    return HrRowsPage(table=table, total=total, offset=offset, limit=limit, rows=rows)
