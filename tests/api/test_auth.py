"""Tokens and API keys: log-in, lock-out, session ends, revocation, audit; health needs none."""

from __future__ import annotations

from hr_core.access import CLI_ACTOR, Action
from hr_core.auth import disable_user, set_role
from hr_core.auth.tokens import create_api_key, revoke_api_key
from tests.api.conftest import PASSWORD, Api, assert_problem, audit_actions


def test_health_needs_no_token_and_ready_checks_database_and_storage(api: Api) -> None:
    assert api.client.get("/healthz").json() == {"status": "ok"}
    assert api.client.get("/readyz").json() == {"status": "ok", "database": "ok", "storage": "ok"}


def test_token_gives_the_users_role_and_every_other_route_needs_one(api: Api) -> None:
    response = api.login("analyst")
    assert response.status_code == 200
    token = response.json()
    assert token["token_type"] == "bearer" and token["role"] == "analyst"
    me = api.client.get("/api/v1/auth/me", headers={"Authorization": f"Bearer {token['access_token']}"})
    assert me.json() == {"username": "analyst", "role": "analyst"}
    for url in ("/api/v1/auth/me", "/api/v1/hr/jobs", "/api/v1/reports/hires-by-quarter?year=2021"):
        body = assert_problem(api.client.get(url), 401)
        assert "Bearer" in body["detail"]
    assert_problem(api.client.get("/api/v1/hr/jobs", headers={"Authorization": "Bearer nonsense"}), 401)


def test_wrong_passwords_count_toward_the_lock_out(api: Api) -> None:
    for _ in range(5):
        assert_problem(api.login("analyst", "Wrong-Password-123"), 401)
    body = assert_problem(api.login("analyst", PASSWORD), 401)
    assert "locked" in body["detail"]
    assert (Action.AUTH_LOGIN.value, "error") in audit_actions(api.engine, "analyst")


def test_logout_role_change_and_disabling_end_tokens(api: Api) -> None:
    headers = api.auth("analyst")
    assert api.client.post("/api/v1/auth/logout", headers=headers).json()["ended"] is True
    assert_problem(api.client.get("/api/v1/auth/me", headers=headers), 401)
    api.tokens.clear()
    headers = api.auth("analyst")
    set_role(engine=api.engine, actor=CLI_ACTOR, username="analyst", role="recruiter")
    assert_problem(api.client.get("/api/v1/auth/me", headers=headers), 401)
    api.tokens.clear()
    assert api.get("/api/v1/auth/me", "analyst").json()["role"] == "recruiter"
    disable_user(engine=api.engine, actor=CLI_ACTOR, username="analyst")
    assert_problem(api.get("/api/v1/auth/me", "analyst"), 401)
    assert_problem(api.login("analyst"), 401)


def test_api_keys_act_as_their_user_are_audited_and_revocable(api: Api) -> None:
    new = create_api_key(engine=api.engine, actor=CLI_ACTOR, username="analyst")
    assert new.key.startswith("tlk_")
    for headers in ({"X-API-Key": new.key}, {"Authorization": f"Bearer {new.key}"}):
        assert api.client.get("/api/v1/auth/me", headers=headers).json() == {
            "username": "analyst",
            "role": "analyst",
        }
    assert audit_actions(api.engine, "analyst").count((Action.AUTH_API_KEY_USE.value, "ok")) == 2
    revoke_api_key(engine=api.engine, actor=CLI_ACTOR, key_id=new.info.id)
    assert_problem(api.client.get("/api/v1/auth/me", headers={"X-API-Key": new.key}), 401)
    assert_problem(api.client.get("/api/v1/auth/me", headers={"X-API-Key": "tlk_guess"}), 401)
