"""TalentLens router: log-in, the sidebar (who, role, log-out), and the pages this role may use."""

import contextlib
import json
import re
import sys

import streamlit as st
from pydantic import ValidationError
from sqlalchemy import Engine

from hr_core.access import Action, Actor, may
from hr_core.auth import (
    COOKIE_NAME,
    SessionEnded,
    authenticate,
    change_own_password,
    count_users,
    end_sessions,
    get_user_locale,
    make_session_token,
    read_session_token,
    resolve_cookie_key,
    resume_session,
    set_user_locale,
)
from hr_core.errors import HRCoreError
from hr_core.i18n import LOCALE_NAMES, LOCALES, ROLE_LABELS
from hr_core.settings import Settings, get_settings
from pages._menu import PAGES, may_see
from pages._shared import (
    ACTOR_KEY,
    LOCALE_KEY,
    SESSION_VERSION_KEY,
    _,
    current_actor,
    current_locale,
    get_engine,
    safe_text,
    show_error,
    start_importing_model_libraries,
)

# The account whose stored language this session has loaded (so a picker choice is not overwritten).
LOCALE_OWNER_KEY = "locale_owner"
# Why the last log-in attempt failed, shown until the next attempt.
LOGIN_ERROR_KEY = "login_error"
# Set when this tab logged out (or its session ended): the cookie the tab connected with is not used
# again, and the page tells the browser to drop it.
LOGGED_OUT_KEY = "logged_out"
# What a signed session token is made of (a JWT: base64url parts joined by dots).
_TOKEN_CHARS = re.compile(r"[A-Za-z0-9_.-]+")

st.set_page_config(page_title="TalentLens", page_icon=":material/diversity_3:", layout="wide")


@st.cache_resource(show_spinner=False)
def _random_cookie_key() -> str:
    """One random cookie key per server run (development only); log-ins do not survive a restart."""
    print("TalentLens: HR_COOKIE_KEY is not set; using a random cookie key for this run.", file=sys.stderr)
    return resolve_cookie_key().value


def _cookie_key(settings: Settings) -> str:
    key = resolve_cookie_key(settings) if settings.cookie_key else None
    # Without HR_COOKIE_KEY (development), the notice goes to the server log, not to users.
    return key.value if key else _random_cookie_key()


def _login_screen() -> None:
    """Placeholder page of the logged-out navigation; Home.py itself renders the log-in form."""


def _forget_login() -> None:
    for key in (ACTOR_KEY, SESSION_VERSION_KEY, LOCALE_OWNER_KEY):
        st.session_state.pop(key, None)
    st.session_state[LOGGED_OUT_KEY] = True


def _set_session_cookie(token: str | None, days: float) -> None:
    """Store (or, with None, drop) the signed session cookie in this browser.

    A few lines of script in the page itself, not a component: nothing answers back, so no extra script run.
    SameSite=Strict, Secure over HTTPS; the page sets it, so it cannot be HttpOnly. The signature, expiry and
    session version are checked on the server whenever it is used."""
    if token is not None and not _TOKEN_CHARS.fullmatch(token):
        raise ValueError("a session token holds only base64url characters and dots")
    max_age = int(days * 86400) if token else 0
    cookie = f"{COOKIE_NAME}={token or ''}; Path=/; Max-Age={max_age}; SameSite=Strict"
    st.html(
        "<script>document.cookie = "
        f"{json.dumps(cookie)} + (location.protocol === 'https:' ? '; Secure' : '');</script>",
        unsafe_allow_javascript=True,
        width="content",
    )


def _load_locale(engine: Engine, actor: Actor) -> None:
    """Use the language this account chose, once per log-in (later picker choices win)."""
    if st.session_state.get(LOCALE_OWNER_KEY) == actor.username:
        return
    # The language is a convenience; a database error shows where it matters.
    with contextlib.suppress(HRCoreError):
        st.session_state[LOCALE_KEY] = get_user_locale(engine=engine, username=actor.username)
    st.session_state[LOCALE_OWNER_KEY] = actor.username


