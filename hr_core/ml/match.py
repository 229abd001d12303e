"""The match model: train on prospect outcomes, save with skops, load after a hash check, score pairs."""

from __future__ import annotations

import csv
import datetime as dt
import os
import platform
import sys
import tempfile
import threading
from collections.abc import Mapping
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any, Literal

import numpy as np
import pandas as pd
from sqlalchemy import Engine

from hr_core.access import Action, Actor, require_role
from hr_core.audit import audited
from hr_core.errors import InvalidInputError, ModelError, NotFoundError
from hr_core.ml import data
from hr_core.ml.artifacts import (
    get_models_dir,
    read_json,
    verify_hash,
    write_json,
)
from hr_core.ml.features import (
    CATEGORICAL_FEATURES,
    FEATURES,
    NUMERIC_FEATURES,
    PROTECTED_ATTRIBUTES,
    VAGA_ELIGIBILITY_COLUMNS,
    build_candidate_text,
    build_features,
    build_vaga_text,
    compare_skill_requirements,
    fit_text_vectorizer,
    make_pair_frame,
)
from hr_core.ml.metrics import expected_calibration_error
from hr_core.ml.skills import SkillVocabulary, learn_from_openings, seed_vocabulary
from hr_core.progress import Progress, no_progress
from hr_core.storage import hash_file

MODEL_FILE = "match_model.skops"
CARD_FILE = "match_model.json"
REFERENCE_FILE = "match_reference.parquet"
RETRAIN_HINT = "retrain it with `python -m hr_core train-match` (or the Retrain button on Match scoring)"
MIN_LABELLED_PAIRS = 30

# Every type the saved bundle may contain; skops refuses to build anything else.
TRUSTED_TYPES: list[str] = [
    "builtins.slice",
    "numpy.dtype",
    "numpy.float64",
    "numpy.int64",
    "numpy.ndarray",
    "scipy.sparse._csr.csr_matrix",
    "sklearn.calibration.CalibratedClassifierCV",
    "sklearn.calibration._CalibratedClassifier",
    "sklearn.calibration._SigmoidCalibration",
    "sklearn.compose._column_transformer.ColumnTransformer",
    # The one type gradient boosting adds that skops does not trust by default (its fitted trees).
    "sklearn.ensemble._hist_gradient_boosting.predictor.TreePredictor",
    "sklearn.feature_extraction.text.TfidfTransformer",
    "sklearn.feature_extraction.text.TfidfVectorizer",
    "sklearn.impute._base.SimpleImputer",
    "sklearn.linear_model._logistic.LogisticRegression",
    "sklearn.pipeline.Pipeline",
    "sklearn.preprocessing._data.StandardScaler",
    "sklearn.preprocessing._encoders.OneHotEncoder",
]


@dataclass(frozen=True)
class Reason:
    """How much one feature moves the probability compared with a typical pair (signed)."""

    feature: str
    effect: float
    value: Any


@dataclass(frozen=True)
class MatchScore:
    candidate: str
    vaga: str
    probability: float
    reasons: list[Reason]
    matched_skills: list[str]
    missing_skills: list[str]
    # The skills the opening's recruiter marked required that the candidate lacks (hr_core.ml.requirements).
    missing_required: list[str] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        return {
            "candidate": self.candidate,
            "vaga": self.vaga,
            "probability": self.probability,
            "reasons": [{"feature": r.feature, "effect": r.effect} for r in self.reasons],
            "matched_skills": self.matched_skills,
            "missing_skills": self.missing_skills,
            "missing_required_skills": self.missing_required,
        }


@dataclass(frozen=True)
class ModelMetrics:
    """How well a model ranks and how honest its probabilities are, on the held-out openings."""

    roc_auc: float
    pr_auc: float
    brier: float
    log_loss: float | None = None  # cards written before the model choice lack these two
    ece: float | None = None  # expected calibration error over 10 equal-width bins

    @classmethod
    def from_dict(cls, raw: Mapping[str, Any]) -> ModelMetrics:
        optional = {k: float(raw[k]) for k in ("log_loss", "ece") if raw.get(k) is not None}
        return cls(
            roc_auc=float(raw["roc_auc"]), pr_auc=float(raw["pr_auc"]), brier=float(raw["brier"]), **optional
        )


@dataclass(frozen=True)
class ModelChoice:
    """The models compared on the same held-out openings and the one kept (lowest log-loss)."""

    kept: str
    by: str
    candidates: Mapping[str, ModelMetrics]

    @classmethod
    def from_dict(cls, raw: Mapping[str, Any]) -> ModelChoice:
        return cls(
            kept=str(raw["kept"]),
            by=str(raw.get("by", "")),
            candidates={k: ModelMetrics.from_dict(v) for k, v in raw["candidates"].items()},
        )


@dataclass(frozen=True)
class CalibrationBin:
    """Held-out pairs whose probability fell in one band: what the model said and what happened."""

    bin: str
    count: int
    mean_predicted: float
    observed_rate: float


@dataclass(frozen=True)
class TrainingData:
    """What the model learnt from: decided prospects and recruiter feedback (see LABEL_RULE), split by
    opening into training and test pairs."""

    pairs: int
    n_train: int
    n_test: int
    openings: int
    candidates: int
    approved: int
    rejected: int
    from_prospects: int  # labels from a decided prospect's outcome
    from_feedback: int  # labels from a recruiter's latest verdict


