"""Pipeline overview: funnel and stage conversion across openings, by recruiter and by month."""

from __future__ import annotations

from typing import Any

import pandas as pd
import plotly.express as px
import streamlit as st

from hr_core.errors import HRCoreError
from hr_core.pipeline_stages import STAGE_LABELS, STAGE_ORDER
from hr_core.recruiting.stats import get_pipeline_overview
from hr_core.settings import get_settings
from pages._shared import download_buttons, get_engine, page_setup, render_funnel, show_error

actor = page_setup("pages/pipeline.py")


@st.cache_data(show_spinner=False)
def _overview(db_url: str) -> dict[str, Any]:
    return get_pipeline_overview(engine=get_engine())


def _stage_columns(df: pd.DataFrame) -> list[str]:
    return [s for s in (*STAGE_ORDER, "unknown") if s in df.columns]


def _long(df: pd.DataFrame, index: str) -> pd.DataFrame:
    long = df.melt(id_vars=[index], value_vars=_stage_columns(df), var_name="stage", value_name="prospects")
    long["stage"] = long["stage"].map(STAGE_LABELS)
    return long


def _render_recruiters(by_recruiter: pd.DataFrame) -> None:
    if by_recruiter.empty:
        st.info("No prospects yet.")
        return
    top_n = st.slider("Recruiters shown", 5, 50, 15, key="pipe_top_recruiters")
    top = by_recruiter.nlargest(top_n, "total")
    fig = px.bar(
        _long(top, "recrutador"),
        x="prospects",
        y="recrutador",
        color="stage",
        orientation="h",
        title=f"Prospects by stage for the {len(top)} busiest recruiters",
    )
    fig.update_layout(yaxis={"categoryorder": "total ascending"}, legend_title_text="")
    st.plotly_chart(fig, key="pipe_recruiter_chart")
    table = by_recruiter.sort_values("total", ascending=False)
    st.dataframe(
        table,
        hide_index=True,
        width="stretch",
        key="pipe_recruiter_table",
        column_config={
            "approved_rate": st.column_config.NumberColumn("Approved rate", format="percent"),
            "exit_rate": st.column_config.NumberColumn("Exit rate", format="percent"),
        },
    )
    download_buttons(table, "pipeline_by_recruiter", key="pipe_recruiter_dl")


def _render_months(by_month: pd.DataFrame) -> None:
    if by_month.empty:
        st.info("No prospects with an application date yet.")
        return
    fig = px.bar(
        _long(by_month, "month"), x="month", y="prospects", color="stage", title="Applications by month"
    )
    fig.update_layout(legend_title_text="", xaxis_title="application month")
    st.plotly_chart(fig, key="pipe_month_chart")
    rates = by_month.melt(id_vars=["month"], value_vars=["approved_rate", "exit_rate"], var_name="rate")
    rates["rate"] = rates["rate"].map(
        {"approved_rate": "Approved / hired", "exit_rate": "Rejected or withdrew"}
    )
    fig = px.line(rates, x="month", y="value", color="rate", markers=True, title="Outcome rates by month")
    fig.update_layout(yaxis_tickformat=".0%", yaxis_title="share of applications", legend_title_text="")
    st.plotly_chart(fig, key="pipe_rate_chart")
    download_buttons(by_month, "pipeline_by_month", key="pipe_month_dl")


st.title("Pipeline")
try:
    overview = _overview(get_settings().database_url)
except HRCoreError as e:
    show_error(e)
    st.stop()

totals = overview["totals"]
funnel = overview["funnel"].set_index("stage")
approved = int(funnel.loc["approved", "at_stage"])
k1, k2, k3, k4 = st.columns(4)
k1.metric("Openings in pipelines", f"{totals['openings']:,}", border=True)
k2.metric("Prospects", f"{totals['prospects']:,}", border=True)
k3.metric(
    "Approved / hired",
    f"{approved:,}",
    delta=f"{approved / totals['prospects']:.1%} of prospects" if totals["prospects"] else None,
    delta_color="off",
    border=True,
)
k4.metric(
    "Prospects with a candidate not in the database",
    f"{totals['prospects_without_candidate']:,}",
    border=True,
)
if totals["prospects"] == 0:
    st.info("No prospects yet. Import prospects.json on the Candidates page (Import / export).")
    st.stop()

funnel_tab, recruiter_tab, month_tab = st.tabs(["Funnel", "By recruiter", "By month"])
with funnel_tab:
    render_funnel(overview["funnel"], title="Prospects who reached each stage", key="pipe_funnel")
with recruiter_tab:
    _render_recruiters(overview["by_recruiter"])
with month_tab:
    _render_months(overview["by_month"])
