"""Data drift (Evidently) between the match model's training data and recent prospects."""

from __future__ import annotations

import datetime as dt
import os
import re
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from sqlalchemy import Engine

from hr_core.access import Action, Actor
from hr_core.audit import audited
from hr_core.errors import InvalidInputError, ModelError
from hr_core.ml import data
from hr_core.ml.artifacts import DRIFT_SUMMARY_FILE, get_models_dir, read_json, verify_hash, write_json
from hr_core.ml.features import CATEGORICAL_FEATURES, NUMERIC_FEATURES, make_pair_frame
from hr_core.ml.match import (
    RETRAIN_HINT,
    MatchModel,
    get_model_paths,
    load_match_model,
    predict_probabilities,
)
from hr_core.progress import Progress, no_progress

SUMMARY_FILE = DRIFT_SUMMARY_FILE
REPORT_FILE = "drift_report.html"
# Fewer recent prospects than this cannot show drift (one row "drifts" from anything).
MIN_DRIFT_ROWS = 30
DRIFT_SHARE = 0.5  # Evidently's default: the data set drifts when half of its columns do
PREDICTION = "probability"
_CONFIG = re.compile(r"column=(?P<column>[^,]+),method=(?P<method>[^,]+),threshold=(?P<threshold>[^)]+)")


@dataclass
class DriftSummary:
    drifted_columns: int
    share: float
    drift_detected: bool
    report: str
    prediction_drift: bool
    reference_rows: int
    current_rows: int
    generated_at: str
    columns: list[dict[str, Any]] = field(default_factory=list)
    dropped: list[dict[str, str]] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)

    def as_cli(self) -> dict[str, Any]:
        return {
            "drifted_columns": self.drifted_columns,
            "share": self.share,
            "drift_detected": self.drift_detected,
            "report": self.report,
        }


def get_latest_drift_summary() -> dict[str, Any] | None:
    """The summary of the latest drift report (for Home's warning), or None if none was made."""
    path = get_models_dir() / SUMMARY_FILE
    if not path.is_file():
        return None
    return read_json(path, what="the drift summary", fix="run `python -m hr_core drift-report` again")


def load_reference_data(model: MatchModel) -> pd.DataFrame:
    """The training features and probabilities saved with the model, after a hash check."""
    _, _, reference_path = get_model_paths()
    expected = model.card.reference_sha256 if model.card else None
    verify_hash(reference_path, expected, what="the model's reference data", fix=RETRAIN_HINT)
    return pd.read_parquet(reference_path)


def load_current_data(
    *, engine: Engine, model: MatchModel, since: dt.date | None = None, limit: int = 1000
) -> pd.DataFrame:
    """Features and probabilities of recent prospects (applied since a date, else the latest `limit`)."""
    prospects = data.load_prospects(engine)
    if since is not None:
        dates = pd.to_datetime(prospects["data_candidatura"], errors="coerce")
        prospects = prospects[dates >= pd.Timestamp(since)]
    else:
        prospects = prospects.assign(_d=pd.to_datetime(prospects["data_candidatura"], errors="coerce"))
        prospects = prospects.sort_values("_d", ascending=False, na_position="last").head(limit)
    if prospects.empty:
        raise InvalidInputError(
            "no recent prospects with an imported candidate and opening to compare with the training data"
            + (f" (applied on or after {since})" if since else "")
            + "; import newer prospects or choose an earlier date"
        )
    candidates = data.load_candidates(engine, codes=set(prospects["candidate"]))
    vagas = data.load_vagas(engine, codes=set(prospects["vaga"]))
    pairs = make_pair_frame(candidates, vagas, zip(prospects["candidate"], prospects["vaga"], strict=True))
    features, probs = predict_probabilities(model, pairs)
    features[PREDICTION] = probs
    return features


def split_usable_columns(
    reference: pd.DataFrame, current: pd.DataFrame
) -> tuple[list[str], list[str], list[dict[str, str]]]:
    """Numeric and categorical columns worth comparing; empty, all-missing and constant ones are listed."""
    numeric: list[str] = []
    categorical: list[str] = []
    dropped: list[dict[str, str]] = []
    wanted = [*CATEGORICAL_FEATURES, *NUMERIC_FEATURES, PREDICTION]
    for column in wanted:
        if column not in reference.columns or column not in current.columns:
            dropped.append({"column": column, "reason": "missing from one of the data sets"})
            continue
        ref, cur = reference[column], current[column]
        if ref.notna().sum() == 0 or cur.notna().sum() == 0:
            side = "training data" if ref.notna().sum() == 0 else "recent data"
            dropped.append({"column": column, "reason": f"all values missing in the {side}"})
            continue
        if pd.concat([ref, cur]).nunique(dropna=True) <= 1:
            dropped.append({"column": column, "reason": "constant: the same value everywhere"})
            continue
        (categorical if column in CATEGORICAL_FEATURES else numeric).append(column)
    return numeric, categorical, dropped


