"""CORS only when configured; database down → 503 problem; a wrong Content-Length claim → 413 before reading."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from hr_api.app import create_app
from hr_core.settings import reset_settings
from tests.api.conftest import assert_problem

ORIGIN = "https://hris.example.com"


def test_cors_is_off_unless_origins_are_set(monkeypatch: pytest.MonkeyPatch) -> None:
    plain = TestClient(create_app()).options(
        "/api/v1/hr/jobs", headers={"Origin": ORIGIN, "Access-Control-Request-Method": "GET"}
    )
    assert "access-control-allow-origin" not in plain.headers
    monkeypatch.setenv("HR_API_CORS_ORIGINS", f"{ORIGIN}, https://bi.example.com")
    reset_settings()
    allowed = TestClient(create_app()).options(
        "/api/v1/hr/jobs", headers={"Origin": ORIGIN, "Access-Control-Request-Method": "GET"}
    )
    assert allowed.headers["access-control-allow-origin"] == ORIGIN


def test_an_unreachable_database_is_a_503_problem(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HR_DATABASE_URL", "postgresql://nobody@127.0.0.1:1/none")
    reset_settings()
    client = TestClient(create_app())
    assert client.get("/healthz").status_code == 200
    assert_problem(client.get("/readyz"), 503)
    token = client.post("/api/v1/auth/token", data={"username": "ana", "password": "Whatever-123!"})
    assert_problem(token, 503)


def test_a_declared_oversized_body_is_refused_unread(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HR_UPLOAD_LIMIT_MB", "1")
    reset_settings()
    client = TestClient(create_app())
    response = client.post(
        "/api/v1/hr/batch",
        content=b"x" * 10,
        headers={"Content-Length": str(5 * 1024 * 1024), "Content-Type": "application/json"},
    )
    assert_problem(response, 413)
