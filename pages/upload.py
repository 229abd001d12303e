"""Upload: load departments, jobs and hired employees (CSV / JSON / Avro, or a JSON batch) after a dry run."""

from __future__ import annotations

import pandas as pd
import plotly.express as px
import streamlit as st

from hr_core.access import ADMIN_ROLE, Actor
from hr_core.errors import HRCoreError
from hr_core.i18n import N_, TABLE_LABELS, format_number, label
from hr_core.ingest import (
    LOAD_ORDER,
    LoadMode,
    LoadResult,
    ValidationSummary,
    load_batch,
    load_table,
    validate_batch,
    validate_upload,
)
from hr_core.settings import get_settings
from pages._shared import (
    _,
    clear_data_caches,
    current_locale,
    download_buttons,
    get_engine,
    page_setup,
    plain_columns,
    progress_bar,
    safe_text,
    show_error,
)

actor = page_setup("pages/upload.py")

INFER = None
HEADER_CHOICES = {N_("Detect"): None, N_("First row is a header"): True, N_("No header row"): False}
RESULTS_KEY = "upload_results"
MODE_LABELS = {LoadMode.ADD_AND_UPDATE: N_("Add and update"), LoadMode.ADD_ONLY: N_("Add only")}
MODE_HELP = {
    LoadMode.ADD_AND_UPDATE: N_("New ids are added; existing rows are updated where the file differs."),
    LoadMode.ADD_ONLY: N_("New ids are added; existing rows are left as they are."),
}


@st.cache_data(show_spinner="Checking every row…", max_entries=8)
def _validate_file(
    data: bytes,
    filename: str,
    table: str | None,
    header: bool | None,
    mode: LoadMode,
    db_url: str,
    username: str,
    _actor: Actor,
) -> ValidationSummary:
    return validate_upload(
        engine=get_engine(),
        source=data,
        filename=filename,
        table=table,
        header=header,
        mode=mode,
        actor=_actor,
    )


@st.cache_data(show_spinner="Checking the batch…", max_entries=8)
def _validate_batch(
    data: bytes, mode: LoadMode, db_url: str, username: str, _actor: Actor
) -> list[ValidationSummary]:
    return validate_batch(engine=get_engine(), source=data, filename="batch.json", mode=mode, actor=_actor)


def _show_changes(summary: ValidationSummary, *, key: str) -> None:
    """What loading would do to the table: rows added, rows changed (before → after), rows left as they are."""
    changes = summary.changes
    if changes is None:
        return
    locale = current_locale()
    if changes.mode is LoadMode.ADD_ONLY:
        c1, c2 = st.columns(2)
        c1.metric(_("Would add"), format_number(changes.inserts, locale))
        c2.metric(_("Would skip"), format_number(changes.skips, locale))
        if changes.skips:
            st.info(
                _("{count} rows already exist and would be left as they are (add only).").format(
                    count=format_number(changes.skips, locale)
                ),
                icon=":material/block:",
            )
        return
    c1, c2, c3 = st.columns(3)
    c1.metric(_("Would add"), format_number(changes.inserts, locale))
    c2.metric(_("Would change"), format_number(changes.updates, locale))
    c3.metric(_("Already the same"), format_number(changes.unchanged, locale))
    if changes.updates:
        st.warning(
            _("{count} existing rows would change. Check the differences before you load.").format(
                count=format_number(changes.updates, locale)
            ),
            icon=":material/compare_arrows:",
        )
        frame = changes.changes_frame()
        frame["field"] = frame["field"].map(lambda f: label(f, _))
        st.dataframe(plain_columns(frame), hide_index=True, width="stretch", key=f"{key}_changes")
        if changes.updates > len(changes.changes):
            st.caption(_("The first {count} changes are listed.").format(count=len(changes.changes)))


def _show_summary(summary: ValidationSummary, *, key: str) -> None:
    locale = current_locale()
    c1, c2, c3 = st.columns(3)
    c1.metric(_("Rows read"), format_number(summary.rows, locale))
    c2.metric(_("Valid rows"), format_number(summary.valid, locale))
    c3.metric(_("Would be rejected"), format_number(summary.rejected, locale))
    _show_changes(summary, key=key)
    if summary.header_skipped:
        st.caption(_("A header row was found and skipped."))
    if summary.preview:
        st.caption(
            _("First rows of {file} → {table}").format(
                file=safe_text(summary.filename), table=_(TABLE_LABELS[summary.table])
            )
        )
        st.dataframe(
            plain_columns(summary.preview_frame()), hide_index=True, width="stretch", key=f"{key}_preview"
        )
    reasons = summary.reason_counts()
    if reasons:
        frame = pd.DataFrame({"reason": list(reasons), "rows": list(reasons.values())})
        fig = px.bar(
            frame,
            x="rows",
            y="reason",
            orientation="h",
            title=_("Why rows would be rejected"),
            labels={"rows": _("Rows"), "reason": ""},
        )
        fig.update_layout(yaxis={"autorange": "reversed", "title": None}, height=120 + 40 * len(frame))
        st.plotly_chart(fig, key=f"{key}_reasons")
        with st.expander(
            _("Rows that would be rejected ({count})").format(count=format_number(summary.rejected, locale))
        ):
            st.dataframe(
                plain_columns(summary.rejects_frame().head(1000)), hide_index=True, key=f"{key}_would_reject"
            )


