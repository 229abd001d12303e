"""Pipeline overview: funnel and stage conversion across openings, by recruiter and by month, and the
pipeline numbers (days to each stage and to the decision, conversion, ageing openings, per month)."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pandas as pd
import plotly.express as px
import streamlit as st

from hr_core.access import Actor
from hr_core.errors import HRCoreError
from hr_core.i18n import N_, format_date, format_number, format_percent, show_value
from hr_core.pipeline_stages import STAGE_ORDER
from hr_core.recruiting.pipeline_metrics import (
    DECISION,
    GROUP_BYS,
    TIMED_STAGES,
    PipelineReport,
    build_pipeline_report,
)
from hr_core.recruiting.stats import get_pipeline_overview
from hr_core.settings import get_settings
from pages._charts import PALETTE, month_axis, stacked_bars, zero_based
from pages._recruiting import stage_label
from pages._shared import (
    _,
    current_locale,
    download_buttons,
    get_engine,
    page_setup,
    plain_columns,
    render_funnel,
    show_error,
)

actor = page_setup("pages/pipeline.py")


@st.cache_data(show_spinner=False, max_entries=4)
def _overview(db_url: str) -> dict[str, Any]:
    return get_pipeline_overview(engine=get_engine())


def _stage_columns(df: pd.DataFrame) -> list[str]:
    return [s for s in (*STAGE_ORDER, "unknown") if s in df.columns]


def _long(df: pd.DataFrame, index: str) -> pd.DataFrame:
    long = df.melt(id_vars=[index], value_vars=_stage_columns(df), var_name="stage", value_name="prospects")
    long["stage"] = long["stage"].map(stage_label)
    return long


def _stage_colours() -> dict[str, str]:
    """One colour per stage, the same in every chart of the page."""
    return {stage_label(s): PALETTE[i] for i, s in enumerate((*STAGE_ORDER, "unknown"))}


def _render_recruiters(by_recruiter: pd.DataFrame) -> None:
    if by_recruiter.empty:
        st.info(_("No prospects yet."))
        return
    top_n = st.slider(_("Recruiters shown"), 5, 50, 15, key="pipe_top_recruiters")
    top = by_recruiter.nlargest(top_n, "total")
    fig = stacked_bars(
        _long(top, "recrutador"),
        x="prospects",
        y="recrutador",
        colour="stage",
        title=_("Applications by stage for the {count} busiest recruiters").format(count=len(top)),
        x_title=_("Applications"),
        y_title="",
        other=_("Other"),
        horizontal=True,
    )
    fig.update_layout(yaxis={"categoryorder": "total ascending"})
    fig.for_each_trace(
        lambda t: (
            t.update(marker_color=_stage_colours().get(t.name, t.marker.color)) if t.type == "bar" else None
        )
    )
    st.plotly_chart(fig, key="pipe_recruiter_chart")
    table = by_recruiter.sort_values("total", ascending=False)
    st.dataframe(
        plain_columns(table),
        hide_index=True,
        width="stretch",
        key="pipe_recruiter_table",
        column_config={
            _("Approved rate"): st.column_config.NumberColumn(format="percent"),
            _("Exit rate"): st.column_config.NumberColumn(format="percent"),
        },
    )
    download_buttons(table, "pipeline_by_recruiter", key="pipe_recruiter_dl")


def _render_months(by_month: pd.DataFrame) -> None:
    if by_month.empty:
        st.info(_("No prospects with an application date yet."))
        return
    long = _long(by_month, "month")
    long["month"] = pd.to_datetime(long["month"].astype(str).str[:7] + "-01")
    fig = px.area(
        long,
        x="month",
        y="prospects",
        color="stage",
        title=_("Applications per month, by the stage they are at now"),
        color_discrete_map=_stage_colours(),
        labels={"month": _("Application month"), "prospects": _("Applications"), "stage": _("Stage")},
    )
    fig.update_layout(legend_title_text="", hovermode="x unified")
    month_axis(fig)
    zero_based(fig)
    st.plotly_chart(fig, key="pipe_month_chart")
    rates = by_month.melt(id_vars=["month"], value_vars=["approved_rate", "exit_rate"], var_name="rate")
    rates["month"] = pd.to_datetime(rates["month"].astype(str).str[:7] + "-01")
    rates["rate"] = rates["rate"].map(
        {"approved_rate": _("Approved / hired"), "exit_rate": _("Rejected or withdrew")}
    )
    fig = px.line(
        rates,
        x="month",
        y="value",
        color="rate",
        title=_("Outcome rates by month"),
        labels={"month": _("Application month"), "value": _("share of applications"), "rate": ""},
        color_discrete_sequence=[PALETTE[3], PALETTE[6]],
    )
    fig.update_layout(yaxis_tickformat=".0%", legend_title_text="")
    month_axis(fig)
    zero_based(fig)
    st.plotly_chart(fig, key="pipe_rate_chart")
    download_buttons(by_month, "pipeline_by_month", key="pipe_month_dl")


GROUP_LABELS: dict[str, str] = {
    "overall": N_("Everyone together"),
    "opening": N_("Opening"),
    "client": N_("Client"),
    "recruiter": N_("Recruiter"),
}
# The column a grouping's key is shown under (its plain label comes from the vocabulary).
GROUP_COLUMNS = {"opening": "vaga_codigo", "client": "cliente", "recruiter": "recrutador", "month": "month"}


@st.cache_data(show_spinner=False, ttl=300)
def _numbers(db_url: str, who: Actor, group_by: str, day: dt.date) -> PipelineReport:
    return build_pipeline_report(engine=get_engine(), actor=who, group_by=group_by, today=day)


def _stage_name(stage: str) -> str:
    return _("Decision (hired or rejected)") if stage == DECISION else stage_label(stage)


def _days(value: float) -> str:
    return format_number(value, current_locale(), digits=0 if float(value).is_integer() else 1)


def _grouped(table: pd.DataFrame, group_by: str) -> pd.DataFrame:
    """A section's table with the group under its own name (opening code and title, client, recruiter)."""
    out = table.copy()
    for col in ("stage", "from_stage", "to_stage"):
        if col in out:
            out[col] = out[col].map(_stage_name)
    if group_by == "overall":
        return out.drop(columns=["group", "label"])
    if group_by == "opening":
        return out.rename(columns={"group": "vaga_codigo", "label": "titulo"})
    out["group"] = out["group"].map(show_value)
    return out.drop(columns=["label"]).rename(columns={"group": GROUP_COLUMNS[group_by]})


