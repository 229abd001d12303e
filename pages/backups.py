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
from hr_core.i18n import EMPTY, N_, format_date, format_number
from hr_core.jobs import get_backup_schedule, get_backup_schedule_status, set_backup_schedule
from hr_core.settings import get_settings
from hr_core.storage import Storage
from pages._shared import (
    _,
    clear_data_caches,
    current_locale,
    get_engine,
    get_storage,
    page_setup,
    progress_bar,
    show_error,
)

actor = page_setup("pages/backups.py")
locale = current_locale()
ALL = ""  # the "All tables" choice
KINDS = {"manual": N_("manual"), "safety": N_("safety copy before a restore")}
VERIFIED_KEY = "backups_verified"  # backup_id -> "verified" or the reason it failed
DIFF_KEY = "backups_diff"  # (table, backup_id, diff dict) of the last dry run


@st.cache_data(show_spinner=False, ttl=60)
def load_catalogue(storage_url: str, _storage: Storage, actor: Actor) -> list[BackupInfo]:
    return list_backups(_storage, actor=actor)


def refresh_catalogue() -> None:
    load_catalogue.clear()


def _when(moment: dt.datetime | str | None) -> str:
    """A moment in UTC: the date as the locale writes it, the time on the 24-hour clock."""
    if not moment:
        return EMPTY
    if isinstance(moment, str):
        moment = dt.datetime.fromisoformat(moment)
    return f"{format_date(moment, locale)} {moment.strftime('%H:%M')} UTC"


def _rows(count: int) -> str:
    return _("{count} rows").format(count=format_number(count, locale))


def _table_choice(table: str) -> str:
    return _("All tables") if table == ALL else table


def _kind(kind: str) -> str:
    return _(KINDS[kind]) if kind in KINDS else kind


st.title(_("Backups"))
st.caption(
    _(
        "Each backup is an Avro file with a manifest that proves it: the file's SHA-256, a hash of its rows "
        "and its columns. A restore checks all of that first, keeps a safety backup, and replaces the table "
        "in one transaction."
    )
)
engine, storage = get_engine(), get_storage()
verified: dict[str, str] = st.session_state.setdefault(VERIFIED_KEY, {})

with st.container(border=True):
    st.subheader(_("Back up now"))
    c1, c2 = st.columns([3, 1], vertical_alignment="bottom")
    choice = c1.selectbox(_("Table"), [ALL, *TABLE_ORDER], format_func=_table_choice, key="backup_table")
    if c2.button(_("Back up"), key="backup_run", type="primary", icon=":material/backup:"):
        update = progress_bar(_("Backing up {table}…").format(table=_table_choice(choice)))
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
            tables = ", ".join(f"{r.table} ({_rows(r.rows)})" for r in made)
            st.success(_("Backed up {tables}.").format(tables=tables), icon=":material/check_circle:")


with st.container(border=True):
    st.subheader(_("Schedule"))
    st.caption(_("All tables are backed up daily at this time, keeping the newest backups per table."))
    try:
        schedule = get_backup_schedule(engine=engine, actor=actor)
        s1, s2, s3, s4 = st.columns([1, 1, 1, 1], vertical_alignment="bottom")
        at_time = s1.time_input(
            _("Daily at"),
            value=dt.time.fromisoformat(schedule.time) if schedule else dt.time(2, 0),
            step=300,
            key="schedule_time",
        )
        zone = s2.text_input(
            _("Time zone"), value=schedule.timezone if schedule else "UTC", key="schedule_zone"
        )
        keep = s3.number_input(
            _("Keep per table"),
            min_value=1,
            max_value=1000,
            value=schedule.retention if schedule else get_settings().backup_retention,
            key="schedule_retention",
        )
        enabled = s4.toggle(_("On"), value=schedule.enabled if schedule else True, key="schedule_enabled")
        if st.button(_("Save schedule"), key="schedule_save", icon=":material/schedule:"):
            set_backup_schedule(
                engine=engine,
                actor=actor,
                time=at_time.strftime("%H:%M"),
                timezone=zone.strip(),
                retention=int(keep),
                enabled=enabled,
            )
            st.success(_("Schedule saved."), icon=":material/check_circle:")
        status = get_backup_schedule_status(engine=engine, actor=actor)
    except HRCoreError as e:
        show_error(e)
    else:
        m1, m2, m3 = st.columns(3)
        m1.metric(_("Last success"), _when(status.last_success_at))
        m2.metric(_("Next run"), _when(status.next_run_at) if status.schedule else _("not scheduled"))
        m3.metric(_("Last failure"), _when(status.last_failure_at))
        if status.last_run_failed:
            st.error(
                _("The last scheduled backup failed: {error}").format(error=status.last_error),
                icon=":material/error:",
            )


try:
    catalogue = load_catalogue(storage.url, storage, actor)
except HRCoreError as e:
    show_error(e)
    st.stop()

k1, k2, k3, k4 = st.columns(4)
k1.metric(_("Backups"), format_number(len(catalogue), locale))
k2.metric(_("Tables covered"), format_number(len({b.table for b in catalogue}), locale))
k3.metric(
    _("Total size"), f"{format_number(sum(b.size for b in catalogue) / 1_048_576, locale, digits=1)} MB"
)
k4.metric(_("Latest"), _when(catalogue[0].created_at) if catalogue else EMPTY)
st.caption(_("Storage: {url}").format(url=f"`{storage.url}`"))

if not catalogue:
    st.info(_("No backups yet. Choose a table above and press **Back up**."), icon=":material/inventory_2:")
    st.stop()


