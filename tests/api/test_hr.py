"""HR data over HTTP: batches (all or nothing, partial), files, paginated reads, limits, roles."""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

import pytest

from hr_core.models import Department, HiredEmployee, Job
from hr_core.settings import reset_settings
from tests.api.conftest import Api, assert_problem, count, seed_batch

JOB_3 = {"records": [{"table_name": "job", "data": [{"job_id": 3, "job": "Engineer"}]}]}


def _employees(n: int) -> dict[str, object]:
    rows = [
        {"name": f"E{i}", "datetime": "2021-03-01T10:00:00Z", "department_id": 1, "job_id": 1}
        for i in range(n)
    ]
    return {
        "records": [
            {"table_name": "department", "data": [{"id": 1, "department": "Ops"}]},
            {"table_name": "job", "data": [{"id": 1, "job": "Clerk"}]},
            {"table_name": "employee", "data": rows},
        ]
    }


def test_the_seed_example_batch_loads_whole(api: Api) -> None:
    assert api.post("/api/v1/hr/batch", "analyst", json=JOB_3).status_code == 200
    response = api.post("/api/v1/hr/batch", "analyst", json=seed_batch())
    assert response.status_code == 200, response.text
    got = {r["table"]: (r["inserted"], r["rejected"]) for r in response.json()["results"]}
    assert got == {"departments": (1, 0), "hired_employees": (2, 0)}
    page = api.get("/api/v1/hr/hired_employees", "analyst").json()
    assert [(e["id"], e["name"], e["department_id"], e["job_id"]) for e in page["items"]] == [
        (1, "John", 2, 3),
        (2, "Jane", 2, 3),
    ]


def test_a_rejected_row_writes_nothing_and_lists_every_reason(api: Api) -> None:
    batch = _employees(3)
    batch["records"][2]["data"][1] = {"name": "", "datetime": "not a date", "department_id": 9, "job_id": 1}  # type: ignore[index]
    body = assert_problem(api.post("/api/v1/hr/batch", "analyst", json=batch), 422)
    assert body["errors"][0]["table"] == "hired_employees" and body["errors"][0]["line"] == 2
    reasons = " ".join(body["errors"][0]["reasons"])
    assert "name is empty" in reasons and "department_id 9" in reasons
    assert (count(api.engine, Department), count(api.engine, HiredEmployee)) == (0, 0)
    partial = api.post("/api/v1/hr/batch?partial=true", "analyst", json=batch)
    assert partial.status_code == 200
    assert partial.json()["results"][2]["rejected"] == 1
    assert count(api.engine, HiredEmployee) == 2


def test_a_batch_of_1000_rows_is_accepted_and_1001_refused(api: Api) -> None:
    assert_problem(api.post("/api/v1/hr/batch", "analyst", json=_employees(1001)), 422)
    assert count(api.engine, HiredEmployee) == 0
    response = api.post("/api/v1/hr/batch", "analyst", json=_employees(1000))
    assert response.status_code == 200, response.text
    assert count(api.engine, HiredEmployee) == 1000


@pytest.mark.parametrize("role", ["recruiter"])
def test_roles_without_hr_load_are_refused_and_audited(api: Api, role: str) -> None:
    body = assert_problem(api.post("/api/v1/hr/batch", role, json=JOB_3), 403)
    assert "may not load HR data" in body["detail"]
    assert_problem(api.get("/api/v1/hr/jobs", role), 403)
    assert count(api.engine, Job) == 0
    assert api.post("/api/v1/hr/batch", "admin", json=JOB_3).status_code == 200


def test_bad_bodies_are_problems_not_crashes(api: Api) -> None:
    for body in ({"records": []}, {"records": [{"table_name": "salary", "data": [{}]}]}, [1, 2]):
        assert_problem(api.post("/api/v1/hr/batch", "analyst", json=body), 422)
    assert_problem(
        api.post(
            "/api/v1/hr/batch", "analyst", content=b"{not json", headers={"content-type": "application/json"}
        ),
        422,
    )
    assert count(api.engine, Department) == 0


