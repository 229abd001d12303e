"""AppTest drives the Upload page: upload, preview and dry run, commit with progress, rejects shown."""

from __future__ import annotations

import json
from pathlib import Path

from sqlalchemy import func, select
from streamlit.testing.v1 import AppTest

from hr_core.access import Actor
from hr_core.db import make_engine
from hr_core.models import Department, HiredEmployee
from hr_core.settings import get_settings

REPO = Path(__file__).resolve().parents[2]
PAGE = str(REPO / "pages" / "upload.py")


def _app() -> AppTest:
    at = AppTest.from_file(PAGE, default_timeout=120)
    at.session_state["actor"] = Actor(username="ann", role="analyst")
    return at.run()


def _count(model: type) -> int:
    engine = make_engine(get_settings().database_url)
    with engine.connect() as conn:
        count = int(conn.execute(select(func.count()).select_from(model)).scalar_one())
    engine.dispose()
    return count


def _metrics(at: AppTest) -> dict[str, str]:
    return {m.label: m.value for m in at.metric}


def _frames(at: AppTest, *columns: str) -> list:
    """Data frames on the page with exactly these columns, in page order (AppTest exposes no table keys)."""
    return [d.value for d in at.dataframe if list(d.value.columns) == list(columns)]


def _upload_and_commit(at: AppTest, path: Path) -> AppTest:
    at.file_uploader(key="upload_file").upload(path.name, path.read_bytes(), "text/csv")
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    at.button(key="upload_commit").click()
    return at.run()


def test_upload_preview_commit_and_rejects(shared_data: Path) -> None:
    folder = shared_data / "globant"
    at = _app()
    assert not at.exception
    assert any("Choose departments.csv" in i.value for i in at.info)

    at = _upload_and_commit(at, folder / "departments.csv")
    assert _metrics(at)["Inserted"] == "12"
    at = _upload_and_commit(at, folder / "jobs.csv")
    assert _metrics(at)["Inserted"] == "183"

    at.file_uploader(key="upload_file").upload(
        "hired_employees.csv", (folder / "hired_employees.csv").read_bytes()
    )
    at.run()
    assert not at.exception
    metrics = _metrics(at)
    assert (metrics["Rows read"], metrics["Valid rows"], metrics["Would be rejected"]) == (
        "1,999",
        "1,929",
        "70",
    )
    preview = _frames(at, "ID", "Name", "Hired at", "Department ID", "Job ID")[0]
    assert preview.iloc[0].tolist() == ["1", "Harold Vogt", "2021-11-07T02:48:42Z", "2", "96"]
    assert _count(HiredEmployee) == 0  # the dry run wrote nothing

    at.button(key="upload_commit").click()
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    metrics = _metrics(at)
    assert (metrics["Inserted"], metrics["Rejected"]) == ("1,929", "70")
    rejects = _frames(at, "Line", "Row as read", "Reasons")[-1]
    assert len(rejects) == 70 and rejects.iloc[0]["Reasons"] == "job_id is empty"
    assert not any("rejects/" in c.value for c in at.caption)  # storage paths only for admins
    assert len(at.get("download_button")) == 2  # CSV and Excel of the rejected rows
    assert _count(HiredEmployee) == 1929


def test_pasted_batch_is_checked_then_loaded() -> None:
    batch = {
        "records": [
            {
                "table_name": "employee",
                "data": [
                    {"name": "Ana", "datetime": "2021-01-01T00:00:00Z", "department_id": 1, "job_id": 1}
                ],
            },
            {"table_name": "department", "data": [{"id": 1, "department": "Engineering"}]},
            {"table_name": "job", "data": [{"id": 1, "job": "Engineer"}, {"id": 2, "job": ""}]},
        ]
    }
    at = _app()
    at.text_area(key="upload_batch_text").input(json.dumps(batch))
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    assert _count(Department) == 0
    at.button(key="upload_batch_commit").click()
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    assert [m.value for m in at.metric if m.label == "Inserted"] == ["1", "1", "1"]
    assert _frames(at, "Line", "Row as read", "Reasons")[-1].iloc[0]["Reasons"] == "job is empty"
    assert _count(HiredEmployee) == 1


def test_a_refused_file_shows_the_reason() -> None:
    at = _app()
    at.file_uploader(key="upload_file").upload("departments.csv", "1,Caf\xe9\n".encode("latin-1"), "text/csv")
    at.run()
    assert not at.exception
    assert any("not UTF-8" in e.value for e in at.error)
    assert not [b for b in at.button if b.key == "upload_commit"]


def _load_departments(text: str) -> None:
    from hr_core.access import CLI_ACTOR
    from hr_core.ingest import load_table

    engine = make_engine(get_settings().database_url)
    load_table(engine=engine, source=text.encode(), filename="departments.csv", actor=CLI_ACTOR)
    engine.dispose()


def _department_names() -> dict[int, str]:
    engine = make_engine(get_settings().database_url)
    with engine.connect() as conn:
        names = {r.id: r.department for r in conn.execute(select(Department.id, Department.department))}
    engine.dispose()
    return names


def test_add_only_is_chosen_previewed_and_loaded() -> None:
    from hr_core.ingest import LoadMode

    _load_departments("1,Engineering\n2,Sales\n")
    at = _app()
    mode = at.radio(key="upload_mode")
    assert mode.value == LoadMode.ADD_AND_UPDATE and mode.options == ["Add and update", "Add only"]
    at.file_uploader(key="upload_file").upload(
        "departments.csv", b"1,Platform\n2,Sales\n3,Legal\n", "text/csv"
    )
    at.run()
    assert (_metrics(at)["Would add"], _metrics(at)["Would change"]) == ("1", "1")

    at.radio(key="upload_mode").set_value(LoadMode.ADD_ONLY)
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    metrics = _metrics(at)
    assert (metrics["Would add"], metrics["Would skip"]) == ("1", "2") and "Would change" not in metrics
    assert any("2 rows already exist and would be left as they are" in i.value for i in at.info)
    assert at.button(key="upload_commit").label == "Load 1 rows into Departments"

    at.button(key="upload_commit").click()
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    metrics = _metrics(at)
    assert (metrics["Inserted"], metrics["Skipped"], metrics["Rejected"]) == ("1", "2", "0")
    assert _department_names() == {1: "Engineering", 2: "Sales", 3: "Legal"}


def test_the_mode_choice_speaks_the_users_language() -> None:
    at = AppTest.from_file(PAGE, default_timeout=120)
    at.session_state["actor"] = Actor(username="ann", role="analyst")
    at.session_state["locale"] = "es"
    at.run()
    assert not at.exception
    mode = at.radio(key="upload_mode")
    assert (mode.label, mode.options) == ("Filas cuyo id ya existe", ["Añadir y actualizar", "Solo añadir"])
