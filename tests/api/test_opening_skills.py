"""An opening's skill requirements over HTTP: read the extracted skills with their levels, set levels
(recruiters and admins, audited as recruiting.opening_skills); refusals and bad input are problems."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from hr_core.models import OpeningSkillRequirement
from tests.api.conftest import Api, assert_problem, audit_actions
from tests.factories import insert_recruiting_rows, make_planted_recommend_rows

URL = "/api/v1/recruiting/openings/{}/skills"


@pytest.fixture
def openings(api: Api) -> Api:
    candidates, vagas = make_planted_recommend_rows()
    rows = [{k: v for k, v in c.items() if k != "planted_vaga"} for c in candidates]
    insert_recruiting_rows(api.engine, candidates=rows, vagas=vagas, prospects=[])
    return api


def _saved(api: Api) -> list[tuple[str, str, str, str]]:
    t = OpeningSkillRequirement
    with api.engine.connect() as conn:
        rows = conn.execute(select(t.vaga_codigo, t.label, t.level, t.username).order_by(t.label)).all()
    return [tuple(r) for r in rows]


def test_a_recruiter_reads_and_sets_skill_levels(openings: Api) -> None:
    api = openings
    read = api.get(URL.format("RV00"), "recruiter")
    assert read.status_code == 200, read.text
    body = read.json()
    assert body["vaga"] == "RV00" and (body["required"], body["ignored"]) == ([], [])
    assert [(s["label"], s["level"]) for s in body["skills"]] == [
        ("django", "preferred"),
        ("docker", "preferred"),
        ("python", "preferred"),
        ("sql", "preferred"),
    ]
    terms = {s["label"]: s["term"] for s in body["skills"]}

    levels = {terms["python"]: "required", terms["docker"]: "ignored", terms["sql"]: "preferred"}
    saved = api.client.patch(URL.format("RV00"), headers=api.auth("recruiter"), json={"levels": levels})
    assert saved.status_code == 200, saved.text
    out = saved.json()
    assert (out["changed"], out["required"], out["ignored"]) == (2, ["python"], ["docker"])
    assert _saved(api) == [
        ("RV00", "docker", "ignored", "recruiter"),
        ("RV00", "python", "required", "recruiter"),
    ]
    again = api.get(URL.format("RV00"), "admin").json()
    assert [(s["label"], s["level"]) for s in again["skills"]] == [
        ("django", "preferred"),
        ("docker", "ignored"),
        ("python", "required"),
        ("sql", "preferred"),
    ]
    # An admin may too; back to preferred leaves no row (it is the default).
    back = api.client.patch(
        URL.format("RV00"), headers=api.auth("admin"), json={"levels": {terms["docker"]: "preferred"}}
    )
    assert back.status_code == 200 and back.json()["changed"] == 1 and back.json()["ignored"] == []
    assert _saved(api) == [("RV00", "python", "required", "recruiter")]
    assert audit_actions(api.engine, "recruiter")[-1] == ("recruiting.opening_skills", "ok")
    assert audit_actions(api.engine, "admin")[-1] == ("recruiting.opening_skills", "ok")


def test_refusals_and_bad_input_are_problems_and_save_nothing(openings: Api) -> None:
    api = openings
    terms = {s["label"]: s["term"] for s in api.get(URL.format("RV00"), "recruiter").json()["skills"]}

    def patch(role: str, body: object, code: str = "RV00") -> object:
        return api.client.patch(URL.format(code), headers=api.auth(role), json=body)

    assert_problem(api.get(URL.format("RV00"), "analyst"), 403)
    refused = assert_problem(patch("analyst", {"levels": {terms["python"]: "required"}}), 403)
    assert "set which skills an opening requires" in refused["detail"]
    assert audit_actions(api.engine, "analyst")[-1] == ("recruiting.opening_skills", "error")
    assert_problem(patch("recruiter", {"levels": {terms["python"]: "must"}}), 422)
    assert_problem(patch("recruiter", {"levels": {}}), 422)
    assert_problem(patch("recruiter", {"levels": {"": "required"}}), 422)
    assert_problem(patch("recruiter", {"python": "required"}), 422)
    unknown = assert_problem(patch("recruiter", {"levels": {"kotlin": "required"}}), 400)
    assert "'kotlin' is not a skill extracted from opening RV00" in unknown["detail"]
    missing = assert_problem(api.get(URL.format("NOPE"), "recruiter"), 404)
    assert "NOPE" in missing["detail"]
    assert_problem(patch("recruiter", {"levels": {terms["python"]: "required"}}, code="NOPE"), 404)
    assert _saved(api) == []
