"""Reports over HTTP: JSON, CSV on request, roles, bad years."""

from __future__ import annotations

from tests.api.conftest import Api, assert_problem, seed_batch
from tests.api.test_hr import JOB_3


def test_reports_in_json_and_csv(api: Api) -> None:
    api.post("/api/v1/hr/batch", "analyst", json=JOB_3)
    api.post("/api/v1/hr/batch", "analyst", json=seed_batch())
    quarters = api.get("/api/v1/reports/hires-by-quarter?year=2021", "analyst").json()
    assert quarters == {
        "year": 2021,
        "rows": [{"department": "Engineering", "job": "Engineer", "Q1": 2, "Q2": 0, "Q3": 0, "Q4": 0}],
    }
    above = api.get("/api/v1/reports/departments-above-mean?year=2021", "admin").json()
    assert above == {"year": 2021, "rows": []}  # one department is never above its own mean
    csv = api.get("/api/v1/reports/hires-by-quarter?year=2021", "analyst", headers={"Accept": "text/csv"})
    assert csv.headers["content-type"].startswith("text/csv")
    assert csv.text.splitlines() == ["department,job,Q1,Q2,Q3,Q4", "Engineering,Engineer,2,0,0,0"]


def test_reports_refuse_recruiters_and_bad_years(api: Api) -> None:
    assert (
        "read hiring reports"
        in assert_problem(api.get("/api/v1/reports/hires-by-quarter?year=2021", "recruiter"), 403)["detail"]
    )
    assert_problem(api.get("/api/v1/reports/hires-by-quarter?year=0", "analyst"), 400)
    assert_problem(api.get("/api/v1/reports/hires-by-quarter?year=abc", "analyst"), 422)
    assert_problem(api.get("/api/v1/reports/hires-by-quarter", "analyst"), 422)
