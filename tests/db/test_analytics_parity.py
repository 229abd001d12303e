"""The real globant files give the same report rows on SQLite and PostgreSQL, and match pandas."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pandas as pd
import pytest
from sqlalchemy import Engine, create_engine, text

from hr_core import analytics
from hr_core.db import init_db, make_engine
from tests.factories import insert_hiring_rows, read_globant_rows


def _fresh_schema(url: str) -> None:
    admin = create_engine(url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text("DROP SCHEMA public CASCADE"))
        conn.execute(text("CREATE SCHEMA public"))
    admin.dispose()


@pytest.fixture
def both_engines(tmp_path: Path, pg_database_url: str, shared_data: Path) -> Iterator[dict[str, Engine]]:
    """SQLite and PostgreSQL engines holding the same valid rows of the real globant files."""
    _fresh_schema(pg_database_url)
    engines = {
        "sqlite": make_engine(f"sqlite:///{tmp_path / 'parity.db'}"),
        "postgresql": make_engine(pg_database_url),
    }
    departments, jobs, hires = read_globant_rows(shared_data / "globant")
    for engine in engines.values():
        init_db(engine)
        insert_hiring_rows(engine, departments=departments, jobs=jobs, hires=hires)
    yield engines
    for engine in engines.values():
        engine.dispose()
    _fresh_schema(pg_database_url)


def _pandas_reports(shared_data: Path, year: int) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The two reports computed independently with pandas from the CSV rows."""
    departments, jobs, hires = read_globant_rows(shared_data / "globant")
    df = pd.DataFrame(hires, columns=["id", "name", "hired_at", "department_id", "job_id"])
    df["hired_at"] = pd.to_datetime(df["hired_at"], utc=True)
    df = df[df["hired_at"].dt.year == year].copy()
    df["department"] = df["department_id"].map(departments)
    df["job"] = df["job_id"].map(jobs)
    df["quarter"] = "Q" + df["hired_at"].dt.quarter.astype(str)
    quarterly = (
        df.pivot_table(
            index=["department", "job"], columns="quarter", values="id", aggfunc="count", fill_value=0
        )
        .reindex(columns=list(analytics.QUARTERS), fill_value=0)
        .reset_index()
        .sort_values(["department", "job"], kind="stable")
        .reset_index(drop=True)
    )
    quarterly.columns.name = None
    quarterly[list(analytics.QUARTERS)] = quarterly[list(analytics.QUARTERS)].astype("int64")
    per_dept = df.groupby("department_id").size().rename("hired").reset_index()
    above = per_dept[per_dept["hired"] > per_dept["hired"].mean()].rename(columns={"department_id": "id"})
    above = above.assign(department=above["id"].map(departments))[["id", "department", "hired"]]
    above = above.sort_values(["department"]).sort_values("hired", ascending=False, kind="stable")
    return quarterly.reset_index(drop=True), above.astype({"id": "int64", "hired": "int64"}).reset_index(
        drop=True
    )


def test_real_files_give_the_same_rows_on_both_databases(
    both_engines: dict[str, Engine], shared_data: Path
) -> None:
    years = {name: analytics.list_years(engine=e) for name, e in both_engines.items()}
    assert years["sqlite"] == years["postgresql"] == [2021, 2022]
    for year in (2021, 2022, 2020):
        expected_quarterly, expected_above = _pandas_reports(shared_data, year)
        for name, engine in both_engines.items():
            quarterly = analytics.get_hires_by_quarter(engine=engine, year=year)
            above = analytics.list_departments_above_mean(engine=engine, year=year)
            pd.testing.assert_frame_equal(quarterly, expected_quarterly, obj=f"{name} {year} quarterly")
            pd.testing.assert_frame_equal(above, expected_above, obj=f"{name} {year} above mean")
        months = [analytics.count_hires_by_month(engine=e, year=year) for e in both_engines.values()]
        pd.testing.assert_frame_equal(*months)
    assert (
        int(
            analytics.get_hires_by_quarter(engine=both_engines["sqlite"], year=2021)[["Q1", "Q2", "Q3", "Q4"]]
            .sum()
            .sum()
        )
        > 1000
    )


def test_postgres_reports_ignore_the_session_time_zone(both_engines: dict[str, Engine]) -> None:
    url = both_engines["postgresql"].url
    tokyo = create_engine(url, connect_args={"options": "-c timezone=Asia/Tokyo"})
    try:
        with tokyo.connect() as conn:
            assert conn.execute(text("SHOW TIME ZONE")).scalar() == "Asia/Tokyo"
        for year in (2021, 2022):
            pd.testing.assert_frame_equal(
                analytics.get_hires_by_quarter(engine=tokyo, year=year),
                analytics.get_hires_by_quarter(engine=both_engines["sqlite"], year=year),
            )
            pd.testing.assert_frame_equal(
                analytics.count_hires_by_month(engine=tokyo, year=year),
                analytics.count_hires_by_month(engine=both_engines["sqlite"], year=year),
            )
    finally:
        tokyo.dispose()