def _save_locale(key: str) -> None:
    """The picker's on_change: switch this session's language and remember it for the account."""
    chosen = st.session_state.get(key, current_locale())
    st.session_state[LOCALE_KEY] = chosen
    actor = current_actor()
    if actor is not None:
        try:
            set_user_locale(engine=get_engine(), actor=actor, locale=chosen)
        except HRCoreError as e:
            st.session_state["locale_error"] = str(e)


def _language_picker(key: str) -> None:
    """The language select box (the log-in screen and the sidebar each have their own key)."""
    st.session_state[key] = current_locale()
    st.selectbox(
        ":material/translate: " + _("Language"),
        LOCALES,
        format_func=LOCALE_NAMES.__getitem__,
        key=key,
        on_change=_save_locale,
        args=(key,),
    )
    if error := st.session_state.pop("locale_error", None):
        st.caption(error)


def _start_session(actor: Actor, version: int) -> None:
    st.session_state[ACTOR_KEY] = actor
    st.session_state[SESSION_VERSION_KEY] = version
    st.session_state.pop(LOGGED_OUT_KEY, None)


def _resume_from_cookie(engine: Engine, key: str) -> None:
    """Log in again from a still-valid signed cookie (a reload or a new tab).

    The browser sent the cookie when this tab connected, so the first script run reads it on the server."""
    token = st.context.cookies.get(COOKIE_NAME)
    claims = read_session_token(token, key=key) if token else None
    if claims is None or not isinstance(claims.get("sv"), int):
        return
    try:
        actor = resume_session(engine=engine, username=str(claims["username"]), session_version=claims["sv"])
    except SessionEnded:
        return
    except HRCoreError as e:
        show_error(e)
        st.stop()
    _start_session(actor, claims["sv"])


def _login_form(engine: Engine, settings: Settings, key: str) -> None:
    holder = st.empty()
    with holder.container():
        st.title("TalentLens")
        st.caption(_("Hiring analytics and recruiting, in one place. Please log in."))
        try:
            no_users = count_users(engine=engine) == 0
        except HRCoreError as e:
            show_error(e)
            st.info(_("The database must be reachable to log in. Ask an administrator, then reload."))
            st.stop()
        if no_users:
            st.warning(
                _(
                    "No users exist yet. An operator adds the first admin on the server with "
                    "`python -m hr_core users add NAME --role admin --generate`."
                ),
                icon=":material/person_add:",
            )
        with st.form("login_form", clear_on_submit=True):
            username = st.text_input(_("User name"), key="login_username", autocomplete="username")
            password = st.text_input(
                _("Password"), type="password", key="login_password", autocomplete="current-password"
            )
            submitted = st.form_submit_button(_("Log in"), key="login_submit", type="primary")
        if not submitted:
            # A rerun that lands right after a failed attempt (the language picker, a reconnect) must
            # not wipe the reason: it is kept until the next attempt.
            if reason := st.session_state.get(LOGIN_ERROR_KEY):
                st.error(reason, icon=":material/error:")
            st.stop()
        try:
            session = authenticate(engine=engine, username=username, password=password)
        except HRCoreError as e:
            st.session_state[LOGIN_ERROR_KEY] = safe_text(e)
            show_error(e)
            st.stop()
        st.session_state.pop(LOGIN_ERROR_KEY, None)
    holder.empty()
    _start_session(session.actor, session.session_version)
    _load_locale(engine, session.actor)
    token = make_session_token(
        username=session.actor.username,
        session_version=session.session_version,
        key=key,
        days=settings.session_days,
    )
    _set_session_cookie(token, settings.session_days)