def _column_results(snapshot_dict: dict[str, Any]) -> tuple[list[dict[str, Any]], float, int]:
    columns: list[dict[str, Any]] = []
    share, count = 0.0, 0
    for metric in snapshot_dict.get("metrics", []):
        name = str(metric.get("metric_name", ""))
        value = metric.get("value")
        if name.startswith("DriftedColumnsCount") and isinstance(value, dict):
            share, count = float(value.get("share", 0.0)), int(value.get("count", 0))
        elif name.startswith("ValueDrift"):
            config = metric.get("config") or {}
            parsed = _CONFIG.search(name)
            method = str(config.get("method") or (parsed.group("method") if parsed else ""))
            threshold = float(config.get("threshold") or (parsed.group("threshold") if parsed else 0.05))
            score = float(value) if value is not None else float("nan")
            drifted = score < threshold if "p_value" in method else score >= threshold
            columns.append(
                {
                    "column": str(config.get("column") or (parsed.group("column") if parsed else name)),
                    "method": method,
                    "score": round(score, 6),
                    "threshold": threshold,
                    "drifted": bool(drifted),
                }
            )
    return columns, share, count


def build_drift_report(
    *,
    engine: Engine,
    actor: Actor,
    out: Path | None = None,
    since: dt.date | None = None,
    limit: int = 1000,
    progress: Progress | None = None,
) -> DriftSummary:
    """Compare recent prospects with the training data (features and predicted probability)."""
    report = progress or no_progress
    with audited(engine, actor, Action.DRIFT_REPORT, {"limit": limit}) as audit:
        if limit < MIN_DRIFT_ROWS:
            raise InvalidInputError(
                f"--limit {limit} is too small: a drift report compares at least {MIN_DRIFT_ROWS} recent "
                "prospects with the training data (fewer cannot show drift)"
            )
        if out is not None:
            _check_writable(Path(out))
        summary = _build(engine, out, since, limit, report)
        audit.details.update(summary.as_cli())
    return summary


def _check_writable(path: Path) -> None:
    """Refuse an --out the report could not be written to, before the slow part."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
    except OSError as e:
        raise InvalidInputError(f"cannot write the drift report to {path}: {e.strerror or e}") from e
    target = path if path.exists() else path.parent
    if path.is_dir() or not os.access(target, os.W_OK):
        raise InvalidInputError(f"cannot write the drift report to {path}: not a writable file path")


def _build(
    engine: Engine, out: Path | None, since: dt.date | None, limit: int, report: Progress
) -> DriftSummary:
    report(0.05, "Loading the model and its training data")
    model = load_match_model()
    reference = load_reference_data(model)
    report(0.2, "Scoring recent prospects")
    current = load_current_data(engine=engine, model=model, since=since, limit=limit)
    if len(current) < MIN_DRIFT_ROWS:
        raise InvalidInputError(
            f"only {len(current)} recent prospects to compare; a drift report needs at least {MIN_DRIFT_ROWS} "
            "(widen --since or import more prospects)"
        )
    numeric, categorical, dropped = split_usable_columns(reference, current)
    if not numeric and not categorical:
        raise ModelError("no column can be compared: every one is empty or constant; see the dropped list")
    report(0.45, "Running Evidently")
    from evidently import DataDefinition, Dataset, Report
    from evidently.presets import DataDriftPreset

    columns = numeric + categorical
    definition = DataDefinition(numerical_columns=numeric, categorical_columns=categorical)

    def as_dataset(frame: pd.DataFrame) -> Any:
        part = frame[columns].copy()
        for c in categorical:
            part[c] = part[c].astype(str)
        for c in numeric:
            part[c] = pd.to_numeric(part[c], errors="coerce").astype(float)
        return Dataset.from_pandas(part, data_definition=definition)

    # Evidently correlates columns internally; a column constant on one side divides by zero there.
    with np.errstate(divide="ignore", invalid="ignore"):
        snapshot = Report([DataDriftPreset(drift_share=DRIFT_SHARE)]).run(
            reference_data=as_dataset(reference), current_data=as_dataset(current)
        )
    report(0.85, "Writing the report")
    results, share, count = _column_results(snapshot.dict())
    out_path = Path(out) if out is not None else get_models_dir() / REPORT_FILE
    out_path.parent.mkdir(parents=True, exist_ok=True)
    snapshot.save_html(str(out_path))
    prediction_drift = any(r["column"] == PREDICTION and r["drifted"] for r in results)
    summary = DriftSummary(
        drifted_columns=count,
        share=round(share, 4),
        drift_detected=bool(share >= DRIFT_SHARE or prediction_drift),
        report=str(out_path),
        prediction_drift=prediction_drift,
        reference_rows=len(reference),
        current_rows=len(current),
        generated_at=dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        columns=sorted(results, key=lambda r: (not r["drifted"], r["column"])),
        dropped=dropped,
    )
    write_json(get_models_dir() / SUMMARY_FILE, summary.as_dict())
    report(1.0, "Done")
    return summary
