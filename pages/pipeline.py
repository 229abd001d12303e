"""Pipeline overview: funnel and stage conversion across openings, by recruiter and by month."""

from __future__ import annotations

from typing import Any

import pandas as pd
import plotly.express as px
import streamlit as st

from hr_core.errors import HRCoreError
from hr_core.i18n import format_number, format_percent
from hr_core.pipeline_stages import STAGE_ORDER
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


@st.cache_data(show_spinner=False)
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

funnel_tab, recruiter_tab, month_tab = st.tabs([_("Funnel"), _("By recruiter"), _("Over time")])
with funnel_tab:
    render_funnel(overview["funnel"], title=_("Prospects who reached each stage"), key="pipe_funnel")
with recruiter_tab:
    _render_recruiters(overview["by_recruiter"])
with month_tab:
    _render_months(overview["by_month"])
