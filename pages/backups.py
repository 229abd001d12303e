"""Backups: the catalogue, back up one table or all, download, verify, and restore after a dry run."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import plotly.express as px
import streamlit as st

from hr_core.access import Actor
from hr_core.backup import (
    TABLE_ORDER,
    BackupInfo,
    create_all_backups,
    create_backup,
    diff_backup,
    download_backup,
    list_backups,
    restore_backup,
    verify_backup,
)
from hr_core.errors import HRCoreError
from hr_core.jobs import get_backup_schedule, get_backup_schedule_status, set_backup_schedule
from hr_core.settings import get_settings
from hr_core.storage import Storage
from pages._shared import clear_data_caches, get_engine, get_storage, page_setup, progress_bar, show_error

actor = page_setup("pages/backups.py")
ALL = "All tables"
VERIFIED_KEY = "backups_verified"  # backup_id -> "verified" or the reason it failed
DIFF_KEY = "backups_diff"  # (table, backup_id, diff dict) of the last dry run


@st.cache_data(show_spinner=False, ttl=60)
def load_catalogue(storage_url: str, _storage: Storage, actor: Actor) -> list[BackupInfo]:
    return list_backups(_storage, actor=actor)


def refresh_catalogue() -> None:
    load_catalogue.clear()


def _when(moment: dt.datetime | None) -> str:
    return moment.strftime("%Y-%m-%d %H:%M UTC") if moment else "—"


st.title("Backups")
st.caption(
    "Each backup is an Avro file with a manifest that proves it: the file's SHA-256, a hash of its rows "
    "and its columns. A restore checks all of that first, keeps a safety backup, and replaces the table "
    "in one transaction."
)
engine, storage = get_engine(), get_storage()
verified: dict[str, str] = st.session_state.setdefault(VERIFIED_KEY, {})

with st.container(border=True):
    st.subheader("Back up now")
    c1, c2 = st.columns([3, 1], vertical_alignment="bottom")
    choice = c1.selectbox("Table", [ALL, *TABLE_ORDER], key="backup_table")
    if c2.button("Back up", key="backup_run", type="primary", icon=":material/backup:"):
        update = progress_bar(f"Backing up {choice}…")
        try:
            if choice == ALL:
                made = create_all_backups(engine=engine, storage=storage, actor=actor, progress=update)
            else:
                made = [
                    create_backup(engine=engine, storage=storage, table=choice, actor=actor, progress=update)
                ]
        except HRCoreError as e:
            show_error(e)
        else:
            refresh_catalogue()
            st.success(
                "Backed up " + ", ".join(f"{r.table} ({r.rows:,} rows)" for r in made) + ".",
                icon=":material/check_circle:",
            )


with st.container(border=True):
    st.subheader("Schedule")
    st.caption("All tables are backed up daily at this time, keeping the newest backups per table.")
    try:
        schedule = get_backup_schedule(engine=engine, actor=actor)
        s1, s2, s3, s4 = st.columns([1, 1, 1, 1], vertical_alignment="bottom")
        at_time = s1.time_input(
            "Daily at",
            value=dt.time.fromisoformat(schedule.time) if schedule else dt.time(2, 0),
            step=300,
            key="schedule_time",
        )
        zone = s2.text_input("Time zone", value=schedule.timezone if schedule else "UTC", key="schedule_zone")
        keep = s3.number_input(
            "Keep per table",
            min_value=1,
            max_value=1000,
            value=schedule.retention if schedule else get_settings().backup_retention,
            key="schedule_retention",
        )
        enabled = s4.toggle("On", value=schedule.enabled if schedule else True, key="schedule_enabled")
        if st.button("Save schedule", key="schedule_save", icon=":material/schedule:"):
            set_backup_schedule(
                engine=engine,
                actor=actor,
                time=at_time.strftime("%H:%M"),
                timezone=zone.strip(),
                retention=int(keep),
                enabled=enabled,
            )
            st.success("Schedule saved.", icon=":material/check_circle:")
        status = get_backup_schedule_status(engine=engine, actor=actor)
    except HRCoreError as e:
        show_error(e)
    else:
        m1, m2, m3 = st.columns(3)
        m1.metric("Last success", _when(status.last_success_at))
        m2.metric("Next run", _when(status.next_run_at) if status.schedule else "not scheduled")
        m3.metric("Last failure", _when(status.last_failure_at))
        if status.last_run_failed:
            st.error(f"The last scheduled backup failed: {status.last_error}", icon=":material/error:")


try:
    catalogue = load_catalogue(storage.url, storage, actor)
except HRCoreError as e:
    show_error(e)
    st.stop()

k1, k2, k3, k4 = st.columns(4)
k1.metric("Backups", len(catalogue))
k2.metric("Tables covered", len({b.table for b in catalogue}))
k3.metric("Total size", f"{sum(b.size for b in catalogue) / 1_048_576:,.1f} MB")
k4.metric("Latest", catalogue[0].created_at[:16].replace("T", " ") if catalogue else "—")
st.caption(f"Storage: `{storage.url}`")

if not catalogue:
    st.info("No backups yet. Choose a table above and press **Back up**.", icon=":material/inventory_2:")
    st.stop()

st.subheader("Catalogue")
frame = pd.DataFrame(
    [
        {
            "table": b.table,
            "time (UTC)": pd.Timestamp(b.created_at),
            "rows": b.rows,
            "size (KB)": round(b.size / 1024, 1),
            "kind": b.kind,
            "storage": b.storage,
            "verified": verified.get(b.backup_id, "not checked"),
            "backup id": b.backup_id,
        }
        for b in catalogue
    ]
)
shown_table = st.selectbox("Show", [ALL, *sorted(frame["table"].unique())], key="catalogue_filter")
view = frame if shown_table == ALL else frame[frame["table"] == shown_table]
st.dataframe(view, hide_index=True, width="stretch", key="catalogue_table")
if len(frame["table"].unique()) > 1:
    sizes = frame.groupby("table", as_index=False).agg(backups=("rows", "size"), size_kb=("size (KB)", "sum"))
    st.plotly_chart(
        px.bar(sizes, x="table", y="size_kb", text="backups", labels={"size_kb": "size (KB)"}, height=280),
        width="stretch",
        key="catalogue_chart",
    )

st.subheader("Work with one backup")
by_id = {b.backup_id: b for b in catalogue}
picked = st.selectbox(
    "Backup",
    [b.backup_id for b in catalogue if shown_table in (ALL, b.table)],
    format_func=lambda i: (
        f"{by_id[i].table} · {by_id[i].created_at[:19].replace('T', ' ')} · "
        f"{by_id[i].rows:,} rows · {by_id[i].kind}"
    ),
    key="backup_pick",
)
info = by_id[picked]
d1, d2 = st.columns(2)
if d1.button("Verify", key="verify_run", icon=":material/verified:"):
    try:
        verify_backup(
            storage=storage,
            actor=actor,
            backup_id=picked,
            table=info.table,
            engine=engine,
            progress=progress_bar("Verifying…"),
        )
        verified[picked] = "verified"
    except HRCoreError as e:
        verified[picked] = f"failed: {e}"
        show_error(e)
if verified.get(picked) == "verified":
    d1.success("Verified: hash, rows and content match the manifest.", icon=":material/check_circle:")
if d2.button("Prepare download", key="download_prepare", icon=":material/download:"):
    try:
        _table, data = download_backup(engine=engine, storage=storage, actor=actor, backup_id=picked)
        st.session_state["backup_download"] = (picked, data)
    except HRCoreError as e:
        show_error(e)
ready = st.session_state.get("backup_download")
if ready and ready[0] == picked:
    d2.download_button(
        "Download Avro file",
        ready[1],
        file_name=f"{info.table}-{picked}.avro",
        mime="application/avro",
        key="download_file",
        icon=":material/file_download:",
    )

with st.container(border=True):
    st.markdown(f"**Restore `{info.table}` from this backup**")
    if st.button("Preview restore (dry run)", key="dry_run", icon=":material/preview:"):
        try:
            diff = diff_backup(
                engine=engine,
                storage=storage,
                table=info.table,
                backup_id=picked,
                actor=actor,
                progress=progress_bar("Comparing…"),
            )
            st.session_state[DIFF_KEY] = (info.table, picked, diff.as_dict())
            verified[picked] = "verified"
        except HRCoreError as e:
            st.session_state.pop(DIFF_KEY, None)
            show_error(e)
    last = st.session_state.get(DIFF_KEY)
    if not last or last[1] != picked:
        st.caption("Run the dry run first: it verifies the backup and shows what a restore would change.")
    else:
        diff_dict = last[2]
        m1, m2, m3, m4 = st.columns(4)
        m1.metric("Rows added back", diff_dict["added"])
        m2.metric("Rows removed", diff_dict["removed"])
        m3.metric("Rows changed", diff_dict["changed"])
        m4.metric("Unchanged", diff_dict["unchanged"])
        with st.expander("Ids by change (first 1,000 of each)"):
            st.write(
                {
                    "added": diff_dict["added_ids"],
                    "removed": diff_dict["removed_ids"],
                    "changed": diff_dict["changed_ids"],
                }
            )
        typed = st.text_input(
            f"Type the table name **{info.table}** to confirm the restore", key="restore_confirm"
        )
        if st.button(
            "Restore",
            key="restore_run",
            type="primary",
            disabled=typed.strip() != info.table,
            icon=":material/settings_backup_restore:",
        ):
            try:
                result = restore_backup(
                    engine=engine,
                    storage=storage,
                    table=info.table,
                    backup_id=picked,
                    actor=actor,
                    progress=progress_bar(f"Restoring {info.table}…"),
                )
            except HRCoreError as e:
                show_error(e)
            else:
                clear_data_caches()
                st.session_state.pop(DIFF_KEY, None)
                message = (
                    f"Restored {result.rows:,} rows into {result.table}. "
                    f"Safety backup of the previous state: {result.safety_backup_id}."
                )
                if result.verified:
                    st.success(
                        message + " The live table matches the backup.", icon=":material/check_circle:"
                    )
                else:
                    st.warning(
                        message + " The live table does NOT match the backup's content hash; check it."
                    )
