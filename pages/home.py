"""Home: who is logged in, how much data the app holds, and quick links to this role's pages."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import streamlit as st

from hr_core import analytics
from hr_core.access import Action, may
from hr_core.errors import HRCoreError
from hr_core.i18n import ROLE_LABELS, format_number
from hr_core.recruiting.stats import count_recruiting_rows
from hr_core.settings import get_settings
from pages._menu import list_pages_for
from pages._shared import (
    _,
    api_help,
    current_locale,
    get_engine,
    page_setup,
    show_error,
    show_index_build_progress,
)

actor = page_setup("pages/home.py")
locale = current_locale()
REPO = Path(__file__).resolve().parent.parent


@st.cache_data(show_spinner=False, max_entries=4)
def _overview(db_url: str) -> tuple[dict[str, int], dict[str, int], list[int]]:
    """Row counts and the years with hires, cached per database until data changes."""
    engine = get_engine()
    return (
        analytics.count_hr_rows(engine=engine),
        count_recruiting_rows(engine=engine),
        analytics.list_years(engine=engine),
    )


st.title(_("Welcome, {name}").format(name=actor.username))
st.caption(
    _("TalentLens · signed in as **{role}** · hiring analytics and recruiting in one place").format(
        role=_(ROLE_LABELS[actor.role])
    )
)

try:
    hr_rows, recruiting_rows, years = _overview(get_settings().database_url)
except HRCoreError as e:
    show_error(e)
    st.stop()

if may(actor.role, Action.ANALYTICS_READ):
    st.subheader(_("Hiring data"))
    c1, c2, c3, c4 = st.columns(4)
    c1.metric(_("Departments"), format_number(hr_rows["departments"], locale), border=True)
    c2.metric(_("Jobs"), format_number(hr_rows["jobs"], locale), border=True)
    c3.metric(_("Hired employees"), format_number(hr_rows["hired_employees"], locale), border=True)
    c4.metric(
        _("Years with hires"),
        f"{years[0]}–{years[-1]}" if len(years) > 1 else (str(years[0]) if years else "—"),
        border=True,
    )
    if hr_rows["hired_employees"] == 0:
        st.info(_("No hiring data yet: upload departments, jobs and hired employees on the Upload page."))

if may(actor.role, Action.RECRUITING_READ):
    st.subheader(_("Recruiting data"))
    c1, c2, c3 = st.columns(3)
    # Openings counted as the Job openings page lists them: full records plus those only a pipeline names.
    openings = recruiting_rows["vagas"] + recruiting_rows["openings_only_in_pipeline"]
    c1.metric(_("Candidates"), format_number(recruiting_rows["candidates"], locale), border=True)
    c2.metric(_("Job openings"), format_number(openings, locale), border=True)
    c3.metric(_("Applications"), format_number(recruiting_rows["prospects"], locale), border=True)
    if recruiting_rows["candidates"] == 0 and recruiting_rows["vagas"] == 0:
        st.info(_("No recruiting data yet: import applicants, openings and prospects to start matching."))

st.subheader(_("Go to"))
sections: dict[str, list[Any]] = {}
for spec in list_pages_for(actor.role):
    if spec.path != "pages/home.py":
        sections.setdefault(spec.section, []).append(spec)
columns = st.columns(max(len(sections), 1))
for column, (section, specs) in zip(columns, sections.items(), strict=False):
    with column:
        st.markdown(f"**{_(section)}**")
        for spec in specs:
            # An absolute path names the same page that Home.py registers with st.navigation.
            page = st.Page(REPO / spec.path, title=_(spec.title), icon=spec.icon)
            st.page_link(page, label=_(spec.title), icon=spec.icon)

# --- Where the HTTP API is and how a program gets a key (every role) ------------------------------
st.caption(":material/api: " + api_help())

# --- Failed scheduled backup (admins) --------------------------------------------------------------
if may(actor.role, Action.BACKUP_SCHEDULE):
    from hr_core.jobs import get_backup_schedule_status

    try:
        backup_status = get_backup_schedule_status(engine=get_engine(), actor=actor)
    except HRCoreError as e:
        show_error(e)
    else:
        if backup_status.last_run_failed and backup_status.last_failure_at:
            st.error(
                f"The scheduled backup of {backup_status.last_failure_at:%Y-%m-%d %H:%M} UTC failed: "
                f"{backup_status.last_error}. See Backups.",
                icon=":material/backup:",
            )

# --- Recommendation indexes being built (the background build of `make run`, or a rebuild) --------
if may(actor.role, Action.INDEX_BUILD):
    from hr_core.ml.build_status import get_build_status

    if get_build_status().running:
        st.subheader("Recommendation indexes")
        show_index_build_progress()

# --- Model drift warning ------------------------------------------------------------------------
# Reserved for the ML engineer: show a warning here when the match model's input data drifts
# (see pages/model_monitoring.py). Keep it below the quick links and guarded by role.
if may(actor.role, Action.MODEL_READ):
    from hr_core.ml.drift import get_latest_drift_summary

    try:
        drift_summary = get_latest_drift_summary()
    except HRCoreError as e:
        show_error(e)
        drift_summary = None
    if drift_summary and drift_summary.get("drift_detected"):
        st.warning(
            f"Model drift: {drift_summary.get('drifted_columns', 0)} columns of recent recruiting data differ "
            "from the match model's training data; its scores may be less reliable. See Model monitoring.",
            icon=":material/monitor_heart:",
        )
    from hr_core.ml.fairness import get_latest_fairness_report

    try:
        fairness_report = get_latest_fairness_report()
    except HRCoreError as e:
        show_error(e)
        fairness_report = None
    if fairness_report and fairness_report.get("model_flagged"):
        st.warning(
            f"Fairness: the latest match model raises {len(fairness_report.get('flags', []))} four-fifths "
            "flag(s) — some groups are selected at less than four-fifths of the most-selected group's rate. "
            "See Model monitoring; no score is an automated decision.",
            icon=":material/balance:",
        )
