"""The opening page's Skills tab in AppTest: mark a skill required, the ranking changes at once and names
what a candidate lacks, then feedback on a suggestion is stored."""

from __future__ import annotations

from pathlib import Path

from streamlit.testing.v1 import AppTest

from hr_core.access import CLI_ACTOR, Actor
from hr_core.db import init_db, make_engine
from hr_core.ml.feedback import list_feedback
from hr_core.ml.recommend import build_indexes
from hr_core.settings import get_settings
from tests.db.test_skill_requirements import NO_DOCKER
from tests.factories import insert_recruiting_rows, make_planted_recommend_rows

REPO = Path(__file__).resolve().parents[2]


def _app(role: str = "recruiter") -> AppTest:
    at = AppTest.from_file(str(REPO / "pages/job_openings.py"), default_timeout=180)
    at.session_state["actor"] = Actor(username=f"u-{role}", role=role)  # type: ignore[arg-type]
    at.session_state["open_tabs"] = "Skills"
    return at


def _ranking(at: AppTest) -> list[tuple[str, str]]:
    table = next(d.value for d in at.dataframe if "required" in d.value.columns)
    return list(zip(table["candidate"], table["required"], strict=True))


def test_marking_a_skill_required_reranks_the_candidates_and_feedback_is_kept() -> None:
    engine = make_engine(get_settings().database_url)
    init_db(engine)
    candidates, vagas = make_planted_recommend_rows()
    rows = [{k: v for k, v in c.items() if k != "planted_vaga"} for c in candidates] + [NO_DOCKER]
    insert_recruiting_rows(engine, candidates=rows, vagas=vagas, prospects=[])
    build_indexes(engine=engine, actor=CLI_ACTOR)

    at = _app()
    at.run()
    at.selectbox(key="open_detail").select("RV00").run()
    assert not at.exception, [e.value for e in at.exception]
    levels = {s.label: s.value for s in at.selectbox if s.key and s.key.startswith("open_skill_RV00_")}
    assert levels == {"django": "preferred", "docker": "preferred", "python": "preferred", "sql": "preferred"}
    before = _ranking(at)
    codes = [c for c, _ in before]
    assert "RCX" in codes[:3] and {r for _, r in before} == {"—"}

    docker = next(s for s in at.selectbox if s.label == "docker")
    docker.select("required")
    at.button(key="open_skills_save").click().run()
    assert not at.exception, [e.value for e in at.exception]
    assert any(s.value.startswith("Skill levels saved: 1 required, 0 ignored.") for s in at.success)
    after = _ranking(at)
    have = [c for c, r in after if r == "Has every required skill"]
    lack = [c for c, r in after if r == "Lacks: docker"]
    assert [c for c, _ in after] == have + lack and have and "RCX" in lack
    assert have == [c for c in codes if c in have]  # each group keeps its order
    assert next(s for s in at.selectbox if s.label == "docker").value == "required"

    at.selectbox(key="open_suggestion").select("RCX").run()
    assert any("lacks the required skills: docker" in w.value for w in at.warning)
    at.button(key="open_sk_feedback_wrong").click().run()
    assert not at.exception, [e.value for e in at.exception]
    given = list_feedback(engine=engine, actor=CLI_ACTOR)
    assert [(f.candidate, f.vaga, f.verdict, f.source) for f in given] == [
        ("RCX", "RV00", "wrong", "job_openings")
    ]

    # Saved with the opening: a new session shows the level and the same ranking.
    again = _app()
    again.run()
    again.selectbox(key="open_detail").select("RV00").run()
    assert not again.exception, [e.value for e in again.exception]
    assert next(s for s in again.selectbox if s.label == "docker").value == "required"
    assert _ranking(again) == after
    engine.dispose()