def _show_table(table: pd.DataFrame, name: str, *, key: str) -> None:
    st.dataframe(
        plain_columns(table),
        hide_index=True,
        width="stretch",
        key=key,
        column_config={_("Conversion"): st.column_config.NumberColumn(format="percent")},
    )
    download_buttons(table, name, key=f"{key}_dl")


def _render_kpis(report: PipelineReport) -> None:
    locale = current_locale()
    k1, k2, k3 = st.columns(3)
    decision = report.time_to_decision[0] if report.time_to_decision else None
    k1.metric(
        _("Median days to decision"),
        _days(decision.median_days) if decision else format_number(None, locale),
        delta=_("{count} decisions; middle half {low}–{high} days").format(
            count=format_number(decision.prospects, locale),
            low=_days(decision.p25_days),
            high=_days(decision.p75_days),
        )
        if decision
        else None,
        delta_color="off",
        border=True,
    )
    k2.metric(
        _("Conversion from application to hired"), format_percent(report.hire_rate, locale), border=True
    )
    k3.metric(
        _("Openings idle for over {days} days").format(days=report.stale_after_days),
        format_number(report.stale_openings, locale),
        help=_("Open openings (nobody hired yet) where no prospect moved for more than {days} days.").format(
            days=report.stale_after_days
        ),
        border=True,
    )
    gaps = report.date_gaps
    if gaps.prospects:
        st.caption(
            _(
                "{count} prospects without a usable date are left out of the times (no application date: "
                "{no_applied}; no date for their stage: {no_stage}; a date before the application: {before})."
            ).format(
                count=format_number(gaps.prospects, locale),
                no_applied=format_number(gaps.no_application_date, locale),
                no_stage=format_number(gaps.no_stage_date, locale),
                before=format_number(gaps.before_application, locale),
            )
        )