@dataclass(frozen=True)
class ModelCard:
    """The trained model's card: data, features, what it never reads, metrics, baselines, hashes.

    `as_dict()` gives the card exactly as stored (what the HTTP API returns)."""

    sha256: str
    trained_at: str
    estimator: str
    split: str
    data: TrainingData
    categorical_features: tuple[str, ...]
    numeric_features: tuple[str, ...]
    protected_attributes: tuple[str, ...]
    eligibility_filters: tuple[str, ...]
    metrics: ModelMetrics
    baselines: Mapping[str, ModelMetrics]
    operating_threshold: float
    calibration: tuple[CalibrationBin, ...]
    reference_sha256: str | None
    reference_rows: int | None
    library_versions: Mapping[str, str]
    stored: Mapping[str, Any] = field(repr=False, compare=False)
    choice: ModelChoice | None = None  # None on cards written before two models were compared
    top_skills: tuple[str, ...] = ()  # the learned skill terms most openings name

    @classmethod
    def from_dict(cls, raw: Mapping[str, Any], *, where: str = "the match model card") -> ModelCard:
        """Read a stored card; ModelError naming the missing part when it is not a card this code wrote."""
        try:
            data, counts = raw["data"], raw["data"].get("label_counts", {})
            pairs = int(data.get("pairs", data["n_train"] + data["n_test"]))
            # A card written before feedback existed learnt from decided prospects only.
            sources = data.get("label_sources") or {"decided_prospects": pairs, "feedback": 0}
            excluded = raw.get("excluded_attributes") or {}
            reference = raw.get("reference_data") or {}
            return cls(
                sha256=str(raw["sha256"]),
                trained_at=str(raw.get("trained_at", "")),
                estimator=str(raw.get("estimator", "")),
                split=str(raw.get("split", "")),
                data=TrainingData(
                    pairs=pairs,
                    n_train=int(data["n_train"]),
                    n_test=int(data["n_test"]),
                    openings=int(data.get("openings", 0)),
                    candidates=int(data.get("candidates", 0)),
                    approved=int(counts.get("approved", 0)),
                    rejected=int(counts.get("rejected", 0)),
                    from_prospects=int(sources["decided_prospects"]),
                    from_feedback=int(sources["feedback"]),
                ),
                categorical_features=tuple(raw.get("features", {}).get("categorical", ())),
                numeric_features=tuple(raw.get("features", {}).get("numeric", ())),
                protected_attributes=tuple(excluded.get("protected", ())),
                eligibility_filters=tuple(excluded.get("eligibility_filters", ())),
                metrics=ModelMetrics.from_dict(raw["metrics"]),
                baselines={k: ModelMetrics.from_dict(v) for k, v in (raw.get("baselines") or {}).items()},
                operating_threshold=float(raw.get("operating_threshold", 0.5)),
                calibration=tuple(
                    CalibrationBin(
                        bin=str(b["bin"]),
                        count=int(b["count"]),
                        mean_predicted=float(b["mean_predicted"]),
                        observed_rate=float(b["observed_rate"]),
                    )
                    for b in raw.get("calibration") or ()
                ),
                reference_sha256=reference.get("sha256"),
                reference_rows=reference.get("rows"),
                library_versions=dict(raw.get("library_versions") or {}),
                stored=raw,
                choice=ModelChoice.from_dict(raw["selection"]) if raw.get("selection") else None,
                top_skills=tuple(str(t["term"]) for t in (raw.get("skills") or {}).get("top_terms", ())),
            )
        except (KeyError, TypeError, ValueError, AttributeError) as e:
            raise ModelError(f"{where} lacks or garbles {e}; {RETRAIN_HINT}") from e

    def as_dict(self) -> dict[str, Any]:
        """The card as stored (JSON-ready)."""
        return dict(self.stored)

    @property
    def base_rate(self) -> float | None:
        """Share of past decided applications that were approved (shown beside every probability)."""
        decided = self.data.approved + self.data.rejected
        return self.data.approved / decided if decided else None

    @property
    def calibration_error(self) -> float | None:
        """Expected calibration error on the held-out pairs: the count-weighted gap between the
        probability said and the rate observed, over the calibration bands."""
        total = sum(b.count for b in self.calibration)
        if not total:
            return None
        return sum(b.count * abs(b.mean_predicted - b.observed_rate) for b in self.calibration) / total


Calibration = Literal["well", "roughly", "poorly", "unknown"]
# Bands for the plain-words verdict on the held-out calibration error (share of a probability point).
WELL_CALIBRATED_ECE = 0.05
ROUGHLY_CALIBRATED_ECE = 0.10


@dataclass(frozen=True)
class ModelSummary:
    """The model card in the terms a recruiter needs: what the score is, how good, what it never uses."""

    base_rate: float | None
    decided: int
    ranks_right_in_10: int
    calibration: Calibration
    calibration_error: float | None
    brier_improvement: float | None
    protected_attributes: tuple[str, ...]
    trained_at: str


