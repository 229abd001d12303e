"""AppTest drives the hiring analytics page: default year, year change, filters, downloads, drill-down."""

from __future__ import annotations

import base64
import io
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest
from streamlit.runtime.media_file_manager import MediaFileManager
from streamlit.runtime.memory_media_file_storage import MemoryMediaFileStorage
from streamlit.testing.v1 import AppTest

from hr_core.access import Actor
from hr_core.db import init_db, make_engine
from hr_core.i18n import relabel
from hr_core.settings import get_settings
from tests.db.test_analytics import DEPARTMENTS, HIRES, JOBS
from tests.factories import insert_hiring_rows
from tests.support.apptest_tabs import show_tab

REPO = Path(__file__).resolve().parents[2]
PAGE = str(REPO / "pages" / "hiring_analytics.py")


@pytest.fixture
def seeded() -> Iterator[None]:
    """The hand-computed rows of the analytics tests in this test's SQLite database."""
    engine = make_engine(get_settings().database_url)
    init_db(engine)
    insert_hiring_rows(engine, departments=DEPARTMENTS, jobs=JOBS, hires=HIRES)
    yield
    engine.dispose()


@pytest.fixture
def downloads(monkeypatch: pytest.MonkeyPatch) -> dict[str, bytes]:
    """Bytes handed to download buttons, by file name (captured from Streamlit's media storage, or built from a
    deferred download's callable)."""
    captured: dict[str, bytes] = {}
    original = MemoryMediaFileStorage.load_and_get_id

    def record(self: Any, path_or_data: Any, mimetype: str, kind: Any, filename: str | None = None) -> str:
        if filename and isinstance(path_or_data, bytes):
            captured[filename] = path_or_data
        return original(self, path_or_data, mimetype, kind, filename)

    monkeypatch.setattr(MemoryMediaFileStorage, "load_and_get_id", record)
    deferred = MediaFileManager.add_deferred

    def run_deferred(
        self: Any, data_callable: Any, mimetype: Any, coordinates: str, file_name: Any = None, **kw: Any
    ) -> str:
        if file_name:  # a download built when clicked: build it now, as a click would
            captured[file_name] = data_callable()
        return deferred(self, data_callable, mimetype, coordinates, file_name, **kw)

    monkeypatch.setattr(MediaFileManager, "add_deferred", run_deferred)
    return captured


def _decode(values: Any) -> list[Any]:
    """Plotly may ship arrays as typed binary ({"dtype", "bdata", "shape"}); give plain lists."""
    if isinstance(values, dict) and "bdata" in values:
        flat = np.frombuffer(base64.b64decode(values["bdata"]), dtype=values["dtype"])
        shape = [int(n) for n in str(values.get("shape", len(flat))).split(",")]
        return flat.reshape(shape).tolist()
    return list(values)


def _open(role: str = "analyst") -> AppTest:
    at = AppTest.from_file(PAGE, default_timeout=120)
    at.session_state["actor"] = Actor(username="ana", role=role)  # type: ignore[arg-type]
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def _show_tab(at: AppTest, label: str) -> None:
    show_tab(at, "ha_tab", label)


def _quarterly(at: AppTest) -> pd.DataFrame:
    """The quarterly table as shown (plain labels, a Total column and row), back in report form."""
    table = next(
        d.value
        for d in at.dataframe
        if list(d.value.columns) == ["Department", "Job", "Q1", "Q2", "Q3", "Q4", "Total"]
    )
    rows = table[table["Department"] != "Total"]
    assert (
        table.iloc[-1][["Q1", "Q2", "Q3", "Q4", "Total"]] == rows[["Q1", "Q2", "Q3", "Q4", "Total"]].sum()
    ).all()
    rows = rows.drop(columns=["Total"]).rename(columns={"Department": "department", "Job": "job"})
    return rows.reset_index(drop=True).astype({q: "int64" for q in ["Q1", "Q2", "Q3", "Q4"]})


def test_opens_on_2021_with_kpis(seeded: None) -> None:
    at = _open()
    assert at.selectbox(key="ha_year").value == 2021
    assert at.selectbox(key="ha_year").options == ["2021", "2020", "2019"]
    metrics = {m.label: (m.value, m.delta) for m in at.metric}
    assert metrics["Hires in 2021"] == ("1", "-8")
    assert metrics["Change from 2020"][0] == "-88.9 %"
    assert _quarterly(at).to_dict(orient="records") == [
        {"department": "Legal", "job": "Manager", "Q1": 1, "Q2": 0, "Q3": 0, "Q4": 0}
    ]


def test_downloads_are_not_built_by_a_page_run(seeded: None, monkeypatch: pytest.MonkeyPatch) -> None:
    """Writing a workbook was most of this page's server time (bench_load): both files wait for a click."""
    import pages._shared

    built: list[str] = []
    real_excel, real_csv = pages._shared.to_excel_bytes, pages._shared.to_csv_bytes

    def counting_excel(df: pd.DataFrame, sheet_name: str) -> bytes:
        built.append(sheet_name)
        return real_excel(df, sheet_name=sheet_name)

    def counting_csv(df: pd.DataFrame) -> bytes:
        built.append("csv")
        return real_csv(df)

    monkeypatch.setattr(pages._shared, "to_excel_bytes", counting_excel)
    monkeypatch.setattr(pages._shared, "to_csv_bytes", counting_csv)
    at = _open()
    assert {b.proto.label for b in at.get("download_button")} >= {"Download CSV", "Download Excel"}
    assert built == []


