"""The match model on both databases: training quality, model card, safe loading and scoring."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest
import skops.io as sio
from sqlalchemy import Engine, select

from hr_core.access import CLI_ACTOR, Actor
from hr_core.cli import main as cli_main
from hr_core.errors import InvalidInputError, ModelError, NotFoundError, PermissionDenied
from hr_core.ml.match import (
    ModelCard,
    get_model_paths,
    load_match_model,
    read_model_card,
    score_match,
    score_pairs,
    summarise_model_card,
    train_match_model,
)
from hr_core.ml.metrics import expected_calibration_error
from hr_core.models import AuditEvent
from hr_core.pipeline_stages import match_label
from hr_core.storage import hash_file
from tests.factories import insert_recruiting_rows, make_match_rows


@pytest.fixture
def trained(engine: Engine) -> tuple[Engine, ModelCard, list[dict]]:
    candidates, vagas, prospects = make_match_rows(seed=7, n_vagas=40, per_vaga=10, in_progress=0.1)
    insert_recruiting_rows(engine, candidates=candidates, vagas=vagas, prospects=prospects)
    result = train_match_model(engine=engine, actor=CLI_ACTOR)
    return engine, result.card, prospects


def test_training_learns_the_planted_relation_and_writes_a_card(
    trained: tuple[Engine, ModelCard, list[dict]],
) -> None:
    engine, card, prospects = trained
    metrics, baselines = card.metrics, card.baselines
    assert metrics.roc_auc > 0.75
    assert metrics.roc_auc > baselines["prior"].roc_auc + 0.2
    assert metrics.roc_auc > baselines["skills_overlap_only"].roc_auc
    assert metrics.brier < baselines["prior"].brier
    labelled = [p for p in prospects if match_label(p["situacao"]) is not None]
    assert card.data.n_train + card.data.n_test == len(labelled) < len(prospects)
    approved = sum(match_label(p["situacao"]) == 1 for p in labelled)
    assert card.data.approved == approved and card.base_rate == approved / len(labelled)
    model_path, card_path, reference_path = get_model_paths()
    assert json.loads(card_path.read_text())["sha256"] == hash_file(model_path) == card.sha256
    assert read_model_card() == card and json.loads(card_path.read_text()) == card.as_dict()
    assert card.reference_rows == len(labelled) and reference_path.is_file()
    assert {"scikit-learn", "skops", "python"} <= set(card.library_versions)
    assert sum(b.count for b in card.calibration) == card.data.n_test
    assert "english_meets" in card.numeric_features and "level_shortfall" in card.numeric_features
    # Both models measured on the same split; the kept one has the lower held-out log-loss.
    choice = card.choice
    assert choice is not None and set(choice.candidates) == {"logistic_regression", "gradient_boosting"}
    kept = choice.candidates[choice.kept]
    assert all(kept.log_loss <= m.log_loss for m in choice.candidates.values())  # type: ignore[operator]
    assert card.metrics == kept
    held_out = pd.read_parquet(reference_path).query("held_out")
    assert kept.ece == pytest.approx(
        expected_calibration_error(held_out["label"].to_numpy(), held_out["probability"].to_numpy())
    )
    # The skills were learned from the openings' texts ("sap fi" is a two-word term of the data).
    top = [t["openings"] for t in card.as_dict()["skills"]["top_terms"]]
    assert card.as_dict()["skills"]["terms"] >= len(top) == len(card.top_skills) > 0
    assert top == sorted(top, reverse=True)
    skills = load_match_model().skills
    assert "sap fi" in {skills.label(t) for t in skills.find("Consultor com SAP FI e Excel")}
    summary = summarise_model_card(card)
    assert summary.ranks_right_in_10 >= 8 and summary.brier_improvement and summary.brier_improvement > 0
    with engine.connect() as conn:
        actions = conn.execute(select(AuditEvent.action, AuditEvent.outcome)).all()
    assert ("ml.train", "ok") in [tuple(a) for a in actions]


def test_scoring_is_deterministic_and_the_same_through_the_cli(
    trained: tuple[Engine, ModelCard, list[dict]], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    engine, _, prospects = trained
    model = load_match_model()
    pair = (prospects[0]["candidate_codigo"], prospects[0]["vaga_codigo"])
    first = score_match(engine=engine, actor=CLI_ACTOR, model=model, candidate=pair[0], vaga=pair[1])
    again = score_match(
        engine=engine, actor=CLI_ACTOR, model=load_match_model(), candidate=pair[0], vaga=pair[1]
    )
    assert first == again and 0.0 < first.probability < 1.0
    assert first.reasons and all(r.effect != 0 for r in first.reasons)
    assert [abs(r.effect) for r in first.reasons] == sorted(
        (abs(r.effect) for r in first.reasons), reverse=True
    )

    assert cli_main(["score-match", "--candidate", pair[0], "--vaga", pair[1]]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["probability"] == first.probability
    assert out["reasons"][0] == {"feature": first.reasons[0].feature, "effect": first.reasons[0].effect}

    pairs = [(p["candidate_codigo"], p["vaga_codigo"]) for p in prospects[:5]]
    pairs_csv = tmp_path / "pairs.csv"
    pairs_csv.write_text("candidate,vaga\n" + "".join(f"{c},{v}\n" for c, v in pairs), encoding="utf-8")
    scores_csv = tmp_path / "scores.csv"
    assert cli_main(["score-match", "--pairs", str(pairs_csv), "--out", str(scores_csv)]) == 0
    lines = scores_csv.read_text().splitlines()
    assert lines[0] == "candidate,vaga,probability" and len(lines) == 6
    assert float(lines[1].split(",")[2]) == first.probability
    batch = score_pairs(engine=engine, actor=CLI_ACTOR, model=model, pairs=pairs)
    assert list(batch["probability"]) == [float(line.split(",")[2]) for line in lines[1:]]

    with pytest.raises(NotFoundError, match="'nobody'"):
        score_match(engine=engine, actor=CLI_ACTOR, model=model, candidate="nobody", vaga=pair[1])
    assert cli_main(["score-match", "--candidate", "nobody", "--vaga", pair[1]]) == 2


def test_a_tampered_or_untrusted_model_file_is_refused(trained: tuple[Engine, ModelCard, list[dict]]) -> None:
    model_path, card_path, _ = get_model_paths()
    original = model_path.read_bytes()
    model_path.write_bytes(original[:-20] + bytes(b ^ 0xFF for b in original[-20:]))
    with pytest.raises(ModelError, match="integrity check"):
        load_match_model()
    assert cli_main(["score-match", "--candidate", "x", "--vaga", "y"]) == 1

    # A file with the right hash in the card but a type outside the trusted list is refused too.
    import datetime as dt

    sio.dump({"pipeline": dt.date(2020, 1, 1), "vectorizer": None, "reference_values": {}}, model_path)
    card = json.loads(card_path.read_text())
    card["sha256"] = hash_file(model_path)
    card_path.write_text(json.dumps(card))
    with pytest.raises(ModelError, match="cannot be loaded safely"):
        load_match_model()

    card_path.unlink()
    with pytest.raises(ModelError, match="train-match"):
        load_match_model()


def test_training_needs_an_admin_and_enough_labelled_data(engine: Engine) -> None:
    with pytest.raises(PermissionDenied, match="retrain the match model"):
        train_match_model(engine=engine, actor=Actor(username="r", role="recruiter"))
    candidates, vagas, prospects = make_match_rows(seed=1, n_vagas=2, per_vaga=5)
    insert_recruiting_rows(engine, candidates=candidates, vagas=vagas, prospects=prospects)
    with pytest.raises(InvalidInputError, match="at least 30 prospects"):
        train_match_model(engine=engine, actor=CLI_ACTOR)
    with engine.connect() as conn:
        outcomes = (
            conn.execute(select(AuditEvent.outcome).where(AuditEvent.action == "ml.train")).scalars().all()
        )
    assert outcomes == ["error", "error"]
