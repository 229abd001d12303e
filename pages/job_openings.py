"""Job openings: search and filters, detail, the opening's funnel and its prospects by stage."""

from __future__ import annotations

from typing import Any

import pandas as pd
import plotly.express as px
import streamlit as st

from hr_core.errors import HRCoreError
from hr_core.pipeline_stages import STAGE_LABELS, STAGE_ORDER
from hr_core.recruiting import queries
from hr_core.recruiting.stats import build_funnel
from hr_core.settings import get_settings
from pages._shared import download_buttons, get_engine, page_setup, render_funnel, show_error

actor = page_setup("pages/job_openings.py")

ANY = "(any)"
FILTER_LABELS = {"cliente": "Client", "cidade": "City", "nivel_profissional": "Level"}
SORT_LABELS = {
    "codigo": "Code",
    "titulo": "Title",
    "cliente": "Client",
    "cidade": "City",
    "prospects": "Prospects",
}


@st.cache_data(show_spinner=False)
def _options(db_url: str) -> dict[str, list[str]]:
    return queries.list_opening_filter_options(engine=get_engine())


@st.cache_data(show_spinner=False)
def _search(
    db_url: str,
    text: str,
    filters: tuple[tuple[str, str], ...],
    stage: str | None,
    sort: str,
    desc: bool,
    page: int,
    size: int,
) -> queries.PageOfRows:
    return queries.search_openings(
        engine=get_engine(),
        text=text,
        filters=dict(filters),
        stage=stage,
        sort=sort,
        descending=desc,
        page=page,
        page_size=size,
    )


@st.cache_data(show_spinner=False)
def _detail(db_url: str, codigo: str) -> tuple[dict[str, Any], pd.DataFrame]:
    engine = get_engine()
    return queries.get_opening(engine=engine, codigo=codigo), queries.list_opening_prospects(
        engine=engine, codigo=codigo
    )


def _render_detail(codigo: str, db_url: str) -> None:
    try:
        opening, prospects = _detail(db_url, codigo)
    except HRCoreError as e:
        show_error(e)
        return
    vaga = opening["vaga"]
    st.subheader(f"{opening['titulo'] or '(no title)'} · {codigo}")
    if vaga is None:
        st.warning("This opening is named in prospects data but is not in the database (no vagas record).")
    days = prospects["days_to_last_update"].dropna()
    c1, c2, c3, c4 = st.columns(4)
    c1.metric("Client", (vaga or {}).get("cliente") or "—", border=True)
    c2.metric("Prospects", len(prospects), border=True)
    c3.metric("Approved / hired", int((prospects["stage"] == "approved").sum()), border=True)
    c4.metric(
        "Median days application → last update",
        f"{days.median():.0f}" if len(days) else "—",
        border=True,
        help="From data_candidatura to ultima_atualizacao, over prospects that have both dates.",
    )
    if prospects.empty:
        st.info("No prospects for this opening yet.")
    else:
        render_funnel(
            build_funnel(prospects["stage"].value_counts().to_dict()),
            title="Pipeline (prospects who reached each stage)",
            key="open_funnel",
        )
        if len(days) > 1:
            fig = px.histogram(days, nbins=20, title="Days from application to last update")
            fig.update_layout(showlegend=False, xaxis_title="days", yaxis_title="prospects")
            st.plotly_chart(fig, key="open_days_hist")
        shown = prospects.assign(
            candidate=prospects["candidate_in_database"].map({True: "in database", False: "not in database"})
        ).drop(columns=["candidate_in_database"])
        stages = [s for s in (*STAGE_ORDER, "unknown") if (shown["stage"] == s).any()]
        tabs = st.tabs([f"{STAGE_LABELS[s]} ({int((shown['stage'] == s).sum())})" for s in stages])
        for tab, stage in zip(tabs, stages, strict=True):
            tab.dataframe(
                shown[shown["stage"] == stage].drop(columns=["stage"]),
                hide_index=True,
                width="stretch",
                key=f"open_prospects_{stage}",
            )
    if opening["record"]:
        for name, value in opening["record"].items():
            if isinstance(value, dict):
                with st.expander(name, expanded=False):
                    st.json(value)


st.title("Job openings")
db_url = get_settings().database_url
try:
    options = _options(db_url)
    text = st.text_input("Search title, client or code", key="open_search", placeholder="e.g. SAP, Java")
    cols = st.columns(len(FILTER_LABELS) + 1)
    filters: dict[str, str] = {}
    for col, (name, label) in zip(cols, FILTER_LABELS.items(), strict=False):
        choice = col.selectbox(label, [ANY, *options.get(name, [])], key=f"open_filter_{name}")
        if choice != ANY:
            filters[name] = choice
    stage = cols[-1].selectbox(
        "Has prospects at stage",
        [None, *STAGE_ORDER],
        format_func=lambda s: ANY if s is None else STAGE_LABELS[s],
        key="open_filter_stage",
    )
    s1, s2, s3, s4 = st.columns([2, 1, 1, 1])
    sort = s1.selectbox("Sort by", list(SORT_LABELS), format_func=SORT_LABELS.__getitem__, key="open_sort")
    desc = s2.toggle("Descending", key="open_desc")
    size = s3.selectbox("Rows per page", [25, 50, 100], key="open_page_size")
    page_no = s4.number_input("Page", min_value=1, value=1, step=1, key="open_page")
    result = _search(db_url, text, tuple(sorted(filters.items())), stage, sort, desc, int(page_no), size)
    if result.total == 0:
        st.info(
            "No opening matches. Loosen the filters or import vagas and prospects on the Candidates page."
        )
    else:
        st.caption(f"{result.total:,} openings match · page {result.page} of {result.pages}")
        rows = result.rows.assign(
            in_database=result.rows["in_database"].map({True: "yes", False: "not in database"})
        )
        st.dataframe(rows, hide_index=True, width="stretch", key="open_table")
        download_buttons(rows, "job_openings", key="open_dl")
        titles = dict(zip(rows["codigo"], rows["titulo"], strict=True))
        chosen = st.selectbox(
            "Open an opening",
            [None, *rows["codigo"]],
            format_func=lambda c: "—" if c is None else f"{c} · {titles.get(c, '')}",
            key="open_detail",
        )
        if chosen:
            _render_detail(chosen, db_url)
except HRCoreError as e:
    show_error(e)
