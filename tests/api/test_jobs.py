"""Long work over HTTP: 202 with a job id, then state, progress and result; roles checked by hr_core."""

from __future__ import annotations

import time

from tests.api.conftest import Api, assert_problem


def _wait(api: Api, job_id: int, role: str) -> dict[str, object]:
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        job = api.get(f"/api/v1/jobs/{job_id}", role).json()
        if job["state"] in ("succeeded", "failed"):
            return job
        time.sleep(0.3)
    raise AssertionError(f"job {job_id} did not end: {job}")


def test_a_backup_job_is_accepted_then_followed_to_its_result(api: Api) -> None:
    api.post(
        "/api/v1/hr/batch",
        "analyst",
        json={"records": [{"table_name": "job", "data": [{"id": 1, "job": "A"}]}]},
    )
    response = api.post("/api/v1/backups/all", "admin")
    assert response.status_code == 202, response.text
    job = response.json()
    assert (
        job["state"] in ("queued", "running", "succeeded")
        and response.headers["location"] == f"/api/v1/jobs/{job['id']}"
    )
    done = _wait(api, job["id"], "admin")
    assert done["state"] == "succeeded", done
    tables = {b["table"]: b["rows"] for b in done["result"]["backups"]}  # type: ignore[index]
    assert tables["jobs"] == 1
    assert [j["id"] for j in api.get("/api/v1/jobs", "admin").json()] == [job["id"]]
    assert api.get("/api/v1/jobs", "analyst").json() == []
    assert_problem(api.get(f"/api/v1/jobs/{job['id']}", "analyst"), 404)


def test_jobs_refuse_roles_and_unknown_ids(api: Api) -> None:
    assert_problem(api.post("/api/v1/backups/all", "analyst"), 403)
    assert_problem(api.post("/api/v1/model/train", "recruiter"), 403)
    assert_problem(api.get("/api/v1/jobs/999", "admin"), 404)
    assert_problem(api.get("/api/v1/jobs/x", "admin"), 422)
