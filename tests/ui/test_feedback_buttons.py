"""Feedback buttons on Match scoring, driven by AppTest: a click stores the verdict and the page shows it."""

from __future__ import annotations

from pathlib import Path

from streamlit.testing.v1 import AppTest

from hr_core.access import CLI_ACTOR, Actor
from hr_core.db import init_db, make_engine
from hr_core.ml.feedback import list_feedback
from hr_core.ml.match import train_match_model
from hr_core.settings import get_settings
from tests.factories import insert_recruiting_rows, make_match_rows

REPO = Path(__file__).resolve().parents[2]
PAGE = str(REPO / "pages/match_scoring.py")


def _app(role: str, pair: tuple[str, str]) -> AppTest:
    at = AppTest.from_file(PAGE, default_timeout=120)
    at.session_state["actor"] = Actor(username=f"u-{role}", role=role)  # type: ignore[arg-type]
    at.session_state["match_preselect"] = {"candidate": pair[0], "vaga": pair[1]}
    return at


def test_clicking_good_then_wrong_stores_each_verdict_and_shows_the_latest() -> None:
    engine = make_engine(get_settings().database_url)
    init_db(engine)
    candidates, vagas, prospects = make_match_rows(seed=11, n_vagas=10, per_vaga=6)
    insert_recruiting_rows(engine, candidates=candidates, vagas=vagas, prospects=prospects)
    train_match_model(engine=engine, actor=CLI_ACTOR)
    pair = (prospects[3]["candidate_codigo"], prospects[3]["vaga_codigo"])

    at = _app("recruiter", pair)
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    assert any(c.value == "No verdict on this pair yet." for c in at.caption)
    at.text_input(key="ms_feedback_reason").input("  knows the stack, =1+1 ")
    at.button(key="ms_feedback_good").click().run()
    assert not at.exception, [e.value for e in at.exception]
    assert any(s.value == "Saved: Good match." for s in at.success)
    assert any(c.value.startswith("Current verdict: Good match, by u-recruiter on") for c in at.caption)
    assert "knows the stack, =1+1" in [t.value for t in at.text]  # shown as text, not Markdown

    at.text_input(key="ms_feedback_reason").input("")
    at.button(key="ms_feedback_wrong").click().run()
    assert any(c.value.startswith("Current verdict: Wrong match") for c in at.caption)
    stored = list_feedback(engine=engine, actor=CLI_ACTOR)
    assert [(f.candidate, f.vaga, f.verdict, f.reason, f.source, f.username) for f in stored] == [
        (*pair, "wrong", "", "match_scoring", "u-recruiter"),
        (*pair, "good", "knows the stack, =1+1", "match_scoring", "u-recruiter"),
    ]

    # In Portuguese the buttons and the verdict read in Portuguese.
    at = _app("admin", pair)
    at.session_state["locale"] = "pt_BR"
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    assert at.button(key="ms_feedback_good").label == "Combina bem"
    assert any(c.value.startswith("Avaliação atual: Não combina, por u-recruiter") for c in at.caption)
    engine.dispose()
