"""Hiring analytics on small hand-computed data, on SQLite and PostgreSQL."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import Engine, delete, text

from hr_core import analytics
from hr_core.access import CLI_ACTOR
from hr_core.db import init_db, make_engine
from hr_core.errors import InvalidInputError
from hr_core.models import Department, HiredEmployee, Job
from hr_core.sqlfiles import get_query
from tests.factories import insert_hiring_rows

UTC = dt.UTC
DEPARTMENTS = {1: "Sales", 2: "Engineering", 3: "Legal", 4: "Marketing", 5: "accounting"}
JOBS = {1: "Analyst", 2: "Manager", 3: "Developer"}
HIRES = [
    (1, "End of Q1", dt.datetime(2020, 3, 31, 23, 59, 59, tzinfo=UTC), 1, 1),
    (2, "Start of Q2", dt.datetime(2020, 4, 1, 0, 0, 0, tzinfo=UTC), 1, 1),
    (3, "Leap day", dt.datetime(2020, 2, 29, 12, 0, 0, tzinfo=UTC), 1, 2),
    (4, "New year", dt.datetime(2020, 1, 1, 0, 0, 0, tzinfo=UTC), 2, 3),
    (5, "Last instant", dt.datetime(2020, 12, 31, 23, 59, 59, 999999, tzinfo=UTC), 2, 3),
    (6, "Start of Q3", dt.datetime(2020, 7, 1, 0, 0, 0, tzinfo=UTC), 2, 3),
    (7, "Start of Q4", dt.datetime(2020, 10, 1, 0, 0, 0, tzinfo=UTC), 4, 1),
    (8, "Year before", dt.datetime(2019, 12, 31, 23, 59, 59, tzinfo=UTC), 2, 1),
    (9, "Year after", dt.datetime(2021, 1, 1, 0, 0, 0, tzinfo=UTC), 3, 2),
    # 22:30 on 30 June in UTC-5 is 03:30 on 1 July in UTC: Q3, July.
    (10, "Offset", dt.datetime(2020, 6, 30, 22, 30, tzinfo=dt.timezone(dt.timedelta(hours=-5))), 4, 1),
    (11, "Lower case", dt.datetime(2020, 5, 5, 9, 0, tzinfo=UTC), 5, 1),
]


@pytest.fixture
def hr_engine(engine: Engine) -> Engine:
    insert_hiring_rows(engine, departments=DEPARTMENTS, jobs=JOBS, hires=HIRES)
    return engine


def test_hires_by_quarter_counts_each_boundary_in_its_utc_quarter(hr_engine: Engine) -> None:
    df = analytics.get_hires_by_quarter(engine=hr_engine, year=2020)
    expected = pd.DataFrame(
        [
            ("Engineering", "Developer", 1, 0, 1, 1),
            ("Marketing", "Analyst", 0, 0, 1, 1),
            ("Sales", "Analyst", 1, 1, 0, 0),
            ("Sales", "Manager", 1, 0, 0, 0),
            ("accounting", "Analyst", 0, 1, 0, 0),
        ],
        columns=["department", "job", "Q1", "Q2", "Q3", "Q4"],
    )
    pd.testing.assert_frame_equal(df, expected)


def test_department_without_hires_in_the_year_is_absent(hr_engine: Engine) -> None:
    df = analytics.get_hires_by_quarter(engine=hr_engine, year=2020)
    assert "Legal" not in set(df["department"])
    in_2021 = analytics.get_hires_by_quarter(engine=hr_engine, year=2021)
    assert in_2021.to_dict(orient="records") == [
        {"department": "Legal", "job": "Manager", "Q1": 1, "Q2": 0, "Q3": 0, "Q4": 0}
    ]


def test_departments_above_mean_with_a_tie_ordered_by_name(hr_engine: Engine) -> None:
    # 2020: Sales 3, Engineering 3, Marketing 2, accounting 1 -> mean 9/4 = 2.25.
    df = analytics.list_departments_above_mean(engine=hr_engine, year=2020)
    expected = pd.DataFrame([(2, "Engineering", 3), (1, "Sales", 3)], columns=["id", "department", "hired"])
    pd.testing.assert_frame_equal(df, expected)


def test_a_department_equal_to_the_mean_is_not_above_it(engine: Engine) -> None:
    hires = [
        (1, "a", dt.datetime(2020, 1, 1, tzinfo=UTC), 1, 1),
        (2, "b", dt.datetime(2020, 1, 2, tzinfo=UTC), 2, 1),
        (3, "c", dt.datetime(2020, 1, 3, tzinfo=UTC), 2, 1),
        (4, "d", dt.datetime(2020, 1, 4, tzinfo=UTC), 3, 1),
        (5, "e", dt.datetime(2020, 1, 5, tzinfo=UTC), 3, 1),
        (6, "f", dt.datetime(2020, 1, 6, tzinfo=UTC), 3, 1),
    ]
    insert_hiring_rows(engine, departments={1: "One", 2: "Two", 3: "Three"}, jobs={1: "Job"}, hires=hires)
    df = analytics.list_departments_above_mean(engine=engine, year=2020)  # mean exactly 2
    assert df.to_dict(orient="records") == [{"id": 3, "department": "Three", "hired": 3}]


def test_single_hiring_department_is_never_above_the_mean(hr_engine: Engine) -> None:
    assert analytics.list_departments_above_mean(engine=hr_engine, year=2021).empty


@pytest.mark.parametrize("year", [2022, 1999])
def test_year_without_hires_gives_empty_frames_not_errors(hr_engine: Engine, year: int) -> None:
    quarterly = analytics.get_hires_by_quarter(engine=hr_engine, year=year)
    above = analytics.list_departments_above_mean(engine=hr_engine, year=year)
    assert quarterly.empty and list(quarterly.columns) == analytics.QUARTER_COLUMNS
    assert above.empty and list(above.columns) == analytics.ABOVE_MEAN_COLUMNS
    assert analytics.count_hires_by_month(engine=hr_engine, year=year)["hired"].sum() == 0
    kpis = analytics.get_hiring_kpis(engine=hr_engine, year=year)
    assert (kpis.hires, kpis.departments, kpis.mean_per_department) == (0, 0, 0.0)


def test_empty_database_has_no_years_and_no_default(engine: Engine) -> None:
    assert analytics.list_years(engine=engine) == []
    assert analytics.pick_default_year([]) is None
    assert analytics.get_hires_by_quarter(engine=engine, year=2021).empty


def test_list_years_and_default_year(hr_engine: Engine) -> None:
    years = analytics.list_years(engine=hr_engine)
    assert years == [2019, 2020, 2021]
    assert analytics.pick_default_year(years) == 2021
    assert analytics.pick_default_year([2019, 2020]) == 2020


def test_monthly_trend_in_utc(hr_engine: Engine) -> None:
    df = analytics.count_hires_by_month(engine=hr_engine, year=2020)
    assert df["month"].tolist() == list(range(1, 13))
    assert df["hired"].tolist() == [1, 1, 1, 1, 1, 0, 2, 0, 0, 1, 0, 1]


def test_kpis_and_change_from_previous_year(hr_engine: Engine) -> None:
    kpis = analytics.get_hiring_kpis(engine=hr_engine, year=2020)
    assert (kpis.hires, kpis.previous_hires, kpis.change, kpis.departments) == (9, 1, 8, 4)
    assert kpis.change_pct == pytest.approx(800.0)
    assert kpis.mean_per_department == pytest.approx(2.25)
    assert analytics.get_hiring_kpis(engine=hr_engine, year=2019).change_pct is None


def test_department_drill_down(hr_engine: Engine) -> None:
    jobs = analytics.list_department_jobs(engine=hr_engine, department_id=1, year=2020)
    assert jobs.to_dict(orient="records") == [
        {"job_id": 1, "job": "Analyst", "hired": 2},
        {"job_id": 2, "job": "Manager", "hired": 1},
    ]
    hires = analytics.list_department_hires(engine=hr_engine, actor=CLI_ACTOR, department_id=1, year=2020)
    assert hires["id"].tolist() == [3, 1, 2]
    assert hires["hired_at"].iloc[1] == pd.Timestamp("2020-03-31 23:59:59", tz="UTC")
    assert hires["job"].tolist() == ["Manager", "Analyst", "Analyst"]
    assert analytics.list_department_hires(
        engine=hr_engine, actor=CLI_ACTOR, department_id=3, year=2020
    ).empty


def test_count_hr_rows(hr_engine: Engine) -> None:
    assert analytics.count_hr_rows(engine=hr_engine) == {"departments": 5, "jobs": 3, "hired_employees": 11}


@pytest.mark.parametrize("year", [0, 9999, "2021", 2021.0, True])
def test_invalid_year_is_refused(hr_engine: Engine, year: object) -> None:
    with pytest.raises(InvalidInputError, match="not valid"):
        analytics.get_hires_by_quarter(engine=hr_engine, year=year)  # type: ignore[arg-type]


def test_unknown_report_is_refused(hr_engine: Engine) -> None:
    with pytest.raises(InvalidInputError, match="unknown report 'nope'"):
        analytics.build_report(engine=hr_engine, actor=CLI_ACTOR, report="nope", year=2020)


def test_sqlite_reports_use_a_covering_index_range_scan(tmp_path: Path) -> None:
    sqlite = make_engine(f"sqlite:///{tmp_path / 'plan.db'}")
    init_db(sqlite)
    insert_hiring_rows(sqlite, departments=DEPARTMENTS, jobs=JOBS, hires=HIRES)
    bounds = analytics._year_bounds(2020, sqlite)
    for name in ("get_hires_by_quarter", "list_departments_above_mean", "count_hires_by_month"):
        sql = get_query(name, sqlite).text
        with sqlite.connect() as conn:
            plan = " | ".join(str(r[-1]) for r in conn.execute(text("EXPLAIN QUERY PLAN " + sql), bounds))
        assert "USING COVERING INDEX ix_hired_employees_" in plan, (name, plan)
        assert "(hired_at>? AND hired_at<?)" in plan, (name, plan)
    sqlite.dispose()


_OFFSETS = st.sampled_from(
    [dt.UTC, dt.timezone(dt.timedelta(hours=-5)), dt.timezone(dt.timedelta(hours=9, minutes=30))]
)
_HIRE = st.tuples(
    st.datetimes(min_value=dt.datetime(2019, 12, 30), max_value=dt.datetime(2021, 1, 2), timezones=_OFFSETS),
    st.integers(1, 3),
    st.integers(1, 2),
)


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(hires=st.lists(_HIRE, max_size=25))
def test_reports_match_a_python_count_for_any_instants(
    engine: Engine, hires: list[tuple[dt.datetime, int, int]]
) -> None:
    with engine.begin() as conn:
        conn.execute(delete(HiredEmployee))
        conn.execute(delete(Department))
        conn.execute(delete(Job))
    rows = [(i, f"p{i}", at, d, j) for i, (at, d, j) in enumerate(hires, start=1)]
    insert_hiring_rows(engine, departments={1: "A", 2: "B", 3: "C"}, jobs={1: "X", 2: "Y"}, hires=rows)

    counts: dict[tuple[str, str], list[int]] = {}
    per_department: dict[int, int] = {}
    for at, d, j in hires:
        utc = at.astimezone(dt.UTC)
        if utc.year == 2020:
            counts.setdefault(("ABC"[d - 1], "XY"[j - 1]), [0, 0, 0, 0])[(utc.month - 1) // 3] += 1
            per_department[d] = per_department.get(d, 0) + 1
    expected = [[d, j, *q] for (d, j), q in sorted(counts.items())]
    assert analytics.get_hires_by_quarter(engine=engine, year=2020).values.tolist() == expected

    total, n = sum(per_department.values()), len(per_department)
    above = sorted(((d, c) for d, c in per_department.items() if c * n > total), key=lambda x: (-x[1], x[0]))
    got = analytics.list_departments_above_mean(engine=engine, year=2020)
    assert list(zip(got["id"], got["hired"], strict=True)) == above


def test_monthly_detail_sums_to_the_quarterly_report(hr_engine: Engine) -> None:
    detail = analytics.count_hires_by_month_detail(engine=hr_engine, year=2020)
    assert int(detail["hired"].sum()) == 9
    # the offset hire (30 June 22:30 at UTC-5) is July in UTC
    marketing = detail[detail["department"] == "Marketing"]
    assert marketing[["month", "hired"]].to_dict(orient="records") == [
        {"month": 7, "hired": 1},
        {"month": 10, "hired": 1},
    ]
    quarters = detail.assign(quarter="Q" + ((detail["month"] - 1) // 3 + 1).astype(str))
    pivot = quarters.pivot_table(
        index=["department", "job"], columns="quarter", values="hired", aggfunc="sum"
    )
    report = analytics.get_hires_by_quarter(engine=hr_engine, year=2020).set_index(["department", "job"])
    assert (pivot.fillna(0).astype(int)[["Q1", "Q2", "Q3", "Q4"]] == report).all().all()
