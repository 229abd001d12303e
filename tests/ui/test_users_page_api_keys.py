"""The Users page lists API keys, makes one (shown once) and revokes it."""

from __future__ import annotations

from pathlib import Path

from streamlit.testing.v1 import AppTest

from hr_core.access import CLI_ACTOR, Actor
from hr_core.auth import create_user
from hr_core.auth.tokens import list_api_keys
from hr_core.db import init_db, make_engine
from hr_core.settings import get_settings

REPO = Path(__file__).resolve().parents[2]


def test_admin_makes_and_revokes_an_api_key() -> None:
    engine = make_engine(get_settings().database_url)
    init_db(engine)
    create_user(
        engine=engine, actor=CLI_ACTOR, username="feeder", role="analyst", password="Tall-Quiet-Harbor-42"
    )
    at = AppTest.from_file(str(REPO / "pages/users.py"), default_timeout=120)
    at.session_state["actor"] = Actor(username="ui-admin", role="admin")
    at.run()
    assert not at.exception
    at.selectbox(key="users_api_key_user").select("feeder")
    at.button(key="users_api_key_submit").click()
    at.run()
    assert not at.exception
    shown = [c.value for c in at.code]
    assert any(v.startswith("tlk_") for v in shown)
    keys = list_api_keys(engine=engine, actor=CLI_ACTOR)
    assert [(k.username, k.active) for k in keys] == [("feeder", True)]
    at.run()
    assert not any(c.value.startswith("tlk_") for c in at.code)  # shown once
    at.selectbox(key="users_api_key_revoke_id").select(keys[0].id)
    at.button(key="users_api_key_revoke_submit").click()
    at.run()
    assert not at.exception
    assert not list_api_keys(engine=engine, actor=CLI_ACTOR)[0].active
    engine.dispose()


def test_the_api_key_section_says_where_the_api_is() -> None:
    engine = make_engine(get_settings().database_url)
    init_db(engine)
    create_user(
        engine=engine, actor=CLI_ACTOR, username="feeder", role="analyst", password="Tall-Quiet-Harbor-42"
    )
    engine.dispose()
    at = AppTest.from_file(str(REPO / "pages/users.py"), default_timeout=120)
    at.session_state["actor"] = Actor(username="ui-admin", role="admin")
    at.run()
    assert not at.exception
    assert any("http://127.0.0.1:8000/docs" in c.value and "api-key NAME" in c.value for c in at.caption)