def summarise_model_card(card: ModelCard) -> ModelSummary:
    """Plain figures from the card: ROC AUC as 'ranks a good match above a poor one N times in 10',
    calibration as well / roughly / poorly from the held-out calibration error and the Brier score
    against the base-rate-only baseline (the 'prior')."""
    prior = card.baselines.get("prior")
    improvement = 1.0 - card.metrics.brier / prior.brier if prior and prior.brier > 0 else None
    ece = card.calibration_error
    beats_prior = improvement is None or improvement > 0
    verdict: Calibration
    if ece is None:
        verdict = "unknown"
    elif ece <= WELL_CALIBRATED_ECE and beats_prior:
        verdict = "well"
    elif ece <= ROUGHLY_CALIBRATED_ECE and beats_prior:
        verdict = "roughly"
    else:
        verdict = "poorly"
    return ModelSummary(
        base_rate=card.base_rate,
        decided=card.data.approved + card.data.rejected,
        ranks_right_in_10=round(card.metrics.roc_auc * 10),
        calibration=verdict,
        calibration_error=ece,
        brier_improvement=improvement,
        protected_attributes=card.protected_attributes,
        trained_at=card.trained_at,
    )


@dataclass
class MatchModel:
    """A loaded, verified match model with the TF-IDF vocabulary its text feature needs and the skill
    terms it learned from the openings.

    `card` is None only inside training, before the card is written."""

    pipeline: Any
    vectorizer: Any
    reference_values: dict[str, Any]
    card: ModelCard | None
    path: Path
    skills: SkillVocabulary = field(default_factory=seed_vocabulary)


@dataclass
class TrainResult:
    roc_auc: float
    pr_auc: float
    n_train: int
    n_test: int
    model: str
    card: ModelCard = field(repr=False)
    version: str = ""  # the model version this training published (see hr_core.ml.versions)
    promoted: bool = False  # whether it is served now (the first version is; later ones wait for an admin)

    def as_dict(self) -> dict[str, Any]:
        return {
            "roc_auc": self.roc_auc,
            "pr_auc": self.pr_auc,
            "n_train": self.n_train,
            "n_test": self.n_test,
            "labels_from_prospects": self.card.data.from_prospects,
            "labels_from_feedback": self.card.data.from_feedback,
            "model": self.model,
            "version": self.version,
            "promoted": self.promoted,
        }


def get_model_paths() -> tuple[Path, Path, Path]:
    """(model file, card file, reference data file) of the served model: the promoted version in the local
    cache (HR_MODELS_DIR/versions/<id>, refreshed from storage), or HR_MODELS_DIR before any promotion."""
    from hr_core.ml.versions import refresh_served

    root = refresh_served() or get_models_dir()
    return _paths_in(root)


def _paths_in(root: Path) -> tuple[Path, Path, Path]:
    return root / MODEL_FILE, root / CARD_FILE, root / REFERENCE_FILE


def read_model_card() -> ModelCard | None:
    """The model card of the trained model, or None when no model was trained yet."""
    _, card_path, _ = get_model_paths()
    if not card_path.is_file():
        return None
    return _read_card(card_path)


def _read_card(card_path: Path) -> ModelCard:
    what = "the match model card"
    return ModelCard.from_dict(
        read_json(card_path, what=what, fix=RETRAIN_HINT), where=f"{what} at {card_path}"
    )


def _make_columns() -> Any:
    from sklearn.compose import ColumnTransformer
    from sklearn.impute import SimpleImputer
    from sklearn.pipeline import Pipeline
    from sklearn.preprocessing import OneHotEncoder, StandardScaler

    columns = ColumnTransformer(
        [
            (
                "cat",
                OneHotEncoder(handle_unknown="infrequent_if_exist", min_frequency=3, sparse_output=False),
                list(CATEGORICAL_FEATURES),
            ),
            (
                "num",
                Pipeline(
                    [
                        (
                            "impute",
                            SimpleImputer(
                                strategy="constant",
                                fill_value=0.0,
                                add_indicator=True,
                                keep_empty_features=True,
                            ),
                        ),
                        ("scale", StandardScaler()),
                    ]
                ),
                list(NUMERIC_FEATURES),
            ),
        ]
    )
    return columns


# The models compared under the same grouped split; the one with the lower held-out log-loss is kept.
MODEL_CANDIDATES: dict[str, str] = {
    "logistic_regression": "CalibratedClassifierCV(sigmoid, cv=3) over Pipeline(ColumnTransformer → "
    "LogisticRegression)",
    "gradient_boosting": "Pipeline(ColumnTransformer → HistGradientBoostingClassifier(depth 3, 150 trees))",
}


def _make_pipeline(kind: str, random_state: int) -> Any:
    from sklearn.calibration import CalibratedClassifierCV
    from sklearn.ensemble import HistGradientBoostingClassifier
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import Pipeline

    if kind == "gradient_boosting":
        # Shallow trees, no early stopping (its validation split ignores the openings); the boosted
        # log-loss is already calibrated: sigmoid calibration on top made held-out log-loss and ECE worse.
        booster = HistGradientBoostingClassifier(
            learning_rate=0.05,
            max_iter=150,
            max_depth=3,
            min_samples_leaf=40,
            l2_regularization=1.0,
            early_stopping=False,
            random_state=random_state,
        )
        return Pipeline([("columns", _make_columns()), ("classifier", booster)])
    if kind != "logistic_regression":
        raise ValueError(f"unknown model kind {kind!r}")
    classifier = LogisticRegression(C=0.5, max_iter=2000)
    model = Pipeline([("columns", _make_columns()), ("classifier", classifier)])
    return CalibratedClassifierCV(model, method="sigmoid", cv=3, ensemble=False)


_THREADPOOLS: list[Any] = []  # one threadpoolctl controller per process, made on first use