def _verified(backup_id: str) -> str:
    outcome = verified.get(backup_id)
    if outcome is None:
        return _("not checked")
    return _("verified") if outcome == "verified" else _("failed: {reason}").format(reason=outcome)


st.subheader(_("Catalogue"))
TABLE, SIZE = _("Table"), _("Size (KB)")
frame = pd.DataFrame(
    [
        {
            TABLE: b.table,
            _("Time (UTC)"): _when(b.created_at),
            _("Rows"): b.rows,
            SIZE: round(b.size / 1024, 1),
            _("Kind"): _kind(b.kind),
            _("Storage"): b.storage,
            _("Verified"): _verified(b.backup_id),
            _("Backup ID"): b.backup_id,
        }
        for b in catalogue
    ]
)
shown_table = st.selectbox(
    _("Show"), [ALL, *sorted(frame[TABLE].unique())], format_func=_table_choice, key="catalogue_filter"
)
view = frame if shown_table == ALL else frame[frame[TABLE] == shown_table]
st.dataframe(view, hide_index=True, width="stretch", key="catalogue_table")
if len(frame[TABLE].unique()) > 1:
    sizes = frame.groupby(TABLE, as_index=False).agg(backups=(SIZE, "size"), size_kb=(SIZE, "sum"))
    fig = px.bar(
        sizes,
        x=TABLE,
        y="size_kb",
        text="backups",
        labels={"size_kb": SIZE, "backups": _("Backups")},
        title=_("Size of the backups per table (bar label: number of backups)"),
        height=300,
    )
    st.plotly_chart(fig, width="stretch", key="catalogue_chart")

st.subheader(_("Work with one backup"))
by_id = {b.backup_id: b for b in catalogue}
picked = st.selectbox(
    _("Backup"),
    [b.backup_id for b in catalogue if shown_table in (ALL, b.table)],
    format_func=lambda i: " · ".join(
        (by_id[i].table, _when(by_id[i].created_at), _rows(by_id[i].rows), _kind(by_id[i].kind))
    ),
    key="backup_pick",
)
info = by_id[picked]
d1, d2 = st.columns(2)
if d1.button(_("Verify"), key="verify_run", icon=":material/verified:"):
    try:
        verify_backup(
            storage=storage,
            actor=actor,
            backup_id=picked,
            table=info.table,
            engine=engine,
            progress=progress_bar(_("Verifying…")),
        )
        verified[picked] = "verified"
    except HRCoreError as e:
        verified[picked] = str(e)
        show_error(e)
if verified.get(picked) == "verified":
    d1.success(_("Verified: hash, rows and content match the manifest."), icon=":material/check_circle:")
if d2.button(_("Prepare download"), key="download_prepare", icon=":material/download:"):
    try:
        _table, data = download_backup(engine=engine, storage=storage, actor=actor, backup_id=picked)
        st.session_state["backup_download"] = (picked, data)
    except HRCoreError as e:
        show_error(e)
ready = st.session_state.get("backup_download")
if ready and ready[0] == picked:
    d2.download_button(
        _("Download Avro file"),
        ready[1],
        file_name=f"{info.table}-{picked}.avro",
        mime="application/avro",
        key="download_file",
        icon=":material/file_download:",
    )

with st.container(border=True):
    st.markdown(_("**Restore {table} from this backup**").format(table=f"`{info.table}`"))
    if st.button(_("Preview restore (dry run)"), key="dry_run", icon=":material/preview:"):
        try:
            diff = diff_backup(
                engine=engine,
                storage=storage,
                table=info.table,
                backup_id=picked,
                actor=actor,
                progress=progress_bar(_("Comparing…")),
            )
            st.session_state[DIFF_KEY] = (info.table, picked, diff.as_dict())
            verified[picked] = "verified"
        except HRCoreError as e:
            st.session_state.pop(DIFF_KEY, None)
            show_error(e)
    last = st.session_state.get(DIFF_KEY)
    if not last or last[1] != picked:
        st.caption(_("Run the dry run first: it verifies the backup and shows what a restore would change."))
    else:
        diff_dict = last[2]
        m1, m2, m3, m4 = st.columns(4)
        m1.metric(_("Rows added back"), format_number(diff_dict["added"], locale))
        m2.metric(_("Rows removed"), format_number(diff_dict["removed"], locale))
        m3.metric(_("Rows changed"), format_number(diff_dict["changed"], locale))
        m4.metric(_("Unchanged"), format_number(diff_dict["unchanged"], locale))
        with st.expander(_("IDs by change (first 1,000 of each)")):
            st.write(
                {
                    _("added back"): diff_dict["added_ids"],
                    _("removed"): diff_dict["removed_ids"],
                    _("changed"): diff_dict["changed_ids"],
                }
            )
        typed = st.text_input(
            _("Type the table name **{table}** to confirm the restore").format(table=info.table),
            key="restore_confirm",
        )
        if st.button(
            _("Restore"),
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
                    progress=progress_bar(_("Restoring {table}…").format(table=info.table)),
                )
            except HRCoreError as e:
                show_error(e)
            else:
                clear_data_caches()
                st.session_state.pop(DIFF_KEY, None)
                message = _(
                    "Restored {rows} rows into {table}. Safety backup of the previous state: {backup}."
                ).format(
                    rows=format_number(result.rows, locale),
                    table=result.table,
                    backup=result.safety_backup_id,
                )
                if result.verified:
                    st.success(
                        message + " " + _("The live table matches the backup."),
                        icon=":material/check_circle:",
                    )
                else:
                    st.warning(
                        message
                        + " "
                        + _("The live table does NOT match the backup's content hash; check it.")
                    )
