"""Evidently drift between the training data and recent prospects, on both databases."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pandas as pd
import pytest
from sqlalchemy import Engine

from hr_core.access import CLI_ACTOR, Actor
from hr_core.cli import main as cli_main
from hr_core.errors import InvalidInputError, ModelError, PermissionDenied
from hr_core.ml.drift import build_drift_report, get_latest_drift_summary, split_usable_columns
from hr_core.ml.match import get_model_paths, train_match_model
from hr_core.ml.versions import promote_version
from tests.factories import insert_recruiting_rows, make_match_rows


def _insert(engine: Engine, **kwargs: object) -> None:
    candidates, vagas, prospects = make_match_rows(**kwargs)  # type: ignore[arg-type]
    insert_recruiting_rows(engine, candidates=candidates, vagas=vagas, prospects=prospects)


def test_drift_flags_a_shifted_sample_and_not_an_unshifted_one(
    engine: Engine, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    _insert(engine, seed=3, n_vagas=30, per_vaga=10)
    train_match_model(engine=engine, actor=CLI_ACTOR)
    assert get_latest_drift_summary() is None

    _insert(engine, seed=4, n_vagas=24, per_vaga=10, prefix="N", in_progress=0.5, applied=dt.date(2025, 1, 1))
    same = build_drift_report(
        engine=engine, actor=CLI_ACTOR, since=dt.date(2025, 1, 1), out=tmp_path / "same.html"
    )
    assert same.current_rows == 240
    assert same.drift_detected is False and same.share < 0.5 and not same.prediction_drift
    assert Path(same.report).read_text(encoding="utf-8").lstrip().lower().startswith("<!doctype html")
    dropped = {d["column"]: d["reason"] for d in same.dropped}
    assert "constant" in dropped["spanish_meets"] and "constant" in dropped["academic_shortfall"]
    assert {"column", "method", "score", "threshold", "drifted"} <= set(same.columns[0])
    assert get_latest_drift_summary()["drift_detected"] is False  # type: ignore[index]

    _insert(engine, seed=5, n_vagas=24, per_vaga=10, prefix="S", shift=True, applied=dt.date(2026, 1, 1))
    out = tmp_path / "shifted.html"
    assert cli_main(["drift-report", "--out", str(out), "--since", "2026-01-01"]) == 0
    printed = json.loads(capsys.readouterr().out)
    assert set(printed) == {"drifted_columns", "share", "drift_detected", "report"}
    assert printed["drift_detected"] is True and printed["report"] == str(out) and out.is_file()
    latest = get_latest_drift_summary()
    assert latest is not None and latest["drift_detected"] is True and latest["prediction_drift"] is True
    drifted = {c["column"] for c in latest["columns"] if c["drifted"]}
    assert {"skills_overlap", "english_meets", "same_city", "probability"} <= drifted
    assert printed["drifted_columns"] == len(drifted)

    retrained = train_match_model(engine=engine, actor=CLI_ACTOR)
    assert get_latest_drift_summary() is not None  # a candidate version: the served model is the same
    promote_version(engine=engine, actor=CLI_ACTOR, version=retrained.version)
    assert get_latest_drift_summary() is None  # another model serves: the old comparison is obsolete


def test_drift_report_errors(engine: Engine, tmp_path: Path) -> None:
    with pytest.raises(PermissionDenied):
        build_drift_report(engine=engine, actor=Actor(username="a", role="analyst"))
    with pytest.raises(ModelError, match="train-match"):
        build_drift_report(engine=engine, actor=CLI_ACTOR)
    _insert(engine, seed=3, n_vagas=12, per_vaga=10)
    train_match_model(engine=engine, actor=CLI_ACTOR)
    with pytest.raises(InvalidInputError, match="no recent prospects"):
        build_drift_report(engine=engine, actor=CLI_ACTOR, since=dt.date(2030, 1, 1))
    reference = get_model_paths()[2]
    reference.write_bytes(reference.read_bytes() + b"x")
    with pytest.raises(ModelError, match="reference data .* integrity check"):
        build_drift_report(engine=engine, actor=CLI_ACTOR)


def test_empty_constant_and_missing_columns_are_listed_not_compared() -> None:
    reference = pd.DataFrame(
        {
            "english_shortfall": [1.0, 2.0, None],
            "vaga_tipo_contratacao": ["br"] * 3,
            "level_excess": [None] * 3,
        }
    )
    current = pd.DataFrame(
        {
            "english_shortfall": [0.0, 1.0, 3.0],
            "vaga_tipo_contratacao": ["br"] * 3,
            "level_excess": [1.0, 2.0, 2.0],
        }
    )
    numeric, categorical, dropped = split_usable_columns(reference, current)
    reasons = {d["column"]: d["reason"] for d in dropped}
    assert numeric == ["english_shortfall"] and categorical == []
    assert "constant" in reasons["vaga_tipo_contratacao"]
    assert "all values missing in the training data" in reasons["level_excess"]
    assert "missing from one" in reasons["probability"]
