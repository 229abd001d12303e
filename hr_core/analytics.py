"""Hiring analytics: hires per quarter, departments above the mean, yearly KPIs, drill-downs."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from sqlalchemy import Engine

from hr_core.access import Action, Actor, require_role
from hr_core.db import UTCDateTime
from hr_core.errors import InvalidInputError
from hr_core.sqlfiles import fetch_all, fetch_one, scalar

if TYPE_CHECKING:  # pandas costs ~0.5 s of start-up; the command line's reports do without it
    import pandas as pd

DEFAULT_YEAR = 2021
MIN_YEAR, MAX_YEAR = 1, 9998  # the year after must still be a Python datetime
QUARTERS = ("Q1", "Q2", "Q3", "Q4")
QUARTER_COLUMNS = ["department", "job", *QUARTERS]
ABOVE_MEAN_COLUMNS = ["id", "department", "hired"]
REPORTS = ("hires-by-quarter", "departments-above-mean")


@dataclass(frozen=True)
class HiringKpis:
    """Headline figures of a year and the change from the year before."""

    year: int
    hires: int
    previous_hires: int
    departments: int
    mean_per_department: float

    @property
    def change(self) -> int:
        return self.hires - self.previous_hires

    @property
    def change_pct(self) -> float | None:
        """Relative change in percent; None when the year before had no hires."""
        return None if self.previous_hires == 0 else 100.0 * self.change / self.previous_hires


def check_year(year: Any) -> int:
    """Return year as an int, or raise InvalidInputError saying which years are accepted."""
    if isinstance(year, bool) or not isinstance(year, int) or not MIN_YEAR <= year <= MAX_YEAR:
        raise InvalidInputError(
            f"year {year!r} is not valid; give a whole year from {MIN_YEAR} to {MAX_YEAR}"
        )
    return year


def _instant(at: dt.datetime, engine: Engine) -> Any:
    """A UTC instant bound the way the dialect stores hired_at.

    SQLite keeps UTC text 'YYYY-MM-DD HH:MM:SS[.ffffff]'; a boundary without fractional seconds
    sorts at or before every stored value of that second, with or without the fraction.
    """
    if engine.dialect.name == "sqlite":
        return at.strftime("%Y-%m-%d %H:%M:%S")
    return at


def _year_bounds(year: int, engine: Engine) -> dict[str, Any]:
    starts = [dt.datetime(year, month, 1, tzinfo=dt.UTC) for month in (1, 4, 7, 10)]
    end = dt.datetime(year + 1, 1, 1, tzinfo=dt.UTC)
    names = ("year_start", "q2_start", "q3_start", "q4_start")
    bounds = {name: _instant(at, engine) for name, at in zip(names, starts, strict=True)}
    bounds["year_end"] = _instant(end, engine)
    return bounds


@dataclass(frozen=True)
class ReportRows:
    """A report as plain rows (the command line prints them without loading pandas)."""

    columns: tuple[str, ...]
    rows: list[tuple[Any, ...]]

    def records(self) -> list[dict[str, Any]]:
        return [dict(zip(self.columns, row, strict=True)) for row in self.rows]


def _rows(rows: Sequence[Mapping[Any, Any]], columns: list[str], ints: tuple[str, ...]) -> ReportRows:
    return ReportRows(
        tuple(columns),
        [tuple(int(r[c]) if c in ints else r[c] for c in columns) for r in rows],
    )


def _frame(rows: Sequence[Mapping[Any, Any]], columns: list[str], ints: tuple[str, ...]) -> pd.DataFrame:
    import pandas as pd

    df = pd.DataFrame(rows, columns=columns)
    for col in ints:
        df[col] = df[col].astype("int64")
    return df


# Each report by its name: the query, its columns and which of them are counts.
_REPORT_QUERIES: dict[str, tuple[str, list[str], tuple[str, ...]]] = {
    "hires-by-quarter": ("get_hires_by_quarter", QUARTER_COLUMNS, QUARTERS),
    "departments-above-mean": ("list_departments_above_mean", ABOVE_MEAN_COLUMNS, ("id", "hired")),
}


def _fetch_report(
    engine: Engine, report: str, year: int
) -> tuple[Sequence[Mapping[Any, Any]], list[str], tuple[str, ...]]:
    """One report's rows for year, with its columns and count columns (_REPORT_QUERIES)."""
    query, columns, ints = _REPORT_QUERIES[report]
    return fetch_all(engine, query, **_year_bounds(check_year(year), engine)), columns, ints


def get_hires_by_quarter(*, engine: Engine, year: int = DEFAULT_YEAR) -> pd.DataFrame:
    """Hires per UTC quarter of year for each (department, job) that hired; ordered by both."""
    return _frame(*_fetch_report(engine, "hires-by-quarter", year))


def list_departments_above_mean(*, engine: Engine, year: int = DEFAULT_YEAR) -> pd.DataFrame:
    """Departments hiring strictly more than the mean of the departments that hired in year."""
    return _frame(*_fetch_report(engine, "departments-above-mean", year))


def count_hires_by_department(*, engine: Engine, year: int) -> pd.DataFrame:
    """Hires in year per department that hired at least once (id, department, hired)."""
    rows = fetch_all(engine, "count_hires_by_department", **_year_bounds(check_year(year), engine))
    return _frame(rows, ["id", "department", "hired"], ("id", "hired"))


