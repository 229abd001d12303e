"""Hiring analytics: hires per quarter, departments above the mean, trends and drill-downs.

The department and job filters apply to every figure on the page, the KPI cards included.
"""

from __future__ import annotations

import pandas as pd
import plotly.express as px
import streamlit as st

from hr_core import analytics
from hr_core.access import Actor
from hr_core.errors import HRCoreError
from hr_core.i18n import format_number, format_percent, month_names
from hr_core.settings import get_settings
from pages._charts import stacked_bars, zero_based
from pages._shared import (
    _,
    current_locale,
    download_buttons,
    get_engine,
    page_setup,
    plain_columns,
    show_error,
)

actor = page_setup("pages/hiring_analytics.py")
QUARTERS = list(analytics.QUARTERS)


# Cached per database URL and year; clear_data_caches() drops them after uploads and restores.
@st.cache_data(show_spinner=False, max_entries=4)
def _years(db_url: str) -> list[int]:
    return analytics.list_years(engine=get_engine())


@st.cache_data(show_spinner=False, max_entries=16)
def _year_data(db_url: str, year: int) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """The quarterly report, and hires per (department, job, month) of the year and the year before."""
    engine = get_engine()
    previous = (
        analytics.count_hires_by_month_detail(engine=engine, year=year - 1)
        if year - 1 >= 1
        else pd.DataFrame(columns=["department_id", "department", "job", "month", "hired"])
    )
    return (
        analytics.get_hires_by_quarter(engine=engine, year=year),
        analytics.count_hires_by_month_detail(engine=engine, year=year),
        previous,
    )


@st.cache_data(show_spinner=False, max_entries=64)
def _drill_down(db_url: str, who: Actor, year: int, department_id: int) -> tuple[pd.DataFrame, pd.DataFrame]:
    engine = get_engine()
    return (
        analytics.list_department_jobs(engine=engine, department_id=department_id, year=year),
        analytics.list_department_hires(engine=engine, actor=who, department_id=department_id, year=year),
    )


def _apply(df: pd.DataFrame, departments: list[str], jobs: list[str]) -> pd.DataFrame:
    if departments:
        df = df[df["department"].isin(departments)]
    if jobs:
        df = df[df["job"].isin(jobs)]
    return df


def _per_department(detail: pd.DataFrame) -> pd.DataFrame:
    per = detail.groupby(["department_id", "department"], as_index=False)["hired"].sum()
    per = per.rename(columns={"department_id": "id"})
    return per.sort_values(["hired", "department"], ascending=[False, True]).reset_index(drop=True)


def _above_mean(per: pd.DataFrame) -> pd.DataFrame:
    """Departments hiring strictly more than the mean of those that hired (exact integer comparison)."""
    if per.empty:
        return per
    return per[per["hired"] * len(per) > per["hired"].sum()].reset_index(drop=True)


def _render_kpis(year: int, detail: pd.DataFrame, previous: pd.DataFrame, per: pd.DataFrame) -> None:
    locale = current_locale()
    hires, before = int(detail["hired"].sum()), int(previous["hired"].sum())
    monthly = detail.groupby("month")["hired"].sum().reindex(range(1, 13), fill_value=0)
    c1, c2, c3, c4 = st.columns(4)
    c1.metric(
        _("Hires in {year}").format(year=year),
        format_number(hires, locale),
        delta=f"{hires - before:+,}" if before else None,
        help=_("{count} hires in {year}").format(count=format_number(before, locale), year=year - 1),
        border=True,
        chart_data=monthly.tolist(),
        chart_type="bar",
    )
    c2.metric(
        _("Change from {year}").format(year=year - 1),
        "—" if not before else format_percent((hires - before) / before, locale).replace("%", " %"),
        help=_("No hires the year before") if not before else None,
        border=True,
    )
    c3.metric(_("Departments hiring"), format_number(len(per), locale), border=True)
    mean = hires / len(per) if len(per) else 0.0
    c4.metric(
        _("Above the mean"),
        format_number(len(_above_mean(per)), locale),
        help=_("Departments with more than {mean} hires").format(mean=format_number(mean, locale, digits=1)),
        border=True,
    )


def _filters(quarterly: pd.DataFrame) -> tuple[list[str], list[str]]:
    f1, f2 = st.columns(2)
    departments = f1.multiselect(
        _("Departments"),
        sorted(quarterly["department"].unique()),
        key="ha_departments",
        placeholder=_("All"),
    )
    scoped = quarterly[quarterly["department"].isin(departments)] if departments else quarterly
    jobs = f2.multiselect(_("Jobs"), sorted(scoped["job"].unique()), key="ha_jobs", placeholder=_("All"))
    return departments, jobs


def _with_totals(filtered: pd.DataFrame) -> pd.DataFrame:
    """The quarterly table with a Total column and a totals row."""
    table = filtered.assign(total=filtered[QUARTERS].sum(axis=1))
    sums = table[[*QUARTERS, "total"]].sum()
    totals = pd.DataFrame([{"department": _("Total"), "job": "", **sums.to_dict()}])
    return pd.concat([table, totals], ignore_index=True)


def _render_quarter_charts(filtered: pd.DataFrame) -> None:
    per_department = filtered.groupby("department", sort=True)[QUARTERS].sum()
    heat = px.imshow(
        per_department,
        text_auto=True,
        aspect="auto",
        color_continuous_scale="Blues",
        labels={"x": _("Quarter"), "y": _("Department"), "color": _("Hires")},
        title=_("Hires by department and quarter"),
    )
    st.plotly_chart(heat, key="ha_heatmap")
    long = per_department.reset_index().melt(id_vars="department", var_name="quarter", value_name="hires")
    bars = stacked_bars(
        long,
        x="quarter",
        y="hires",
        colour="department",
        title=_("Hires per quarter, stacked by department (total on top)"),
        x_title=None,
        y_title=_("Hires"),
        other=_("Other departments"),
        colour_title=_("Department"),
        category_orders={"quarter": QUARTERS},
    )
    st.plotly_chart(bars, key="ha_stacked")


