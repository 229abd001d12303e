"""Hiring analytics: hires per quarter, departments above the mean, trends and drill-downs."""

from __future__ import annotations

import calendar

import pandas as pd
import plotly.express as px
import streamlit as st

from hr_core import analytics
from hr_core.errors import HRCoreError
from hr_core.settings import get_settings
from pages._shared import download_buttons, get_engine, page_setup, show_error

actor = page_setup("pages/hiring_analytics.py")


# Cached per database URL and year; clear_data_caches() drops them after uploads and restores.
@st.cache_data(show_spinner=False)
def _years(db_url: str) -> list[int]:
    return analytics.list_years(engine=get_engine())


@st.cache_data(show_spinner=False)
def _year_data(
    db_url: str, year: int
) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame, pd.DataFrame, analytics.HiringKpis]:
    engine = get_engine()
    return (
        analytics.get_hires_by_quarter(engine=engine, year=year),
        analytics.list_departments_above_mean(engine=engine, year=year),
        analytics.count_hires_by_department(engine=engine, year=year),
        analytics.count_hires_by_month(engine=engine, year=year),
        analytics.get_hiring_kpis(engine=engine, year=year),
    )


@st.cache_data(show_spinner=False)
def _drill_down(db_url: str, year: int, department_id: int) -> tuple[pd.DataFrame, pd.DataFrame]:
    engine = get_engine()
    return (
        analytics.list_department_jobs(engine=engine, department_id=department_id, year=year),
        analytics.list_department_hires(engine=engine, department_id=department_id, year=year),
    )


def _render_kpis(kpis: analytics.HiringKpis, above: pd.DataFrame, monthly: pd.DataFrame) -> None:
    c1, c2, c3, c4 = st.columns(4)
    delta = f"{kpis.change:+,}" if kpis.previous_hires else None
    c1.metric(
        f"Hires in {kpis.year}",
        f"{kpis.hires:,}",
        delta=delta,
        help=f"{kpis.previous_hires:,} hires in {kpis.year - 1}",
        border=True,
        chart_data=monthly["hired"].tolist(),
        chart_type="bar",
    )
    pct = kpis.change_pct
    c2.metric(
        f"Change from {kpis.year - 1}",
        "—" if pct is None else f"{pct:+.1f} %",
        help="No hires the year before" if pct is None else None,
        border=True,
    )
    c3.metric("Departments hiring", kpis.departments, border=True)
    c4.metric(
        "Above the mean",
        len(above),
        help=f"Departments with more than {kpis.mean_per_department:.1f} hires",
        border=True,
    )


def _filter(quarterly: pd.DataFrame) -> pd.DataFrame:
    f1, f2 = st.columns(2)
    departments = f1.multiselect(
        "Departments", sorted(quarterly["department"].unique()), key="ha_departments", placeholder="All"
    )
    scoped = quarterly[quarterly["department"].isin(departments)] if departments else quarterly
    jobs = f2.multiselect("Jobs", sorted(scoped["job"].unique()), key="ha_jobs", placeholder="All")
    return scoped[scoped["job"].isin(jobs)] if jobs else scoped


def _render_quarter_charts(filtered: pd.DataFrame) -> None:
    per_department = filtered.groupby("department", sort=True)[list(analytics.QUARTERS)].sum()
    heat = px.imshow(
        per_department,
        text_auto=True,
        aspect="auto",
        color_continuous_scale="Blues",
        labels={"x": "Quarter", "y": "Department", "color": "Hires"},
        title="Hires by department and quarter",
    )
    st.plotly_chart(heat, key="ha_heatmap")
    long = per_department.reset_index().melt(id_vars="department", var_name="quarter", value_name="hires")
    bars = px.bar(
        long, x="quarter", y="hires", color="department", title="Hires per quarter, stacked by department"
    )
    bars.update_layout(barmode="stack", xaxis_title=None, yaxis_title="Hires")
    st.plotly_chart(bars, key="ha_stacked")


