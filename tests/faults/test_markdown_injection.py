"""Imported text is shown as text: an image or link in candidate data never renders (AppTest)."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from hr_core.access import CLI_ACTOR, Actor
from hr_core.db import init_db, make_engine
from hr_core.recruiting.importer import import_recruiting
from hr_core.settings import get_settings
from pages._shared import safe_text
from tests.factories import make_applicant_record

REPO = Path(__file__).resolve().parents[2]
IMAGE = "![x](http://host/track.png)"
LINK = "[click me](http://evil.example/login)"


@pytest.fixture(autouse=True)
def _clear_streamlit_caches() -> None:
    import streamlit as st

    st.cache_data.clear()
    st.cache_resource.clear()


def _unescaped(value: str) -> str:
    """The text with every backslash-escaped character removed: what is left is live Markdown."""
    return re.sub(r"\\.", "", value)


def _markdown_values(at: AppTest) -> list[str]:
    elements = [*at.markdown, *at.subheader, *at.caption, *at.error, *at.info, *at.warning, *at.success]
    return [str(e.value) for e in elements]


def test_a_candidate_with_an_image_and_a_link_in_its_data_shows_them_as_text(tmp_path: Path) -> None:
    applicants = {
        "1": make_applicant_record("1", nome=LINK + " <img src=x>", skills=IMAGE + " www.track.example")
    }
    (tmp_path / "a.json").write_text(json.dumps(applicants), encoding="utf-8")
    engine = make_engine(get_settings().database_url)
    init_db(engine)
    import_recruiting(engine=engine, actor=CLI_ACTOR, applicants=tmp_path / "a.json")
    engine.dispose()

    at = AppTest.from_file(str(REPO / "pages" / "candidates.py"), default_timeout=60)
    at.session_state["actor"] = Actor(username="rita", role="recruiter")
    at.run()
    at.selectbox(key="cand_detail").select("1").run()
    assert not at.exception
    shown = _markdown_values(at)
    # The data is shown (as plain text, or escaped inside Markdown), never interpreted.
    assert any(IMAGE in str(t.value) for t in at.text) or any(safe_text(IMAGE) in v for v in shown), shown
    assert any(safe_text(LINK) in str(h.value) for h in at.subheader), shown
    for value in shown:
        live = _unescaped(value)  # what Markdown still reads as syntax
        assert "[x](" not in live and "](http" not in live and "[click me]" not in live, value
        assert "<img" not in live and "www.track" not in live and "://" not in live, value


@pytest.mark.parametrize(
    "text", [IMAGE, LINK, "<https://a.example>", "mail a@b.example", ":red[x]", "$x^2$", "a\\](http://x)"]
)
def test_safe_text_leaves_nothing_markdown_would_turn_into_a_link_or_image(text: str) -> None:
    live = _unescaped(safe_text(text))
    for syntax in ("](", "[", "<", "://", "@", "$"):
        assert syntax not in live
