"""The match model against data whose true probabilities are known: discrimination near the best
achievable, calibration, the choice between logistic regression and gradient boosting, explanations."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import skops.io as sio
from sklearn.metrics import roc_auc_score

from hr_core.ml.features import FEATURES, make_pair_frame
from hr_core.ml.match import (
    MODEL_CANDIDATES,
    TRUSTED_TYPES,
    FittedMatch,
    MatchModel,
    _make_pipeline,
    explain_pair,
    explain_pairs,
    fit_match_model,
    predict_proba,
)
from hr_core.ml.metrics import expected_calibration_error
from hr_core.pipeline_stages import match_label
from tests.factories import make_truth_match_rows


@pytest.fixture(scope="module")
def truth_fit() -> tuple[FittedMatch, pd.DataFrame, np.ndarray]:
    candidates, vagas, prospects, truth = make_truth_match_rows(seed=1, n_vagas=500)
    labelled = pd.DataFrame(
        [
            (p["candidate_codigo"], p["vaga_codigo"], match_label(p["situacao"]))
            for p in prospects
            if match_label(p["situacao"]) is not None
        ],
        columns=["candidate", "vaga", "label"],
    )
    cands, vags = pd.DataFrame(candidates), pd.DataFrame(vagas)
    pairs = make_pair_frame(cands, vags, zip(labelled["candidate"], labelled["vaga"], strict=True))
    pairs = pairs.merge(labelled, on=["candidate", "vaga"])
    fit = fit_match_model(pairs, cands, vags, random_state=0)
    held_out = pairs.iloc[fit.test_idx]
    true_p = np.array([truth[(c, v)] for c, v in zip(held_out["candidate"], held_out["vaga"], strict=True)])
    return fit, pairs, true_p


def test_held_out_discrimination_is_near_the_true_probabilities_and_calibrated(
    truth_fit: tuple[FittedMatch, pd.DataFrame, np.ndarray],
) -> None:
    fit, _, true_p = truth_fit
    y_test = fit.y[fit.test_idx]
    assert len(y_test) > 1000  # enough held-out pairs for ECE over 10 bins to mean something
    best = roc_auc_score(y_test, true_p)
    assert fit.metrics["roc_auc"] >= 0.97 * best, (fit.metrics["roc_auc"], best)
    assert fit.metrics["ece"] < 0.05
    assert fit.metrics["ece"] == pytest.approx(expected_calibration_error(y_test, fit.p_test))
    assert fit.metrics["roc_auc"] > fit.baselines["skills_overlap_only"]["roc_auc"]
    assert fit.metrics["brier"] < fit.baselines["prior"]["brier"]


def test_both_models_are_measured_on_the_same_split_and_the_lower_log_loss_is_kept(
    truth_fit: tuple[FittedMatch, pd.DataFrame, np.ndarray],
) -> None:
    fit, _, _ = truth_fit
    assert set(fit.candidates) == set(MODEL_CANDIDATES) == {"logistic_regression", "gradient_boosting"}
    for metrics in fit.candidates.values():
        assert {"roc_auc", "pr_auc", "brier", "log_loss", "ece"} <= set(metrics)
    assert fit.kind == min(fit.candidates, key=lambda k: fit.candidates[k]["log_loss"])
    assert fit.metrics == fit.candidates[fit.kind]
    # The skills were learned from the training openings' requirement texts, multi-word terms included.
    labels = {fit.skills.label(t) for t in fit.skills.terms}
    assert {"sap fi", "power bi", "gestao projetos", "conciliacao bancaria", "folha pagamento"} <= labels


@pytest.mark.parametrize("kind", list(MODEL_CANDIDATES))
def test_each_model_explains_a_score_feature_by_feature_and_loads_with_the_trusted_types(
    truth_fit: tuple[FittedMatch, pd.DataFrame, np.ndarray], kind: str, tmp_path: Path
) -> None:
    fit, _, _ = truth_fit
    x_train = fit.features.iloc[fit.train_idx]
    pipeline = _make_pipeline(kind, 0).fit(x_train, fit.y[fit.train_idx])
    path = tmp_path / "model.skops"
    sio.dump({"pipeline": pipeline, "vectorizer": fit.vectorizer}, path)
    assert set(sio.get_untrusted_types(file=path)) <= set(TRUSTED_TYPES)
    loaded = sio.load(path, trusted=TRUSTED_TYPES)
    model = MatchModel(
        pipeline=loaded["pipeline"],
        vectorizer=loaded["vectorizer"],
        reference_values=fit.reference_values,
        card=None,
        path=path,
        skills=fit.skills,
    )
    # A strong pair and a weak one: the reasons name features and point the right way.
    x_test = fit.features.iloc[fit.test_idx].reset_index(drop=True)
    strong = x_test.sort_values(["skills_overlap", "english_meets"], ascending=False).index[0]
    reasons = explain_pair(model, x_test.iloc[[strong]].reset_index(drop=True), top=len(FEATURES))
    assert reasons and {r.feature for r in reasons} <= set(FEATURES)
    by_feature = {r.feature: r for r in reasons}
    assert by_feature["skills_overlap"].effect > 0 or by_feature["skills_missing"].effect > 0

    # A page of results is explained in one prediction; each pair's figures are those of the pair alone:
    # its probability, and each feature's effect with only that feature at its typical value.
    page = x_test.iloc[:12].reset_index(drop=True)
    explained = explain_pairs(model, page, top=len(FEATURES))
    assert len(explained) == len(page)
    for p, (probability, reasons) in enumerate(explained):
        one = page.iloc[[p]].reset_index(drop=True)
        assert probability == pytest.approx(float(predict_proba(model.pipeline, one)[0]), abs=1e-12)
        assert reasons == explain_pair(model, one, top=len(FEATURES))
        for reason in reasons:
            typical = one.copy()
            typical[reason.feature] = [model.reference_values[reason.feature]]
            alone = probability - float(predict_proba(model.pipeline, typical)[0])
            assert reason.effect == round(alone, 4), reason
    assert explain_pairs(model, page.iloc[:0]) == []


def test_expected_calibration_error() -> None:
    assert expected_calibration_error(np.array([0, 1, 0, 1]), np.array([0.5, 0.5, 0.5, 0.5])) == 0.0
    # Two bins: 0.1 predicted where 0 happened (|0.1 - 0|), 0.9 predicted where half happened (|0.9 - 0.5|).
    y, p = np.array([0, 0, 1, 0]), np.array([0.1, 0.1, 0.9, 0.9])
    assert expected_calibration_error(y, p) == pytest.approx(0.5 * 0.1 + 0.5 * 0.4)
    assert expected_calibration_error(np.array([1]), np.array([1.0])) == 0.0
