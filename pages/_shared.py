"""UI helpers shared by the pages: cached resources, access guard, language, errors, downloads."""

from __future__ import annotations

import re
import threading
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any

import pandas as pd
import streamlit as st
from sqlalchemy import Engine

from hr_core.access import Actor
from hr_core.db import check_database, make_engine
from hr_core.errors import HRCoreError
from hr_core.exports import to_csv_bytes, to_excel_bytes
from hr_core.i18n import DEFAULT_LOCALE, LocaleCode, normalise_locale, relabel, translator
from hr_core.jobs import JobInfo, JobState, get_job, start_job_runner, submit_job
from hr_core.settings import get_settings
from hr_core.storage import Storage, make_storage
from pages._menu import find_page, may_open

if TYPE_CHECKING:
    from hr_core.ml.match import MatchModel
    from hr_core.ml.recommend import Kind, VectorIndex

ACTOR_KEY = "actor"
# Set by the log-in in Home.py; AppTests that only set "actor" skip the session check.
SESSION_VERSION_KEY = "session_version"
# The interface language of this session (the account's choice, set at log-in and by the picker).
LOCALE_KEY = "locale"


def current_locale() -> LocaleCode:
    """This session's interface language."""
    return normalise_locale(st.session_state.get(LOCALE_KEY, DEFAULT_LOCALE))


def _(message: str) -> str:
    """Translate a message into this session's language (gettext; Babel extracts every `_("…")`)."""
    return translator(current_locale()).gettext(message)


def plain_columns(df: pd.DataFrame) -> pd.DataFrame:
    """The table with plain, translated column labels instead of field names (for display and export)."""
    return df.rename(columns=relabel(df.columns, _))


def refusal(title: str) -> str:
    """What a user reads on a page their role may not open."""
    return _("You do not have access to {page}; ask an administrator.").format(page=_(title))


def api_help() -> str:
    """One line (Markdown) on where the HTTP API is, its documentation, and how a program gets a key."""
    settings = get_settings()
    return _(
        "Programs can use the HTTP API at {url} (documentation: {docs}). A program gets an API key from "
        "an administrator on the Users page or with `python -m hr_core users api-key NAME`."
    ).format(url=settings.api_public_url, docs=settings.api_docs_url)


@st.cache_resource(show_spinner=False)
def _engine_for(url: str) -> Engine:
    engine = make_engine(url)
    # No migration here (`make run` / `python -m hr_core init-db` own the schema): a database that is
    # down or behind raises the HRCoreError page_setup shows, and nothing is cached until it is fixed.
    check_database(engine)
    # Long work and the backup schedule run in this server process (unless HR_JOBS_IN_PROCESS=false).
    start_job_runner(engine)
    return engine


def get_engine() -> Engine:
    """The shared engine for HR_DATABASE_URL (one pool per URL for the whole server)."""
    return _engine_for(get_settings().database_url)


@st.cache_resource(show_spinner=False)
def _storage_for(url: str, endpoint: str | None) -> Storage:
    return make_storage(url, endpoint_url=endpoint)


def get_storage() -> Storage:
    settings = get_settings()
    return _storage_for(settings.storage_url, settings.s3_endpoint_url)


def current_actor() -> Actor | None:
    actor = st.session_state.get(ACTOR_KEY)
    return actor if isinstance(actor, Actor) else None


def check_session(actor: Actor) -> Actor:
    """Stop the page if the logged-in session was ended (log-out elsewhere, password/role change, disabled)."""
    version = st.session_state.get(SESSION_VERSION_KEY)
    if version is None:
        return actor
    from hr_core.auth import SessionEnded, resume_session

    try:
        return resume_session(engine=get_engine(), username=actor.username, session_version=version)
    except SessionEnded as e:
        for key in (ACTOR_KEY, SESSION_VERSION_KEY):
            st.session_state.pop(key, None)
        st.warning(str(e))
        st.stop()
    except HRCoreError as e:
        show_error(e)
        st.stop()
    raise AssertionError("unreachable")  # st.stop() raises


def page_setup(path: str) -> Actor:
    """Return the logged-in actor, or stop the page with a message if the role may not open it."""
    actor = current_actor()
    if actor is None:
        st.warning(_("Please log in on the Home page."))
        st.stop()
    actor = check_session(actor)
    if not may_open(actor.role, path):
        spec = find_page(path)
        st.error(refusal(spec.title if spec else path), icon=":material/lock:")
        st.stop()
    try:
        check_database(get_engine())
    except HRCoreError as e:
        show_error(e)
        st.info(_("This page needs the database. Reload once it is back."))
        st.stop()
    return actor


