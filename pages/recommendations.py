"""Recommendations: openings for a candidate and candidates for an opening, by meaning of their texts."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import plotly.express as px
import streamlit as st
from streamlit.errors import StreamlitAPIException

from hr_core.errors import HRCoreError
from hr_core.i18n import format_number, format_percent
from hr_core.jobs import JobInfo
from hr_core.ml import match, recommend
from hr_core.vocabulary import LANGUAGE_LEVELS, PROFESSIONAL_LEVELS
from pages._feedback import feedback_buttons
from pages._shared import (
    _,
    clear_data_caches,
    clear_indexes,
    current_locale,
    download_buttons,
    follow_job,
    get_engine,
    get_indexes,
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
FOR_CANDIDATE, FOR_OPENING = "openings", "candidates"
locale = current_locale()


def _any(value: str) -> str:
    return value or _("(any)")


def _rebuilt(job: JobInfo) -> None:
    clear_indexes()
    clear_data_caches()
    st.success(
        _("Indexes rebuilt: {openings} openings and {candidates} candidates.").format(
            openings=format_number(job.result["vagas"], locale),
            candidates=format_number(job.result["candidates"], locale),
        )
    )


def _open_match_page(candidate: str, vaga: str) -> None:
    st.session_state[PRESELECT_KEY] = {"candidate": candidate, "vaga": vaga}
    try:
        st.switch_page(st.Page(REPO / "pages/match_scoring.py"))
    except StreamlitAPIException:
        # Outside the app's navigation (a page run on its own) there is no page to switch to.
        st.info(_("The pair is selected: open Match scoring to see its score."))


st.title(_("Recommendations"))
st.caption(
    _(
        "Openings for a candidate, or candidates for an opening: CVs and job descriptions compared by "
        "meaning (a language model, all-MiniLM-L6-v2) and by shared words (BM25), the two orders fused; "
        "the match probability beside each result once the match model is trained."
    )
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
c1.metric(_("Openings indexed"), format_number(status.counts.get("vagas", 0), locale), border=True)
c2.metric(_("Candidates indexed"), format_number(status.counts.get("candidates", 0), locale), border=True)
state = _("being built") if status.building else _("stale") if status.stale else _("up to date")
c3.metric(_("Index"), state, border=True)
if status.built and status.stale and not status.building:
    st.warning(status.message + " " + _("Results may miss new people or openings."), icon=":material/update:")
if status.refused:
    st.error(
        _("The newest published index build failed its check and is not served here; the previous one is.")
        + " "
        + status.refused,
        icon=":material/gpp_bad:",
    )
with st.expander(
    _("Rebuild the indexes"), icon=":material/refresh:", expanded=not status.built and not status.building
):
    st.write(_("Encodes the openings and candidates that are new or changed since the last build."))
    if st.button(_("Rebuild now"), key="rec_rebuild", type="primary", disabled=status.building):
        start_job(INDEX_JOB_KEY, "ml.build_index")
    # The build runs as a job: it goes on if this page is left, and its progress shows here.
    if follow_job(INDEX_JOB_KEY, on_success=_rebuilt):
        status = recommend.get_index_status(engine)
if not status.built:
    if status.building:
        st.info(_("Recommendations appear here as soon as the indexes are built."))
    else:
        failed = status.message if status.build.state in ("failed", "interrupted") else ""
        st.info(
            _("The indexes are not built yet: rebuild them above or run `python -m hr_core build-index`.")
            + (" " + failed if failed else "")
        )
    st.stop()

try:
    indexes = get_indexes(status.built_at)
    cand_labels, vaga_labels = get_pair_choices()
except HRCoreError as e:
    show_error(e)
    st.stop()

mode = st.radio(
    _("Recommend"),
    [FOR_CANDIDATE, FOR_OPENING],
    format_func=lambda m: (
        _("Openings for a candidate") if m == FOR_CANDIDATE else _("Candidates for an opening")
    ),
    horizontal=True,
    key="rec_mode",
)
for_candidate = mode == FOR_CANDIDATE
labels = cand_labels if for_candidate else vaga_labels
indexed = [c for c in labels if c in indexes["candidates" if for_candidate else "vagas"].positions]
if not indexed:
    st.info(_("Nothing to recommend from yet: no indexed candidate or opening exists in the database."))
    st.stop()
left, right = st.columns([3, 1])
code = left.selectbox(
    _("Candidate") if for_candidate else _("Opening"), indexed, format_func=labels.__getitem__, key="rec_code"
)
k = right.slider(_("How many"), 1, 50, 10, key="rec_k")
with st.expander(_("Filters"), icon=":material/filter_list:"):
    f1, f2, f3, f4 = st.columns(4)
    city = f1.text_input(_("City"), key="rec_city")
    level = f2.selectbox(_("Professional level"), LEVELS, format_func=_any, key="rec_level")
    english = f3.selectbox(_("English"), ENGLISH, format_func=_any, key="rec_english")
    pcd = f4.checkbox(
        _("PcD-reserved only"),
        key="rec_pcd",
        help=_(
            "Eligibility filter you turn on: only openings reserved for people with disabilities (PcD), "
            "or only candidates who declared PcD. It is never part of any score."
        ),
    )
filters = recommend.RecommendFilters(city=city or None, level=level or None, english=english or None, pcd=pcd)
by_probability = st.toggle(
    _("Order by match probability"),
    key="rec_rerank",
    help=_(
        "Off: meaning and shared words fused (the better order on real data). "
        "On: the first 50 of that order re-ranked by the match model's probability."
    ),
)

try:
    card = match.read_model_card()
except HRCoreError as e:
    show_error(e)
    card = None
sha256 = card.sha256 if card is not None else ""
try:
    result = recommend.recommend(
        engine=engine,
        actor=actor,
        candidate=code if for_candidate else None,
        vaga=None if for_candidate else code,
        k=k,
        filters=filters,
        indexes=indexes,
        get_model=lambda: get_match_model(sha256),
        method="hybrid+rerank" if by_probability else recommend.DEFAULT_METHOD,
        _=_,
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
            # the opening's required skills the candidate lacks (such candidates come last for an opening)
            "missing_required": _("Lacks: {skills}").format(skills=", ".join(item.missing_required))
            if item.missing_required
            else "",
            "city": item.city,
            "level": item.level,
            "reasons": "; ".join(item.reasons),
        }
        for item in result.items
    ]
)
if rows.empty:
    st.info(_("No result passes these filters; loosen them to see more."))
    st.stop()
if result.note:
    st.caption(result.note)
if result.base_rate is not None:
    st.caption(
        _(
            "Match probability: the chance of approval the model learnt from past decisions; "
            "base rate {rate} (share of past decided applications that were approved)."
        ).format(rate=format_percent(result.base_rate, locale))
    )

name_col = "title" if for_candidate else "name"
measure = "probability" if result.reranked else "score"
# Shown headers in plain words (the data keeps its keys, so tests read the same columns).
headers = {
    "vaga": _("Opening code"),
    "candidate": _("Candidate code"),
    "title": _("Title"),
    "name": _("Name"),
    "probability": _("Match probability"),
    "score": _("Similarity of meaning"),
    "lexical_score": _("Shared words (BM25)"),
    "fused_rank": _("Rank"),
    "matched_skills": _("Matched skills"),
    "missing_skills": _("Missing skills"),
    "missing_required": _("Required skills"),
    "city": _("City"),
    "level": _("Professional level"),
    "reasons": _("Why"),
}
fig = px.bar(
    rows.iloc[::-1], x=measure, y=rows.iloc[::-1][other] + " · " + rows.iloc[::-1][name_col], orientation="h"
)
fig.update_layout(
    height=max(220, 28 * len(rows)),
    yaxis_title="",
    xaxis_title=_("Match probability")
    if result.reranked
    else _("Similarity of meaning (0 = unrelated, 1 = the same)"),
    title=_("Best first"),
)
fig.update_xaxes(rangemode="tozero")
st.plotly_chart(fig, width="stretch", key="rec_chart")
st.dataframe(
    rows,
    hide_index=True,
    key="rec_table",
    column_config={
        **headers,
        "score": st.column_config.ProgressColumn(
            headers["score"], min_value=0.0, max_value=1.0, format="%.3f"
        ),
        "probability": st.column_config.NumberColumn(headers["probability"], format="percent"),
        "lexical_score": st.column_config.NumberColumn(headers["lexical_score"], format="%.1f"),
        "fused_rank": st.column_config.NumberColumn(headers["fused_rank"]),
    },
)
download_buttons(rows.rename(columns=headers), "recommendations", key="rec_download")

st.markdown(_("**Score a pair in detail**"))
target = st.selectbox(
    _("Result"),
    list(rows[other]),
    format_func=lambda c: f"{c} · {rows.set_index(other).loc[c, name_col]}",
    key="rec_pick",
)
if st.button(_("Open in Match scoring"), key="rec_score_pair", icon=":material/speed:"):
    _open_match_page(code if for_candidate else target, target if for_candidate else code)
feedback_buttons(
    actor,
    candidate=code if for_candidate else target,
    vaga=target if for_candidate else code,
    source="recommendations",
    key="rec_feedback",
)
