"""Candidate profile, Best openings tab (AppTest, real MiniLM): one line while the indexes are not built;
once built, the five openings recommend() gives, with probability beside the base rate, and a button that
puts the candidate into an opening's pipeline."""

from __future__ import annotations

from pathlib import Path

from streamlit.testing.v1 import AppTest

from hr_core.access import CLI_ACTOR, Actor
from hr_core.db import init_db, make_engine
from hr_core.ml.match import train_match_model
from hr_core.ml.recommend import recommend
from hr_core.ml.vector_index import build_indexes
from hr_core.recruiting.queries import list_candidate_prospects
from hr_core.settings import get_settings
from tests.factories import insert_recruiting_rows, make_match_rows, make_planted_recommend_rows

PAGE = str(Path(__file__).resolve().parents[2] / "pages/candidates.py")


def _profile(codigo: str) -> AppTest:
    at = AppTest.from_file(PAGE, default_timeout=180)
    at.session_state["actor"] = Actor(username="rita", role="recruiter")
    at.session_state["cand_detail"] = codigo
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def _add_buttons(at: AppTest) -> list[str]:
    prefix = "cand_best_add_"
    return [b.key[len(prefix) :] for b in at.button if b.key and b.key.startswith(prefix)]


def test_best_openings_on_the_profile_and_add_to_one() -> None:
    engine = make_engine(get_settings().database_url)
    init_db(engine)
    candidates, vagas = make_planted_recommend_rows()
    extra_c, extra_v, prospects = make_match_rows(seed=4, n_vagas=6, per_vaga=6)
    insert_recruiting_rows(
        engine, candidates=candidates + extra_c, vagas=vagas + extra_v, prospects=prospects
    )
    planted = candidates[0]

    at = _profile(planted["codigo"])
    assert any("indexes are not built yet" in i.value for i in at.info)
    assert not _add_buttons(at)

    train_match_model(engine=engine, actor=CLI_ACTOR)
    build_indexes(engine=engine, actor=CLI_ACTOR)
    expected = recommend(engine=engine, actor=CLI_ACTOR, candidate=planted["codigo"], k=5)
    assert expected.base_rate is not None and all(r.probability is not None for r in expected.items)

    at = _profile(planted["codigo"])
    assert _add_buttons(at) == [r.code for r in expected.items]
    assert planted["planted_vaga"] in _add_buttons(at)[:2]
    captions = [c.value for c in at.caption]
    first = expected.items[0]
    assert any("Match probability" in c and "base rate" in c for c in captions)
    assert sum("base rate" in c for c in captions) == len(expected.items)
    texts = [m.value for m in at.markdown]
    assert any(f"`{first.code}`" in t and first.title in t for t in texts)
    if first.matched_skills:
        assert any(t.startswith("Matched skills:") and f"`{first.matched_skills[0]}`" in t for t in texts)

    at.button(key=f"cand_best_add_{planted['planted_vaga']}").click().run()
    assert not at.exception, [e.value for e in at.exception]
    assert any(f"Added to opening {planted['planted_vaga']}." in s.value for s in at.success)
    applied = list_candidate_prospects(engine=engine, actor=CLI_ACTOR, codigo=planted["codigo"])
    assert list(applied["vaga_codigo"]) == [planted["planted_vaga"]]
    assert list(applied["stage"]) == ["applied"]
    # The opening now in the pipeline has no button any more.
    assert planted["planted_vaga"] not in _add_buttons(at)
    assert any("Already in this opening's pipeline." in c.value for c in at.caption)
    engine.dispose()