# What turns text into a link, an image, raw HTML, a Streamlit :directive[] or a $formula$ in Markdown:
# brackets (links, images, directives), angle brackets (HTML, <autolinks>), dollars, backslashes,
# and the starts of bare links (scheme://, www., e-mail @). Emphasis and code spans stay harmless.
_MARKDOWN_ACTIVE = re.compile(
    r"([\\\[\]<>$@])|(?<=\bhttp)(:)(?=//)|(?<=\bhttps)(:)(?=//)|(?<=\bwww)(\.)", re.IGNORECASE
)


def safe_text(value: object) -> str:
    """Imported or typed data for an element that renders Markdown (subheader, markdown, caption, error):
    everything that could make a link, image, HTML or directive is escaped and lines are joined, so
    such data shows as the text it is (one helper for every page)."""
    text = " ".join(str(value).splitlines())
    return _MARKDOWN_ACTIVE.sub(lambda m: "\\" + next(g for g in m.groups() if g), text)


def safe_code(value: object) -> str:
    """Imported data as an inline code span (nothing inside is Markdown; a backtick cannot end it early)."""
    return "`" + " ".join(str(value).replace("`", "'").splitlines()) + "`"


def warn_missing_required(name: str, skills: Sequence[str]) -> None:
    """The warning that a candidate lacks required skills of the opening (nothing when none is missing)."""
    if skills:
        st.warning(
            _("{name} lacks the required skills: {skills}").format(
                name=safe_text(name), skills=safe_text(", ".join(skills))
            ),
            icon=":material/warning:",
        )


def show_error(error: HRCoreError) -> None:
    # Messages quote the offending values (file names, codes, cells): shown as text, never as Markdown.
    st.error(safe_text(error), icon=":material/error:")


def clear_data_caches() -> None:
    """Forget cached query results after anything that changes data (upload, restore, import)."""
    st.cache_data.clear()


def download_buttons(df: pd.DataFrame, name: str, *, key: str) -> None:
    """CSV and Excel download buttons for a table (formula-neutralised); each file is built only when clicked."""
    c1, c2 = st.columns(2)
    df = plain_columns(df)
    c1.download_button(
        _("Download CSV"),
        lambda: to_csv_bytes(df),  # built when clicked, as the Excel file is
        file_name=f"{name}.csv",
        mime="text/csv",
        key=f"{key}_csv",
        icon=":material/download:",
    )
    c2.download_button(
        _("Download Excel"),
        # built when clicked, not on every page run (under cProfile in AppTest 0.16 s of Hiring analytics' 0.22 s)
        lambda: to_excel_bytes(df, sheet_name=name),
        file_name=f"{name}.xlsx",
        mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        key=f"{key}_xlsx",
        icon=":material/table:",
    )


@st.cache_resource(show_spinner=False)
def _model_libraries_import() -> threading.Thread:
    from hr_core.ml.match import import_model_libraries

    thread = threading.Thread(target=import_model_libraries, name="hr-import-model-libraries", daemon=True)
    thread.start()
    return thread


def start_importing_model_libraries() -> threading.Thread:
    """Import the match model's libraries once per server process, in the background, so the first page that
    loads the model does not wait for them (a page that needs them first waits on Python's import lock)."""
    return _model_libraries_import()


@st.cache_resource(show_spinner="Loading the match model…", max_entries=2)
def _match_model(models_dir: str, sha256: str) -> MatchModel:
    from hr_core.ml import match

    return match.load_match_model()


def get_match_model(sha256: str) -> MatchModel:
    """The verified match model, shared across sessions; keyed by its hash so a retrain loads the new one."""
    return _match_model(str(get_settings().models_dir), sha256)


@st.cache_resource(show_spinner=False, max_entries=2)
def _indexes(models_dir: str, built_at: str) -> dict[Kind, VectorIndex]:
    from hr_core.ml import recommend

    return {kind: recommend.open_index(kind) for kind in recommend.KINDS}


def get_indexes(built_at: str | None) -> dict[Kind, VectorIndex]:
    """Both verified recommendation indexes, shared across sessions; keyed by their build time so a rebuild
    reopens them."""
    with st.spinner(_("Opening the indexes…")):
        return _indexes(str(get_settings().models_dir), str(built_at))


def clear_indexes() -> None:
    """Drop the opened indexes (after a rebuild)."""
    _indexes.clear()


@st.cache_data(show_spinner=False, ttl=300)
def _pair_choices(db_url: str) -> tuple[dict[str, str], dict[str, str]]:
    from hr_core.ml.data import list_pair_choices

    return list_pair_choices(get_engine())


