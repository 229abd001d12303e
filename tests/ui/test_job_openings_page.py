"""Job openings and Pipeline pages in AppTest over a small generated data set."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from hr_core.access import CLI_ACTOR, Actor
from hr_core.db import init_db, make_engine
from hr_core.recruiting.importer import import_recruiting
from hr_core.recruiting.queries import list_opening_prospects
from hr_core.settings import get_settings
from tests.factories import write_small_recruiting_demo

REPO = Path(__file__).resolve().parents[2]


@pytest.fixture
def seeded(tmp_path: Path) -> str:
    write_small_recruiting_demo(tmp_path, applicants=120, vagas=40)
    engine = make_engine(get_settings().database_url)
    init_db(engine)
    import_recruiting(
        engine=engine,
        actor=CLI_ACTOR,
        applicants=tmp_path / "applicants.json",
        vagas=tmp_path / "vagas.json",
        prospects=tmp_path / "prospects.json",
    )
    engine.dispose()
    return str(tmp_path)


def _app(page: str) -> AppTest:
    at = AppTest.from_file(str(REPO / "pages" / page), default_timeout=60)
    at.session_state["actor"] = Actor(username="rita", role="recruiter")
    return at


def test_openings_search_filter_and_detail_funnel(seeded: str) -> None:
    vagas = json.loads((Path(seeded) / "vagas.json").read_text(encoding="utf-8"))
    at = _app("job_openings.py")
    at.run()
    assert not at.exception
    table = at.dataframe[0].value
    assert len(table) == 25
    prospects = json.loads((Path(seeded) / "prospects.json").read_text(encoding="utf-8"))
    only_pipeline = sorted(code for code in prospects if code not in vagas)
    assert any(f"{len(vagas) + len(only_pipeline)} openings match" in c.value for c in at.caption)
    at.text_input(key="open_search").input(only_pipeline[0]).run()
    assert list(at.dataframe[0].value["Full record"]) == ["pipeline only"]
    at.text_input(key="open_search").input("")
    client = next(iter(vagas.values()))["informacoes_basicas"]["cliente"]
    at.selectbox(key="open_filter_cliente").select(client).run()
    expected = {code for code, v in vagas.items() if v["informacoes_basicas"]["cliente"] == client}
    assert set(at.dataframe[0].value["Code"]) == expected
    at.selectbox(key="open_filter_cliente").select("(any)")
    at.selectbox(key="open_sort").select("prospects")
    at.toggle(key="open_desc").set_value(True).run()
    busiest = at.dataframe[0].value["Code"].iloc[0]
    at.selectbox(key="open_detail").select(busiest).run()
    assert not at.exception
    assert any(busiest in h.value for h in at.subheader)
    engine = make_engine(get_settings().database_url)
    prospects = list_opening_prospects(engine=engine, actor=CLI_ACTOR, codigo=busiest)
    engine.dispose()
    metrics = {m.label: m.value for m in at.metric}
    assert metrics["Prospects"] == str(len(prospects))
    assert metrics["Approved / hired"] == str(int((prospects["stage"] == "approved").sum()))
    assert len(at.get("plotly_chart")) >= 1


def test_pipeline_page_shows_funnel_recruiters_and_months(seeded: str) -> None:
    prospects = json.loads((Path(seeded) / "prospects.json").read_text(encoding="utf-8"))
    rows = sum(len(o["prospects"]) for o in prospects.values())
    at = _app("pipeline.py")
    at.run()
    assert not at.exception
    metrics = {m.label: m.value for m in at.metric}
    assert metrics["Prospects"] == f"{rows:,}"
    assert metrics["Openings in pipelines"] == f"{len(prospects):,}"
    funnel = at.dataframe[0].value
    assert int(funnel.loc[funnel["label"] == "Applied", "reached"].iloc[0]) == rows
    charts = {"Funnel": len(at.get("plotly_chart"))}  # only the open tab runs; Funnel is open first
    for tab in ("By recruiter", "Over time", "Pipeline numbers"):
        at.session_state["pipe_tab"] = tab
        at.run()
        assert not at.exception, tab
        charts[tab] = len(at.get("plotly_chart"))
    # 4 overview charts across the first three tabs, 3 of the pipeline numbers
    assert charts == {"Funnel": 1, "By recruiter": 1, "Over time": 2, "Pipeline numbers": 3}


def test_pipeline_page_without_data_says_so() -> None:
    at = _app("pipeline.py")
    at.run()
    assert not at.exception
    assert any("No prospects yet" in i.value for i in at.info)


def test_opening_board_moves_a_candidate_and_keeps_a_note(seeded: str) -> None:
    at = _app("job_openings.py")
    at.run()
    at.selectbox(key="open_sort").select("prospects")
    at.toggle(key="open_desc").set_value(True).run()
    busiest = at.dataframe[0].value["Code"].iloc[0]
    at.selectbox(key="open_detail").select(busiest).run()
    assert not at.exception, [e.value for e in at.exception]
    candidate = at.selectbox(key="open_board_candidate").value
    target = at.selectbox(key="open_pp_stage").options[0]
    at.button(key="open_pp_move").click().run()
    assert not at.exception, [e.value for e in at.exception]
    assert any(f"Moved to {target}" in s.value for s in at.success)
    assert at.selectbox(key="open_board_candidate").value == candidate
    at.text_area(key="open_pp_note").input("Strong SAP background")
    at.button(key="open_pp_note_save").click().run()
    assert any("Strong SAP background" in t.value for t in at.text)
    history = next(d.value for d in at.dataframe if "From" in d.value.columns)
    assert list(history["To"]) == [target]
