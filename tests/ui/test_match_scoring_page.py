"""Match scoring page driven by AppTest on a trained model."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from hr_core.access import CLI_ACTOR, Actor
from hr_core.cli import main as cli_main
from hr_core.db import init_db, make_engine
from hr_core.ml.match import load_match_model, score_match, train_match_model
from hr_core.ml.requirements import get_skill_vocabulary, list_opening_skills, save_opening_skills
from hr_core.settings import get_settings
from tests.factories import insert_recruiting_rows, make_match_rows
from tests.support.apptest_jobs import rerun_until
from tests.support.apptest_tabs import show_tab

REPO = Path(__file__).resolve().parents[2]
PAGE = str(REPO / "pages/match_scoring.py")


@pytest.fixture
def prospects() -> list[dict]:
    engine = make_engine(get_settings().database_url)
    init_db(engine)
    candidates, vagas, rows = make_match_rows(seed=11, n_vagas=16, per_vaga=8)
    insert_recruiting_rows(engine, candidates=candidates, vagas=vagas, prospects=rows)
    engine.dispose()
    return rows


def _app(role: str, **state: object) -> AppTest:
    at = AppTest.from_file(PAGE, default_timeout=120)
    at.session_state["actor"] = Actor(username=f"u-{role}", role=role)  # type: ignore[arg-type]
    for key, value in state.items():
        at.session_state[key] = value
    return at


def _show_tab(at: AppTest, label: str) -> None:
    show_tab(at, "ms_tab", label)


def test_without_a_model_the_page_says_how_to_train(prospects: list[dict]) -> None:
    at = _app("recruiter")
    at.run()
    assert not at.exception
    assert any("No match model" in i.value for i in at.info)
    assert not [b for b in at.button if b.key == "ms_retrain"]


def test_admin_retrains_then_scores_a_preselected_pair_like_the_cli(
    prospects: list[dict], capsys: pytest.CaptureFixture[str]
) -> None:
    at = _app("admin")
    at.run()
    at.button(key="ms_retrain").click().run()
    assert not at.exception, [e.value for e in at.exception]
    # Training runs as a job in the app's process; the page shows the outcome once it ends.
    rerun_until(at, lambda a: any("Model retrained" in s.value for s in a.success))
    # the page as it stands with the new model: the card's details for an admin
    _show_tab(at, "About the model")
    assert "Details for administrators" in [h.value for h in at.subheader]
    assert any("ROC AUC" in m.label for m in at.metric)

    cand, vaga = prospects[3]["candidate_codigo"], prospects[3]["vaga_codigo"]
    at = _app("recruiter", match_preselect={"candidate": cand, "vaga": vaga})
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    assert at.selectbox(key="ms_candidate").value == cand and at.selectbox(key="ms_vaga").value == vaga
    engine = make_engine(get_settings().database_url)
    expected = score_match(
        engine=engine, actor=CLI_ACTOR, model=load_match_model(), candidate=cand, vaga=vaga
    )
    engine.dispose()
    captions = [c.value for c in at.caption if c.value.startswith("Probability")]
    assert captions[0].startswith(f"Probability {expected.probability:.4f}")
    assert cli_main(["score-match", "--candidate", cand, "--vaga", vaga]) == 0
    assert json.loads(capsys.readouterr().out)["probability"] == expected.probability
    # Only the open tab runs: the card is not built beside the stored pair.
    assert not any("ranks a good match above a poor one" in m.value for m in at.markdown)

    other = prospects[10]["candidate_codigo"]
    at.selectbox(key="ms_candidate").set_value(other).run()
    assert not at.exception
    assert at.caption[[c.value.startswith("Probability") for c in at.caption].index(True)].value.endswith(
        f"candidate {other} · opening {vaga}"
    )

    # A recruiter reads the card's summary in plain words, without the administrators' details.
    _show_tab(at, "About the model")
    assert any("ranks a good match above a poor one" in m.value for m in at.markdown)
    assert any("base rate" in m.value for m in at.markdown)
    assert "Details for administrators" not in [h.value for h in at.subheader]
    assert not any("ROC AUC" in m.label for m in at.metric)
    assert not [c for c in at.caption if c.value.startswith("Probability")]

    # Back on the stored pair's tab, the pair chosen last is still chosen.
    _show_tab(at, "Stored candidate and opening")
    assert at.selectbox(key="ms_candidate").value == other and at.selectbox(key="ms_vaga").value == vaga

    # A pair sent from Recommendations opens the stored pair's tab again, with that pair.
    _show_tab(at, "About the model")
    at.session_state["match_preselect"] = {"candidate": cand, "vaga": vaga}
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    assert at.selectbox(key="ms_candidate").value == cand and at.selectbox(key="ms_vaga").value == vaga


def test_the_form_scores_an_unsaved_pair(prospects: list[dict]) -> None:
    engine = make_engine(get_settings().database_url)
    train_match_model(engine=engine, actor=CLI_ACTOR)
    engine.dispose()
    at = _app("recruiter")
    at.run()
    _show_tab(at, "Fill in a form")
    at.text_area(key="ms_f_c_skills").input("python django docker sql")
    at.text_area(key="ms_f_v_skills").input("python, django e kubernetes")
    at.selectbox(key="ms_f_c_english").set_value("Fluente")
    at.button(key="ms_f_submit").click().run()
    assert not at.exception, [e.value for e in at.exception]
    assert any(c.value.startswith("Probability") and "opening form" in c.value for c in at.caption)
    assert any("`django`" in m.value and "Matched" in m.value for m in at.markdown)
    assert any("`kubernetes`" in m.value and "Missing" in m.value for m in at.markdown)


def test_a_stored_pair_says_which_required_skill_the_candidate_lacks(prospects: list[dict]) -> None:
    engine = make_engine(get_settings().database_url)
    train_match_model(engine=engine, actor=CLI_ACTOR)
    model = load_match_model()
    vaga = "V0000"  # the Python opening: python django sql docker
    skills = list_opening_skills(
        engine=engine, actor=CLI_ACTOR, vaga=vaga, vocabulary=get_skill_vocabulary(model)
    )
    python = next(s.term for s in skills if s.label == "python")
    save_opening_skills(
        engine=engine,
        actor=CLI_ACTOR,
        vaga=vaga,
        levels={python: "required"},
        vocabulary=get_skill_vocabulary(model),
    )
    scores = {
        p["candidate_codigo"]: score_match(
            engine=engine, actor=CLI_ACTOR, model=model, candidate=p["candidate_codigo"], vaga=vaga
        )
        for p in prospects
        if p["vaga_codigo"] == vaga
    }
    engine.dispose()
    lacking = next(c for c, s in scores.items() if s.missing_required == ["python"])
    having = next(c for c, s in scores.items() if not s.missing_required)

    at = _app("recruiter", match_preselect={"candidate": lacking, "vaga": vaga})
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    warnings = [w.value for w in at.warning]
    assert len(warnings) == 1 and warnings[0].endswith("lacks the required skills: python")
    assert lacking in warnings[0]
    at.selectbox(key="ms_candidate").set_value(having).run()
    assert not at.exception
    assert not [w.value for w in at.warning if "required skills" in w.value]

    # In Portuguese the same sentence comes from the catalogue.
    pt = _app("recruiter", match_preselect={"candidate": lacking, "vaga": vaga}, locale="pt_BR")
    pt.run()
    assert not pt.exception
    assert [w.value for w in pt.warning][0].endswith("não tem as competências obrigatórias: python")