def _render_above_mean(per: pd.DataFrame, year: int) -> None:
    if per.empty:
        st.info(_("No department hired this year."))
        return
    above = _above_mean(per)
    mean = per["hired"].sum() / len(per)
    above_label, below_label = _("above the mean"), _("at or below")
    chart = per.assign(position=per["id"].isin(above["id"]).map({True: above_label, False: below_label}))
    fig = px.bar(
        chart,
        x="department",
        y="hired",
        color="position",
        color_discrete_map={above_label: "#0077BB", below_label: "#BBBBBB"},
        title=_("Hires per department in {year}").format(year=year),
        text="hired",
    )
    fig.add_hline(
        y=mean,
        line_dash="dash",
        annotation_text=_("mean {mean}").format(mean=format_number(mean, current_locale(), digits=1)),
        annotation_position="top right",
    )
    fig.update_layout(xaxis_title=None, yaxis_title=_("Hires"), legend_title=None)
    zero_based(fig)
    st.plotly_chart(fig, key="ha_above_chart")
    if above.empty:
        st.info(_("No department hired more than the mean this year."))
        return
    st.dataframe(plain_columns(above), hide_index=True, key="ha_above_table")
    download_buttons(above, f"departments_above_mean_{year}", key="ha_above_dl")


def _render_monthly(detail: pd.DataFrame, year: int) -> None:
    names = month_names(current_locale())
    monthly = detail.groupby("month")["hired"].sum().reindex(range(1, 13), fill_value=0)
    data = pd.DataFrame({"month": [names[m] for m in monthly.index], "hired": monthly.to_numpy()})
    fig = px.line(
        data, x="month", y="hired", markers=True, title=_("Hires per month in {year} (UTC)").format(year=year)
    )
    fig.update_layout(xaxis_title=None, yaxis_title=_("Hires"))
    zero_based(fig, headroom=float(data["hired"].max() or 1))
    st.plotly_chart(fig, key="ha_monthly")


def _render_drill_down(per: pd.DataFrame, year: int) -> None:
    names = dict(zip(per["id"], per["department"], strict=True))
    department_id = st.selectbox(
        _("Department"), list(names), format_func=lambda i: f"{names[i]} ({i})", key="ha_drill_department"
    )
    if department_id is None:
        return
    jobs, hires = _drill_down(get_settings().database_url, actor, year, int(department_id))
    left, right = st.columns(2)
    with left:
        st.markdown(_("**Jobs hired for** · {count}").format(count=len(jobs)))
        st.dataframe(jobs, hide_index=True, key="ha_drill_jobs")
        download_buttons(jobs, f"department_{department_id}_jobs_{year}", key="ha_drill_jobs_dl")
    with right:
        st.markdown(_("**People hired** · {count}").format(count=len(hires)))
        st.dataframe(plain_columns(hires), hide_index=True, key="ha_drill_hires")
        download_buttons(hires, f"department_{department_id}_hires_{year}", key="ha_drill_hires_dl")


st.title(_("Hiring analytics"))
st.caption(_("Hires per quarter and department; every date is counted in UTC."))
db_url = get_settings().database_url
try:
    years = _years(db_url)
except HRCoreError as e:
    show_error(e)
    st.stop()
if not years:
    st.info(
        _("No hires in the database yet. Upload departments, jobs and hired employees to see reports here.")
    )
    st.stop()

default = analytics.pick_default_year(years)
ordered = sorted(years, reverse=True)
year = st.selectbox(_("Year"), ordered, index=ordered.index(default) if default else 0, key="ha_year")
try:
    quarterly, detail, previous = _year_data(db_url, int(year))
except HRCoreError as e:
    show_error(e)
    st.stop()

if quarterly.empty:
    _render_kpis(int(year), detail, previous, _per_department(detail))
    st.info(_("No hires in {year}. Pick another year.").format(year=year))
    st.stop()

# The filters sit above the cards and the tabs: every figure below follows them.
departments, jobs = _filters(quarterly)
filtered = _apply(quarterly, departments, jobs)
detail_f, previous_f = _apply(detail, departments, jobs), _apply(previous, departments, jobs)
per_department = _per_department(detail_f)
_render_kpis(int(year), detail_f, previous_f, per_department)
if departments or jobs:
    st.caption(_("Filtered: every figure counts only the chosen departments and jobs."))

# Only the open tab runs (on_change="rerun"), so a first render pays for one tab, not five.
tab_names = [_("Hires by quarter"), _("Quarter charts"), _("Above the mean"), _("Monthly trend")]
tab_names.append(_("Department drill-down"))
tabs = st.tabs(tab_names, key="ha_tab", on_change="rerun")
if tabs[0].open or tabs[1].open:
    with tabs[0] if tabs[0].open else tabs[1]:
        if filtered.empty:
            st.info(_("No rows match these filters."))
        elif tabs[0].open:
            st.dataframe(plain_columns(_with_totals(filtered)), hide_index=True, key="ha_quarterly_table")
            download_buttons(filtered, f"hires_by_quarter_{year}", key="ha_quarterly_dl")
        else:
            _render_quarter_charts(filtered)
if tabs[2].open:
    with tabs[2]:
        _render_above_mean(per_department, int(year))
if tabs[3].open:
    with tabs[3]:
        _render_monthly(detail_f, int(year))
if tabs[4].open:
    with tabs[4]:
        _render_drill_down(per_department, int(year))