def _one_thread() -> Any:
    """OpenMP limited to one thread: gradient boosting on a few thousand rows is fast on one core, while
    OpenMP threads spinning on a shared machine made one fit take 40 times as long.

    The controller that finds the loaded thread pools is made once (finding them reads every loaded library,
    about 40 ms), not at every prediction."""
    if not _THREADPOOLS:
        from threadpoolctl import ThreadpoolController

        _THREADPOOLS.append(ThreadpoolController())
    return _THREADPOOLS[0].limit(limits=1, user_api="openmp")


def predict_proba(pipeline: Any, features: pd.DataFrame) -> np.ndarray:
    """The fitted model's probability of approval for each row of features."""
    with _one_thread():
        return np.asarray(pipeline.predict_proba(features)[:, 1], dtype=float)


def _grouped_split(
    labels: np.ndarray, groups: np.ndarray, random_state: int
) -> tuple[np.ndarray, np.ndarray]:
    from sklearn.model_selection import GroupShuffleSplit

    for attempt in range(50):
        splitter = GroupShuffleSplit(n_splits=1, test_size=0.25, random_state=random_state + attempt)
        train, test = next(splitter.split(labels, labels, groups))
        train_ok = np.bincount(labels[train], minlength=2).min() >= 3
        if train_ok and len(set(labels[test])) == 2:
            return train, test
    raise InvalidInputError(
        "cannot split the labelled prospects by opening so that both sides hold approved and rejected "
        "pairs; import more prospects with final statuses"
    )


def _reliability(y: np.ndarray, p: np.ndarray, bins: int = 5) -> list[dict[str, Any]]:
    edges = np.linspace(0.0, 1.0, bins + 1)
    rows: list[dict[str, Any]] = []
    for lo, hi in zip(edges[:-1], edges[1:], strict=True):
        mask = (p >= lo) & ((p < hi) if hi < 1 else (p <= hi))
        if mask.any():
            rows.append(
                {
                    "bin": f"{lo:.1f}-{hi:.1f}",
                    "count": int(mask.sum()),
                    "mean_predicted": float(p[mask].mean()),
                    "observed_rate": float(y[mask].mean()),
                }
            )
    return rows


def _metrics(y: np.ndarray, p: np.ndarray) -> dict[str, float]:
    from sklearn.metrics import average_precision_score, brier_score_loss, log_loss, roc_auc_score

    return {
        "roc_auc": float(roc_auc_score(y, p)),
        "pr_auc": float(average_precision_score(y, p)),
        "brier": float(brier_score_loss(y, p)),
        "log_loss": float(log_loss(y, p, labels=[0, 1])),
        "ece": expected_calibration_error(y, p),
    }


def _reference_values(features: pd.DataFrame) -> dict[str, Any]:
    values: dict[str, Any] = {}
    for name in CATEGORICAL_FEATURES:
        values[name] = str(features[name].mode().iloc[0])
    for name in NUMERIC_FEATURES:
        median = features[name].median()
        values[name] = float(median) if pd.notna(median) else 0.0
    return values


def _library_versions() -> dict[str, str]:
    import sklearn
    import skops

    return {
        "python": platform.python_version(),
        "scikit-learn": sklearn.__version__,
        "skops": skops.__version__,
        "numpy": np.__version__,
        "pandas": pd.__version__,
    }


LABEL_RULE = (
    "decided prospects give labels (approved or hired = 1, rejected or withdrew = 0) and recruiters' "
    "feedback gives labels (good = 1, wrong = 0); where a pair has both, its latest feedback wins, "
    "since a recruiter judged that pair after its outcome was recorded or with more than the outcome says"
)


@dataclass(frozen=True)
class LabelSources:
    """Where the training labels came from (see LABEL_RULE)."""

    decided_prospects: int  # pairs labelled by a prospect's final status
    feedback: int  # pairs labelled by a recruiter's latest verdict
    feedback_over_outcome: int  # of those, pairs whose decided prospect outcome the feedback replaced
    feedback_changed_label: int  # of those, pairs where the verdict disagrees with the outcome


def combine_labels(decided: pd.DataFrame, feedback: pd.DataFrame) -> tuple[pd.DataFrame, LabelSources]:
    """One label per pair from decided prospects (candidate, vaga, label) and the latest feedback per pair
    (candidate, vaga, label): feedback wins where both exist. Adds label_source ('prospect' | 'feedback')."""
    keys = ["candidate", "vaga"]
    outcomes = decided[[*keys, "label"]].rename(columns={"label": "outcome"})
    verdicts = feedback[[*keys, "label"]].rename(columns={"label": "verdict"})
    both = outcomes.merge(verdicts, on=keys, how="outer")
    from_feedback = both["verdict"].notna()
    both["label"] = both["verdict"].where(from_feedback, both["outcome"]).astype(int)
    both["label_source"] = np.where(from_feedback, "feedback", "prospect")
    over = from_feedback & both["outcome"].notna()
    sources = LabelSources(
        decided_prospects=int((~from_feedback).sum()),
        feedback=int(from_feedback.sum()),
        feedback_over_outcome=int(over.sum()),
        feedback_changed_label=int((over & (both["outcome"] != both["verdict"])).sum()),
    )
    labelled = both[[*keys, "label", "label_source"]].sort_values(["vaga", "candidate"])
    return labelled.reset_index(drop=True), sources


