"""Model versions on a page, for admins: retrain, compare a new version with the one in service (held-out
metrics and fairness flags side by side), promote it or keep the current one, restore the previous one."""

from __future__ import annotations

from typing import Any

import pandas as pd
import streamlit as st

from hr_core.access import Action, Actor, may
from hr_core.errors import HRCoreError
from hr_core.i18n import format_date, format_number
from hr_core.jobs import JobInfo
from hr_core.ml import fairness, versions
from hr_core.ml.match import ModelCard
from pages._shared import (
    _,
    clear_data_caches,
    current_locale,
    follow_job,
    get_engine,
    show_error,
    start_job,
)

TRAIN_JOB_KEY = "mm_train_job"
MESSAGE_KEY = "mm_versions_message"


def flag_sentences(report: dict[str, Any]) -> list[str]:
    """A fairness report's four-fifths flags in this session's language (as stored, for a report made before
    flags were kept with their figures)."""
    locale = current_locale()
    sentences = [
        fairness.describe_flag(g["attribute"], g["group"], fairness.GroupFlag(**flag), _, locale=locale)
        for g in report.get("groups", [])
        for flag in g.get("flag_details", [])
    ]
    return sentences or list(report.get("flags", []))


def _when(value: str | None) -> str:
    try:
        return format_date(pd.Timestamp(str(value)).to_pydatetime(), current_locale(), with_time=True)
    except ValueError:
        return str(value)


def _say(kind: str, text: str) -> None:
    st.session_state[MESSAGE_KEY] = (kind, text)


def _promote(actor: Actor, version: str) -> None:
    try:
        versions.promote_version(engine=get_engine(), actor=actor, version=version)
    except HRCoreError as e:
        _say("error", str(e))
        return
    clear_data_caches()
    _say("success", _("Version {version} is now in service.").format(version=version))


def _keep(actor: Actor, version: str) -> None:
    try:
        versions.keep_current(engine=get_engine(), actor=actor, version=version)
    except HRCoreError as e:
        _say("error", str(e))
        return
    _say(
        "success",
        _("The current model stays in service; version {version} was set aside.").format(version=version),
    )


def _restore(actor: Actor) -> None:
    try:
        pointer = versions.restore_previous(engine=get_engine(), actor=actor)
    except HRCoreError as e:
        _say("error", str(e))
        return
    clear_data_caches()
    _say("success", _("The previous version {version} is in service again.").format(version=pointer.version))


def _retrained(job: JobInfo) -> None:
    clear_data_caches()
    if job.result.get("promoted"):
        st.success(_("The model was trained and, as the first version, is in service."))
    else:
        st.success(_("A new version was trained: compare it with the one in service below."))


def _fairness_cell(card: ModelCard) -> str:
    flags = versions.get_fairness_flags(card)
    if not flags.measured:
        return _("not measured")
    if flags.model_flagged:
        return _("{n} flags: the model selects some groups below four-fifths").format(n=len(flags.flags))
    if flags.history_flagged:
        return _("past decisions flagged; the model within four-fifths")
    return _("no group below four-fifths")


def _comparison(current: ModelCard, new: ModelCard, candidate: str, served: str | None) -> None:
    locale = current_locale()
    names = {
        "roc_auc": "ROC AUC",
        "pr_auc": "PR AUC",
        "brier": "Brier",
        "ece": "ECE",
        "log_loss": _("Log-loss"),
    }
    better = {"current": _("in service"), "new": _("new"), "same": _("same"), "unknown": "—"}
    now_label = _("In service ({version})").format(version=served or "—")
    new_label = _("New ({version})").format(version=candidate)
    rows = [
        {
            _("Figure"): names[row.metric],
            now_label: format_number(row.current, locale, digits=3),
            new_label: format_number(row.new, locale, digits=3),
            _("Better"): better[row.better],
        }
        for row in versions.compare_models(current, new)
    ]
    rows.append(
        {
            _("Figure"): _("Fairness (four-fifths rule)"),
            now_label: _fairness_cell(current),
            new_label: _fairness_cell(new),
            _("Better"): "",
        }
    )
    st.dataframe(pd.DataFrame(rows), hide_index=True, key="mm_compare")
    st.caption(
        _(
            "ROC AUC and PR AUC: higher is better; Brier, ECE and log-loss: lower is better. Each version is "
            "measured on openings held out from its own training, so small differences may be chance."
        )
    )
    for title, card in ((now_label, current), (new_label, new)):
        report = card.stored.get("fairness")
        sentences = flag_sentences(report) if isinstance(report, dict) else []
        if sentences:
            st.markdown(f"**{title}**")
            for sentence in sentences:
                st.text(f"- {sentence}")  # group names come from the data


def show_model_versions(actor: Actor, current: ModelCard | None) -> None:
    """The admin's versions section: retrain, compare, promote or keep, restore the previous one."""
    if not may(actor.role, Action.MODEL_PROMOTE):
        return
    st.subheader(_("Model versions"))
    message = st.session_state.pop(MESSAGE_KEY, None)
    if message is not None:
        (st.success if message[0] == "success" else st.error)(message[1])
    if st.button(_("Retrain the model"), key="mm_retrain", icon=":material/model_training:"):
        start_job(TRAIN_JOB_KEY, "ml.train")
    # Training runs as a job: it goes on if this page is left, and its progress shows here.
    follow_job(TRAIN_JOB_KEY, on_success=_retrained)
    try:
        pointer = versions.read_pointer(actor=actor)
        candidate = versions.get_candidate(actor=actor)
        new = versions.read_version_card(actor=actor, version=candidate.version) if candidate else None
    except HRCoreError as e:
        show_error(e)
        return
    if pointer.version is None:
        st.caption(_("No version is promoted yet: the first training puts its model in service."))
    else:
        st.caption(
            _("In service: version {version}, promoted {when} by {who}.").format(
                version=pointer.version, when=_when(pointer.promoted_at), who=pointer.promoted_by
            )
        )
    if candidate is not None and new is not None and current is not None:
        st.markdown(_("**A new version is waiting: compare it with the one in service**"))
        _comparison(current, new, candidate.version, pointer.version)
        left, right = st.columns(2)
        left.button(
            _("Promote the new version"),
            key="mm_promote",
            type="primary",
            icon=":material/upgrade:",
            on_click=_promote,
            args=(actor, candidate.version),
        )
        right.button(
            _("Keep the current one"),
            key="mm_keep",
            icon=":material/block:",
            on_click=_keep,
            args=(actor, candidate.version),
        )
    if pointer.previous is not None:
        st.button(
            _("Restore the previous version ({version})").format(version=pointer.previous),
            key="mm_restore",
            icon=":material/history:",
            on_click=_restore,
            args=(actor,),
        )
