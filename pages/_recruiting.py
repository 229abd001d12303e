"""Recruiting screens' shared parts: a prospect's panel (stage history, notes, move, note) and readable
field lists, used by the candidate profile and the opening board."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from typing import TYPE_CHECKING, Any

import pandas as pd
import streamlit as st

from hr_core.access import Action, Actor, may
from hr_core.errors import HRCoreError
from hr_core.i18n import format_date, label, show_value
from hr_core.pipeline_stages import STAGE_LABELS, STAGE_ORDER
from hr_core.recruiting.workflow import (
    add_prospect_note,
    list_prospect_history,
    list_prospect_notes,
    move_prospect,
    statuses_of,
)
from pages._shared import (
    _,
    clear_data_caches,
    current_locale,
    download_buttons,
    get_engine,
    plain_columns,
    safe_text,
    show_error,
)

if TYPE_CHECKING:
    from hr_core.ml.recommend import IndexStatus


def stage_label(stage: str) -> str:
    """A stage as people say it, in this session's language."""
    return _(STAGE_LABELS.get(stage, STAGE_LABELS["unknown"]))


def show_fields(values: Mapping[str, Any], fields: Iterable[str], *, columns: int = 2) -> None:
    """Fields as 'Label: value' lines in columns; empty values read '—', dates in the locale's form."""
    cols = st.columns(columns)
    for i, name in enumerate(fields):
        value = values.get(name)
        text = format_date(value, current_locale()) if hasattr(value, "year") else show_value(value)
        cols[i % columns].markdown(f"**{label(name, _)}**  \n{safe_text(text)}")


def readable_prospects(df: pd.DataFrame, columns: list[str]) -> pd.DataFrame:
    """A prospects table for people: stage names, dates in the locale, '—' for blanks, plain headers."""
    locale = current_locale()
    out = df.copy()
    if "stage" in out:
        out["stage"] = out["stage"].map(stage_label)
    for col in ("data_candidatura", "ultima_atualizacao"):
        if col in out:
            out[col] = out[col].map(lambda d: format_date(d, locale))
    for col in out.columns:
        if out[col].dtype == object:
            out[col] = out[col].map(lambda v: v if not isinstance(v, str) else show_value(v))
    out = out[[c for c in columns if c in out.columns]]
    return out.rename(columns={c: label(c, _) for c in out.columns})


def prospect_panel(actor: Actor, *, vaga: str, candidate: str, current_stage: str, key: str) -> None:
    """Move the prospect to another stage, leave a note, and read the history and the notes."""
    engine = get_engine()
    editable = may(actor.role, Action.RECRUITING_EDIT)
    left, right = st.columns(2)
    with left:
        st.markdown(_("**Move to another stage**"))
        stages = [s for s in STAGE_ORDER if s != current_stage]
        target = st.selectbox(_("New stage"), stages, format_func=stage_label, key=f"{key}_stage")
        status = st.selectbox(
            _("Status (as the client's process names it)"), statuses_of(target), key=f"{key}_status"
        )
        if st.button(
            _("Move"), key=f"{key}_move", type="primary", disabled=not editable, icon=":material/east:"
        ):
            try:
                move_prospect(engine=engine, actor=actor, vaga=vaga, candidate=candidate, status=status)
            except HRCoreError as e:
                show_error(e)
            else:
                clear_data_caches()
                st.session_state["recruiting_notice"] = _("Moved to {stage}.").format(
                    stage=stage_label(target)
                )
                st.rerun()
    with right:
        st.markdown(_("**Add a note**"))
        with st.form(f"{key}_note_form", clear_on_submit=True, enter_to_submit=False):
            text = st.text_area(_("Note"), key=f"{key}_note", height=90)
            saved = st.form_submit_button(_("Save note"), key=f"{key}_note_save", disabled=not editable)
        if saved:
            try:
                add_prospect_note(engine=engine, actor=actor, vaga=vaga, candidate=candidate, text=text)
            except HRCoreError as e:
                show_error(e)
            else:
                st.session_state["recruiting_notice"] = _("Note saved.")
                st.rerun()
    try:
        history = list_prospect_history(engine=engine, actor=actor, vaga=vaga, candidate=candidate)
        notes = list_prospect_notes(engine=engine, actor=actor, vaga=vaga, candidate=candidate)
    except HRCoreError as e:
        show_error(e)
        return
    locale = current_locale()
    h, n = st.columns(2)
    with h:
        st.markdown(_("**Stage history**"))
        if not history:
            st.caption(_("No moves recorded in TalentLens yet."))
        else:
            rows = [
                {
                    "changed_at": format_date(c.changed_at, locale, with_time=True),
                    "from_stage": stage_label(c.from_stage) if c.from_stage else "—",
                    "to_stage": stage_label(c.to_stage),
                    "situacao": c.to_status,
                    "changed_by": c.changed_by,
                }
                for c in history
            ]
            frame = pd.DataFrame(rows)
            st.dataframe(
                frame.rename(columns={c: label(c, _) for c in frame.columns}),
                hide_index=True,
                key=f"{key}_history",
            )
    with n:
        st.markdown(_("**Notes**"))
        if not notes:
            st.caption(_("No notes yet."))
        for note in notes:
            with st.container(border=True):
                st.caption(
                    f"{safe_text(note.author)} · {format_date(note.created_at, locale, with_time=True)}"
                )
                st.text(note.text)


def built_index_status(engine: Any) -> IndexStatus | None:
    """The recommendation indexes' status when they are built; otherwise says where to build them."""
    from hr_core.ml import recommend  # not at import: the Pipeline page shares this module

    status = recommend.get_index_status(engine)
    if not status.built:
        st.info(_("The recommendation indexes are not built yet: build them on the Recommendations page."))
        return None
    return status


def show_notice() -> None:
    """The confirmation of the last move or note (kept across the rerun that shows its effect)."""
    if notice := st.session_state.pop("recruiting_notice", None):
        st.success(notice, icon=":material/check:")


def pick_from_table(
    rows: pd.DataFrame,
    shown: pd.DataFrame,
    *,
    label_column: str,
    prefix: str,
    download_name: str,
    open_key: str,
    prompt: str,
    on_select: Callable[[], None],
) -> str | None:
    """A searchable list whose rows open on click (or from the picker under it); returns the chosen code."""
    st.dataframe(
        plain_columns(shown),
        hide_index=True,
        width="stretch",
        key=f"{prefix}_table",
        on_select=on_select,
        selection_mode="single-row",
    )
    download_buttons(rows, download_name, key=f"{prefix}_dl")
    names = dict(zip(rows["codigo"], rows[label_column], strict=True))
    if st.session_state.get(open_key) not in (None, *names):
        names[st.session_state[open_key]] = ""
    chosen: str | None = st.selectbox(
        prompt,
        [None, *names],
        format_func=lambda c: "—" if c is None else f"{c} · {names.get(c, '')}",
        key=open_key,
    )
    return chosen