def _load_training_frame(
    engine: Engine,
) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame, LabelSources]:
    prospects = data.load_prospects(engine)
    decided = prospects[prospects["label"].notna()]
    labelled, sources = combine_labels(decided, data.load_feedback_labels(engine))
    if len(labelled) < MIN_LABELLED_PAIRS or labelled["label"].nunique() < 2:
        raise InvalidInputError(
            f"the match model needs at least {MIN_LABELLED_PAIRS} prospects with a final status (approved "
            f"and rejected) or recruiter feedback, whose candidate and opening are both imported; found "
            f"{len(labelled)}. Import the recruiting data first (applicants, vagas and prospects)."
        )
    candidates = data.load_candidates(engine, codes=set(labelled["candidate"]))
    vagas = data.load_vagas(engine, codes=set(labelled["vaga"]))
    pairs = make_pair_frame(candidates, vagas, zip(labelled["candidate"], labelled["vaga"], strict=True))
    pairs = pairs.merge(labelled, on=["candidate", "vaga"], how="inner")
    return pairs, candidates, vagas, sources


def train_match_model(
    *,
    engine: Engine,
    actor: Actor,
    progress: Progress | None = None,
    random_state: int = 0,
    promote: bool | None = None,
) -> TrainResult:
    """Train, evaluate on openings held out, calibrate, save with skops, write the model card and publish it all
    as a new model version in storage.

    The version is served at once when promote is True, or when promote is None and no version was promoted
    yet (the first training gives a working model); otherwise it waits as a candidate for an admin to compare
    and promote (hr_core.ml.versions)."""
    from hr_core.ml import versions
    from hr_core.ml.published import new_build_id

    report = progress or no_progress
    with audited(engine, actor, Action.MODEL_TRAIN) as audit:
        version = new_build_id()
        with versions.SHELF.staging() as folder:
            result = _train(engine, report, random_state, folder)
            report(0.95, "Publishing the model version")
            versions.publish_version(folder, version=version, actor=actor)
        if promote or (promote is None and versions.read_pointer(actor=actor).version is None):
            versions.set_promoted(version=version, actor=actor)
            result.promoted = True
        result.version = version
        result.model = str(get_models_dir() / versions.CACHE_DIR / version / MODEL_FILE)
        audit.details.update(result.as_dict())
    report(1.0, "Done")
    return result


@dataclass
class FittedMatch:
    """The kept model of one training run, with what it was fitted and measured on."""

    model: Any
    kind: str
    vectorizer: Any
    skills: SkillVocabulary
    features: pd.DataFrame
    y: np.ndarray
    train_idx: np.ndarray
    test_idx: np.ndarray
    p_test: np.ndarray
    metrics: dict[str, float]
    candidates: dict[str, dict[str, float]]
    baselines: dict[str, dict[str, float]]
    reference_values: dict[str, Any]


def fit_match_model(
    pairs: pd.DataFrame,
    candidates: pd.DataFrame,
    vagas: pd.DataFrame,
    *,
    random_state: int = 0,
    progress: Progress | None = None,
) -> FittedMatch:
    """Split by opening, learn the skill terms and the text vocabulary from the training openings, fit every
    MODEL_CANDIDATES entry on the same split and keep the one with the lowest held-out log-loss."""
    from sklearn.dummy import DummyClassifier
    from sklearn.linear_model import LogisticRegression

    report = progress or no_progress
    y = pairs["label"].astype(int).to_numpy()
    train_idx, test_idx = _grouped_split(y, pairs["vaga"].to_numpy(), random_state)

    report(0.2, "Learning skills and building features")
    train_pairs = pairs.iloc[train_idx]
    train_cands = candidates[candidates["codigo"].isin(set(train_pairs["candidate"]))]
    train_vagas = vagas[vagas["codigo"].isin(set(train_pairs["vaga"]))]
    skills = learn_from_openings(train_vagas.to_dict("records"))
    vectorizer = fit_text_vectorizer(
        [build_candidate_text(r) for r in train_cands.to_dict("records")],
        [build_vaga_text(r) for r in train_vagas.to_dict("records")],
    )
    features = build_features(pairs, vectorizer=vectorizer, skills=skills)
    x_train, x_test = features.iloc[train_idx], features.iloc[test_idx]
    y_train, y_test = y[train_idx], y[test_idx]

    report(0.45, "Fitting, calibrating and comparing the models")
    fitted: dict[str, tuple[Any, np.ndarray, dict[str, float]]] = {}
    for kind in MODEL_CANDIDATES:
        with _one_thread():
            candidate = _make_pipeline(kind, random_state).fit(x_train, y_train)
        p = predict_proba(candidate, x_test)
        fitted[kind] = (candidate, p, _metrics(y_test, p))
    # The lower held-out log-loss wins; on a tie the first (the simpler logistic regression).
    kept = min(fitted, key=lambda k: (round(fitted[k][2]["log_loss"], 6), list(MODEL_CANDIDATES).index(k)))
    model, p_test, metrics = fitted[kept]

    report(0.65, "Comparing with baselines")
    prior = DummyClassifier(strategy="prior").fit(x_train, y_train)
    skills_only = LogisticRegression().fit(x_train[["skills_overlap"]].fillna(0.0), y_train)
    baselines = {
        "prior": _metrics(y_test, prior.predict_proba(x_test)[:, 1]),
        "skills_overlap_only": _metrics(
            y_test, skills_only.predict_proba(x_test[["skills_overlap"]].fillna(0.0))[:, 1]
        ),
    }
    return FittedMatch(
        model=model,
        kind=kept,
        vectorizer=vectorizer,
        skills=skills,
        features=features,
        y=y,
        train_idx=train_idx,
        test_idx=test_idx,
        p_test=p_test,
        metrics=metrics,
        candidates={k: v[2] for k, v in fitted.items()},
        baselines=baselines,
        reference_values=_reference_values(x_train),
    )