def _render_stage_times(report: PipelineReport) -> None:
    rows = report.table("time_to_stage")
    rows = pd.concat([rows, report.table("time_to_decision")], ignore_index=True)
    if rows.empty:
        st.info(_("No prospect has a dated stage after applying yet."))
        return
    rows["name"] = rows["stage"].map(_stage_name)
    fig = px.bar(
        rows,
        x="name",
        y="median_days",
        error_y=rows["p75_days"] - rows["median_days"],
        error_y_minus=rows["median_days"] - rows["p25_days"],
        hover_data={"prospects": True, "p25_days": True, "p75_days": True},
        title=_("Days from application to each stage"),
        labels={
            "name": _("Stage"),
            "median_days": _("Median days"),
            "prospects": _("Applications"),
            "p25_days": _("First quartile"),
            "p75_days": _("Third quartile"),
        },
        color_discrete_sequence=[PALETTE[0]],
    )
    zero_based(fig)
    st.plotly_chart(fig, key="pipe_num_time_chart")
    st.caption(_("Bars: the median; whiskers: from the first to the third quartile (the middle half)."))
    _show_table(_grouped(rows.drop(columns=["name"]), "overall"), "pipeline_times", key="pipe_num_times")


def _render_conversion(report: PipelineReport) -> None:
    steps = report.conversion
    if not steps:
        return
    reached = [steps[0].reached_from] + [s.reached_to for s in steps]
    names = [_stage_name(steps[0].from_stage)] + [_stage_name(s.to_stage) for s in steps]
    fig = px.funnel(
        pd.DataFrame({"stage": names, "reached": reached}),
        x="reached",
        y="stage",
        title=_("Conversion from stage to stage"),
        labels={"reached": _("Reached"), "stage": _("Stage")},
        color_discrete_sequence=[PALETTE[2]],
    )
    st.plotly_chart(fig, key="pipe_num_funnel_chart")
    _show_table(_grouped(report.table("conversion"), "overall"), "pipeline_conversion", key="pipe_num_conv")


def _render_ageing(report: PipelineReport) -> None:
    st.subheader(_("Open openings by time without movement"))
    st.caption(
        _(
            "An opening is open until someone is hired; its last movement is the latest date of any of its prospects."
        )
    )
    table = report.table("ageing")
    if table.empty:
        st.info(_("No open opening."))
        return
    locale = current_locale()
    shown = table.assign(
        opened_on=table["opened_on"].map(lambda d: format_date(d, locale)),
        last_movement=table["last_movement"].map(lambda d: format_date(d, locale)),
    )
    st.dataframe(plain_columns(shown), hide_index=True, width="stretch", key="pipe_num_ageing")
    download_buttons(table, "pipeline_ageing_openings", key="pipe_num_ageing_dl")


def _render_groups(actor: Actor, day: dt.date) -> None:
    st.subheader(_("Times and conversion by group"))
    group_by = st.selectbox(
        _("Group by"),
        GROUP_BYS,
        format_func=lambda g: _(GROUP_LABELS[g]),
        index=0,  # everyone together reuses the report above; a grouping is computed when chosen
        key="pipe_num_group",
    )
    try:
        report = _numbers(get_settings().database_url, actor, group_by, day)
    except HRCoreError as e:
        show_error(e)
        return
    times = pd.concat([report.table("time_to_stage"), report.table("time_to_decision")], ignore_index=True)
    _show_table(_grouped(times, group_by), f"pipeline_times_by_{group_by}", key="pipe_num_group_times")
    _show_table(
        _grouped(report.table("conversion"), group_by),
        f"pipeline_conversion_by_{group_by}",
        key="pipe_num_group_conv",
    )


