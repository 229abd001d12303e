"""Match scoring: the probability that a candidate suits an opening, with reasons, skills and the model card."""

from __future__ import annotations

from dataclasses import replace

import pandas as pd
import plotly.graph_objects as go
import streamlit as st

from hr_core.access import Action, may
from hr_core.errors import HRCoreError
from hr_core.i18n import format_number, format_percent
from hr_core.jobs import JobInfo
from hr_core.ml import match
from hr_core.ml.reasons import describe_reason
from hr_core.vocabulary import LANGUAGE_LEVELS, PROFESSIONAL_LEVELS
from pages._feedback import feedback_buttons
from pages._model_card import show_model_card
from pages._shared import (
    _,
    clear_data_caches,
    current_locale,
    follow_job,
    get_engine,
    get_match_model,
    get_pair_choices,
    page_setup,
    safe_code,
    show_error,
    start_job,
    warn_missing_required,
)

actor = page_setup("pages/match_scoring.py")
PRESELECT_KEY = "match_preselect"  # set by Recommendations: {"candidate": code, "vaga": code}
TRAIN_JOB_KEY = "ms_train_job"
TAB_KEY = "ms_tab"
KEPT_PAIR_KEY = "ms_kept_pair"  # the pair chosen last ({"candidate": code, "vaga": code}), kept across tabs
ENGLISH = ("", *LANGUAGE_LEVELS)
LEVELS = ("", *PROFESSIONAL_LEVELS)
locale = current_locale()


def _any(value: str) -> str:
    return value or _("(any)")


def _gauge(probability: float) -> go.Figure:
    fig = go.Figure(
        go.Indicator(
            mode="gauge+number",
            value=probability * 100,
            number={"suffix": "%", "valueformat": ".1f"},
            gauge={
                "axis": {"range": [0, 100]},
                "bar": {"color": "#2e7d32" if probability >= 0.5 else "#c62828"},
                "steps": [
                    {"range": [0, 33], "color": "#fdecea"},
                    {"range": [33, 66], "color": "#fff8e1"},
                    {"range": [66, 100], "color": "#e8f5e9"},
                ],
            },
            title={"text": _("Match probability")},
        )
    )
    fig.update_layout(height=260, margin={"l": 20, "r": 20, "t": 50, "b": 10})
    return fig


def _show_score(score: match.MatchScore, key: str, base_rate: float | None, who: str | None = None) -> None:
    """The gauge, the reasons, the skills, and the required skills the candidate lacks (as the opening's
    candidate list says them)."""
    warn_missing_required(who or score.candidate, score.missing_required)
    c1, c2 = st.columns([1, 1])
    with c1:
        st.plotly_chart(_gauge(score.probability), width="stretch", key=f"{key}_gauge")
        st.caption(
            _("Probability {probability} · candidate {candidate} · opening {opening}").format(
                probability=format_number(score.probability, locale, digits=4),
                candidate=score.candidate,
                opening=score.vaga,
            )
        )
        if base_rate is not None:
            st.caption(
                _("base rate {rate}: share of past decided applications that were approved").format(
                    rate=format_percent(base_rate, locale)
                )
            )
    with c2:
        if score.reasons:
            reasons = pd.DataFrame(
                [
                    {
                        "feature": describe_reason(replace(r, effect=0.0), _),
                        "effect": r.effect,
                        "value": str(r.value),
                    }
                    for r in score.reasons
                ]
            ).iloc[::-1]
            fig = go.Figure(
                go.Bar(
                    x=reasons["effect"],
                    y=reasons["feature"],
                    orientation="h",
                    marker_color=["#2e7d32" if e > 0 else "#c62828" for e in reasons["effect"]],
                    customdata=reasons["value"],
                    hovertemplate="%{y}<br>%{x:+.3f}<extra></extra>",
                )
            )
            fig.update_layout(
                title=_("Reasons for (green) and against (red)"),
                height=300,
                margin={"l": 10, "r": 10, "t": 40, "b": 10},
                xaxis_title=_("Change in probability compared with a typical pair"),
            )
            st.plotly_chart(fig, width="stretch", key=f"{key}_reasons")
        else:
            st.info(_("No feature moves this pair away from a typical pair."))
    s1, s2 = st.columns(2)
    none = _("none")
    s1.markdown(
        _("**Matched skills**") + " " + (", ".join(safe_code(s) for s in score.matched_skills) or none)
    )
    s2.markdown(
        _("**Missing skills**") + " " + (", ".join(safe_code(s) for s in score.missing_skills) or none)
    )


def _retrained(job: JobInfo) -> None:
    clear_data_caches()
    figures = {
        "roc_auc": format_number(job.result["roc_auc"], locale, digits=3),
        "pr_auc": format_number(job.result["pr_auc"], locale, digits=3),
    }
    if job.result.get("promoted"):
        st.success(_("Model retrained: ROC AUC {roc_auc}, PR AUC {pr_auc}.").format(**figures))
    else:
        st.success(
            _(
                "A new model version was trained (ROC AUC {roc_auc}, PR AUC {pr_auc}); the current one stays in "
                "service until an admin promotes the new one on Model monitoring."
            ).format(**figures)
        )


st.title(_("Match scoring"))
st.caption(
    _("How likely a candidate is to be approved for an opening, learnt from past application outcomes.")
)