def _render_above_mean(above: pd.DataFrame, by_department: pd.DataFrame, mean: float, year: int) -> None:
    if by_department.empty:
        st.info("No department hired this year.")
        return
    chart = by_department.assign(
        position=by_department["id"].isin(above["id"]).map({True: "above the mean", False: "at or below"})
    )
    fig = px.bar(
        chart,
        x="department",
        y="hired",
        color="position",
        color_discrete_map={"above the mean": "#1f77b4", "at or below": "#c7c7c7"},
        title=f"Hires per department in {year}",
    )
    fig.add_hline(
        y=mean, line_dash="dash", annotation_text=f"mean {mean:.1f}", annotation_position="top right"
    )
    fig.update_layout(xaxis_title=None, yaxis_title="Hires", legend_title=None)
    st.plotly_chart(fig, key="ha_above_chart")
    if above.empty:
        st.info("No department hired more than the mean this year.")
        return
    st.dataframe(above, hide_index=True, key="ha_above_table")
    download_buttons(above, f"departments_above_mean_{year}", key="ha_above_dl")


def _render_monthly(monthly: pd.DataFrame, year: int) -> None:
    data = monthly.assign(month=[calendar.month_abbr[m] for m in monthly["month"]])
    fig = px.line(data, x="month", y="hired", markers=True, title=f"Hires per month in {year} (UTC)")
    fig.update_layout(xaxis_title=None, yaxis_title="Hires")
    st.plotly_chart(fig, key="ha_monthly")


def _render_drill_down(by_department: pd.DataFrame, year: int) -> None:
    names = dict(zip(by_department["id"], by_department["department"], strict=True))
    department_id = st.selectbox(
        "Department", list(names), format_func=lambda i: f"{names[i]} ({i})", key="ha_drill_department"
    )
    if department_id is None:
        return
    jobs, hires = _drill_down(get_settings().database_url, year, int(department_id))
    left, right = st.columns(2)
    with left:
        st.markdown(f"**Jobs hired for** · {len(jobs)}")
        st.dataframe(jobs, hide_index=True, key="ha_drill_jobs")
        download_buttons(jobs, f"department_{department_id}_jobs_{year}", key="ha_drill_jobs_dl")
    with right:
        st.markdown(f"**People hired** · {len(hires)}")
        st.dataframe(hires, hide_index=True, key="ha_drill_hires")
        download_buttons(hires, f"department_{department_id}_hires_{year}", key="ha_drill_hires_dl")


st.title("Hiring analytics")
st.caption("Hires per quarter and department; every date is counted in UTC.")
db_url = get_settings().database_url
try:
    years = _years(db_url)
except HRCoreError as e:
    show_error(e)
    st.stop()
if not years:
    st.info("No hires in the database yet. Upload departments, jobs and hired employees to see reports here.")
    st.stop()

default = analytics.pick_default_year(years)
ordered = sorted(years, reverse=True)
year = st.selectbox("Year", ordered, index=ordered.index(default) if default else 0, key="ha_year")
try:
    quarterly, above, by_department, monthly, kpis = _year_data(db_url, int(year))
except HRCoreError as e:
    show_error(e)
    st.stop()

_render_kpis(kpis, above, monthly)
if quarterly.empty:
    st.info(f"No hires in {year}. Pick another year.")
    st.stop()

# Only the open tab runs (on_change="rerun"), so a first render pays for one tab, not five.
# The filters stay outside the tabs so their choices survive switching tabs.
filtered = _filter(quarterly)
tabs = st.tabs(
    ["Hires by quarter", "Quarter charts", "Above the mean", "Monthly trend", "Department drill-down"],
    key="ha_tab",
    on_change="rerun",
)
if tabs[0].open or tabs[1].open:
    with tabs[0] if tabs[0].open else tabs[1]:
        if filtered.empty:
            st.info("No rows match these filters.")
        elif tabs[0].open:
            st.dataframe(filtered, hide_index=True, key="ha_quarterly_table")
            download_buttons(filtered, f"hires_by_quarter_{year}", key="ha_quarterly_dl")
        else:
            _render_quarter_charts(filtered)
if tabs[2].open:
    with tabs[2]:
        _render_above_mean(above, by_department, kpis.mean_per_department, int(year))
if tabs[3].open:
    with tabs[3]:
        _render_monthly(monthly, int(year))
if tabs[4].open:
    with tabs[4]:
        _render_drill_down(by_department, int(year))
