"""Model monitoring: is the match model fair to each protected group, and is its data still alike?"""

from __future__ import annotations

import html
from pathlib import Path

import pandas as pd
import plotly.express as px
import streamlit as st

from hr_core.access import Action, may
from hr_core.errors import HRCoreError
from hr_core.i18n import format_date, format_number, format_percent, translate_values
from hr_core.jobs import JobInfo
from hr_core.ml import drift, fairness, match
from pages._model_card import show_model_card
from pages._model_versions import flag_sentences, show_model_versions
from pages._shared import (
    _,
    clear_data_caches,
    current_locale,
    download_buttons,
    follow_job,
    get_engine,
    page_setup,
    safe_text,
    show_error,
    start_job,
)

actor = page_setup("pages/model_monitoring.py")
DRIFT_JOB_KEY = "mm_drift_job"
locale = current_locale()


def _when(value: object) -> str:
    """A stored ISO time as the locale writes it (or as stored, if it is not one)."""
    try:
        return format_date(pd.Timestamp(str(value)).to_pydatetime(), locale, with_time=True)
    except ValueError:
        return str(value)


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
    with st.spinner(_("Measuring the model on every protected group…")):
        try:
            fairness.run_fairness_report(engine=get_engine(), actor=actor)
        except HRCoreError as e:
            show_error(e)


def _fairness_section() -> None:
    st.subheader(_("Fairness"))
    st.info(_(fairness.NOT_A_DECISION), icon=":material/balance:")
    if may(actor.role, Action.FAIRNESS_REPORT) and st.button(
        _("Recompute the fairness report"), key="mm_fair_run", icon=":material/balance:"
    ):
        _run_fairness()
    try:
        report = fairness.get_latest_fairness_report()
    except HRCoreError as e:
        show_error(e)
        return
    if report is None:
        st.caption(_("No fairness report yet: it is made after each training, or with the button above."))
        return
    if report.get("model_flagged"):
        st.error(
            _(
                "The model selects some groups at less than four-fifths of the rate of the most-selected "
                "group. Review its recommendations for these groups with care."
            ),
            icon=":material/warning:",
        )
    elif report.get("history_flagged"):
        st.warning(
            _(
                "The past decisions (the data the model learns from) selected some groups at less than "
                "four-fifths of the rate of the most-selected group; the model itself stays within it."
            ),
            icon=":material/history:",
        )
    else:
        st.success(_("No group falls below four-fifths of the most-selected group's rate."))
    for flag in flag_sentences(report):
        st.markdown(f"- {safe_text(flag)}")  # group names come from the data
    headers = {
        "attribute": _("Attribute"),
        "group": _("Group"),
        "decided": _("Decided prospects"),
        "historical": _("Historical selection rate"),
        "mean_probability": _("Mean probability"),
        "at_threshold": _("Selected at threshold"),
        "top10": _("Share in top 10"),
        "tpr": _("True positive rate (held-out)"),
        "impact_ratio": _("Impact ratio (threshold)"),
        "judged": _("Judged"),
    }
    attributes = translate_values(fairness.ATTRIBUTE_LABELS, _)
    rows = pd.DataFrame(
        [
            {
                "attribute": attributes.get(g["attribute"], g["attribute"]),
                "group": g["group"],
                "decided": g["decided"],
                "historical": g["historical_selection_rate"],
                "mean_probability": g["mean_probability"],
                "at_threshold": g["selection_rate_at_threshold"],
                "top10": g["selection_rate_top10"],
                "tpr": g["true_positive_rate"],
                "impact_ratio": g["impact_ratios"].get("selection_rate_at_threshold"),
                "judged": _("too few to judge") if g["too_few"] else _("yes"),
            }
            for g in report.get("groups", [])
        ],
        columns=list(headers),
    )
    rates = ("historical", "mean_probability", "at_threshold", "top10", "tpr")
    st.dataframe(
        rows,
        hide_index=True,
        key="mm_fair_table",
        column_config={
            **headers,
            **{c: st.column_config.NumberColumn(headers[c], format="percent") for c in rates},
            "impact_ratio": st.column_config.NumberColumn(headers["impact_ratio"], format="%.2f"),
        },
    )
    st.caption(
        _(
            "Operating threshold {threshold} · {decided} decided prospects · groups under {minimum} decided "
            "prospects are not judged · made {when}"
        ).format(
            threshold=format_percent(report.get("threshold"), locale),
            decided=format_number(report.get("decided", 0), locale),
            minimum=format_number(report.get("min_decided"), locale),
            when=_when(report.get("generated_at")),
        )
    )
    download_buttons(rows.rename(columns=headers), "fairness_report", key="mm_fair_download")


st.title(_("Model monitoring"))
st.caption(
    _(
        "What the match model is and how good it is, whether it treats every group fairly, and whether "
        "recent candidates and openings still look like the data it learnt from."
    )
)