def get_pair_choices() -> tuple[dict[str, str], dict[str, str]]:
    """Candidate and opening labels for the searchable pickers (cached for five minutes)."""
    return _pair_choices(get_settings().database_url)


def render_funnel(funnel: pd.DataFrame, *, title: str, key: str) -> None:
    """A funnel of prospects who reached each progressive stage, beside its table with conversions."""
    import plotly.express as px

    from hr_core.recruiting.stats import PROGRESSIVE

    funnel = funnel.assign(label=funnel["label"].map(_))
    flow = funnel[funnel["stage"].isin(PROGRESSIVE)]
    left, right = st.columns([3, 2])
    fig = px.funnel(
        flow, x="reached", y="label", title=title, labels={"reached": _("Reached"), "label": _("Stage")}
    )
    left.plotly_chart(fig, key=f"{key}_chart")
    table = funnel.assign(conversion=funnel["conversion"].map(lambda v: "" if pd.isna(v) else f"{v:.1%}"))
    right.dataframe(
        table[["label", "at_stage", "reached", "conversion"]],
        hide_index=True,
        key=f"{key}_table",
        column_config={
            "label": _("Stage"),
            "at_stage": _("Now at stage"),
            "reached": _("Reached"),
            "conversion": st.column_config.TextColumn(
                _("Conversion"), help=_("Reached ÷ reached the stage before")
            ),
        },
    )


JOBS_SEEN_KEY = "jobs_seen"  # ids of finished jobs whose on_success already ran in this session


def start_job(state_key: str, kind: str, params: dict[str, Any] | None = None) -> None:
    """Submit long work as a job and remember its id under state_key; follow_job shows it."""
    actor = current_actor()
    try:
        job = submit_job(engine=get_engine(), actor=actor, kind=kind, params=params or {})  # type: ignore[arg-type]
    except HRCoreError as e:
        show_error(e)
        return
    st.session_state[state_key] = job.id


def follow_job(state_key: str, *, on_success: Callable[[JobInfo], None] | None = None) -> JobInfo | None:
    """Show the job remembered under state_key: live progress while it runs, then its outcome.

    on_success runs once per finished job (e.g. to clear caches and say what it made).
    """
    job_id = st.session_state.get(state_key)
    if job_id is None:
        return None
    try:
        job = get_job(engine=get_engine(), actor=current_actor(), job_id=job_id)  # type: ignore[arg-type]
    except HRCoreError as e:
        show_error(e)
        return None
    if not job.done:
        _job_progress(job_id)
    elif job.state == JobState.FAILED:
        st.error(_("The job failed: {error}").format(error=job.error), icon=":material/error:")
    elif on_success is not None:
        seen: set[int] = st.session_state.setdefault(JOBS_SEEN_KEY, set())
        if job.id not in seen:
            seen.add(job.id)
            on_success(job)
    return job


@st.fragment(run_every=1.0)
def _job_progress(job_id: int) -> None:
    """A progress bar read from the job's record every second; the whole page reruns when it ends."""
    try:
        job = get_job(engine=get_engine(), actor=current_actor(), job_id=job_id)  # type: ignore[arg-type]
    except HRCoreError as e:
        show_error(e)
        return
    if job.done:
        st.rerun(scope="app")
    label = _("Queued, waiting for a worker…") if job.state == JobState.QUEUED else job.message
    st.progress(min(max(job.progress, 0.0), 1.0), text=label)


class ProgressBar:
    """A progress bar on the page that is also the hr_core Progress callback moving it (the one adapter)."""

    def __init__(self, label: str = "Starting…") -> None:
        self._bar = st.progress(0.0, text=label)

    def __call__(self, fraction: float, message: str) -> None:
        self._bar.progress(max(0.0, min(1.0, fraction)), text=message)

    def clear(self) -> None:
        self._bar.empty()


def progress_bar(label: str = "Starting…") -> ProgressBar:
    """Show a progress bar; pass the result wherever hr_core takes a Progress."""
    return ProgressBar(label)


@st.fragment(run_every=2)
def show_index_build_progress() -> None:
    """While the recommendation indexes are being built: a progress bar that refreshes every 2 seconds."""
    from hr_core.ml.build_status import get_build_status

    status = get_build_status()
    if status.running:
        st.progress(status.fraction, text=f"Index being built: {status.percent} % — {status.message}")
    elif st.session_state.pop("index_build_seen", False):
        st.rerun(scope="app")  # the build just ended: show the page with the new indexes
    if status.running:
        st.session_state["index_build_seen"] = True
