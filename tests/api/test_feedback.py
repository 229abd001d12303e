"""Match feedback over HTTP: give a verdict, list them (all, by pair, latest only); roles and bad input."""

from __future__ import annotations

import pytest

from tests.api.conftest import Api, assert_problem, audit_actions
from tests.factories import insert_recruiting_rows, make_match_rows

URL = "/api/v1/ml/feedback"


@pytest.fixture
def rows(api: Api) -> Api:
    candidates, vagas, prospects = make_match_rows(seed=2, n_vagas=2, per_vaga=3)
    insert_recruiting_rows(api.engine, candidates=candidates, vagas=vagas, prospects=prospects)
    return api


def test_a_recruiter_gives_and_lists_feedback(rows: Api) -> None:
    api = rows
    given = api.post(URL, "recruiter", json={"candidate": "C000000", "vaga": "V0000", "verdict": "good"})
    assert given.status_code == 201, given.text
    first = given.json()
    assert {k: first[k] for k in ("candidate", "vaga", "verdict", "reason", "source", "username")} == {
        "candidate": "C000000",
        "vaga": "V0000",
        "verdict": "good",
        "reason": "",
        "source": "api",
        "username": "recruiter",
    }
    body = {"candidate": "C000000", "vaga": "V0000", "verdict": "wrong", "reason": "no Kotlin"}
    second = api.post(URL, "admin", json=body).json()
    api.post(URL, "recruiter", json={"candidate": "C000101", "vaga": "V0001", "verdict": "good"})

    listed = api.get(URL, "recruiter").json()
    assert listed["count"] == 3 and listed["feedback"][1]["id"] == second["id"]
    pair = api.get(URL, "recruiter", params={"candidate": "C000000", "vaga": "V0000"}).json()
    assert [f["verdict"] for f in pair["feedback"]] == ["wrong", "good"]
    latest = api.get(URL, "recruiter", params={"candidate": "C000000", "latest": "true"}).json()
    assert [(f["verdict"], f["reason"], f["username"]) for f in latest["feedback"]] == [
        ("wrong", "no Kotlin", "admin")
    ]
    assert api.get(URL, "recruiter", params={"verdict": "good", "limit": 1}).json()["count"] == 1
    assert audit_actions(api.engine, "recruiter")[-2:] == [("ml.feedback", "ok"), ("ml.feedback", "ok")]


def test_refusals_and_bad_input_are_problems(rows: Api) -> None:
    api = rows
    good = {"candidate": "C000000", "vaga": "V0000", "verdict": "good"}
    assert_problem(api.post(URL, "analyst", json=good), 403)
    assert_problem(api.get(URL, "analyst"), 403)
    assert audit_actions(api.engine, "analyst")[-1] == ("ml.feedback", "error")
    assert_problem(api.post(URL, "recruiter", json={**good, "verdict": "maybe"}), 422)
    assert_problem(api.post(URL, "recruiter", json={**good, "reason": "x" * 1001}), 422)
    assert_problem(api.get(URL, "recruiter", params={"verdict": "fine"}), 422)
    missing = assert_problem(api.post(URL, "recruiter", json={**good, "candidate": "nobody"}), 404)
    assert "'nobody'" in missing["detail"]
    assert api.get(URL, "recruiter").json() == {"count": 0, "feedback": []}
