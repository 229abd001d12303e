"""Log-in through Home.py in AppTest: anonymous sees only the form; roles get their pages; log-out, admin pages."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import pytest
from sqlalchemy import Engine
from streamlit.testing.v1 import AppTest

from hr_core.access import CLI_ACTOR, ROLES, Actor
from hr_core.audit import list_events, record_event
from hr_core.auth import (
    COOKIE_NAME,
    authenticate,
    end_sessions,
    get_user,
    get_user_locale,
    list_users,
    make_session_token,
    read_session_token,
    set_user_locale,
)
from hr_core.errors import InvalidInputError
from hr_core.settings import reset_settings
from pages._menu import PAGES, list_pages_for
from tests.factories import make_user

REPO = Path(__file__).resolve().parents[2]


@pytest.fixture(autouse=True)
def _fresh(monkeypatch: pytest.MonkeyPatch) -> None:
    import streamlit as st

    monkeypatch.setenv("HR_BCRYPT_ROUNDS", "4")
    reset_settings()
    st.cache_data.clear()
    st.cache_resource.clear()


def _home() -> AppTest:
    return AppTest.from_file(str(REPO / "Home.py"), default_timeout=120)


def _log_in(at: AppTest, username: str, password: str) -> AppTest:
    at.run()
    at.text_input(key="login_username").set_value(username)
    at.text_input(key="login_password").set_value(password)
    at.button(key="login_submit").click()
    return at.run()


def test_anonymous_gets_only_the_log_in_form(engine: Engine) -> None:
    at = _home().run()
    assert not at.exception
    assert [t.key for t in at.text_input] == ["login_username", "login_password"]
    # no navigation, no pages: only the language picker
    assert [w.key for w in at.sidebar.selectbox] == ["login_locale_picker"]
    assert len(at.sidebar.children) == 1
    assert any("No users exist yet" in w.value for w in at.warning)
    # the development cookie-key notice goes to the server log, not to users
    assert not any("cookie key" in m.value for m in (*at.info, *at.warning, *at.error))
    assert "actor" not in at.session_state


def test_wrong_password_is_refused_and_audited(engine: Engine) -> None:
    make_user(engine, username="ana")
    at = _log_in(_home(), "ana", "Not-The-Password-1")
    assert not at.exception
    assert [e.value for e in at.error] == ["wrong user name or password"]
    assert "actor" not in at.session_state
    assert get_user(engine=engine, actor=CLI_ACTOR, username="ana").failed_logins == 1
    assert list(list_events(engine, actor=CLI_ACTOR, action="auth.login")["outcome"]) == ["error"]
    at.run()  # a rerun with no new attempt (the cookie component reporting in) keeps the reason
    assert [e.value for e in at.error] == ["wrong user name or password"]
    assert get_user(engine=engine, actor=CLI_ACTOR, username="ana").failed_logins == 1


@pytest.mark.parametrize("role", ROLES)
def test_each_role_logs_in_and_sees_only_its_pages(engine: Engine, role: str) -> None:
    password = make_user(engine, username=f"u-{role}", role=role)
    at = _log_in(_home(), f"U-{role}", password)
    assert not at.exception, [e.value for e in at.exception]
    assert at.session_state["actor"] == Actor(username=f"u-{role}", role=role)  # type: ignore[arg-type]
    assert f"**u-{role}** · {role}" in at.sidebar.markdown[0].value
    allowed = {p.path for p in list_pages_for(role)}  # type: ignore[arg-type]
    for page in PAGES:
        if page.path not in allowed:
            # registered but hidden: its address says so instead of Streamlit's "Page not found"
            at.switch_page(page.path).run()
            assert not at.exception, [e.value for e in at.exception]
            assert [e.value for e in at.error] == [
                f"You do not have access to {page.title}; ask an administrator."
            ]


def test_the_language_is_remembered_per_account(engine: Engine) -> None:
    password = make_user(engine, username="lia", role="recruiter")
    at = _log_in(_home(), "lia", password)
    assert at.sidebar.selectbox(key="locale_picker").value == "en"
    at.sidebar.selectbox(key="locale_picker").set_value("pt_BR").run()
    assert not at.exception, [e.value for e in at.exception]
    assert get_user_locale(engine=engine, username="lia") == "pt_BR"
    again = _log_in(_home(), "lia", password)
    assert again.session_state["locale"] == "pt_BR"
    assert again.sidebar.button(key="logout_button").label == "Sair"
    with pytest.raises(InvalidInputError):
        set_user_locale(engine=engine, actor=Actor(username="lia", role="recruiter"), locale="fr")


def _cookie_script(at: AppTest) -> str:
    """The script the run put on the page to set or drop the session cookie ('' if none)."""
    bodies = [h.value for h in at.get("html") if "talentlens_session=" in h.value]
    assert len(bodies) <= 1, bodies
    return bodies[0] if bodies else ""


def _home_with_cookie(monkeypatch: pytest.MonkeyPatch, token: str) -> AppTest:
    """Home.py as a browser tab that connected with the session cookie (AppTest cannot seed cookies)."""
    from streamlit.runtime.context import ContextProxy, StreamlitCookies

    monkeypatch.setattr(
        ContextProxy, "cookies", property(lambda self: StreamlitCookies({COOKIE_NAME: token}))
    )
    return _home()


def test_log_in_takes_one_run_and_sets_a_signed_strict_cookie(
    engine: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("HR_COOKIE_KEY", "k" * 40)
    reset_settings()
    password = make_user(engine, username="ivo", role="recruiter")
    at = _log_in(_home(), "ivo", password)
    assert not at.exception, [e.value for e in at.exception]
    assert at.session_state["actor"] == Actor(username="ivo", role="recruiter")
    script = _cookie_script(at)
    token = re.search(r"talentlens_session=([^;]+);", script)
    assert token and "SameSite=Strict" in script and "Max-Age=86400" in script and "Secure" in script
    claims = read_session_token(token.group(1), key="k" * 40)
    assert claims is not None and claims["username"] == "ivo"
    assert claims["sv"] == at.session_state["session_version"]
    at.run()  # a later run of the logged-in tab does not set it again
    assert _cookie_script(at) == ""

    # A new tab (or a reload) that sends the cookie is logged in on its first run, with no form.
    tab = _home_with_cookie(monkeypatch, token.group(1)).run()
    assert not tab.exception, [e.value for e in tab.exception]
    assert tab.session_state["actor"] == Actor(username="ivo", role="recruiter")
    assert not [t for t in tab.text_input if t.key == "login_username"]

    # Once the session is ended (log-out elsewhere, password or role change), the cookie opens nothing.
    end_sessions(engine=engine, actor=Actor(username="ivo", role="recruiter"))
    tab = _home_with_cookie(monkeypatch, token.group(1)).run()
    assert not tab.exception
    assert "actor" not in tab.session_state
    assert [t.key for t in tab.text_input] == ["login_username", "login_password"]


@pytest.mark.parametrize("kind", ["other key", "expired", "tampered"])
def test_a_cookie_not_signed_by_us_or_expired_opens_nothing(
    engine: Engine, monkeypatch: pytest.MonkeyPatch, kind: str
) -> None:
    monkeypatch.setenv("HR_COOKIE_KEY", "k" * 40)
    reset_settings()
    make_user(engine, username="ivo", role="admin")
    when = dt.datetime.now(dt.UTC) - (dt.timedelta(days=2) if kind == "expired" else dt.timedelta(0))
    key = "x" * 40 if kind == "other key" else "k" * 40
    token = make_session_token(username="ivo", session_version=0, key=key, days=1, now=when)
    if kind == "tampered":
        token = make_session_token(username="root", session_version=0, key=key, days=1).rsplit(".", 1)[0]
        token += (
            "." + make_session_token(username="ivo", session_version=0, key=key, days=1).rsplit(".", 1)[1]
        )
    at = _home_with_cookie(monkeypatch, token).run()
    assert not at.exception, [e.value for e in at.exception]
    assert "actor" not in at.session_state
    assert [t.key for t in at.text_input] == ["login_username", "login_password"]


def test_a_session_ended_elsewhere_returns_to_the_log_in_form(engine: Engine) -> None:
    # AppTest reruns only the page once st.navigation is registered, so the Log out click itself is
    # driven in the real browser (test_e2e_browser.py); here another tab's log-out ends this session.
    password = make_user(engine, username="eva", role="admin")
    session = authenticate(engine=engine, username="eva", password=password)
    at = _home()
    at.session_state["actor"] = session.actor
    at.session_state["session_version"] = session.session_version
    at.run()
    assert not at.exception and at.sidebar.button(key="logout_button")
    end_sessions(engine=engine, actor=session.actor)
    again = _home()
    again.session_state["actor"] = session.actor
    again.session_state["session_version"] = session.session_version
    again.run()
    assert not again.exception
    assert "actor" not in again.session_state
    assert any("session has ended" in i.value for i in again.info)
    assert [t.key for t in again.text_input] == ["login_username", "login_password"]
    assert "Max-Age=0" in _cookie_script(again)  # the browser drops the cookie of the ended session
    assert list(list_events(engine, actor=CLI_ACTOR, action="auth.logout")["actor"]) == ["eva"]


def test_a_page_refuses_a_session_ended_elsewhere(engine: Engine) -> None:
    password = make_user(engine, username="rui", role="admin")
    session = authenticate(engine=engine, username="rui", password=password)
    at = AppTest.from_file(str(REPO / "pages/users.py"), default_timeout=120)
    at.session_state["actor"] = session.actor
    at.session_state["session_version"] = session.session_version
    at.run()
    assert not at.exception and at.title[0].value == "Users"
    end_sessions(engine=engine, actor=session.actor)
    at.run()
    assert not at.exception
    assert any("log in again" in w.value for w in at.warning)
    assert not at.title


def test_database_down_shows_a_clear_message(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HR_DATABASE_URL", "postgresql+psycopg://postgres@127.0.0.1:1/none")
    reset_settings()
    at = _home().run()
    assert not at.exception
    assert any("cannot reach the database" in e.value for e in at.error)
    assert not at.text_input


def test_production_without_a_cookie_key_refuses_to_start(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HR_ENV", "production")
    reset_settings()
    at = _home().run()
    assert not at.exception
    assert any("cannot start" in e.value and "HR_COOKIE_KEY" in e.value for e in at.error)
    assert not at.text_input


def _admin_page(path: str) -> AppTest:
    at = AppTest.from_file(str(REPO / path), default_timeout=120)
    at.session_state["actor"] = Actor(username="root", role="admin")
    return at


def test_users_page_adds_with_a_generated_password_shown_once(engine: Engine) -> None:
    at = _admin_page("pages/users.py").run()
    assert not at.exception
    assert any("No users yet" in i.value for i in at.info)
    at.text_input(key="users_add_name").set_value("Nina")
    at.selectbox(key="users_add_role").set_value("recruiter")
    at.button(key="users_add_submit").click()
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    password = at.code[0].value
    assert authenticate(engine=engine, username="nina", password=password).actor.role == "recruiter"
    at.run()
    assert not at.code  # shown once
    at.selectbox(key="users_role_user").set_value("nina")
    at.selectbox(key="users_role_role").set_value("analyst")
    at.button(key="users_role_submit").click()
    at.run()
    assert not at.exception
    assert [u.role for u in list_users(engine=engine, actor=CLI_ACTOR)] == ["analyst"]
    at.selectbox(key="users_status_user").set_value("nina")
    at.button(key="users_status_submit").click()
    at.run()
    assert get_user(engine=engine, actor=CLI_ACTOR, username="nina").disabled


def test_users_page_shows_a_weak_password_error(engine: Engine) -> None:
    at = _admin_page("pages/users.py").run()
    at.text_input(key="users_add_name").set_value("weak")
    at.text_input(key="users_add_password").set_value("short")
    at.button(key="users_add_submit").click()
    at.run()
    assert not at.exception
    assert any("too short" in e.value for e in at.error)


def test_audit_log_page_filters_and_exports(engine: Engine) -> None:
    record_event(
        engine, actor="ana", action="auth.login", outcome="error", details={"reason": "<script>x</script>"}
    )
    record_event(engine, actor="root", action="backup", outcome="ok", details={"tables": ["jobs"]})
    at = _admin_page("pages/audit_log.py").run()
    assert not at.exception, [e.value for e in at.exception]
    assert len(at.dataframe[0].value) == 2
    assert at.metric[2].value == "1"  # failed log-ins
    at.selectbox(key="audit_action").set_value("backup")
    at.run()
    assert list(at.dataframe[0].value["User"]) == ["root"]
    assert {b.proto.label for b in at.get("download_button")} >= {"Download CSV", "Download Excel"}


def test_audit_log_page_empty_state(engine: Engine) -> None:
    at = _admin_page("pages/audit_log.py").run()
    assert not at.exception
    assert any("No events match" in i.value for i in at.info)


def test_audit_log_page_in_portuguese(engine: Engine) -> None:
    record_event(engine, actor="ana", action="auth.login", outcome="error", details={})
    at = _admin_page("pages/audit_log.py")
    at.session_state["locale"] = "pt_BR"
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    assert at.title[0].value == "Registro de auditoria"
    assert [m.label for m in at.metric] == ["Eventos", "Erros", "Logins com falha"]
    table = at.dataframe[0].value
    assert list(table["Usuário"]) == ["ana"] and list(table["Resultado"]) == ["Falhou"]
    assert list(table["Ação"]) == ["Entrar"] and list(table["Código da ação"]) == ["auth.login"]


def test_users_page_in_spanish(engine: Engine) -> None:
    make_user(engine, username="nina", role="recruiter")
    at = _admin_page("pages/users.py")
    at.session_state["locale"] = "es"
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    assert at.title[0].value == "Usuarios"
    table = at.dataframe[0].value
    assert list(table["Rol"]) == ["reclutador"] and list(table["Situación"]) == ["activo"]
