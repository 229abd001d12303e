"""Audit log (admins): who did what and when, how it ended; filters and CSV/Excel export."""

import datetime as dt
import json

import pandas as pd
import plotly.express as px
import streamlit as st

from hr_core.access import Action, describe
from hr_core.audit import list_event_facets, list_events
from hr_core.errors import HRCoreError
from hr_core.i18n import N_, format_date, format_number
from pages._shared import _, current_locale, download_buttons, get_engine, page_setup, show_error

actor = page_setup("pages/audit_log.py")
st.title(_("Audit log"))
st.caption(_("Uploads, imports, backups, restores, training, index builds, user changes and log-ins."))

ALL = ""  # the "(all)" choice of every filter
OUTCOMES = {"ok": N_("Succeeded"), "error": N_("Failed")}
COLOURS = {"ok": "#2f9e44", "error": "#e03131"}


def _outcome(value: str) -> str:
    return _(OUTCOMES[value]) if value in OUTCOMES else value


def _choice(value: str) -> str:
    return _("(all)") if value == ALL else value


def _action(code: str) -> str:
    """An action in words ('Log in'), translated; an action the app no longer knows stays as its code."""
    words = _(describe(code))
    return words[:1].upper() + words[1:]


try:
    engine = get_engine()
    facets = list_event_facets(engine, actor=actor)
except HRCoreError as e:
    show_error(e)
    st.stop()

locale = current_locale()
today = dt.datetime.now(dt.UTC).date()
f1, f2, f3, f4 = st.columns([1, 1, 1, 2])
who = f1.selectbox(_("User"), [ALL, *facets["actor"]], format_func=_choice, key="audit_actor")
what = f2.selectbox(
    _("Action"),
    [ALL, *facets["action"]],
    format_func=lambda a: _choice(a) if a == ALL else _action(a),
    key="audit_action",
)
outcome = f3.selectbox(
    _("Outcome"),
    [ALL, *facets["outcome"]],
    format_func=lambda o: _choice(o) if o == ALL else _outcome(o),
    key="audit_outcome",
)
period = f4.date_input(
    _("Date range (UTC)"), value=(today - dt.timedelta(days=30), today), max_value=today, key="audit_dates"
)
start, end = (period[0], period[-1]) if isinstance(period, tuple) and period else (today, today)

try:
    events = list_events(
        engine,
        actor=actor,
        user=who or None,
        action=what or None,
        outcome=outcome or None,
        since=dt.datetime.combine(start, dt.time(), tzinfo=dt.UTC),
        until=dt.datetime.combine(end + dt.timedelta(days=1), dt.time(), tzinfo=dt.UTC),
    )
except HRCoreError as e:
    show_error(e)
    st.stop()

if events.empty:
    st.info(
        _("No events match these filters. Widen the date range or choose (all)."),
        icon=":material/search_off:",
    )
    st.stop()

failed_logins = int(((events["action"] == Action.AUTH_LOGIN.value) & (events["outcome"] != "ok")).sum())
k1, k2, k3 = st.columns(3)
k1.metric(_("Events"), format_number(len(events), locale), border=True)
k2.metric(_("Errors"), format_number(int((events["outcome"] != "ok").sum()), locale), border=True)
k3.metric(_("Failed log-ins"), format_number(failed_logins, locale), border=True)

per_day = (
    events.assign(day=pd.to_datetime(events["at"], utc=True).dt.date)
    .groupby(["day", "outcome"])
    .size()
    .rename("events")
    .reset_index()
)
fig = px.bar(
    per_day.assign(outcome=per_day["outcome"].map(_outcome)),
    x="day",
    y="events",
    color="outcome",
    color_discrete_map={_outcome(k): v for k, v in COLOURS.items()},
    labels={"day": _("Day"), "events": _("Events"), "outcome": _("Outcome")},
    title=_("Events per day"),
)
fig.update_layout(height=260, margin={"t": 40, "b": 10, "l": 10, "r": 10}, barmode="stack")
# Whole days as ticks (never fractions of a second), at most about ten, written as the locale writes
# dates; counts from zero.
first, last = min(per_day["day"]), max(per_day["day"])
step = max(1, ((last - first).days + 1) // 10)
ticks = [first + dt.timedelta(days=d) for d in range(0, (last - first).days + 1, step)]
fig.update_xaxes(type="date", tickvals=ticks, ticktext=[format_date(d, locale) for d in ticks], title=None)
fig.update_yaxes(rangemode="tozero", title=None)
st.plotly_chart(fig, use_container_width=True, key="audit_chart")

# Details are JSON written by hr_core; shown as text, never rendered as HTML or Markdown.
table = events.assign(
    details=events["details"].map(lambda d: json.dumps(d, ensure_ascii=False, default=str)),
    outcome=events["outcome"].map(_outcome),
    action_code=events["action"],
    action=events["action"].map(_action),
).rename(
    columns={
        "id": _("ID"),
        "at": _("When (UTC)"),
        "actor": _("User"),
        "action": _("Action"),
        "action_code": _("Action code"),
        "outcome": _("Outcome"),
        "details": _("Details"),
    }
)
st.dataframe(table, hide_index=True, use_container_width=True, key="audit_table")
download_buttons(table, "audit_log", key="audit_download")