def _show_results(results: list[LoadResult]) -> None:
    st.subheader(_("Loaded"))
    for result in results:
        st.markdown(f"**{result.table}**")
        locale = current_locale()
        figures = (
            [(_("Inserted"), result.inserted), (_("Skipped"), result.skipped)]
            if result.mode is LoadMode.ADD_ONLY
            else [
                (_("Inserted"), result.inserted),
                (_("Updated"), result.updated),
                (_("Unchanged"), result.unchanged),
            ]
        )
        figures.append((_("Rejected"), result.rejected))
        for column, (name, value) in zip(st.columns(len(figures)), figures, strict=True):
            column.metric(name, format_number(value, locale))
        if result.reject_rows:
            frame = result.rejects_frame()
            st.dataframe(frame, hide_index=True, width="stretch", key=f"upload_rejects_{result.table}")
            download_buttons(frame, f"rejects_{result.table}", key=f"upload_rejects_dl_{result.table}")
            if actor.role == ADMIN_ROLE:
                st.caption(_("Report saved in storage as {key}.").format(key=result.rejects_key))
        else:
            st.success(_("No rows were rejected."), icon=":material/check_circle:")


st.title(_("Upload HR data"))
st.caption(
    _(
        "Departments, jobs and hired employees — CSV (with or without a header), JSON or Avro files, or JSON "
        "batches. Every row is checked before anything is written; one upload commits whole or not at all "
        "(limit {limit} MB)."
    ).format(limit=get_settings().upload_limit_mb)
)
db_url = get_settings().database_url
mode = st.radio(
    _("Rows whose id already exists"),
    list(MODE_LABELS),
    format_func=lambda m: _(MODE_LABELS[m]),
    captions=[_(MODE_HELP[m]) for m in MODE_LABELS],
    key="upload_mode",
    horizontal=True,
)
file_tab, batch_tab = st.tabs([_("File"), _("JSON batch")])

with file_tab:
    left, right = st.columns([2, 1])
    uploaded = left.file_uploader(
        _("CSV, JSON or Avro file"), type=["csv", "txt", "json", "avro"], key="upload_file"
    )
    table_choice = right.selectbox(
        _("Table"),
        [INFER, *LOAD_ORDER],
        format_func=lambda t: _("Decide from the file name") if t is None else _(TABLE_LABELS[t]),
        key="upload_table",
    )
    header_choice = right.radio(
        _("Header row"), list(HEADER_CHOICES), format_func=_, key="upload_header", horizontal=True
    )
    if uploaded is None:
        st.info(
            _(
                "Choose departments.csv, jobs.csv or hired_employees.csv (load departments and jobs first: "
                "employees must name existing ones). You will see what the load would add and change "
                "before anything is written."
            ),
            icon=":material/upload_file:",
        )
    else:
        table = None if table_choice == INFER else table_choice
        header = HEADER_CHOICES[header_choice]
        try:
            summary = _validate_file(
                uploaded.getvalue(), uploaded.name, table, header, mode, db_url, actor.username, actor
            )
        except HRCoreError as e:
            show_error(e)
        else:
            _show_summary(summary, key="upload_file_summary")
            skipped = (
                summary.changes.skips if summary.changes is not None else 0
            )  # add only: left as they are
            if st.button(
                _("Load {count} rows into {table}").format(
                    count=format_number(summary.valid - skipped, current_locale()),
                    table=_(TABLE_LABELS[summary.table]),
                ),
                type="primary",
                key="upload_commit",
                disabled=summary.rows == 0,
                icon=":material/database_upload:",
            ):
                update = progress_bar()
                try:
                    result = load_table(
                        engine=get_engine(),
                        source=uploaded,
                        filename=uploaded.name,
                        table=summary.table,
                        header=header,
                        mode=mode,
                        actor=actor,
                        progress=update,
                    )
                except HRCoreError as e:
                    update.clear()
                    show_error(e)
                else:
                    st.session_state[RESULTS_KEY] = [result]
                finally:
                    clear_data_caches()

with batch_tab:
    st.markdown(
        _(
            'The original API format: `{{"records": [{{"table_name": "department" | "job" | "employee", '
            '"data": [...]}}]}}`, 1 to 1,000 rows per entry. Departments and jobs load before employees; '
            "employees without an id get the next free one."
        ).format()
    )
    batch_file = st.file_uploader(_("Batch file (.json)"), type=["json"], key="upload_batch_file")
    pasted = st.text_area(
        "…or paste the batch", key="upload_batch_text", height=180, placeholder='{"records": [...]}'
    )
    data = (
        batch_file.getvalue()
        if batch_file is not None
        else pasted.encode("utf-8")
        if pasted.strip()
        else None
    )
    if data is None:
        st.info(_("Upload or paste a JSON batch to check it."), icon=":material/data_object:")
    else:
        try:
            summaries = _validate_batch(data, mode, db_url, actor.username, actor)
        except HRCoreError as e:
            show_error(e)
        else:
            for summary in summaries:
                st.markdown(f"**{summary.table}**")
                _show_summary(summary, key=f"upload_batch_summary_{summary.table}")
            if st.button(
                _("Load the batch"),
                type="primary",
                key="upload_batch_commit",
                icon=":material/database_upload:",
            ):
                update = progress_bar()
                try:
                    results = load_batch(
                        engine=get_engine(),
                        source=data,
                        filename=batch_file.name if batch_file is not None else "pasted-batch.json",
                        actor=actor,
                        progress=update,
                        mode=mode,
                        partial=True,  # the summary above showed which rows will be left out
                    )
                except HRCoreError as e:
                    update.clear()
                    show_error(e)
                else:
                    st.session_state[RESULTS_KEY] = results
                finally:
                    clear_data_caches()

if st.session_state.get(RESULTS_KEY):
    _show_results(st.session_state[RESULTS_KEY])
