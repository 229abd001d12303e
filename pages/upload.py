"""Upload: load departments, jobs and hired employees (CSV / JSON / Avro, or a JSON batch) after a dry run."""

from __future__ import annotations

import pandas as pd
import plotly.express as px
import streamlit as st

from hr_core.access import Actor
from hr_core.errors import HRCoreError
from hr_core.ingest import (
    LOAD_ORDER,
    LoadResult,
    ValidationSummary,
    load_batch,
    load_table,
    validate_batch,
    validate_upload,
)
from hr_core.settings import get_settings
from pages._shared import (
    clear_data_caches,
    download_buttons,
    get_engine,
    page_setup,
    progress_bar,
    show_error,
)

actor = page_setup("pages/upload.py")

INFER = "Decide from the file name"
HEADER_CHOICES = {"Detect": None, "First row is a header": True, "No header row": False}
RESULTS_KEY = "upload_results"


@st.cache_data(show_spinner="Checking every row…", max_entries=8)
def _validate_file(
    data: bytes,
    filename: str,
    table: str | None,
    header: bool | None,
    db_url: str,
    username: str,
    _actor: Actor,
) -> ValidationSummary:
    return validate_upload(
        engine=get_engine(), source=data, filename=filename, table=table, header=header, actor=_actor
    )


@st.cache_data(show_spinner="Checking the batch…", max_entries=8)
def _validate_batch(data: bytes, db_url: str, username: str, _actor: Actor) -> list[ValidationSummary]:
    return validate_batch(engine=get_engine(), source=data, filename="batch.json", actor=_actor)


def _show_summary(summary: ValidationSummary, *, key: str) -> None:
    c1, c2, c3 = st.columns(3)
    c1.metric("Rows read", f"{summary.rows:,}")
    c2.metric("Would load", f"{summary.valid:,}")
    c3.metric("Would be rejected", f"{summary.rejected:,}")
    if summary.header_skipped:
        st.caption("A header row was found and skipped.")
    if summary.preview:
        st.caption(f"First rows of {summary.filename} → {summary.table}")
        st.dataframe(summary.preview_frame(), hide_index=True, width="stretch", key=f"{key}_preview")
    reasons = summary.reason_counts()
    if reasons:
        frame = pd.DataFrame({"reason": list(reasons), "rows": list(reasons.values())})
        fig = px.bar(frame, x="rows", y="reason", orientation="h", title="Why rows would be rejected")
        fig.update_layout(yaxis={"autorange": "reversed", "title": None}, height=120 + 40 * len(frame))
        st.plotly_chart(fig, key=f"{key}_reasons")
        with st.expander(f"Rows that would be rejected ({summary.rejected:,})"):
            st.dataframe(summary.rejects_frame().head(1000), hide_index=True, key=f"{key}_would_reject")


def _show_results(results: list[LoadResult]) -> None:
    st.subheader("Loaded")
    for result in results:
        st.markdown(f"**{result.table}**")
        c1, c2, c3, c4 = st.columns(4)
        c1.metric("Inserted", f"{result.inserted:,}")
        c2.metric("Updated", f"{result.updated:,}")
        c3.metric("Unchanged", f"{result.unchanged:,}")
        c4.metric("Rejected", f"{result.rejected:,}")
        if result.reject_rows:
            frame = result.rejects_frame()
            st.dataframe(frame, hide_index=True, width="stretch", key=f"upload_rejects_{result.table}")
            download_buttons(frame, f"rejects_{result.table}", key=f"upload_rejects_dl_{result.table}")
            st.caption(f"The report is also saved in storage as `{result.rejects_key}`.")
        else:
            st.success("No rows were rejected.", icon=":material/check_circle:")


st.title("Upload HR data")
st.caption(
    "Departments, jobs and hired employees — the historic headerless CSVs, JSON or Avro files, or JSON batches. "
    f"Every row is checked before anything is written; one upload commits whole or not at all "
    f"(limit {get_settings().upload_limit_mb} MB)."
)
db_url = get_settings().database_url
file_tab, batch_tab = st.tabs(["File", "JSON batch"])

with file_tab:
    left, right = st.columns([2, 1])
    uploaded = left.file_uploader(
        "CSV, JSON or Avro file", type=["csv", "txt", "json", "avro"], key="upload_file"
    )
    table_choice = right.selectbox("Table", [INFER, *LOAD_ORDER], key="upload_table")
    header_choice = right.radio("Header row", list(HEADER_CHOICES), key="upload_header", horizontal=True)
    if uploaded is None:
        st.info(
            "Choose departments.csv, jobs.csv or hired_employees.csv (load departments and jobs first: "
            "employees must name existing ones). You will see the first rows and a validation summary "
            "before anything is written.",
            icon=":material/upload_file:",
        )
    else:
        table = None if table_choice == INFER else table_choice
        header = HEADER_CHOICES[header_choice]
        try:
            summary = _validate_file(
                uploaded.getvalue(), uploaded.name, table, header, db_url, actor.username, actor
            )
        except HRCoreError as e:
            show_error(e)
        else:
            _show_summary(summary, key="upload_file_summary")
            if st.button(
                f"Load {summary.valid:,} rows into {summary.table}",
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
        'The original API format: `{"records": [{"table_name": "department" | "job" | "employee", '
        '"data": [...]}]}`, 1 to 1,000 rows per entry. Departments and jobs load before employees; '
        "employees without an id get the next free one."
    )
    batch_file = st.file_uploader("Batch file (.json)", type=["json"], key="upload_batch_file")
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
        st.info("Upload or paste a JSON batch to check it.", icon=":material/data_object:")
    else:
        try:
            summaries = _validate_batch(data, db_url, actor.username, actor)
        except HRCoreError as e:
            show_error(e)
        else:
            for summary in summaries:
                st.markdown(f"**{summary.table}**")
                _show_summary(summary, key=f"upload_batch_summary_{summary.table}")
            if st.button(
                "Load the batch", type="primary", key="upload_batch_commit", icon=":material/database_upload:"
            ):
                update = progress_bar()
                try:
                    results = load_batch(
                        engine=get_engine(),
                        source=data,
                        filename=batch_file.name if batch_file is not None else "pasted-batch.json",
                        actor=actor,
                        progress=update,
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