def _train(engine: Engine, report: Progress, random_state: int, folder: Path) -> TrainResult:
    """Fit and measure the model and write its files (model, reference data, fairness report, card) to folder."""
    report(0.05, "Reading labelled prospects and feedback")
    pairs, candidates, vagas, sources = _load_training_frame(engine)
    fit = fit_match_model(pairs, candidates, vagas, random_state=random_state, progress=report)
    model, vectorizer, features, y = fit.model, fit.vectorizer, fit.features, fit.y
    train_idx, test_idx, metrics, baselines = fit.train_idx, fit.test_idx, fit.metrics, fit.baselines
    y_test, p_test = y[test_idx], fit.p_test

    report(0.8, "Saving the model")
    model_path, card_path, reference_path = _paths_in(folder)
    bundle = {
        "pipeline": model,
        "vectorizer": vectorizer,
        "reference_values": fit.reference_values,
        "skills": fit.skills.as_bundle(),
    }
    digest = _dump_bundle(bundle, model_path)
    reference = features.copy()
    reference["probability"] = predict_proba(model, features)
    reference["candidate"] = pairs["candidate"].astype(str).to_numpy()
    reference["vaga"] = pairs["vaga"].astype(str).to_numpy()
    reference["label"] = y
    reference["label_source"] = pairs["label_source"].to_numpy()
    held_out = np.zeros(len(y), dtype=bool)
    held_out[test_idx] = True
    reference["held_out"] = held_out
    reference.to_parquet(reference_path, index=False)
    threshold = choose_operating_threshold(y_test, p_test)

    report(0.85, "Measuring fairness")
    from hr_core.ml.fairness import REPORT_FILE, build_fairness_report

    fairness = build_fairness_report(
        engine=engine,
        model=MatchModel(
            pipeline=model,
            vectorizer=vectorizer,
            reference_values=fit.reference_values,
            card=None,
            path=model_path,
            skills=fit.skills,
        ),
        reference=reference,
        threshold=threshold,
    )
    write_json(folder / REPORT_FILE, fairness.as_dict())
    card = {
        "model": "match",
        "trained_at": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "model_file": model_path.name,
        "sha256": digest,
        "estimator": MODEL_CANDIDATES[fit.kind],
        "selection": {
            "kept": fit.kind,
            "by": "lowest log-loss on the held-out openings",
            "candidates": fit.candidates,
        },
        "split": "GroupShuffleSplit by opening (vaga), 25% of openings held out",
        "data": {
            "pairs": len(pairs),
            "n_train": len(train_idx),
            "n_test": len(test_idx),
            "openings": int(pairs["vaga"].nunique()),
            "candidates": int(pairs["candidate"].nunique()),
            "label_counts": {"approved": int(y.sum()), "rejected": int(len(y) - y.sum())},
            "label_sources": asdict(sources) | {"rule": LABEL_RULE},
        },
        "features": {"categorical": list(CATEGORICAL_FEATURES), "numeric": list(NUMERIC_FEATURES)},
        "skills": {
            "learned_from": "requirement texts (principais_atividades, competencias) of the training openings",
            "rule": "single words and two-word terms within one list item, accents folded, stemmed; kept "
            "when named by at least 3 openings and by no more than half of them; the fixed technology "
            "list (SKILLS_VOCABULARY) is added as a seed",
            "terms": len(fit.skills.terms),
            "openings": fit.skills.n_openings,
            "top_terms": fit.skills.top(30),
        },
        "excluded_attributes": {
            "protected": list(PROTECTED_ATTRIBUTES),
            "eligibility_filters": [f"vaga.{c}" for c in VAGA_ELIGIBILITY_COLUMNS],
            "note": "kept in the data and used only to measure fairness; never read by a feature, "
            "and words stating them are blanked from CV text",
        },
        "metrics": metrics,
        "operating_threshold": threshold,
        "calibration": _reliability(y_test, p_test),
        "baselines": baselines,
        "reference_data": {
            "file": reference_path.name,
            "rows": len(reference),
            "sha256": hash_file(reference_path),
        },
        "library_versions": _library_versions(),
        "fairness": fairness.as_cli()
        | {"groups": [asdict(g) for g in fairness.groups], "note": fairness.note},
    }
    write_json(card_path, card)
    written = ModelCard.from_dict(card)
    return TrainResult(
        roc_auc=round(metrics["roc_auc"], 4),
        pr_auc=round(metrics["pr_auc"], 4),
        n_train=len(train_idx),
        n_test=len(test_idx),
        model=str(model_path),
        card=written,
    )


def choose_operating_threshold(y: np.ndarray, p: np.ndarray) -> float:
    """The probability above which a pair counts as selected: the one with the best F1 on held-out pairs."""
    from sklearn.metrics import precision_recall_curve

    precision, recall, thresholds = precision_recall_curve(y, p)
    if len(thresholds) == 0:
        return 0.5
    f1 = 2 * precision[:-1] * recall[:-1] / np.maximum(precision[:-1] + recall[:-1], 1e-12)
    return round(float(thresholds[int(np.argmax(f1))]), 4)


