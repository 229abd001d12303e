"""Match a CV: openings for a person who is not in the database, from a pasted or uploaded CV and an optional
profile; nothing is stored unless the recruiter saves the profile as a candidate."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from hr_core.access import Action, may
from hr_core.errors import HRCoreError
from hr_core.i18n import format_percent
from hr_core.ml import match
from hr_core.ml.profiles import recommend_for_profile
from hr_core.recruiting.cv_text import CV_SUFFIXES, FreeProfile, extract_cv_text
from hr_core.recruiting.editing import CandidateForm, save_candidate
from hr_core.vocabulary import ACADEMIC_LEVELS, LANGUAGE_LEVELS, PROFESSIONAL_LEVELS
from pages._shared import (
    _,
    current_locale,
    get_engine,
    get_match_model,
    page_setup,
    safe_code,
    show_error,
)

actor = page_setup("pages/cv_match.py")
RESULTS_KEY = "cv_results"

st.title(_("Match a CV"))
st.caption(
    _(
        "Openings for someone who is not in the database yet: paste or upload a CV, add what you know. "
        "Nothing is stored unless you save the profile as a candidate. A recruiter decides; the scores "
        "only help to find and compare."
    )
)

pasted, uploaded = _("Paste the text"), _("Upload a file")
source = st.radio(_("CV"), [pasted, uploaded], horizontal=True, key="cv_source")
cv_text = ""
if source == uploaded:
    file = st.file_uploader(
        _("CV file (.txt, .pdf or .docx)"), type=[s.lstrip(".") for s in CV_SUFFIXES], key="cv_file"
    )
    if file is not None:
        try:
            cv_text = extract_cv_text(file.getvalue(), file.name)
        except HRCoreError as e:
            show_error(e)
        else:
            with st.expander(_("Text read from {name}").format(name=file.name)):
                st.text(cv_text[:5000])
else:
    cv_text = st.text_area(_("CV text"), height=220, key="cv_text")

with st.expander(_("Profile details (optional)"), icon=":material/badge:"):
    d1, d2 = st.columns(2)
    title = d1.text_input(_("Professional title"), key="cv_title")
    area = d2.text_input(_("Area"), key="cv_area")
    skills = st.text_input(_("Technical skills (comma-separated)"), key="cv_skills")
    l1, l2, l3, l4 = st.columns(4)
    level = l1.selectbox(_("Professional level"), ("", *PROFESSIONAL_LEVELS), key="cv_level")
    academic = l2.selectbox(_("Academic level"), ("", *ACADEMIC_LEVELS), key="cv_academic")
    english = l3.selectbox(_("English"), ("", *LANGUAGE_LEVELS), key="cv_english")
    spanish = l4.selectbox(_("Spanish"), ("", *LANGUAGE_LEVELS), key="cv_spanish")
    city = st.text_input(_("City"), key="cv_city")

profile = FreeProfile(
    cv_text=cv_text,
    titulo_profissional=title,
    area_atuacao=area,
    conhecimentos_tecnicos=skills,
    nivel_profissional=level,
    nivel_academico=academic,
    nivel_ingles=english,
    nivel_espanhol=spanish,
    cidade=city,
)
k = st.slider(_("How many openings"), 1, 30, 10, key="cv_k")
card = match.read_model_card()
if st.button(_("Find openings"), key="cv_find", type="primary", icon=":material/search:"):
    if profile.is_empty():
        st.warning(_("Paste or upload a CV, or fill in some profile details first."))
    else:
        sha = card.sha256 if card is not None else ""
        try:
            st.session_state[RESULTS_KEY] = (
                profile,
                recommend_for_profile(
                    engine=get_engine(),
                    actor=actor,
                    profile=profile.as_payload(),
                    k=k,
                    get_model=(lambda: get_match_model(sha)) if sha else None,
                ),
            )
        except HRCoreError as e:
            show_error(e)

found = st.session_state.get(RESULTS_KEY)
if found is None:
    st.stop()
searched, results = found
if not results:
    st.info(_("No opening is indexed yet: build the recommendation indexes first."))
    st.stop()

found_by_code = {r.recommendation.code: r.recommendation for r in results}
table = pd.DataFrame(
    {
        _("Opening"): list(found_by_code),
        _("Title"): [r.title for r in found_by_code.values()],
        _("Match probability"): [r.probability for r in found_by_code.values()],
        _("Similarity"): [r.semantic_similarity for r in found_by_code.values()],
        _("Matched skills"): [", ".join(r.matched_skills) for r in found_by_code.values()],
        _("Missing skills"): [", ".join(r.missing_skills) for r in found_by_code.values()],
    }
)
scored = table[_("Match probability")].notna().any()
if not scored:
    table = table.drop(columns=[_("Match probability")])
    st.caption(_("Train the match model to see match probabilities here."))
st.dataframe(
    table,
    hide_index=True,
    key="cv_table",
    column_config={
        _("Similarity"): st.column_config.ProgressColumn(
            _("Similarity"), min_value=0.0, max_value=1.0, format="%.3f"
        ),
        _("Match probability"): st.column_config.NumberColumn(_("Match probability"), format="%.3f"),
    },
)

pick = st.selectbox(
    _("Why this score?"),
    list(found_by_code),
    format_func=lambda c: f"{c} · {found_by_code[c].title}",
    key="cv_pick",
)
chosen = found_by_code[pick]
if chosen.probability is not None:
    st.metric(_("Match probability"), format_percent(chosen.probability, current_locale()))
    base_rate = card.base_rate if card is not None else None
    if base_rate is not None:
        st.caption(
            _("base rate {rate}: share of past decided applications that were approved").format(
                rate=format_percent(base_rate, current_locale())
            )
        )
for reason in chosen.reasons:
    st.text(f"• {reason}")
st.markdown(
    _("**Matched skills**")
    + " "
    + (", ".join(safe_code(s) for s in chosen.matched_skills) or _("none"))
    + " · "
    + _("**Missing skills**")
    + " "
    + (", ".join(safe_code(s) for s in chosen.missing_skills) or _("none"))
)

if may(actor.role, Action.RECRUITING_EDIT):
    with st.expander(_("Save this profile as a candidate"), icon=":material/person_add:"):
        with st.form("cv_save_form"):
            s1, s2 = st.columns(2)
            code = s1.text_input(_("Candidate code"), key="cv_save_code")
            name = s2.text_input(_("Name"), key="cv_save_name")
            saved = st.form_submit_button(_("Save as candidate"), type="primary")
        if saved:
            try:
                result = save_candidate(
                    engine=get_engine(),
                    actor=actor,
                    form=CandidateForm(
                        codigo=code.strip(),
                        nome=name.strip(),
                        local=searched.cidade,
                        titulo_profissional=searched.titulo_profissional,
                        area_atuacao=searched.area_atuacao,
                        conhecimentos_tecnicos=searched.conhecimentos_tecnicos,
                        nivel_profissional=searched.nivel_profissional,
                        nivel_academico=searched.nivel_academico,
                        nivel_ingles=searched.nivel_ingles,
                        nivel_espanhol=searched.nivel_espanhol,
                        cv_pt=searched.cv_text,
                    ),
                    new_only=True,
                )
            except HRCoreError as e:
                show_error(e)
            else:
                st.success(
                    _("Saved as candidate {code}.").format(code=result.codigo), icon=":material/check_circle:"
                )
