"""The Pipeline page's "Pipeline numbers" section in AppTest over the hand-built pipeline of the DB tests."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from streamlit.testing.v1 import AppTest

from hr_core.access import Actor
from hr_core.db import make_engine
from hr_core.settings import get_settings
from tests.db.test_pipeline_metrics import insert_hand_built_pipeline

REPO = Path(__file__).resolve().parents[2]


@pytest.fixture
def hand_built() -> None:
    engine = make_engine(get_settings().database_url)
    insert_hand_built_pipeline(engine)
    engine.dispose()


NUMBERS_TAB = {"en": "Pipeline numbers", "pt_BR": "Números do funil"}


def _app(locale: str = "en", *, tab: str | None = None) -> AppTest:
    """The page as a recruiter; the Pipeline numbers tab open unless another tab label is given."""
    at = AppTest.from_file(str(REPO / "pages" / "pipeline.py"), default_timeout=60)
    at.session_state["actor"] = Actor(username="rita", role="recruiter")
    at.session_state["locale"] = locale
    at.session_state["pipe_tab"] = tab or NUMBERS_TAB[locale]
    return at


def _table_with(at: AppTest, *columns: str) -> Any:
    """The first table on the page that has all these columns."""
    return next(d.value for d in at.dataframe if set(columns) <= set(d.value.columns))


def test_kpis_charts_ageing_and_groups(hand_built: None) -> None:
    at = _app()
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    metrics = {m.label: m.value for m in at.metric}
    assert metrics["Median days to decision"] == "14"  # decisions after 10, 14 and 20 days
    assert metrics["Conversion from application to hired"] == "22.2%"  # 2 of 9
    assert metrics["Openings idle for over 30 days"] == "3"  # P9, V3, V2 (long ago)
    assert any("3 prospects without a usable date" in c.value for c in at.caption)
    assert len(at.get("plotly_chart")) == 3  # only the open tab runs: time to stage, conversion, by month
    ageing = _table_with(at, "Days without movement")
    assert list(ageing["Opening code"]) == ["P9", "V3", "V2"]
    overall = _table_with(at, "Stage", "Median days", "First quartile (days)").set_index("Stage")
    assert overall.loc["Approved / hired", "Median days"] == 17.0
    at.selectbox(key="pipe_num_group").select("recruiter").run()
    assert not at.exception
    by_recruiter = _table_with(at, "Recruiter", "Median days")
    rita = by_recruiter[by_recruiter["Recruiter"] == "Rita"].set_index("Stage")
    assert rita.loc["Approved / hired", "Median days"] == 17.0
    assert rita.loc["Decision (hired or rejected)", "Applications"] == 3
    at.selectbox(key="pipe_num_group").select("opening").run()
    assert not at.exception
    times = _table_with(at, "Title", "Median days")
    assert set(times["Opening code"]) == {"V1", "V2"}
    assert at.multiselect(key="pipe_num_month_stages").value == ["decision"]
    at.multiselect(key="pipe_num_month_stages").select("approved").run()
    assert not at.exception
    monthly = _table_with(at, "Month", "Median days")
    assert set(monthly["Month"]) == {"2024-01", "2024-02"}


def test_the_section_speaks_portuguese(hand_built: None) -> None:
    at = _app("pt_BR")
    at.run()
    assert not at.exception
    assert any(tab.label == "Números do funil" for tab in at.tabs)
    metrics = {m.label: m.value for m in at.metric}
    assert metrics["Mediana de dias até a decisão"] == "14"
    assert metrics["Conversão da candidatura à contratação"].replace("\xa0", " ") == "22,2%"


def test_only_the_open_tab_is_computed(hand_built: None) -> None:
    at = _app(tab="Funnel")
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    assert [tab.label for tab in at.tabs] == ["Funnel", "By recruiter", "Over time", "Pipeline numbers"]
    assert len(at.get("plotly_chart")) == 1  # the funnel
    assert "Median days to decision" not in {m.label for m in at.metric}  # the numbers were not computed
    at.session_state["pipe_tab"] = "Over time"
    at.run()
    assert not at.exception
    assert len(at.get("plotly_chart")) == 2  # applications per month and outcome rates