try:
    card = match.read_model_card()
    summary = drift.get_latest_drift_summary()
except HRCoreError as e:
    show_error(e)
    st.stop()

show_model_versions(actor, card)
if card is None:
    st.info(_("No match model is trained yet, so there is nothing to monitor. Train it on Match scoring."))
    st.stop()

st.subheader(_("About the match model"))
show_model_card(card, actor, key="mm_card")
_fairness_section()
st.subheader(_("Data drift"))
st.caption(
    _(
        "Compares recent prospects with the data the match model was trained on, column by column and for "
        "the predicted probabilities (Evidently data drift)."
    )
)
if st.button(_("Run a new drift report"), key="mm_run", type="primary", icon=":material/play_arrow:"):
    start_job(DRIFT_JOB_KEY, "ml.drift")
# The report runs as a job: it goes on if this page is left, and its progress shows here.
if follow_job(DRIFT_JOB_KEY, on_success=_reported):
    summary = drift.get_latest_drift_summary()

if summary is None:
    st.info(
        _("No drift report yet: run one above or with `python -m hr_core drift-report --out report.html`.")
    )
    st.stop()

columns = pd.DataFrame(summary.get("columns", []))
n_columns = len(columns)
drifted = summary.get("drifted_columns", 0)
if summary.get("drift_detected"):
    why = []
    if summary.get("share", 0) >= drift.DRIFT_SHARE:
        why.append(
            _("{drifted} of {total} columns changed").format(
                drifted=format_number(drifted, locale), total=format_number(n_columns, locale)
            )
        )
    if summary.get("prediction_drift"):
        why.append(_("the predicted probabilities changed"))
    st.error(
        _(
            "Drift detected: recent candidates and openings no longer look like the training data ({why}). "
            "Scores may be less reliable; consider retraining the model."
        ).format(why=_(" and ").join(why)),
        icon=":material/warning:",
    )
else:
    st.success(
        _(
            "No drift: {drifted} of {total} columns changed noticeably, and the predicted probabilities look "
            "like those of the training data."
        ).format(drifted=format_number(drifted, locale), total=format_number(n_columns, locale)),
        icon=":material/check_circle:",
    )

k1, k2, k3, k4 = st.columns(4)
k1.metric(
    _("Drifted columns"),
    f"{format_number(drifted, locale)} / {format_number(n_columns, locale)}",
    border=True,
)
k2.metric(_("Share drifted"), format_percent(summary.get("share", 0), locale, digits=0), border=True)
k3.metric(_("Training rows"), format_number(summary.get("reference_rows", 0), locale), border=True)
k4.metric(_("Recent rows"), format_number(summary.get("current_rows", 0), locale), border=True)
st.caption(_("Report made {when}").format(when=_when(summary.get("generated_at"))))

dropped = summary.get("dropped", [])
if dropped:
    st.info(
        _("Left out of the comparison: {columns}.").format(
            columns="; ".join(f"{d['column']} ({d['reason']})" for d in dropped)
        ),
        icon=":material/info:",
    )

if not columns.empty:
    headers = {
        "column": _("Column"),
        "method": _("Test"),
        "score": _("Drift score"),
        "threshold": _("Threshold"),
        "drifted": _("Drifted"),
    }
    shown = columns.assign(drifted=columns["drifted"].map({True: _("yes"), False: _("no")}))
    fig = px.bar(
        shown.sort_values("score"),
        x="score",
        y="column",
        color="drifted",
        orientation="h",
        color_discrete_map={_("yes"): "#c62828", _("no"): "#90a4ae"},
        hover_data=["method", "threshold"],
        labels=headers,
        title=_("Drift score per column"),
    )
    fig.update_layout(
        height=max(260, 22 * len(columns)),
        xaxis_title=_("Drift score (p-value or distance)"),
        yaxis_title=None,
    )
    fig.update_xaxes(rangemode="tozero")
    st.plotly_chart(fig, width="stretch", key="mm_chart")
    st.dataframe(columns, hide_index=True, key="mm_table", column_config=headers)
    download_buttons(shown.rename(columns=headers), "drift_columns", key="mm_download")

report_path = Path(str(summary.get("report", "")))
if report_path.is_file():
    st.download_button(
        _("Download the full HTML report"),
        report_path.read_bytes,  # read when clicked: the report is about 5 MB
        file_name="drift_report.html",
        mime="text/html",
        key="mm_html",
        icon=":material/download:",
    )
    # Sent and run only when asked for: inside an expander, the report's HTML and scripts went over the
    # websocket and ran, hidden, on every run of this page.
    if st.toggle(_("Show the full Evidently report"), key="mm_show_report"):
        _embed_report(report_path)
else:
    st.caption(_("The full HTML report is no longer at its saved place; run a new report to see it."))