def test_change_year_filter_and_download(seeded: None, downloads: dict[str, bytes]) -> None:
    at = _open()
    at.selectbox(key="ha_year").set_value(2020).run()
    assert not at.exception
    assert len(_quarterly(at)) == 5
    assert {m.label: m.value for m in at.metric}["Hires in 2020"] == "9"

    at.multiselect(key="ha_departments").set_value(["Sales"]).run()
    assert at.multiselect(key="ha_jobs").options == ["Analyst", "Manager"]
    at.multiselect(key="ha_jobs").set_value(["Manager"]).run()
    shown = _quarterly(at)
    assert shown.to_dict(orient="records") == [
        {"department": "Sales", "job": "Manager", "Q1": 1, "Q2": 0, "Q3": 0, "Q4": 0}
    ]
    # downloads carry the plain column labels people read on screen
    labelled = shown.rename(columns=relabel(shown.columns))
    csv_frame = pd.read_csv(io.BytesIO(downloads["hires_by_quarter_2020.csv"]))
    pd.testing.assert_frame_equal(csv_frame, labelled)
    xlsx_frame = pd.read_excel(io.BytesIO(downloads["hires_by_quarter_2020.xlsx"]))
    pd.testing.assert_frame_equal(xlsx_frame, labelled)
    _show_tab(at, "Above the mean")
    assert len(at.get("plotly_chart")) == 1  # one department under the filters: nobody above its mean
    assert any("No department hired more than the mean" in i.value for i in at.info)
    at.multiselect(key="ha_jobs").set_value([]).run()
    at.multiselect(key="ha_departments").set_value([]).run()
    above = pd.read_csv(io.BytesIO(downloads["departments_above_mean_2020.csv"]))
    assert above.to_dict(orient="records") == [
        {"ID": 2, "Department": "Engineering", "Hires": 3},
        {"ID": 1, "Department": "Sales", "Hires": 3},
    ]


def test_department_and_job_filters_combine(seeded: None) -> None:
    at = _open()
    at.selectbox(key="ha_year").set_value(2020).run()
    at.multiselect(key="ha_departments").set_value(["accounting"]).run()
    at.multiselect(key="ha_jobs").set_value(["Analyst"]).run()
    assert len(_quarterly(at)) == 1
    at.multiselect(key="ha_departments").set_value(["Sales", "accounting"]).run()
    assert not at.exception
    assert set(_quarterly(at)["department"]) == {"Sales", "accounting"}


def test_department_drill_down(seeded: None, downloads: dict[str, bytes]) -> None:
    at = _open()
    at.selectbox(key="ha_year").set_value(2020).run()
    _show_tab(at, "Department drill-down")
    at.selectbox(key="ha_drill_department").set_value(1).run()
    assert not at.exception
    jobs = next(d.value for d in at.dataframe if list(d.value.columns) == ["job_id", "job", "hired"])
    assert jobs["job"].tolist() == ["Analyst", "Manager"]
    hires = pd.read_csv(io.BytesIO(downloads["department_1_hires_2020.csv"]))
    assert hires["Name"].tolist() == ["Leap day", "End of Q1", "Start of Q2"]


def test_chart_tabs_follow_the_filters(seeded: None) -> None:
    at = _open()
    assert not at.get("plotly_chart")  # hidden tabs do no work
    at.selectbox(key="ha_year").set_value(2020).run()
    at.multiselect(key="ha_departments").set_value(["Sales", "Marketing"]).run()
    _show_tab(at, "Quarter charts")
    charts = at.get("plotly_chart")
    assert len(charts) == 2
    stacked = json.loads(charts[1].proto.spec)
    assert stacked["layout"]["barmode"] == "stack"
    totals = next(t for t in stacked["data"] if t.get("mode") == "text")
    assert totals["text"] == ["2", "1", "1", "1"]  # Q1..Q4 totals above the stacks
    heatmap = json.loads(charts[0].proto.spec)["data"][0]
    assert heatmap["y"] == ["Marketing", "Sales"]
    assert _decode(heatmap["z"]) == [[0, 0, 1, 1], [2, 1, 0, 0]]
    _show_tab(at, "Monthly trend")
    trend = json.loads(at.get("plotly_chart")[0].proto.spec)["data"][0]
    # the trend follows the department filter too (Sales: Feb, Mar, Apr; Marketing: Jul, Oct)
    assert _decode(trend["y"]) == [0, 1, 1, 1, 0, 0, 1, 0, 0, 1, 0, 0]
    metrics = {m.label: m.value for m in at.metric}
    assert metrics["Hires in 2020"] == "5"
    assert metrics["Departments hiring"] == "2"
    assert at.multiselect(key="ha_departments").value == ["Sales", "Marketing"]


def test_empty_database_shows_a_friendly_message() -> None:
    at = _open()
    assert any("No hires in the database yet" in i.value for i in at.info)
    assert not at.error


def test_recruiter_may_not_open_it(seeded: None) -> None:
    at = _open(role="recruiter")
    assert any("You do not have access to" in e.value for e in at.error)
