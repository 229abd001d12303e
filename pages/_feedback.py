"""Feedback on a suggested match: Good match / Wrong match with an optional reason, and the current verdict.

Used below the score on Match scoring and for the picked result on Recommendations; the verdict teaches
the match model at its next retraining (hr_core.ml.feedback).
"""

from __future__ import annotations

import streamlit as st

from hr_core.access import Action, Actor, may
from hr_core.errors import HRCoreError
from hr_core.i18n import format_date
from hr_core.ml.feedback import MAX_REASON, get_latest_verdict, record_feedback
from pages._shared import _, current_locale, get_engine, safe_text, show_error


def feedback_buttons(actor: Actor, *, candidate: str, vaga: str, source: str, key: str) -> None:
    """Buttons that store a recruiter's verdict on the pair, an optional reason, and the verdict so far."""
    if not may(actor.role, Action.MATCH_FEEDBACK):
        return
    engine = get_engine()
    names = {"good": _("Good match"), "wrong": _("Wrong match")}
    with st.container(border=True, key=f"{key}_box"):
        st.markdown(_("**Is this a good match?** Your verdict teaches the model when it is next retrained."))
        reason = st.text_input(_("Reason (optional)"), max_chars=MAX_REASON, key=f"{key}_reason")
        good, wrong = st.columns(2)
        given = None
        if good.button(names["good"], key=f"{key}_good", icon=":material/thumb_up:", width="stretch"):
            given = "good"
        if wrong.button(names["wrong"], key=f"{key}_wrong", icon=":material/thumb_down:", width="stretch"):
            given = "wrong"
        if given is not None:
            try:
                record_feedback(
                    engine=engine,
                    actor=actor,
                    candidate=candidate,
                    vaga=vaga,
                    verdict=given,
                    reason=reason,
                    source=source,
                )
            except HRCoreError as e:
                show_error(e)
            else:
                st.success(_("Saved: {verdict}.").format(verdict=names[given]), icon=":material/check:")
        try:
            current = get_latest_verdict(engine=engine, actor=actor, candidate=candidate, vaga=vaga)
        except HRCoreError as e:
            show_error(e)
            return
        if current is None:
            st.caption(_("No verdict on this pair yet."))
            return
        st.caption(
            _("Current verdict: {verdict}, by {user} on {when}").format(
                verdict=names[current.verdict],
                user=safe_text(current.username),
                when=format_date(current.created_at, current_locale(), with_time=True),
            )
        )
        if current.reason:
            st.text(current.reason)
