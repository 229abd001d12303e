"""Audit log (admins): who did what and when, how it ended; filters and CSV/Excel export."""

import datetime as dt
import json

import pandas as pd
import plotly.express as px
import streamlit as st

from hr_core.access import Action
from hr_core.audit import list_event_facets, list_events
from hr_core.errors import HRCoreError
from pages._shared import download_buttons, get_engine, page_setup, show_error

actor = page_setup("pages/audit_log.py")
st.title("Audit log")
st.caption("Uploads, imports, backups, restores, training, index builds, user changes and log-ins.")

ALL = "(all)"

try:
    engine = get_engine()
    facets = list_event_facets(engine, actor=actor)
except HRCoreError as e:
    show_error(e)
    st.stop()

today = dt.datetime.now(dt.UTC).date()
f1, f2, f3, f4 = st.columns([1, 1, 1, 2])
who = f1.selectbox("Actor", [ALL, *facets["actor"]], key="audit_actor")
what = f2.selectbox("Action", [ALL, *facets["action"]], key="audit_action")
outcome = f3.selectbox("Outcome", [ALL, *facets["outcome"]], key="audit_outcome")
period = f4.date_input(
    "Date range (UTC)", value=(today - dt.timedelta(days=30), today), max_value=today, key="audit_dates"
)
start, end = (period[0], period[-1]) if isinstance(period, tuple) and period else (today, today)

try:
    events = list_events(
        engine,
        actor=actor,
        user=None if who == ALL else who,
        action=None if what == ALL else what,
        outcome=None if outcome == ALL else outcome,
        since=dt.datetime.combine(start, dt.time(), tzinfo=dt.UTC),
        until=dt.datetime.combine(end + dt.timedelta(days=1), dt.time(), tzinfo=dt.UTC),
    )
except HRCoreError as e:
    show_error(e)
    st.stop()

if events.empty:
    st.info(
        "No events match these filters. Widen the date range or choose (all).", icon=":material/search_off:"
    )
    st.stop()

k1, k2, k3 = st.columns(3)
k1.metric("Events", f"{len(events):,}", border=True)
k2.metric("Errors", f"{int((events['outcome'] != 'ok').sum()):,}", border=True)
k3.metric(
    "Failed log-ins",
    f"{int(((events['action'] == Action.AUTH_LOGIN.value) & (events['outcome'] != 'ok')).sum()):,}",
    border=True,
)

per_day = events.assign(day=pd.to_datetime(events["at"], utc=True).dt.date).groupby(["day", "outcome"]).size()
fig = px.bar(
    per_day.rename("events").reset_index(),
    x="day",
    y="events",
    color="outcome",
    color_discrete_map={"ok": "#2f9e44", "error": "#e03131"},
    title="Events per day",
)
fig.update_layout(height=260, margin={"t": 40, "b": 10, "l": 10, "r": 10}, barmode="stack")
# Whole days as ticks (never fractions of a second), at most about ten of them; counts from zero.
days = per_day.index.get_level_values("day")
span = (max(days) - min(days)).days + 1 if len(days) else 1
fig.update_xaxes(type="date", tickformat="%d %b %Y", dtick=86_400_000 * max(1, span // 10), title=None)
fig.update_yaxes(rangemode="tozero", title=None)
st.plotly_chart(fig, use_container_width=True, key="audit_chart")

# Details are JSON written by hr_core; shown as text, never rendered as HTML or Markdown.
table = events.assign(details=events["details"].map(lambda d: json.dumps(d, ensure_ascii=False, default=str)))
st.dataframe(table, hide_index=True, use_container_width=True, key="audit_table")
download_buttons(table, "audit_log", key="audit_download")
