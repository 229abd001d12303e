"""Fairness report on both databases: after training (model card), from the CLI, flags a planted bias."""

from __future__ import annotations

import json
import random
from pathlib import Path

import pytest
from sqlalchemy import Engine, select

from hr_core.access import CLI_ACTOR, Actor
from hr_core.cli import main as cli_main
from hr_core.errors import PermissionDenied
from hr_core.ml.fairness import get_latest_fairness_report, run_fairness_report
from hr_core.ml.match import train_match_model
from hr_core.models import AuditEvent
from hr_core.pipeline_stages import match_label
from tests.factories import ML_REJECTED, insert_recruiting_rows, make_match_rows


def _insert(engine: Engine, *, biased: bool) -> None:
    candidates, vagas, prospects = make_match_rows(seed=5, n_vagas=40, per_vaga=10)
    rng = random.Random(1)
    sex = {c["codigo"]: c["sexo"] for c in candidates}
    for c in candidates:
        c["informacoes_pessoais"] = {"data_nascimento": f"{rng.randrange(1960, 2001)}-05-10"}
    if biased:  # the history turned most approved women down, whatever their fit
        for p in prospects:
            woman = sex[p["candidate_codigo"]] == "Feminino"
            if woman and match_label(p["situacao"]) == 1 and rng.random() < 0.7:
                p["situacao"] = ML_REJECTED[0]
    insert_recruiting_rows(engine, candidates=candidates, vagas=vagas, prospects=prospects)


@pytest.mark.slow
def test_training_writes_the_report_into_the_card_and_flags_a_planted_bias(
    engine: Engine, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    _insert(engine, biased=True)
    card = train_match_model(engine=engine, actor=CLI_ACTOR).card
    fairness = card.as_dict()["fairness"]
    assert fairness["history_flagged"] and "nothing here is an automated decision" in fairness["note"].lower()
    assert set(fairness["attributes"]) == {"sexo", "pcd", "age_band"}
    women = next(g for g in fairness["groups"] if g["attribute"] == "sexo" and g["group"] == "Feminino")
    assert women["impact_ratios"]["historical_selection_rate"] < 0.8
    assert 0.0 < card.operating_threshold < 1.0
    assert get_latest_fairness_report()["flags"] == fairness["flags"]  # type: ignore[index]

    out = tmp_path / "fairness.json"
    assert cli_main(["fairness-report", "--out", str(out)]) == 0
    printed = json.loads(capsys.readouterr().out)
    assert printed["history_flagged"] and printed["out"] == str(out)
    assert json.loads(out.read_text())["groups"] == fairness["groups"]
    with pytest.raises(PermissionDenied, match="fairness"):
        run_fairness_report(engine=engine, actor=Actor(username="a", role="analyst"))
    with engine.connect() as conn:
        outcomes = conn.execute(select(AuditEvent.outcome).where(AuditEvent.action == "ml.fairness")).all()
    assert sorted(o[0] for o in outcomes) == ["error", "ok"]
