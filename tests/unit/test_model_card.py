"""The model card as a typed result, and its plain-words summary for recruiters."""

from __future__ import annotations

from typing import Any

import pytest

from hr_core.errors import ModelError
from hr_core.ml.match import ModelCard, summarise_model_card


def _card(
    *, roc_auc: float = 0.83, brier: float = 0.15, prior_brier: float = 0.19, gap: float = 0.02
) -> dict:
    return {
        "sha256": "ab" * 32,
        "trained_at": "2026-11-30T10:00:00+00:00",
        "estimator": "CalibratedClassifierCV(sigmoid)",
        "split": "by opening",
        "data": {
            "pairs": 40,
            "n_train": 30,
            "n_test": 10,
            "openings": 8,
            "candidates": 35,
            "label_counts": {"approved": 10, "rejected": 30},
        },
        "features": {"categorical": ["vaga_cidade"], "numeric": ["english_meets"]},
        "excluded_attributes": {"protected": ["sexo", "idade"], "eligibility_filters": ["vaga.pcd"]},
        "metrics": {"roc_auc": roc_auc, "pr_auc": 0.6, "brier": brier},
        "baselines": {"prior": {"roc_auc": 0.5, "pr_auc": 0.25, "brier": prior_brier}},
        "operating_threshold": 0.4,
        "calibration": [
            {"bin": "0.0-0.2", "count": 6, "mean_predicted": 0.1, "observed_rate": 0.1 + gap},
            {"bin": "0.6-0.8", "count": 4, "mean_predicted": 0.7, "observed_rate": 0.7 - gap},
        ],
        "reference_data": {"file": "match_reference.parquet", "rows": 40, "sha256": "cd" * 32},
        "library_versions": {"python": "3.11"},
    }


def test_a_stored_card_reads_as_typed_fields_and_gives_back_the_same_json() -> None:
    raw = _card()
    card = ModelCard.from_dict(raw)
    assert card.metrics.roc_auc == 0.83 and card.baselines["prior"].brier == 0.19
    assert card.data.approved == 10 and card.base_rate == 0.25
    assert card.protected_attributes == ("sexo", "idade") and card.reference_sha256 == "cd" * 32
    assert card.calibration_error == pytest.approx(0.02)
    assert card.as_dict() == raw


@pytest.mark.parametrize(
    ("changes", "verdict"),
    [
        ({}, "well"),
        ({"gap": 0.08}, "roughly"),
        ({"gap": 0.2}, "poorly"),
        ({"brier": 0.2}, "poorly"),  # no better than guessing the base rate for everyone
    ],
)
def test_the_summary_says_how_good_the_model_is_in_plain_terms(changes: dict[str, Any], verdict: str) -> None:
    summary = summarise_model_card(ModelCard.from_dict(_card(**changes)))
    assert summary.calibration == verdict
    assert summary.ranks_right_in_10 == 8 and summary.base_rate == 0.25 and summary.decided == 40
    assert summary.protected_attributes == ("sexo", "idade")


def test_a_card_missing_its_metrics_is_refused_with_the_fix() -> None:
    raw = _card()
    del raw["metrics"]
    with pytest.raises(ModelError, match="metrics.*train-match"):
        ModelCard.from_dict(raw)