def _sidebar(engine: Engine, actor: Actor) -> None:
    with st.sidebar:
        st.markdown(f":material/account_circle: **{actor.username}** · {_(ROLE_LABELS[actor.role])}")
        _language_picker("locale_picker")
        if st.button(_("Log out"), key="logout_button", icon=":material/logout:", use_container_width=True):
            try:
                end_sessions(engine=engine, actor=actor)
            except HRCoreError as e:
                show_error(e)
            _forget_login()
            st.rerun()
        with st.popover(_("Change password"), icon=":material/password:", use_container_width=True):
            with st.form("change_password_form", clear_on_submit=True):
                current = st.text_input(_("Current password"), type="password", key="pw_current")
                new = st.text_input(_("New password"), type="password", key="pw_new")
                repeat = st.text_input(_("Repeat the new password"), type="password", key="pw_repeat")
                change = st.form_submit_button(_("Change password"), key="pw_submit")
            if change:
                if new != repeat:
                    st.error(_("The two new passwords differ; nothing was changed."))
                else:
                    try:
                        change_own_password(
                            engine=engine, actor=actor, current_password=current, new_password=new
                        )
                    except HRCoreError as e:
                        show_error(e)
                    else:
                        _forget_login()
                        st.session_state["login_notice"] = _(
                            "Password changed; every session ended. Log in again."
                        )
                        st.rerun()


try:
    settings = get_settings()
except ValidationError as e:
    print(f"TalentLens: invalid settings: {e}", file=sys.stderr)
    st.error(
        _("TalentLens cannot start: the settings are invalid. {reason}").format(reason=e.errors()[0]["msg"]),
        icon=":material/block:",
    )
    st.stop()

try:
    engine = get_engine()
    cookie_key = _cookie_key(settings)
except HRCoreError as e:
    st.title("TalentLens")
    show_error(e)
    st.info(_("The database must be reachable to log in. Ask an administrator, then reload."))
    st.stop()

actor = current_actor()
if actor is not None and st.session_state.get(SESSION_VERSION_KEY) is not None:
    try:
        actor = resume_session(
            engine=engine, username=actor.username, session_version=st.session_state[SESSION_VERSION_KEY]
        )
    except SessionEnded as e:
        _forget_login()
        st.session_state["login_notice"] = str(e)
        actor = None
    except HRCoreError as e:
        show_error(e)
        st.stop()
if actor is None and not st.session_state.get(LOGGED_OUT_KEY):
    _resume_from_cookie(engine, cookie_key)
    actor = current_actor()
if actor is None:
    # Register a navigation with only the log-in screen, so Streamlit never falls back to listing
    # every file in pages/ for a visitor who has not logged in.
    st.navigation(
        [st.Page(_login_screen, title=_("Log in"), url_path="login", default=True)], position="hidden"
    )
    with st.sidebar:
        _language_picker("login_locale_picker")
    if st.session_state.get(LOGGED_OUT_KEY):
        _set_session_cookie(None, 0)
    if notice := st.session_state.pop("login_notice", None):
        st.info(notice, icon=":material/info:")
    _login_form(engine, settings, cookie_key)
    actor = current_actor()
    assert actor is not None

_load_locale(engine, actor)
_sidebar(engine, actor)
if may(actor.role, Action.MATCH_SCORE):
    start_importing_model_libraries()  # once per server process, while this user reads the first pages
# Every page is registered, so an address this role may not open reaches the page, whose guard
# (page_setup) says "You do not have access to …" instead of Streamlit's "Page not found";
# the menu lists only the pages the role may open.
sections: dict[str, list[st.Page]] = {}
for spec in PAGES:
    visible = may_see(actor.role, spec)
    sections.setdefault(_(spec.section), []).append(
        st.Page(
            spec.path,
            title=_(spec.title),
            icon=spec.icon,
            default=spec is PAGES[0],
            visibility="visible" if visible else "hidden",
        )
    )
# expanded: every page the role may open is listed (Streamlit otherwise folds long menus behind "View more").
st.navigation(sections, expanded=True).run()
