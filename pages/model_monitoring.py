"""Model monitoring: is the match model fair to each protected group, and is its data still alike?"""

from __future__ import annotations

import html
from pathlib import Path

import pandas as pd
import plotly.express as px
import streamlit as st

from hr_core.access import Action, may
from hr_core.errors import HRCoreError
from hr_core.jobs import JobInfo
from hr_core.ml import drift, fairness, match
from pages._shared import (
    clear_data_caches,
    download_buttons,
    follow_job,
    get_engine,
    page_setup,
    show_error,
    start_job,
)

actor = page_setup("pages/model_monitoring.py")
DRIFT_JOB_KEY = "mm_drift_job"


def _reported(job: JobInfo) -> None:
    clear_data_caches()


@st.cache_data(show_spinner=False, max_entries=2)
def _escaped_report(path: str, modified: float) -> str:
    """The report's HTML escaped for a srcdoc attribute (cached per file version)."""
    return html.escape(Path(path).read_text(encoding="utf-8"), quote=True)


def _embed_report(path: Path) -> None:
    """Show Evidently's HTML in an iframe whose scripts run sandboxed, away from the app's origin."""
    content = _escaped_report(str(path), path.stat().st_mtime)
    # The outer frame holds only this tag; the report's own scripts run in the inner frame, whose
    # sandbox has no allow-same-origin, so they cannot reach the app, its cookies or its session.
    inner = (
        '<iframe sandbox="allow-scripts" referrerpolicy="no-referrer" '
        'style="width:100%;height:880px;border:0" '
        f'srcdoc="{content}"></iframe>'
    )
    st.iframe(f"<!doctype html><html><body style='margin:0'>{inner}</body></html>", height=900)


def _run_fairness() -> None:
    with st.spinner("Measuring the model on every protected group…"):
        try:
            fairness.run_fairness_report(engine=get_engine(), actor=actor)
        except HRCoreError as e:
            show_error(e)


def _fairness_section() -> None:
    st.subheader("Fairness")
    st.info(fairness.NOT_A_DECISION, icon=":material/balance:")
    if may(actor.role, Action.FAIRNESS_REPORT) and st.button(
        "Recompute the fairness report", key="mm_fair_run", icon=":material/balance:"
    ):
        _run_fairness()
    try:
        report = fairness.get_latest_fairness_report()
    except HRCoreError as e:
        show_error(e)
        return
    if report is None:
        st.caption("No fairness report yet: it is made after each training, or with the button above.")
        return
    if report.get("model_flagged"):
        st.error(
            "The model selects some groups at less than four-fifths of the rate of the most-selected group. "
            "Review its recommendations for these groups with care.",
            icon=":material/warning:",
        )
    elif report.get("history_flagged"):
        st.warning(
            "The past decisions (the data the model learns from) selected some groups at less than "
            "four-fifths of the rate of the most-selected group; the model itself stays within it.",
            icon=":material/history:",
        )
    else:
        st.success("No group falls below four-fifths of the most-selected group's rate.")
    for flag in report.get("flags", []):
        st.markdown(f"- {flag}")
    rows = pd.DataFrame(
        [
            {
                "attribute": fairness.ATTRIBUTE_LABELS.get(g["attribute"], g["attribute"]),
                "group": g["group"],
                "decided prospects": g["decided"],
                "historical selection rate": g["historical_selection_rate"],
                "mean probability": g["mean_probability"],
                "selected at threshold": g["selection_rate_at_threshold"],
                "share in top-10": g["selection_rate_top10"],
                "TPR (held-out)": g["true_positive_rate"],
                "impact ratio (threshold)": g["impact_ratios"].get("selection_rate_at_threshold"),
                "judged": "too few to judge" if g["too_few"] else "yes",
            }
            for g in report.get("groups", [])
        ]
    )
    st.dataframe(rows, hide_index=True, key="mm_fair_table")
    st.caption(
        f"Operating threshold {report.get('threshold')} · {report.get('decided', 0):,} decided prospects · "
        f"groups under {report.get('min_decided')} decided prospects are not judged · made {report.get('generated_at')}"
    )
    download_buttons(rows, "fairness_report", key="mm_fair_download")


st.title("Model monitoring")
st.caption(
    "Compares recent prospects with the data the match model was trained on, column by column and for "
    "the predicted probabilities (Evidently data drift)."
)

try:
    card = match.read_model_card()
    summary = drift.get_latest_drift_summary()
except HRCoreError as e:
    show_error(e)
    st.stop()

if card is None:
    st.info("No match model is trained yet, so there is nothing to monitor. Train it on Match scoring.")
    st.stop()

_fairness_section()
st.subheader("Data drift")
if st.button("Run a new drift report", key="mm_run", type="primary", icon=":material/play_arrow:"):
    start_job(DRIFT_JOB_KEY, "ml.drift")
# The report runs as a job: it goes on if this page is left, and its progress shows here.
if follow_job(DRIFT_JOB_KEY, on_success=_reported):
    summary = drift.get_latest_drift_summary()

if summary is None:
    st.info("No drift report yet: run one above or with `python -m hr_core drift-report --out report.html`.")
    st.stop()

columns = pd.DataFrame(summary.get("columns", []))
n_columns = len(columns)
if summary.get("drift_detected"):
    why = []
    if summary.get("share", 0) >= drift.DRIFT_SHARE:
        why.append(f"{summary['drifted_columns']} of {n_columns} columns changed")
    if summary.get("prediction_drift"):
        why.append("the predicted probabilities changed")
    st.error(
        "Drift detected: recent candidates and openings no longer look like the training data ("
        + " and ".join(why)
        + "). Scores may be less reliable; consider retraining the model.",
        icon=":material/warning:",
    )
else:
    st.success(
        f"No drift: {summary.get('drifted_columns', 0)} of {n_columns} columns changed noticeably, "
        "and the predicted probabilities look like those of the training data.",
        icon=":material/check_circle:",
    )

k1, k2, k3, k4 = st.columns(4)
k1.metric("Drifted columns", f"{summary.get('drifted_columns', 0)} / {n_columns}", border=True)
k2.metric("Share drifted", f"{summary.get('share', 0):.0%}", border=True)
k3.metric("Training rows", f"{summary.get('reference_rows', 0):,}", border=True)
k4.metric("Recent rows", f"{summary.get('current_rows', 0):,}", border=True)
st.caption(f"Report made {summary.get('generated_at')}")

dropped = summary.get("dropped", [])
if dropped:
    st.info(
        "Left out of the comparison: " + "; ".join(f"{d['column']} ({d['reason']})" for d in dropped) + ".",
        icon=":material/info:",
    )

if not columns.empty:
    fig = px.bar(
        columns.sort_values("score"),
        x="score",
        y="column",
        color="drifted",
        orientation="h",
        color_discrete_map={True: "#c62828", False: "#90a4ae"},
        hover_data=["method", "threshold"],
    )
    fig.update_layout(height=max(260, 22 * len(columns)), xaxis_title="drift score (p-value or distance)")
    st.plotly_chart(fig, width="stretch", key="mm_chart")
    st.dataframe(columns, hide_index=True, key="mm_table")
    download_buttons(columns, "drift_columns", key="mm_download")

report_path = Path(str(summary.get("report", "")))
if report_path.is_file():
    st.download_button(
        "Download the full HTML report",
        report_path.read_bytes(),
        file_name="drift_report.html",
        mime="text/html",
        key="mm_html",
        icon=":material/download:",
    )
    with st.expander("Full Evidently report", icon=":material/description:"):
        _embed_report(report_path)
else:
    st.caption("The full HTML report is no longer at its saved place; run a new report to see it.")