def load_reference_pairs(model: MatchModel) -> pd.DataFrame:
    """The decided pairs the model was trained and tested on: candidate, vaga, label, probability, held_out."""
    _, _, reference_path = get_model_paths()
    expected = model.card.reference_sha256 if model.card else None
    verify_hash(reference_path, expected, what="the model's reference data", fix=RETRAIN_HINT)
    frame = pd.read_parquet(reference_path)
    wanted = ["candidate", "vaga", "label", "probability", "held_out"]
    if not set(wanted) <= set(frame.columns):
        raise ModelError(
            f"the model's reference data at {reference_path} predates the fairness report; {RETRAIN_HINT}"
        )
    return frame[wanted]


def _dump_bundle(bundle: dict[str, Any], path: Path) -> str:
    import skops.io as sio

    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".tmp-", suffix=".skops")
    os.close(fd)
    try:
        sio.dump(bundle, tmp)
        digest = hash_file(Path(tmp))
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return digest


class _NoTorchInThisThread:
    """An import finder that refuses torch to one thread (the one importing skops), never to the others."""

    def __init__(self) -> None:
        self.thread = threading.get_ident()

    def find_spec(self, name: str, path: Any = None, target: Any = None) -> None:
        if (name == "torch" or name.startswith("torch.")) and threading.get_ident() == self.thread:
            raise ModuleNotFoundError(f"{name} is left out while skops lists its trusted types", name=name)
        return None


def import_model_libraries() -> Any:
    """Import skops.io (what loading the match model needs), once per process, and return it.

    skops lists its trusted types by walking every scikit-learn package, and one of them (an array-API
    helper for torch) imports torch: seconds on a quiet machine, tens of seconds on a busy one, for nothing
    the match model holds. The walk skips a package that cannot be imported, so torch is refused to this
    thread while it runs (other threads import as usual); the trusted types come out the same. A server
    calls this in the background ahead of the first page that loads the model."""
    if "skops.io" in sys.modules:
        return sys.modules["skops.io"]
    blocker = _NoTorchInThisThread()
    sys.meta_path.insert(0, blocker)  # type: ignore[arg-type]
    try:
        import skops.io
    finally:
        sys.meta_path.remove(blocker)  # type: ignore[arg-type]
    return skops.io


def load_match_model(path: Path | None = None) -> MatchModel:
    """Load the match model only if its SHA-256 matches the card and it holds only trusted types."""
    sio = import_model_libraries()

    model_path, card_path, _ = get_model_paths()
    if path is not None:
        model_path, card_path = path, path.with_name(CARD_FILE)
    card = _read_card(card_path)
    verify_hash(model_path, card.sha256, what="the match model", fix=RETRAIN_HINT)
    try:
        bundle = sio.load(model_path, trusted=TRUSTED_TYPES)
    except Exception as e:  # skops raises several types for untrusted or corrupt content
        raise ModelError(
            f"the match model at {model_path} cannot be loaded safely ({e}); {RETRAIN_HINT}"
        ) from e
    if not isinstance(bundle, dict) or not {"pipeline", "vectorizer", "reference_values"} <= set(bundle):
        raise ModelError(f"the match model at {model_path} has an unexpected layout; {RETRAIN_HINT}")
    if "skills" not in bundle or set(bundle["reference_values"]) != set(FEATURES):
        raise ModelError(
            f"the match model at {model_path} predates the skills learned from the openings; {RETRAIN_HINT}"
        )
    return MatchModel(
        pipeline=bundle["pipeline"],
        vectorizer=bundle["vectorizer"],
        reference_values=dict(bundle["reference_values"]),
        card=card,
        path=model_path,
        skills=SkillVocabulary.from_bundle(bundle["skills"]),
    )


def predict_probabilities(model: MatchModel, pairs: pd.DataFrame) -> tuple[pd.DataFrame, np.ndarray]:
    """Features and calibrated probabilities for a pair frame (see features.make_pair_frame)."""
    features = build_features(pairs, vectorizer=model.vectorizer, skills=model.skills)
    if features.empty:
        return features, np.zeros(0)
    return features, predict_proba(model.pipeline, features)


def explain_pairs(
    model: MatchModel, features: pd.DataFrame, *, top: int = 8
) -> list[tuple[float, list[Reason]]]:
    """Each pair's probability and its reasons (per-feature effects: the probability minus the probability
    with that feature set to a typical value), from one prediction over every pair and its variants.

    One call for a page of results: a prediction's cost is mostly per call (the pipeline's steps), not per
    row, and predictions are row by row, so the figures equal those of one pair at a time."""
    n, width = len(features), len(FEATURES) + 1
    if n == 0:
        return []
    # Row p * width is pair p as it is; row p * width + 1 + j is pair p with feature j at its typical value.
    variants = features.iloc[np.repeat(np.arange(n), width)].reset_index(drop=True)
    starts = np.arange(n) * width
    for j, name in enumerate(FEATURES):
        numeric = name in NUMERIC_FEATURES
        column = variants[name].astype("float64" if numeric else object).to_numpy(copy=True)
        column[starts + 1 + j] = model.reference_values[name]
        variants[name] = column
    probs = np.asarray(predict_proba(model.pipeline, variants), dtype=float).reshape(n, width)
    explained = []
    for p in range(n):
        base, row = float(probs[p, 0]), features.iloc[p]
        reasons = [
            Reason(feature=name, effect=round(base - float(q), 4), value=_plain(row[name]))
            for name, q in zip(FEATURES, probs[p, 1:], strict=True)
        ]
        reasons = [r for r in reasons if r.effect != 0.0]
        reasons.sort(key=lambda r: (-abs(r.effect), r.feature))
        explained.append((base, reasons[:top]))
    return explained


