"""Recommendations: openings for a candidate and candidates for an opening, by meaning of their texts."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import plotly.express as px
import streamlit as st
from streamlit.errors import StreamlitAPIException

from hr_core.errors import HRCoreError
from hr_core.jobs import JobInfo
from hr_core.ml import match, recommend
from hr_core.settings import get_settings
from hr_core.vocabulary import LANGUAGE_LEVELS, PROFESSIONAL_LEVELS
from pages._shared import (
    clear_data_caches,
    download_buttons,
    follow_job,
    get_engine,
    get_match_model,
    get_pair_choices,
    page_setup,
    show_error,
    show_index_build_progress,
    start_job,
)

actor = page_setup("pages/recommendations.py")
REPO = Path(__file__).resolve().parent.parent
PRESELECT_KEY = "match_preselect"
INDEX_JOB_KEY = "rec_index_job"
ENGLISH = ("", *LANGUAGE_LEVELS)
LEVELS = ("", *PROFESSIONAL_LEVELS)


@st.cache_resource(show_spinner="Opening the indexes…", max_entries=2)
def _indexes(models_dir: str, signature: str) -> dict[recommend.Kind, recommend.VectorIndex]:
    """Both verified indexes; keyed by their build time so a rebuild reopens them."""
    return {kind: recommend.open_index(kind) for kind in recommend.KINDS}


def _rebuilt(job: JobInfo) -> None:
    _indexes.clear()
    clear_data_caches()
    st.success(
        f"Indexes rebuilt: {job.result['vagas']:,} openings and {job.result['candidates']:,} candidates."
    )


def _open_match_page(candidate: str, vaga: str) -> None:
    st.session_state[PRESELECT_KEY] = {"candidate": candidate, "vaga": vaga}
    try:
        st.switch_page(st.Page(REPO / "pages/match_scoring.py"))
    except StreamlitAPIException:
        # Outside the app's navigation (a page run on its own) there is no page to switch to.
        st.info("The pair is selected: open Match scoring to see its score.")


st.title("Recommendations")
st.caption(
    "Similar meaning (all-MiniLM-L6-v2 embeddings) and shared words (BM25) of CVs and job descriptions, "
    "fused; the match probability beside each result when the match model is trained."
)

engine = get_engine()
try:
    status = recommend.get_index_status(engine)
except HRCoreError as e:
    show_error(e)
    st.stop()

if status.building:
    show_index_build_progress()
c1, c2, c3 = st.columns([1, 1, 1])
c1.metric("Openings indexed", f"{status.counts.get('vagas', 0):,}", border=True)
c2.metric("Candidates indexed", f"{status.counts.get('candidates', 0):,}", border=True)
c3.metric(
    "Index", "being built" if status.building else "stale" if status.stale else "up to date", border=True
)
if status.built and status.stale and not status.building:
    st.warning(status.message + " Results may miss new people or openings.", icon=":material/update:")
with st.expander(
    "Rebuild the indexes", icon=":material/refresh:", expanded=not status.built and not status.building
):
    st.write("Encodes the openings and candidates that are new or changed since the last build.")
    if st.button("Rebuild now", key="rec_rebuild", type="primary", disabled=status.building):
        start_job(INDEX_JOB_KEY, "ml.build_index")
    # The build runs as a job: it goes on if this page is left, and its progress shows here.
    if follow_job(INDEX_JOB_KEY, on_success=_rebuilt):
        status = recommend.get_index_status(engine)
if not status.built:
    if status.building:
        st.info("Recommendations appear here as soon as the indexes are built.")
    else:
        st.info(
            f"The indexes are not built yet: rebuild them above or run `python -m hr_core build-index`. "
            f"{status.message if status.build.state in ('failed', 'interrupted') else ''}"
        )
    st.stop()

try:
    indexes = _indexes(str(get_settings().models_dir), str(status.built_at))
    cand_labels, vaga_labels = get_pair_choices()
except HRCoreError as e:
    show_error(e)
    st.stop()

mode = st.radio(
    "Recommend", ["Openings for a candidate", "Candidates for an opening"], horizontal=True, key="rec_mode"
)
for_candidate = mode == "Openings for a candidate"
labels = cand_labels if for_candidate else vaga_labels
indexed = [c for c in labels if c in indexes["candidates" if for_candidate else "vagas"].positions]
if not indexed:
    st.info("Nothing to recommend from yet: no indexed candidate or opening exists in the database.")
    st.stop()
left, right = st.columns([3, 1])
code = left.selectbox(
    "Candidate" if for_candidate else "Opening", indexed, format_func=labels.__getitem__, key="rec_code"
)
k = right.slider("How many", 1, 50, 10, key="rec_k")
with st.expander("Filters", icon=":material/filter_list:"):
    f1, f2, f3, f4 = st.columns(4)
    city = f1.text_input("City", key="rec_city")
    level = f2.selectbox("Professional level", LEVELS, key="rec_level")
    english = f3.selectbox("English", ENGLISH, key="rec_english")
    pcd = f4.checkbox(
        "PcD-reserved only",
        key="rec_pcd",
        help="Eligibility filter you turn on: only openings reserved for people with disabilities (PcD), "
        "or only candidates who declared PcD. It is never part of any score.",
    )
filters = recommend.RecommendFilters(city=city or None, level=level or None, english=english or None, pcd=pcd)
by_probability = st.toggle(
    "Order by match probability",
    key="rec_rerank",
    help="Off: meaning and shared words fused (the better order on real data). "
    "On: the first 50 of that order re-ranked by the match model's probability.",
)

card = match.read_model_card()
try:
    result = recommend.recommend(
        engine=engine,
        actor=actor,
        candidate=code if for_candidate else None,
        vaga=None if for_candidate else code,
        k=k,
        filters=filters,
        indexes=indexes,
        get_model=lambda: get_match_model(str((card or {}).get("sha256"))),
        method="hybrid+rerank" if by_probability else recommend.DEFAULT_METHOD,
    )
except HRCoreError as e:
    show_error(e)
    st.stop()

other = "vaga" if for_candidate else "candidate"
rows = pd.DataFrame(
    [
        {
            other: item.code,
            "title": item.title,
            **({} if for_candidate else {"name": item.name}),
            "probability": item.probability,
            "score": item.semantic_similarity,
            "lexical_score": item.lexical_score,
            "fused_rank": item.fused_rank,
            "matched_skills": ", ".join(item.matched_skills),
            "missing_skills": ", ".join(item.missing_skills),
            "city": item.city,
            "level": item.level,
            "reasons": "; ".join(item.reasons),
        }
        for item in result.items
    ]
)
if rows.empty:
    st.info("No result passes these filters; loosen them to see more.")
    st.stop()
if result.note:
    st.caption(result.note)
if result.base_rate is not None:
    st.caption(f"Base rate: {result.base_rate:.1%} of past decided applications were approved.")

name_col = "title" if for_candidate else "name"
measure = "probability" if result.reranked else "score"
fig = px.bar(
    rows.iloc[::-1], x=measure, y=rows.iloc[::-1][other] + " · " + rows.iloc[::-1][name_col], orientation="h"
)
fig.update_layout(
    height=max(220, 28 * len(rows)),
    yaxis_title="",
    xaxis_title="match probability" if result.reranked else "cosine similarity",
)
st.plotly_chart(fig, width="stretch", key="rec_chart")
st.dataframe(
    rows,
    hide_index=True,
    key="rec_table",
    column_config={
        "score": st.column_config.ProgressColumn("similarity", min_value=0.0, max_value=1.0, format="%.3f"),
        "probability": st.column_config.NumberColumn("match probability", format="%.3f"),
        "lexical_score": st.column_config.NumberColumn("shared words (BM25)", format="%.1f"),
        "fused_rank": st.column_config.NumberColumn("fused rank"),
    },
)
download_buttons(rows, "recommendations", key="rec_download")

st.markdown("**Score a pair in detail**")
target = st.selectbox(
    "Result",
    list(rows[other]),
    format_func=lambda c: f"{c} · {rows.set_index(other).loc[c, name_col]}",
    key="rec_pick",
)
if st.button("Open in Match scoring", key="rec_score_pair", icon=":material/speed:"):
    _open_match_page(code if for_candidate else target, target if for_candidate else code)
