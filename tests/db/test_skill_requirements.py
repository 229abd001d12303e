"""Requirements a recruiter tunes, on both databases: an opening's skills marked required / preferred /
ignored, saved and audited; candidates lacking a required skill rank below those who have them all and say
which one they lack; ignored skills leave the features, so Match scoring and Recommendations agree."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine, select

from hr_core.access import CLI_ACTOR, Actor
from hr_core.errors import InvalidInputError, NotFoundError, PermissionDenied
from hr_core.ml.match import load_match_model, score_match, train_match_model
from hr_core.ml.recommend import build_indexes, recommend
from hr_core.ml.requirements import get_skill_vocabulary, list_opening_skills, save_opening_skills
from hr_core.models import AuditEvent, OpeningSkillRequirement
from hr_core.recruiting.exporter import export_recruiting
from tests.factories import insert_recruiting_rows, make_match_rows, make_planted_recommend_rows

RITA = Actor(username="rita", role="recruiter")
ANA = Actor(username="ana", role="analyst")
T0 = dt.datetime(2026, 11, 30, 9, 0, tzinfo=dt.UTC)
# Close to the Python opening (RV00: python django sql docker) but without docker.
NO_DOCKER = {
    "codigo": "RCX",
    "nome": "Pessoa X",
    "local": "Recife, PE",
    "titulo_profissional": "Desenvolvedor Python",
    "conhecimentos_tecnicos": "python django sql",
    "cv_pt": "Desenvolvedor Python com domínio de python django sql em backend apis web",
    "nivel_profissional": "Pleno",
    "pcd": "Não",
}


@pytest.fixture
def indexed(engine: Engine, encoder: Any) -> Engine:
    candidates, vagas = make_planted_recommend_rows()
    rows = [{k: v for k, v in c.items() if k != "planted_vaga"} for c in candidates] + [NO_DOCKER]
    insert_recruiting_rows(engine, candidates=rows, vagas=vagas, prospects=[])
    build_indexes(engine=engine, actor=CLI_ACTOR, encoder=encoder)
    return engine


def _terms(engine: Engine, vaga: str) -> dict[str, str]:
    skills = list_opening_skills(engine=engine, actor=RITA, vaga=vaga, vocabulary=get_skill_vocabulary(None))
    return {s.label: s.term for s in skills}


def test_a_required_skill_puts_those_who_lack_it_last_and_says_which(indexed: Engine) -> None:
    engine = indexed
    vocabulary = get_skill_vocabulary(None)
    skills = list_opening_skills(engine=engine, actor=RITA, vaga="RV00", vocabulary=vocabulary)
    # Nothing saved: every extracted skill is preferred and the ranking is as it always was.
    assert [(s.label, s.level) for s in skills] == [
        ("django", "preferred"),
        ("docker", "preferred"),
        ("python", "preferred"),
        ("sql", "preferred"),
    ]
    before = recommend(engine=engine, actor=RITA, vaga="RV00", k=17).items
    codes = [i.code for i in before]
    assert codes.index("RCX") < 3 and all(i.missing_required == () for i in before)
    assert next(i for i in before if i.code == "RCX").missing_skills == ("docker",)

    terms = {s.label: s.term for s in skills}
    saved = save_opening_skills(
        engine=engine,
        actor=RITA,
        vaga="RV00",
        levels={terms["docker"]: "required"},
        vocabulary=vocabulary,
        now=T0,
    )
    assert saved.required == ["docker"] and saved.ignored == [] and saved.changed == 1
    after = recommend(engine=engine, actor=RITA, vaga="RV00", k=17).items
    complete = [i.code for i in after if not i.missing_required]
    lacking = [i.code for i in after if i.missing_required]
    # Those with docker first, then the others; each group keeps the order it had.
    assert [i.code for i in after] == complete + lacking
    assert complete == [c for c in codes if c in complete] and lacking == [c for c in codes if c in lacking]
    assert {"RC000", "RC001", "RC040", "RC041"} <= set(complete)  # the Python and DevOps people know docker
    rcx = next(i for i in after if i.code == "RCX")
    assert rcx.missing_required == ("docker",) and after.index(rcx) == len(complete)
    assert rcx.as_dict()["missing_required_skills"] == ["docker"]
    assert {i.code: i.fused_rank for i in after} == {i.code: i.fused_rank for i in before}
    # The other way round (candidate -> openings) the opening's result names the lacking skill too.
    back = recommend(engine=engine, actor=RITA, candidate="RCX", k=8).items
    assert next(i for i in back if i.code == "RV00").missing_required == ("docker",)
    listed = list_opening_skills(engine=engine, actor=RITA, vaga="RV00", vocabulary=vocabulary)
    assert {s.label: s.level for s in listed}["docker"] == "required"

    # Back to preferred: no row is kept and the ranking is the original one.
    save_opening_skills(
        engine=engine, actor=RITA, vaga="RV00", levels={terms["docker"]: "preferred"}, vocabulary=vocabulary
    )
    with engine.connect() as conn:
        assert conn.execute(select(OpeningSkillRequirement.term)).all() == []
    assert [i.code for i in recommend(engine=engine, actor=RITA, vaga="RV00", k=17).items] == codes


def test_an_ignored_skill_leaves_the_opening_and_the_levels_are_audited_and_exported(
    indexed: Engine, tmp_path: Path
) -> None:
    engine = indexed
    vocabulary = get_skill_vocabulary(None)
    terms = _terms(engine, "RV00")
    save_opening_skills(
        engine=engine,
        actor=RITA,
        vaga="RV00",
        levels={terms["sql"]: "ignored", terms["python"]: "required"},
        vocabulary=vocabulary,
        now=T0,
    )
    items = {i.code: i for i in recommend(engine=engine, actor=RITA, vaga="RV00", k=17).items}
    assert items["RC000"].matched_skills == ("django", "docker", "python")  # sql is no longer asked
    assert items["RCX"].missing_skills == ("docker",) and items["RCX"].missing_required == ()
    assert items["RC070"].matched_skills == () and items["RC070"].missing_required == ("python",)
    with engine.connect() as conn:
        rows = conn.execute(
            select(
                OpeningSkillRequirement.vaga_codigo,
                OpeningSkillRequirement.term,
                OpeningSkillRequirement.label,
                OpeningSkillRequirement.level,
                OpeningSkillRequirement.username,
            ).order_by(OpeningSkillRequirement.term)
        ).all()
        events = conn.execute(
            select(AuditEvent.actor, AuditEvent.outcome, AuditEvent.details).where(
                AuditEvent.action == "recruiting.opening_skills"
            )
        ).all()
    assert [tuple(r) for r in rows] == [
        ("RV00", terms["python"], "python", "required", "rita"),
        ("RV00", terms["sql"], "sql", "ignored", "rita"),
    ]
    assert [(e[0], e[1]) for e in events] == [("rita", "ok")]
    assert events[0][2]["required"] == ["python"] and events[0][2]["ignored"] == ["sql"]

    result = export_recruiting(engine=engine, actor=RITA, out=str(tmp_path / "out"))
    assert "opening_skill_requirements.csv" in result["files"]
    lines = (tmp_path / "out" / "opening_skill_requirements.csv").read_text(encoding="utf-8").splitlines()
    assert lines == [
        "vaga,term,label,level,username,updated_at",
        f"RV00,{terms['python']},python,required,rita,2026-11-30T09:00:00+00:00",
        f"RV00,{terms['sql']},sql,ignored,rita,2026-11-30T09:00:00+00:00",
    ]


def test_wrong_levels_terms_openings_and_roles_are_refused(indexed: Engine) -> None:
    engine = indexed
    vocabulary = get_skill_vocabulary(None)
    terms = _terms(engine, "RV00")
    with pytest.raises(InvalidInputError, match="level 'must' of skill"):
        save_opening_skills(
            engine=engine, actor=RITA, vaga="RV00", levels={terms["sql"]: "must"}, vocabulary=vocabulary
        )
    with pytest.raises(InvalidInputError, match="'kotlin' is not a skill extracted from opening RV00"):
        save_opening_skills(
            engine=engine, actor=RITA, vaga="RV00", levels={"kotlin": "required"}, vocabulary=vocabulary
        )
    with pytest.raises(NotFoundError, match="'NOPE' does not exist"):
        save_opening_skills(engine=engine, actor=RITA, vaga="NOPE", levels={}, vocabulary=vocabulary)
    with pytest.raises(PermissionDenied, match="set which skills an opening requires"):
        save_opening_skills(
            engine=engine, actor=ANA, vaga="RV00", levels={terms["sql"]: "required"}, vocabulary=vocabulary
        )
    with pytest.raises(PermissionDenied):
        list_opening_skills(engine=engine, actor=ANA, vaga="RV00", vocabulary=vocabulary)
    with engine.connect() as conn:
        assert conn.execute(select(OpeningSkillRequirement.term)).all() == []
        outcomes = conn.execute(
            select(AuditEvent.outcome).where(AuditEvent.action == "recruiting.opening_skills")
        ).scalars()
        assert list(outcomes) == ["error"] * 4


@pytest.mark.slow
def test_with_a_trained_model_scores_follow_the_tuned_skills_on_both_pages(
    engine: Engine, encoder: Any
) -> None:
    candidates, vagas, prospects = make_match_rows(seed=5, n_vagas=8, per_vaga=6)
    insert_recruiting_rows(engine, candidates=candidates, vagas=vagas, prospects=prospects)
    train_match_model(engine=engine, actor=CLI_ACTOR)
    build_indexes(engine=engine, actor=CLI_ACTOR, encoder=encoder)
    model = load_match_model()
    vocabulary = get_skill_vocabulary(model)
    vaga = vagas[0]["codigo"]  # Desenvolvedor Python: python django sql docker
    skills = list_opening_skills(engine=engine, actor=RITA, vaga=vaga, vocabulary=vocabulary)
    terms = {s.label: s.term for s in skills}
    assert {"python", "docker"} <= set(terms)

    def ranked(method: str) -> list[Any]:
        found = recommend(engine=engine, actor=RITA, vaga=vaga, k=len(candidates), method=method)  # type: ignore[arg-type]
        return list(found.items)

    before = {i.code: i.probability for i in ranked("hybrid")}
    save_opening_skills(
        engine=engine,
        actor=RITA,
        vaga=vaga,
        levels={terms["python"]: "ignored", terms["docker"]: "required"},
        vocabulary=vocabulary,
    )
    for method in ("hybrid", "hybrid+rerank"):
        items = ranked(method)
        flags = [bool(i.missing_required) for i in items]
        assert flags == sorted(flags) and any(flags) and not all(flags), method
        for item in items:
            assert "python" not in item.matched_skills + item.missing_skills
            assert ("docker" in item.missing_skills) == (item.missing_required == ("docker",))
        for item in items[:3] + items[-3:]:
            # Match scoring reads the same tuned opening, so both pages show the same probability.
            score = score_match(engine=engine, actor=RITA, model=model, candidate=item.code, vaga=vaga)
            assert score.probability == item.probability and score.missing_required == list(
                item.missing_required
            )
        if method == "hybrid+rerank":  # ordered by probability within each group
            for group in (False, True):
                probs = [i.probability for i in items if bool(i.missing_required) == group]
                assert probs == sorted(probs, reverse=True)  # type: ignore[type-var]
    after = {i.code: i.probability for i in ranked("hybrid")}
    assert any(after[c] != before[c] for c in after if c in before)  # python no longer counts