def explain_pair(model: MatchModel, features: pd.DataFrame, *, top: int = 8) -> list[Reason]:
    """Per-feature effects of one pair (a one-row frame): see explain_pairs."""
    return explain_pairs(model, features, top=top)[0][1]


def _plain(value: Any) -> Any:
    if isinstance(value, float | np.floating):
        return None if np.isnan(value) else round(float(value), 4)
    return value


def score_records(
    *, model: MatchModel, candidate: dict[str, Any], vaga: dict[str, Any], top: int = 8
) -> MatchScore:
    """Score one pair given as column dicts (a stored pair, or a form with the API's fields)."""
    cand = {**candidate, "codigo": str(candidate.get("codigo") or "form")}
    vag = {**vaga, "codigo": str(vaga.get("codigo") or "form")}
    pairs = make_pair_frame(pd.DataFrame([cand]), pd.DataFrame([vag]), [(cand["codigo"], vag["codigo"])])
    features = build_features(pairs, vectorizer=model.vectorizer, skills=model.skills)
    [(probability, reasons)] = explain_pairs(model, features, top=top)
    skills = compare_skill_requirements(cand, vag, vocabulary=model.skills)
    return MatchScore(
        candidate=cand["codigo"],
        vaga=vag["codigo"],
        probability=round(probability, 4),
        reasons=reasons,
        matched_skills=skills.matched,
        missing_skills=skills.missing,
        missing_required=skills.missing_required,
    )


def score_match(
    *, engine: Engine, actor: Actor, model: MatchModel, candidate: str, vaga: str, top: int = 8
) -> MatchScore:
    """Score a stored (candidate, opening) pair with reasons and skills."""
    require_role(actor, Action.MATCH_SCORE)
    cand = data.require_one(data.load_candidates(engine, codes=[candidate]), candidate, what="candidate")
    vag = data.require_one(data.load_vagas(engine, codes=[vaga]), vaga, what="opening (vaga)")
    return score_records(model=model, candidate=cand, vaga=vag, top=top)


def score_pairs(
    *, engine: Engine, actor: Actor, model: MatchModel, pairs: list[tuple[str, str]]
) -> pd.DataFrame:
    """Probabilities for many stored pairs (candidate, vaga, probability), in the given order."""
    require_role(actor, Action.MATCH_SCORE)
    cand_codes = {c for c, _ in pairs}
    vaga_codes = {v for _, v in pairs}
    candidates = data.load_candidates(engine, codes=cand_codes)
    vagas = data.load_vagas(engine, codes=vaga_codes)
    known_c, known_v = set(candidates["codigo"]), set(vagas["codigo"])
    for line, (c, v) in enumerate(pairs, start=2):
        if c not in known_c:
            raise NotFoundError(f"pair on line {line}: candidate {c!r} does not exist")
        if v not in known_v:
            raise NotFoundError(f"pair on line {line}: opening (vaga) {v!r} does not exist")
    frame = make_pair_frame(candidates, vagas, pairs)
    _, probs = predict_probabilities(model, frame)
    scored = pd.DataFrame(
        {"candidate": frame["candidate"], "vaga": frame["vaga"], "probability": probs.round(4)}
    )
    order = pd.DataFrame(pairs, columns=["candidate", "vaga"])
    return order.merge(scored.drop_duplicates(["candidate", "vaga"]), on=["candidate", "vaga"], how="left")


def read_pairs_csv(path: Path) -> list[tuple[str, str]]:
    """Read a CSV with header columns candidate and vaga; blank codes are refused by line."""
    try:
        with path.open(newline="", encoding="utf-8-sig") as fh:
            reader = csv.DictReader(fh)
            header = [h.strip() for h in reader.fieldnames or []]
            if "candidate" not in header or "vaga" not in header:
                raise InvalidInputError(
                    f"{path}: the header must name the columns candidate and vaga (found {header})"
                )
            pairs = []
            for line, row in enumerate(reader, start=2):
                row = {(k or "").strip(): (v or "").strip() for k, v in row.items()}
                if not row["candidate"] or not row["vaga"]:
                    raise InvalidInputError(f"{path}, line {line}: candidate and vaga must both be filled in")
                pairs.append((row["candidate"], row["vaga"]))
    except (OSError, UnicodeDecodeError) as e:
        raise InvalidInputError(f"cannot read the pairs file {path}: {e}") from e
    return pairs


def score_pairs_csv(
    *, engine: Engine, actor: Actor, model: MatchModel, pairs_path: Path, out_path: Path
) -> dict[str, Any]:
    """Score every pair of a CSV (candidate, vaga) and write candidate, vaga, probability."""
    pairs = read_pairs_csv(pairs_path)
    scored = score_pairs(engine=engine, actor=actor, model=model, pairs=pairs)
    out_path.parent.mkdir(parents=True, exist_ok=True)
    scored.to_csv(out_path, index=False)
    return {"pairs": len(scored), "out": str(out_path)}
