"""The fairness report's arithmetic: a planted bias is flagged, an unbiased model is not."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd

from hr_core.i18n import gettext_for
from hr_core.ml.fairness import MIN_DECIDED, NOT_STATED, age_band, compute_fairness, describe_flag


def _decided(n: int, *, biased: bool, seed: int = 0) -> tuple[pd.DataFrame, pd.DataFrame]:
    rng = np.random.default_rng(seed)
    sexo = rng.choice(["Feminino", "Masculino"], size=n)
    pcd = np.where(np.arange(n) < 20, "Sim", "Não")  # 20 PcD: too few to judge
    ability = rng.uniform(size=n)
    # The planted bias lowers women's probabilities (and outcomes) whatever their ability.
    penalty = np.where((sexo == "Feminino") & biased, 0.35, 0.0)
    probability = np.clip(ability - penalty, 0.01, 0.99)
    label = (rng.uniform(size=n) < probability).astype(int)
    decided = pd.DataFrame(
        {
            "label": label,
            "probability": probability,
            "held_out": np.arange(n) % 4 == 0,
            "sexo": sexo,
            "pcd": pcd,
            "age_band": NOT_STATED,
        }
    )
    top10 = pd.DataFrame(
        {
            "appearances": np.round(probability * 5).astype(int),
            "opportunities": 5,
            "sexo": sexo,
            "pcd": pcd,
            "age_band": NOT_STATED,
        }
    )
    return decided, top10


def test_a_planted_bias_is_flagged_with_its_impact_ratio() -> None:
    decided, top10 = _decided(1200, biased=True)
    report = compute_fairness(decided, threshold=0.5, top10=top10)
    assert report.model_flagged and report.history_flagged
    women = next(g for g in report.groups if g.attribute == "sexo" and g.group == "Feminino")
    men = next(g for g in report.groups if g.attribute == "sexo" and g.group == "Masculino")
    assert men.impact_ratios["selection_rate_at_threshold"] == 1.0
    assert women.impact_ratios["selection_rate_at_threshold"] < 0.8
    assert any("Feminino" in f and "four-fifths" in f for f in report.flags)
    assert women.decided + men.decided == 1200
    assert women.mean_probability is not None and men.mean_probability is not None
    assert women.mean_probability < men.mean_probability
    assert women.true_positive_rate is not None and 0 <= women.true_positive_rate <= 1
    assert report.attributes == ["sexo", "pcd"]  # no birth dates: no age band

    # Each flag is kept with its figures, so a page can say it in the reader's language.
    flag = next(f for f in women.flag_details if f.rate == "selection_rate_at_threshold")
    assert flag.top == "Masculino" and flag.ratio == women.impact_ratios["selection_rate_at_threshold"]
    assert [describe_flag("sexo", "Feminino", f) for f in women.flag_details] == women.flags
    portuguese = describe_flag("sexo", "Feminino", flag, gettext_for("pt_BR"), locale="pt_BR")
    assert portuguese.startswith(
        "taxa de seleção do modelo no limiar de operação: sexo = Feminino está em 0,"
    )
    assert portuguese.endswith("de Masculino (abaixo de quatro quintos)")


def test_an_unbiased_model_is_not_flagged_and_small_groups_are_not_judged() -> None:
    decided, top10 = _decided(1200, biased=False)
    report = compute_fairness(decided, threshold=0.5, top10=top10)
    assert not report.model_flagged and not report.history_flagged and report.flags == []
    pcd = next(g for g in report.groups if g.attribute == "pcd" and g.group == "Sim")
    assert pcd.decided == 20 < MIN_DECIDED and pcd.too_few
    assert all(v is None for v in pcd.impact_ratios.values()) and not pcd.flags
    table = report.table()
    assert {"attribute", "group", "decided", "impact_selection_rate_top10"} <= set(table.columns)


def test_age_bands() -> None:
    today = dt.date(2026, 6, 1)
    assert age_band("1990-06-02", today) == "30-39"
    assert age_band("2000-01-01", today) == "under 30"
    assert age_band("15-03-1970", today) == "50 and over"
    assert age_band("0000-00-00", today) == NOT_STATED and age_band("", today) == NOT_STATED
    assert age_band("2025-01-01", today) == NOT_STATED  # a baby is a typing error