if may(actor.role, Action.MODEL_TRAIN):
    with st.expander(_("Retrain the model"), icon=":material/model_training:"):
        st.write(_("Trains on every prospect with a final status (approved/hired or rejected/withdrew)."))
        if st.button(_("Retrain now"), key="ms_retrain", type="primary"):
            start_job(TRAIN_JOB_KEY, "ml.train")
        # Training runs as a job: it goes on if this page is left, and its progress shows here.
        follow_job(TRAIN_JOB_KEY, on_success=_retrained)

try:
    card = match.read_model_card()
except HRCoreError as e:
    show_error(e)
    st.stop()
if card is None:
    st.info(
        _(
            "No match model is trained yet. An admin can train it here or with `python -m hr_core train-match`."
        )
    )
    st.stop()
try:
    model = get_match_model(card.sha256)
except HRCoreError as e:
    show_error(e)
    st.stop()

# Only the open tab runs (on_change="rerun"): a first open scores the stored pair without building the form and
# the model card as well. A pair sent from Recommendations opens the stored pair's tab.
tab_names = [_("Stored candidate and opening"), _("Fill in a form"), _("About the model")]
if st.session_state.get(PRESELECT_KEY):
    st.session_state[TAB_KEY] = tab_names[0]
pick_tab, form_tab, card_tab = st.tabs(
    tab_names,
    key=TAB_KEY,
    on_change="rerun",
)

if pick_tab.open:
    with pick_tab:
        try:
            cand_labels, vaga_labels = get_pair_choices()
        except HRCoreError as e:
            show_error(e)
            st.stop()
        if not cand_labels or not vaga_labels:
            st.info(_("Import candidates and openings to score stored pairs, or use the form."))
        else:
            # A pair sent from Recommendations is chosen; otherwise the pair chosen last comes back when
            # another tab was open (Streamlit forgets a closed tab's widget values).
            sent = st.session_state.pop(PRESELECT_KEY, None)
            sent = sent if isinstance(sent, dict) else {}
            kept = st.session_state.get(KEPT_PAIR_KEY, {})
            for part, widget, labels in (
                ("candidate", "ms_candidate", cand_labels),
                ("vaga", "ms_vaga", vaga_labels),
            ):
                if sent.get(part) in labels:
                    st.session_state[widget] = sent[part]
                elif widget not in st.session_state and kept.get(part) in labels:
                    st.session_state[widget] = kept[part]
            c1, c2 = st.columns(2)
            candidate = c1.selectbox(
                _("Candidate"), list(cand_labels), format_func=cand_labels.__getitem__, key="ms_candidate"
            )
            vaga = c2.selectbox(
                _("Opening"), list(vaga_labels), format_func=vaga_labels.__getitem__, key="ms_vaga"
            )
            st.session_state[KEPT_PAIR_KEY] = {"candidate": candidate, "vaga": vaga}
            try:
                score = match.score_match(
                    engine=get_engine(), actor=actor, model=model, candidate=candidate, vaga=vaga
                )
            except HRCoreError as e:
                show_error(e)
            else:
                _show_score(score, "ms_pair", card.base_rate, who=cand_labels[candidate])
                feedback_buttons(
                    actor, candidate=candidate, vaga=vaga, source="match_scoring", key="ms_feedback"
                )

if form_tab.open:
    with form_tab:
        with st.form("ms_form"):
            st.markdown(_("**Candidate**"))
            f1, f2, f3 = st.columns(3)
            c_title = f1.text_input(_("Professional title"), key="ms_f_c_title")
            c_level = f2.selectbox(_("Professional level"), LEVELS, format_func=_any, key="ms_f_c_level")
            c_english = f3.selectbox(_("English"), ENGLISH, format_func=_any, key="ms_f_c_english")
            c_skills = st.text_area(_("Technical skills"), key="ms_f_c_skills", height=80)
            c_local = st.text_input(_("Location (city, state)"), key="ms_f_c_local")
            st.markdown(_("**Opening**"))
            g1, g2, g3 = st.columns(3)
            v_title = g1.text_input(_("Title"), key="ms_f_v_title")
            v_level = g2.selectbox(_("Professional level"), LEVELS, format_func=_any, key="ms_f_v_level")
            v_english = g3.selectbox(_("English"), ENGLISH, format_func=_any, key="ms_f_v_english")
            v_skills = st.text_area(
                _("Technical and behavioural competences"), key="ms_f_v_skills", height=80
            )
            h1, h2 = st.columns(2)
            v_city = h1.text_input(_("City"), key="ms_f_v_city")
            v_state = h2.text_input(_("State"), key="ms_f_v_state")
            submitted = st.form_submit_button(_("Score"), key="ms_f_submit", type="primary")
        if submitted:
            form_candidate = {
                "titulo_profissional": c_title,
                "conhecimentos_tecnicos": c_skills,
                "nivel_profissional": c_level,
                "nivel_ingles": c_english,
                "local": c_local,
            }
            form_vaga = {
                "titulo": v_title,
                "competencias": v_skills,
                "nivel_profissional": v_level,
                "nivel_ingles": v_english,
                "cidade": v_city,
                "estado": v_state,
            }
            try:
                scored = match.score_records(model=model, candidate=form_candidate, vaga=form_vaga)
                _show_score(scored, "ms_form", card.base_rate)
            except HRCoreError as e:
                show_error(e)

if card_tab.open:
    with card_tab:
        show_model_card(card, actor, key="ms_card")
