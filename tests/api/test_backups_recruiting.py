"""Backups (admins) and recruiting writes over HTTP; imports and exports go by storage key, as jobs."""

from __future__ import annotations

from pathlib import Path

from hr_core.models import Candidate, Job, OpeningSkillRequirement
from hr_core.storage import make_storage
from tests.api.conftest import Api, assert_problem, count
from tests.api.test_jobs import _wait

JOBS = {"records": [{"table_name": "job", "data": [{"id": i, "job": f"J{i}"} for i in (1, 2)]}]}


def test_admin_backs_up_restores_and_prunes(api: Api) -> None:
    api.post("/api/v1/hr/batch", "analyst", json=JOBS)
    assert_problem(api.post("/api/v1/backups", "analyst", json={"table": "jobs"}), 403)
    made = api.post("/api/v1/backups", "admin", json={"table": "jobs"}).json()
    assert made["rows"] == 2
    api.post(
        "/api/v1/hr/batch",
        "analyst",
        json={"records": [{"table_name": "job", "data": [{"id": 3, "job": "J3"}]}]},
    )
    restored = api.post(f"/api/v1/backups/jobs/{made['backup_id']}/restore", "admin").json()
    assert (restored["rows"], restored["verified"]) == (2, True)
    assert count(api.engine, Job) == 2
    assert_problem(api.post("/api/v1/backups/jobs/20990101T000000Z-nope/restore", "admin"), 400)
    assert_problem(api.post("/api/v1/backups", "admin", json={"table": "users"}), 400)
    pruned = api.post("/api/v1/backups/prune?keep=1", "admin").json()
    assert pruned["keep_per_table"] == 1 and len(pruned["deleted"]) == 1
    assert_problem(api.post("/api/v1/backups/prune?keep=0", "admin"), 422)


def test_recruiters_create_and_update_candidates(api: Api) -> None:
    body = {"codigo": "c-1", "nome": "Ana Lima", "email": "ana@example.com", "nivel_ingles": "Avançado"}
    assert_problem(api.post("/api/v1/recruiting/candidates", "analyst", json=body), 403)
    assert api.post("/api/v1/recruiting/candidates", "recruiter", json=body).json() == {
        "codigo": "c-1",
        "created": True,
    }
    updated = api.client.put(
        "/api/v1/recruiting/candidates/c-1", headers=api.auth("recruiter"), json={"nome": "Ana L."}
    )
    assert updated.json() == {"codigo": "c-1", "created": False}
    bad = api.post(
        "/api/v1/recruiting/candidates", "recruiter", json={**body, "codigo": "c-2", "email": "nope"}
    )
    assert "not an e-mail" in assert_problem(bad, 400)["detail"]
    assert count(api.engine, Candidate) == 1


def test_import_and_export_by_storage_key_as_jobs(api: Api, shared_data: Path) -> None:
    storage = make_storage()
    storage.put_file("in/applicants.json", shared_data / "decision" / "applicants.json")
    response = api.post("/api/v1/recruiting/import", "recruiter", json={"applicants": "in/applicants.json"})
    assert response.status_code == 202, response.text
    done = _wait(api, response.json()["id"], "recruiter")
    assert done["state"] == "succeeded", done
    assert count(api.engine, Candidate) == 500
    assert_problem(
        api.post("/api/v1/recruiting/import", "recruiter", json={"applicants": "../etc/passwd"}), 400
    )
    assert_problem(
        api.post("/api/v1/recruiting/import", "recruiter", json={"applicants": "/etc/passwd"}), 400
    )
    exported = api.post("/api/v1/recruiting/export", "recruiter", json={"prefix": "out/today"})
    assert _wait(api, exported.json()["id"], "recruiter")["state"] == "succeeded"
    assert storage.exists("out/today/applicants.json")


def test_an_exports_skill_levels_and_feedback_import_back_as_a_job(api: Api) -> None:
    storage = make_storage()
    levels = (
        "vaga,term,label,level,username,updated_at\r\nV1,python,python,required,rita,2026-11-30T09:00:00Z\r\n"
    )
    verdicts = (
        "id,candidate,vaga,verdict,reason,source,username,created_at\r\n"
        "3,C1,V1,wrong,'=no Kotlin,api,rita,2026-11-30T09:00:00+00:00\r\n"
    )
    storage.put_bytes("in/opening_skill_requirements.csv", levels.encode())
    storage.put_bytes("in/match_feedback.csv", verdicts.encode())
    body = {"requirements": "in/opening_skill_requirements.csv", "feedback": "in/match_feedback.csv"}
    done = _wait(api, api.post("/api/v1/recruiting/import", "recruiter", json=body).json()["id"], "recruiter")
    assert done["state"] == "succeeded", done
    assert done["result"]["opening_skill_requirements"] == {"inserted": 1, "updated": 0, "unchanged": 0}
    assert done["result"]["match_feedback"] == {"inserted": 1, "updated": 0, "unchanged": 0}
    feedback = api.get("/api/v1/ml/feedback", "recruiter").json()["feedback"]
    assert [(f["candidate"], f["reason"], f["source"]) for f in feedback] == [("C1", "=no Kotlin", "api")]

    storage.put_bytes("in/bad.csv", levels.replace("required", "must").encode())
    failed = _wait(
        api,
        api.post("/api/v1/recruiting/import", "recruiter", json={"requirements": "in/bad.csv"}).json()["id"],
        "recruiter",
    )
    assert failed["state"] == "failed" and "line 2: field level, value 'must'" in failed["error"], failed
    assert count(api.engine, OpeningSkillRequirement) == 1
    assert api.get("/api/v1/recruiting/openings/V1/skills", "analyst").status_code == 403