def count_hires_by_month(*, engine: Engine, year: int) -> pd.DataFrame:
    """Hires in each of the twelve UTC months of year (months without hires count 0)."""
    rows = fetch_all(engine, "count_hires_by_month", **_year_bounds(check_year(year), engine))
    counts = {int(r["month"]): int(r["hired"]) for r in rows}
    import pandas as pd

    return pd.DataFrame(
        {"month": range(1, 13), "hired": [counts.get(m, 0) for m in range(1, 13)]}, dtype="int64"
    )


def count_hires_by_month_detail(*, engine: Engine, year: int) -> pd.DataFrame:
    """Hires per (department_id, department, job, month) of year, for figures that follow filters."""
    rows = fetch_all(engine, "count_hires_by_month_detail", **_year_bounds(check_year(year), engine))
    return _frame(
        rows, ["department_id", "department", "job", "month", "hired"], ("department_id", "month", "hired")
    )


def count_hires_between(*, engine: Engine, start: dt.datetime, end: dt.datetime) -> int:
    """Hires with start <= hired_at < end (aware datetimes; naive ones are taken as UTC)."""
    params = {"start_at": _instant(_as_utc(start), engine), "end_at": _instant(_as_utc(end), engine)}
    return int(scalar(engine, "count_hires_between", **params))


def _as_utc(at: dt.datetime) -> dt.datetime:
    return at.replace(tzinfo=dt.UTC) if at.tzinfo is None else at.astimezone(dt.UTC)


def list_years(*, engine: Engine) -> list[int]:
    """The UTC years with at least one hire, ascending (index look-ups only, no full scan)."""
    types = {"first_at": UTCDateTime, "last_at": UTCDateTime}
    span = fetch_one(engine, "get_hired_at_range", result_types=types)
    assert span is not None  # MIN/MAX always return one row
    if span["first_at"] is None:
        return []
    years = []
    for year in range(span["first_at"].year, span["last_at"].year + 1):
        bounds = _year_bounds(year, engine)
        params = {"start_at": bounds["year_start"], "end_at": bounds["year_end"]}
        if fetch_one(engine, "has_hires_between", **params) is not None:
            years.append(year)
    return years


def pick_default_year(years: list[int]) -> int | None:
    """The year a report opens on: 2021 when present, else the latest; None without data."""
    if DEFAULT_YEAR in years:
        return DEFAULT_YEAR
    return max(years) if years else None


def get_hiring_kpis(*, engine: Engine, year: int) -> HiringKpis:
    """Hires in year, in the year before, and how many departments hired (with their mean)."""
    check_year(year)
    by_department = count_hires_by_department(engine=engine, year=year)
    hires = int(by_department["hired"].sum())
    previous = 0
    if year > MIN_YEAR:
        start, end = dt.datetime(year - 1, 1, 1, tzinfo=dt.UTC), dt.datetime(year, 1, 1, tzinfo=dt.UTC)
        previous = count_hires_between(engine=engine, start=start, end=end)
    departments = len(by_department)
    return HiringKpis(
        year=year,
        hires=hires,
        previous_hires=previous,
        departments=departments,
        mean_per_department=hires / departments if departments else 0.0,
    )


def list_department_jobs(*, engine: Engine, department_id: int, year: int) -> pd.DataFrame:
    """The jobs a department hired for in year, with hires per job, most hires first."""
    params = {**_year_bounds(check_year(year), engine), "department_id": int(department_id)}
    rows = fetch_all(engine, "list_department_jobs", **params)
    return _frame(rows, ["job_id", "job", "hired"], ("job_id", "hired"))


def list_department_hires(*, engine: Engine, actor: Actor, department_id: int, year: int) -> pd.DataFrame:
    """The people a department hired in year (id, name, hired_at in UTC, job), oldest first."""
    require_role(actor, Action.HR_READ)
    params = {**_year_bounds(check_year(year), engine), "department_id": int(department_id)}
    rows = fetch_all(engine, "list_department_hires", result_types={"hired_at": UTCDateTime}, **params)
    df = _frame(rows, ["id", "name", "hired_at", "job"], ("id",))
    import pandas as pd

    df["hired_at"] = pd.to_datetime(df["hired_at"], utc=True)
    return df


def count_hr_rows(*, engine: Engine) -> dict[str, int]:
    """Row counts of departments, jobs and hired_employees (for the home page)."""
    row = fetch_one(engine, "count_hr_rows")
    assert row is not None  # COUNTs always return one row
    return {key: int(value) for key, value in row.items()}


def read_report_rows(*, engine: Engine, actor: Actor, report: str, year: int = DEFAULT_YEAR) -> ReportRows:
    """Run one of the REPORTS by its name for an actor allowed to read reports, as plain rows."""
    require_role(actor, Action.ANALYTICS_READ)
    if report not in _REPORT_QUERIES:
        raise InvalidInputError(f"unknown report {report!r}; choose one of {', '.join(REPORTS)}")
    return _rows(*_fetch_report(engine, report, year))


def build_report(*, engine: Engine, actor: Actor, report: str, year: int = DEFAULT_YEAR) -> pd.DataFrame:
    """One of the REPORTS as a data frame (HTTP API, pages): the same rows as read_report_rows."""
    import pandas as pd

    table = read_report_rows(engine=engine, actor=actor, report=report, year=year)
    df = pd.DataFrame(table.rows, columns=list(table.columns))
    _, _, ints = _REPORT_QUERIES[report]
    for col in ints:
        df[col] = df[col].astype("int64")
    return df
