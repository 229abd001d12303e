"""The match model on the demo data (issue 12): held-out ROC AUC, PR AUC and Brier of the model as trained
(protected attributes never features) beside the same kind of model fitted on the same grouped split with
them added (sex, marital status, PcD, age band, one-hot): what leaving them out costs; then the fairness
report of the trained model (per group of sex, PcD and age band: the impact ratios to the most-selected
group, four-fifths flags).

The demo's outcomes follow a fit rule of skills, English and level alone, so the protected attributes
carry no signal there and the two models score alike (runs of 1 Dec: ROC AUC 0.842 without, 0.839-0.840
with; PR AUC 0.617-0.619 / 0.617-0.620; Brier 0.124 / 0.124-0.125). The groups' rates still differ by
chance: at selection rates near 0.2 (top-10 shares near 0.03) and groups of 151 to 2,323 decided
prospects, the four-fifths rule flagged 7 rates in those runs (sex, PcD, age band). The report flags as
the issue defines; its "too few to judge" starts below 30 decided prospects, which these groups pass.
"""

from __future__ import annotations

import datetime as dt
import os
import sys
from typing import Any

import numpy as np
import pandas as pd

from bench.common import BenchContext, Figure, make_recruiting_db

# The protected columns the comparison model learns from (never the product's model).
PROTECTED_FEATURES = ("prot_sexo", "prot_estado_civil", "prot_pcd", "prot_age_band")


def _with_protected(kind: str) -> Any:
    """The product's pipeline of this kind, its column step also one-hot encoding PROTECTED_FEATURES."""
    from sklearn.preprocessing import OneHotEncoder

    from hr_core.ml.match import _make_pipeline

    pipeline = _make_pipeline(kind, 0)
    inner = pipeline.estimator if kind == "logistic_regression" else pipeline  # calibrated LR wraps it
    inner.named_steps["columns"].transformers.append(
        ("protected", OneHotEncoder(handle_unknown="ignore", sparse_output=False), list(PROTECTED_FEATURES))
    )
    return pipeline


def _protected_columns(engine: Any, candidates: pd.Series) -> pd.DataFrame:
    from hr_core.ml import data
    from hr_core.ml.fairness import age_band

    raw = data.load_protected_attributes(engine, codes=set(candidates.astype(str))).set_index("codigo")
    today = dt.date.today()
    rows = raw.reindex(candidates.astype(str).to_numpy())
    return pd.DataFrame(
        {
            "prot_sexo": rows["sexo"].fillna("").astype(str).to_numpy(),
            "prot_estado_civil": rows["estado_civil"].fillna("").astype(str).to_numpy(),
            "prot_pcd": rows["pcd"].fillna("").astype(str).to_numpy(),
            "prot_age_band": [age_band(v, today) for v in rows["data_nascimento"].fillna("")],
        }
    )


def run(ctx: BenchContext) -> list[Figure]:
    os.environ["HR_MODELS_DIR"] = str(ctx.workdir / "models_match")
    from hr_core.access import CLI_ACTOR
    from hr_core.ml.fairness import run_fairness_report
    from hr_core.ml.match import (
        _load_training_frame,
        _metrics,
        fit_match_model,
        predict_proba,
        train_match_model,
    )
    from hr_core.settings import reset_settings

    reset_settings()
    # The demo's own seed and sizes (make run).
    engine = make_recruiting_db(ctx.workdir / "demo_recruiting", ctx.workdir / "match_model.db")
    pairs, candidates, vagas, _sources = _load_training_frame(engine)
    fit = fit_match_model(pairs, candidates, vagas)
    features = pd.concat(
        [fit.features.reset_index(drop=True), _protected_columns(engine, pairs["candidate"])], axis=1
    )
    y_train, y_test = fit.y[fit.train_idx], fit.y[fit.test_idx]
    model = _with_protected(fit.kind).fit(features.iloc[fit.train_idx], y_train)
    with_protected = _metrics(y_test, predict_proba(model, features.iloc[fit.test_idx]))
    print(
        f"  match model ({fit.kind}), held-out {len(y_test)} pairs: without protected attributes "
        + ", ".join(f"{k} {v:.3f}" for k, v in fit.metrics.items())
        + "; with them "
        + ", ".join(f"{k} {v:.3f}" for k, v in with_protected.items()),
        file=sys.stderr,
        flush=True,
    )
    figures = [
        Figure(
            f"match model held out: {name}, without protected vs with them",
            fit.metrics[name],
            "",
            with_protected[name],
            extra={"model": fit.kind, "held_out_pairs": int(len(y_test))},
        )
        for name in ("roc_auc", "pr_auc", "brier", "ece")
    ]

    result = train_match_model(engine=engine, actor=CLI_ACTOR)
    report = run_fairness_report(engine=engine, actor=CLI_ACTOR)  # `fairness-report` on the demo
    for group in report.groups:
        ratios = [r for r in group.impact_ratios.values() if r is not None]
        print(
            f"  fairness {group.attribute}={group.group}: decided {group.decided}, historical "
            f"{group.historical_selection_rate}, model at threshold {group.selection_rate_at_threshold}, "
            f"top-10 {group.selection_rate_top10}, TPR {group.true_positive_rate}, impact ratios {ratios}, "
            f"flags {group.flags or 'none'}{' (too few to judge)' if group.too_few else ''}",
            file=sys.stderr,
            flush=True,
        )
        if ratios and not group.too_few:
            figures.append(
                Figure(
                    f"fairness {group.attribute}={group.group}: lowest impact ratio (flag < 0.8)",
                    float(np.min(ratios)),
                    "",
                    None,
                    extra={"decided": group.decided, "flags": group.flags},
                )
            )
    figures.append(
        Figure(
            "fairness: groups flagged by the four-fifths rule (model or history)",
            float(len(report.flags)),
            "",
            None,
            extra={"model_flagged": report.model_flagged, "trained": result.version},
        )
    )
    engine.dispose()
    return figures
