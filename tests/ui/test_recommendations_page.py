"""Recommendations page driven by AppTest with the real MiniLM model."""

from __future__ import annotations

from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from hr_core.access import CLI_ACTOR, Actor
from hr_core.db import init_db, make_engine
from hr_core.ml.feedback import list_feedback
from hr_core.ml.match import train_match_model
from hr_core.ml.recommend import recommend
from hr_core.settings import get_settings
from tests.factories import insert_recruiting_rows, make_match_rows, make_planted_recommend_rows
from tests.support.apptest_jobs import rerun_until

REPO = Path(__file__).resolve().parents[2]
PAGE = str(REPO / "pages/recommendations.py")


def _app() -> AppTest:
    at = AppTest.from_file(PAGE, default_timeout=180)
    at.session_state["actor"] = Actor(username="rec", role="recruiter")
    return at


def test_build_then_recommend_score_and_go_to_match_scoring() -> None:
    engine = make_engine(get_settings().database_url)
    init_db(engine)
    candidates, vagas = make_planted_recommend_rows()
    extra_c, extra_v, prospects = make_match_rows(seed=2, n_vagas=6, per_vaga=6)
    insert_recruiting_rows(
        engine, candidates=candidates + extra_c, vagas=vagas + extra_v, prospects=prospects
    )
    train_match_model(engine=engine, actor=CLI_ACTOR)

    at = _app()
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    assert any("not built yet" in i.value for i in at.info)
    at.button(key="rec_rebuild").click().run()
    assert not at.exception, [e.value for e in at.exception]
    # The build runs as a job in the app's process; the page shows the outcome once it ends.
    rerun_until(at, lambda a: any("Indexes rebuilt" in s.value for s in a.success))

    planted = candidates[0]
    at = _app()
    at.run()
    at.selectbox(key="rec_code").set_value(planted["codigo"]).run()
    assert not at.exception, [e.value for e in at.exception]
    table = at.dataframe[0].value
    expected = recommend(engine=engine, actor=CLI_ACTOR, candidate=planted["codigo"], k=10)
    assert expected.method == "hybrid"
    assert list(table["vaga"]) == [r.code for r in expected.items]
    assert list(table["score"]) == [r.semantic_similarity for r in expected.items]
    assert list(table["probability"]) == [r.probability for r in expected.items]
    assert (
        planted["planted_vaga"] in list(table["vaga"])[:2]
    )  # the other one is the Python opening of make_match_rows
    # The fused order, with the match probability beside each result.
    assert table["probability"].between(0, 1).all() and list(table["fused_rank"]) == list(range(1, 11))
    at.toggle(key="rec_rerank").set_value(True).run()
    assert not at.exception, [e.value for e in at.exception]
    reranked = at.dataframe[0].value
    assert table["probability"].between(0, 1).all() and reranked["probability"].is_monotonic_decreasing
    at.toggle(key="rec_rerank").set_value(False).run()
    assert any(m.label == "Index" and m.value == "up to date" for m in at.metric)

    at.selectbox(key="rec_pick").set_value(planted["planted_vaga"]).run()
    at.button(key="rec_feedback_wrong").click().run()  # the picked result is a wrong match
    assert not at.exception, [e.value for e in at.exception]
    given = list_feedback(engine=engine, actor=CLI_ACTOR)
    assert [(f.candidate, f.vaga, f.verdict, f.source) for f in given] == [
        (planted["codigo"], planted["planted_vaga"], "wrong", "recommendations")
    ]
    at.button(key="rec_score_pair").click().run()
    assert not at.exception, [e.value for e in at.exception]
    assert at.session_state["match_preselect"] == {
        "candidate": planted["codigo"],
        "vaga": planted["planted_vaga"],
    }

    at.radio(key="rec_mode").set_value("candidates").run()
    at.selectbox(key="rec_code").set_value(planted["planted_vaga"]).run()
    at.text_input(key="rec_city").input("nowhere").run()
    assert not at.exception
    assert any("No result passes these filters" in i.value for i in at.info)

    insert_recruiting_rows(engine, candidates=[{**extra_c[0], "codigo": "NEW1"}], vagas=[], prospects=[])
    engine.dispose()
    at = _app()
    at.run()
    assert any("changed since the indexes were built" in w.value for w in at.warning)


def test_a_page_opened_mid_build_shows_its_progress() -> None:
    import os

    from hr_core.ml.artifacts import get_models_dir, write_json
    from hr_core.ml.build_status import STATUS_FILE

    engine = make_engine(get_settings().database_url)
    init_db(engine)
    status = {"state": "running", "fraction": 0.4, "message": "Encoded 1,600/4,000 texts", "pid": os.getpid()}
    write_json(get_models_dir() / STATUS_FILE, status)
    at = _app()
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    bars = at.get("progress")
    assert bars and "Index being built: 40 %" in bars[0].proto.text and bars[0].proto.value == 40
    assert any(m.label == "Index" and m.value == "being built" for m in at.metric)
    assert any("as soon as the indexes are built" in i.value for i in at.info)
    assert not at.error

    home = AppTest.from_file(str(REPO / "pages/home.py"), default_timeout=60)
    home.session_state["actor"] = Actor(username="rec", role="recruiter")
    home.run()
    assert not home.exception, [e.value for e in home.exception]
    assert "Index being built: 40 %" in home.get("progress")[0].proto.text


def test_a_published_build_that_fails_its_check_is_shown_and_the_previous_one_serves(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from hr_core.ml.vector_index import build_indexes
    from hr_core.storage import make_storage
    from tests.support.replicas import use_cache

    engine = make_engine(get_settings().database_url)
    init_db(engine)
    candidates, vagas = make_planted_recommend_rows()
    insert_recruiting_rows(engine, candidates=candidates[:-1], vagas=vagas, prospects=[])
    use_cache(monkeypatch, tmp_path / "primary", refresh_seconds=0)
    build_indexes(engine=engine, actor=CLI_ACTOR)
    use_cache(monkeypatch, tmp_path / "replica", refresh_seconds=0)
    at = _app()
    at.run()
    assert not at.exception and not at.error, [e.value for e in at.exception]

    use_cache(monkeypatch, tmp_path / "primary", refresh_seconds=0)
    insert_recruiting_rows(engine, candidates=candidates[-1:], vagas=[], prospects=[])
    second = build_indexes(engine=engine, actor=CLI_ACTOR)
    storage = make_storage()
    key = f"indexes/builds/{second.build}/index_vagas.json"
    storage.put_bytes(key, storage.get_bytes(key).replace(b'"count"', b'"count" ', 1))
    engine.dispose()

    use_cache(monkeypatch, tmp_path / "replica", refresh_seconds=0)
    at = _app()
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    assert any("failed its check" in e.value and "index_vagas.json" in e.value for e in at.error)
    assert any(m.label == "Candidates indexed" and m.value == str(len(candidates) - 1) for m in at.metric)
    assert at.selectbox(key="rec_code").options  # the previous build still answers