def test_files_load_with_the_same_rules_as_the_cli(api: Api, shared_data: Path) -> None:
    for table in ("departments", "jobs", "hired_employees"):
        data = (shared_data / "globant" / f"{table}.csv").read_bytes()
        response = api.post(
            f"/api/v1/hr/{table}/files", "analyst", files={"file": (f"{table}.csv", data, "text/csv")}
        )
        assert response.status_code == 200, response.text
    result = response.json()
    assert (result["inserted"], result["rejected"]) == (1929, 70)
    assert len(result["rejected_rows"]) == 70 and result["rejects_key"].startswith("rejects/")
    bad = api.post(
        "/api/v1/hr/jobs/files", "analyst", files={"file": ("jobs.xlsx", b"PK\x03\x04", "application/zip")}
    )
    assert "unsupported file type" in assert_problem(bad, 400)["detail"]


def test_pages_have_edges(api: Api) -> None:
    api.post(
        "/api/v1/hr/batch",
        "analyst",
        json={"records": [{"table_name": "job", "data": [{"id": i, "job": f"J{i}"} for i in range(1, 8)]}]},
    )
    page = api.get("/api/v1/hr/jobs?offset=5&limit=5", "analyst").json()
    assert (page["total"], [j["id"] for j in page["items"]]) == (7, [6, 7])
    assert api.get("/api/v1/hr/jobs?offset=7", "analyst").json()["items"] == []
    assert len(api.get("/api/v1/hr/jobs?limit=500", "analyst").json()["items"]) == 7
    for query in ("limit=0", "limit=501", "offset=-1", "limit=x"):
        assert_problem(api.get(f"/api/v1/hr/jobs?{query}", "analyst"), 422)
    assert_problem(api.get("/api/v1/hr/salaries", "analyst"), 422)


def test_bodies_over_the_upload_limit_get_413(api: Api, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HR_UPLOAD_LIMIT_MB", "1")
    reset_settings()
    big = io.BytesIO(b"1,Dept\n" * 200_000)
    response = api.post(
        "/api/v1/hr/departments/files", "analyst", files={"file": ("departments.csv", big, "text/csv")}
    )
    assert "HR_UPLOAD_LIMIT_MB" in assert_problem(response, 413)["detail"]
    assert count(api.engine, Department) == 0


def _department_names(api: Api) -> dict[int, str]:
    items = api.get("/api/v1/hr/departments", "analyst").json()["items"]
    return {d["id"]: d["department"] for d in items}


def test_mode_add_only_skips_existing_ids_for_files_and_batches(api: Api) -> None:
    def upload(text: str, query: str = "") -> Any:
        files = {"file": ("departments.csv", text.encode(), "text/csv")}
        return api.post(f"/api/v1/hr/departments/files{query}", "analyst", files=files)

    assert upload("1,Ops\n2,Sales\n").status_code == 200
    added = upload("1,Operations\n3,Legal\n", "?mode=add-only")
    assert added.status_code == 200, added.text
    body = added.json()
    assert (body["mode"], body["inserted"], body["updated"], body["skipped"], body["rejected"]) == (
        "add-only",
        1,
        0,
        1,
        0,
    )
    assert _department_names(api) == {1: "Ops", 2: "Sales", 3: "Legal"}

    batch = {
        "records": [
            {
                "table_name": "department",
                "data": [{"id": 2, "department": "Revenue"}, {"id": 4, "department": "HR"}],
            }
        ]
    }
    response = api.post("/api/v1/hr/batch?mode=add-only", "analyst", json=batch)
    assert response.status_code == 200, response.text
    [result] = response.json()["results"]
    assert (result["inserted"], result["skipped"]) == (1, 1)
    assert _department_names(api)[2] == "Sales"

    # Adding and updating (the default, and what /compat/upload always does) swaps names between ids.
    swapped = upload("1,Sales\n2,Ops\n")
    assert (swapped.json()["mode"], swapped.json()["updated"], swapped.json()["skipped"]) == (
        "add-and-update",
        2,
        0,
    )
    compat = api.post("/compat/upload", "analyst", json=batch)
    assert compat.status_code == 200, compat.text
    assert _department_names(api) == {1: "Sales", 2: "Revenue", 3: "Legal", 4: "HR"}

    assert_problem(upload("5,Board\n", "?mode=replace"), 422)
    assert 5 not in _department_names(api)
