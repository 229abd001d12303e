"""The API under FastAPI's TestClient, on SQLite and PostgreSQL, with one user per role."""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine, func, select

from hr_api.app import create_app
from hr_core.access import CLI_ACTOR, ROLES
from hr_core.auth import create_user
from hr_core.models import AuditEvent
from hr_core.settings import reset_settings

DATA = Path(__file__).parent / "data"
PASSWORD = "Tall-Quiet-Harbor-42"
PROBLEM = "application/problem+json"


def seed_batch() -> dict[str, Any]:
    """The example batch of the replaced HR service's document (samples/seeds/000_…txt)."""
    return json.loads((DATA / "seed_batch.json").read_text(encoding="utf-8"))


def count(engine: Engine, model: Any) -> int:
    with engine.connect() as conn:
        return int(conn.execute(select(func.count()).select_from(model)).scalar_one())


def audit_actions(engine: Engine, actor: str) -> list[tuple[str, str]]:
    with engine.connect() as conn:
        rows = conn.execute(
            select(AuditEvent.action, AuditEvent.outcome)
            .where(AuditEvent.actor == actor)
            .order_by(AuditEvent.id)
        ).all()
    return [(r.action, r.outcome) for r in rows]


def assert_problem(response: Any, status: int) -> dict[str, Any]:
    """The answer is an RFC 9457 problem with that status, a title and a detail, and no traceback."""
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith(PROBLEM)
    body = response.json()
    assert body["status"] == status and body["title"] and body["detail"]
    assert "Traceback" not in response.text
    return body


@dataclass
class Api:
    """A TestClient on a fresh app with users analyst, recruiter and admin (password PASSWORD)."""

    client: TestClient
    engine: Engine
    tokens: dict[str, str] = field(default_factory=dict)

    def login(self, username: str, password: str = PASSWORD) -> Any:
        return self.client.post("/api/v1/auth/token", data={"username": username, "password": password})

    def auth(self, role: str) -> dict[str, str]:
        if role not in self.tokens:
            response = self.login(role)
            assert response.status_code == 200, response.text
            self.tokens[role] = response.json()["access_token"]
        return {"Authorization": f"Bearer {self.tokens[role]}"}

    def get(self, url: str, role: str, **kw: Any) -> Any:
        return self.client.get(url, headers={**self.auth(role), **kw.pop("headers", {})}, **kw)

    def post(self, url: str, role: str, **kw: Any) -> Any:
        return self.client.post(url, headers={**self.auth(role), **kw.pop("headers", {})}, **kw)


@pytest.fixture
def api(engine: Engine, monkeypatch: pytest.MonkeyPatch) -> Iterator[Api]:
    monkeypatch.setenv("HR_BCRYPT_ROUNDS", "4")
    reset_settings()
    for role in ROLES:
        create_user(engine=engine, actor=CLI_ACTOR, username=role, role=role, password=PASSWORD)
    with TestClient(create_app()) as client:
        yield Api(client, engine)