def _render_monthly(report: PipelineReport) -> None:
    st.subheader(_("By month of application"))
    times = report.table("monthly_time")
    if times.empty:
        st.info(_("No prospect has a dated stage after applying yet."))
        return
    present = [s for s in (DECISION, *TIMED_STAGES) if s in set(times["stage"])]
    shown = st.multiselect(
        _("Stages shown"), present, default=present[:1], format_func=_stage_name, key="pipe_num_month_stages"
    )
    if shown:
        picked = times[times["stage"].isin(shown)]
        lines = picked.assign(
            month=pd.to_datetime(picked["group"] + "-01"), stage=picked["stage"].map(_stage_name)
        )
        fig = px.line(
            lines,
            x="month",
            y="median_days",
            color="stage",
            markers=True,
            title=_("Median days from application, by month of application"),
            labels={"month": _("Application month"), "median_days": _("Median days"), "stage": _("Stage")},
            category_orders={"stage": [_stage_name(s) for s in shown]},
            color_discrete_map={_stage_name(s): PALETTE[i] for i, s in enumerate(present)},
        )
        fig.update_layout(legend_title_text="")
        month_axis(fig)
        zero_based(fig)
        st.plotly_chart(fig, key="pipe_num_month_chart")
    _show_table(_grouped(times, "month"), "pipeline_times_by_month", key="pipe_num_month_times")
    conversion = _grouped(report.table("monthly_conversion"), "month")
    _show_table(conversion, "pipeline_conversion_by_month", key="pipe_num_month_conv")


def _render_numbers(actor: Actor) -> None:
    """KPIs, time to each stage, the conversion funnel, ageing openings, groups and months."""
    day = dt.datetime.now(dt.UTC).date()
    try:
        report = _numbers(get_settings().database_url, actor, "overall", day)
    except HRCoreError as e:
        show_error(e)
        return
    _render_kpis(report)
    left, right = st.columns(2)
    with left:
        _render_stage_times(report)
    with right:
        _render_conversion(report)
    _render_ageing(report)
    _render_groups(actor, day)
    _render_monthly(report)


st.title(_("Pipeline"))
try:
    overview = _overview(get_settings().database_url)
except HRCoreError as e:
    show_error(e)
    st.stop()

locale = current_locale()
totals = overview["totals"]
funnel = overview["funnel"].set_index("stage")
approved = int(funnel.loc["approved", "at_stage"])
k1, k2, k3, k4 = st.columns(4)
k1.metric(_("Openings in pipelines"), format_number(totals["openings"], locale), border=True)
k2.metric(_("Prospects"), format_number(totals["prospects"], locale), border=True)
k3.metric(
    _("Approved / hired"),
    format_number(approved, locale),
    delta=_("{share} of prospects").format(share=format_percent(approved / totals["prospects"], locale))
    if totals["prospects"]
    else None,
    delta_color="off",
    border=True,
)
k4.metric(
    _("Applications whose candidate has no full record"),
    format_number(totals["prospects_without_candidate"], locale),
    border=True,
)
if totals["prospects"] == 0:
    st.info(_("No prospects yet. Import prospects.json on the Candidates page (Import / export)."))
    st.stop()

# Only the open tab runs (on_change="rerun"): the pipeline numbers, the heaviest, are computed when asked for.
funnel_tab, recruiter_tab, month_tab, numbers_tab = st.tabs(
    [_("Funnel"), _("By recruiter"), _("Over time"), _("Pipeline numbers")], key="pipe_tab", on_change="rerun"
)
if funnel_tab.open:
    with funnel_tab:
        render_funnel(overview["funnel"], title=_("Prospects who reached each stage"), key="pipe_funnel")
if recruiter_tab.open:
    with recruiter_tab:
        _render_recruiters(overview["by_recruiter"])
if month_tab.open:
    with month_tab:
        _render_months(overview["by_month"])
if numbers_tab.open:
    with numbers_tab:
        _render_numbers(actor)
