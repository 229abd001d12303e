"""GET /api/v1/reports/pipeline: JSON, one table as CSV on request, roles, bad names."""

from __future__ import annotations

import csv
import io

from sqlalchemy import Engine

from tests.api.conftest import Api, assert_problem
from tests.db.test_pipeline_metrics import pipeline  # noqa: F401  (fixture)


def test_pipeline_report_in_json_and_csv(api: Api, pipeline: Engine) -> None:  # noqa: F811
    url = "/api/v1/reports/pipeline?group_by=opening&as_of=2024-03-31"
    body = api.get(url, "recruiter").json()
    assert (body["group_by"], body["prospects"], body["stale_openings"]) == ("opening", 9, 3)
    assert [(d["group"], d["label"], d["median_days"]) for d in body["time_to_decision"]] == [
        ("V1", "Dev Java", 14.0)
    ]
    assert [o["vaga_codigo"] for o in body["ageing"]] == ["P9", "V3", "V2"]
    assert body["ageing"][2]["by_stage"]["withdrew"] == 1
    assert body["conversion"][0] == {
        "group": "P9",
        "label": "Antiga",
        "from_stage": "applied",
        "to_stage": "in_process",
        "reached_from": 1,
        "reached_to": 1,
        "rate": 1.0,
    }
    answer = api.get(url + "&table=conversion", "admin", headers={"Accept": "text/csv"})
    assert answer.headers["content-type"].startswith("text/csv")
    assert 'filename="pipeline-conversion.csv"' in answer.headers["content-disposition"]
    rows = list(csv.DictReader(io.StringIO(answer.text)))
    assert [(r["group"], r["from_stage"], r["reached_from"], r["reached_to"]) for r in rows][:3] == [
        ("P9", "applied", "1", "1"),
        ("P9", "in_process", "1", "0"),
        ("P9", "interview", "0", "0"),
    ]
    assert len(rows) == 9  # three openings with prospects × three steps


def test_pipeline_report_refuses_analysts_and_unknown_names(api: Api, pipeline: Engine) -> None:  # noqa: F811
    detail = assert_problem(api.get("/api/v1/reports/pipeline", "analyst"), 403)["detail"]
    assert "read recruiting data" in detail
    assert_problem(api.get("/api/v1/reports/pipeline?group_by=candidate", "recruiter"), 400)
    csv_header = {"Accept": "text/csv"}
    assert_problem(api.get("/api/v1/reports/pipeline?table=users", "recruiter", headers=csv_header), 400)
    assert_problem(api.get("/api/v1/reports/pipeline?stale_after_days=-1", "recruiter"), 422)
