"""Fairness report: how the history and the match model treat groups of a protected attribute.

Protected attributes are never features (see features.PROTECTED_ATTRIBUTES); they are read here only to
measure. Per attribute with data (sex, PcD, age band when a birth date exists) and per group: decided
prospects, the historical selection rate, the model's mean probability, its selection rate at the operating
threshold and in top-10 recommendations, the true-positive rate on held-out pairs, and the adverse-impact
ratio to the most-selected group with the four-fifths rule. Metrics come from fairlearn's MetricFrame.
Nothing here is an automated decision: it tells people where to look.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from sqlalchemy import Engine

from hr_core.access import Action, Actor
from hr_core.audit import audited
from hr_core.errors import InvalidInputError, ModelError
from hr_core.i18n import DEFAULT_LOCALE, N_, Gettext, format_number
from hr_core.ml import data
from hr_core.ml.artifacts import get_models_dir, read_json, write_json
from hr_core.ml.features import normalise_text

REPORT_FILE = "fairness_report.json"
MIN_DECIDED = 30  # fewer decided prospects in a group: "too few to judge"
FOUR_FIFTHS = 0.8
TOP_K = 10
NOT_STATED = "(not stated)"
ATTRIBUTES: tuple[str, ...] = ("sexo", "pcd", "age_band")
ATTRIBUTE_LABELS: dict[str, str] = {
    "sexo": N_("sex"),
    "pcd": N_("disability (PcD)"),
    "age_band": N_("age band"),
}
# Selection rates compared with the four-fifths rule; the model's own two raise the model flag.
RATES: dict[str, str] = {
    "historical_selection_rate": N_("historical selection rate"),
    "selection_rate_at_threshold": N_("model selection rate at the operating threshold"),
    "selection_rate_top10": N_("share in top-10 recommendations"),
}
FLAG_MESSAGE = N_("{rate}: {attribute} = {group} is at {ratio} of {top} (below four-fifths)")
MODEL_RATES: tuple[str, ...] = ("selection_rate_at_threshold", "selection_rate_top10")
NOT_A_DECISION = N_(
    "Nothing here is an automated decision: the figures show where the history or the model treat groups "
    "differently, so that people can look closer. Protected attributes are never inputs of the model."
)


@dataclass
class GroupFigures:
    """One group of one protected attribute."""

    attribute: str
    group: str
    decided: int
    historical_selection_rate: float | None
    mean_probability: float | None
    selection_rate_at_threshold: float | None
    selection_rate_top10: float | None
    true_positive_rate: float | None
    held_out_positives: int
    too_few: bool
    impact_ratios: dict[str, float | None] = field(default_factory=dict)
    flags: list[str] = field(default_factory=list)
    flag_details: list[GroupFlag] = field(default_factory=list)


@dataclass(frozen=True)
class GroupFlag:
    """One four-fifths flag of a group: which rate, its ratio to the most-selected group, and that group."""

    rate: str
    ratio: float
    top: str


def describe_flag(
    attribute: str, group: str, flag: GroupFlag, _: Gettext = str, *, locale: str = DEFAULT_LOCALE
) -> str:
    """A flag as a sentence ('share in top-10 recommendations: sex = F is at 0.70 of M (below four-fifths)'),
    translated with _ and the ratio written for the locale."""
    return _(FLAG_MESSAGE).format(
        rate=_(RATES.get(flag.rate, flag.rate)),
        attribute=_(ATTRIBUTE_LABELS.get(attribute, attribute)),
        group=group,
        ratio=format_number(flag.ratio, locale, digits=2),
        top=flag.top,
    )


@dataclass
class FairnessReport:
    generated_at: str
    threshold: float
    min_decided: int
    decided: int
    groups: list[GroupFigures]
    flags: list[str]
    model_flagged: bool
    history_flagged: bool
    attributes: list[str]
    note: str = NOT_A_DECISION

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)

    def as_cli(self) -> dict[str, Any]:
        return {
            "decided": self.decided,
            "threshold": self.threshold,
            "attributes": self.attributes,
            "model_flagged": self.model_flagged,
            "history_flagged": self.history_flagged,
            "flags": self.flags,
        }

    def table(self) -> pd.DataFrame:
        """One row per group, for pages and exports."""
        rows = []
        for g in self.groups:
            row = {k: v for k, v in asdict(g).items() if k not in ("impact_ratios", "flags", "flag_details")}
            row.update({f"impact_{k}": v for k, v in g.impact_ratios.items()})
            row["flags"] = "; ".join(g.flags)
            rows.append(row)
        return pd.DataFrame(rows)


def age_band(birth: Any, today: dt.date) -> str:
    """'under 30', '30-39', '40-49', '50 and over', or NOT_STATED for a blank or impossible date."""
    text = str(birth or "").strip()[:10]
    try:
        born = dt.date.fromisoformat(text)
    except ValueError:
        try:
            born = dt.datetime.strptime(text, "%d-%m-%Y").date()
        except ValueError:
            return NOT_STATED
    years = today.year - born.year - ((today.month, today.day) < (born.month, born.day))
    if not 14 <= years <= 100:
        return NOT_STATED
    if years < 30:
        return "under 30"
    if years < 40:
        return "30-39"
    if years < 50:
        return "40-49"
    return "50 and over"


def group_protected(protected: pd.DataFrame, today: dt.date) -> pd.DataFrame:
    """codigo, sexo, pcd, age_band with readable group names (blank → '(not stated)')."""

    def clean(value: Any) -> str:
        text = normalise_text(value)
        return text.capitalize() if text else NOT_STATED

    out = pd.DataFrame({"codigo": protected["codigo"].astype(str)})
    out["sexo"] = [clean(v) for v in protected["sexo"]]
    out["pcd"] = [clean(v) for v in protected["pcd"]]
    out["age_band"] = [age_band(v, today) for v in protected["data_nascimento"]]
    return out


def _rate(values: Any) -> float:
    arr = np.asarray(values, dtype=float)
    return float(arr.mean()) if len(arr) else float("nan")


def _by_group(metric: Callable[..., float], y_true: Any, y_pred: Any, groups: Any) -> dict[str, float]:
    from fairlearn.metrics import MetricFrame

    if len(groups) == 0:
        return {}
    frame = MetricFrame(metrics=metric, y_true=y_true, y_pred=y_pred, sensitive_features=groups)
    return {str(k): float(v) for k, v in frame.by_group.items()}


def compute_fairness(
    decided: pd.DataFrame,
    *,
    threshold: float,
    top10: pd.DataFrame | None = None,
    attributes: tuple[str, ...] = ATTRIBUTES,
    generated_at: str | None = None,
) -> FairnessReport:
    """The report from decided pairs and (optionally) top-10 appearances.

    decided: one row per decided prospect with label (0/1), probability, held_out (bool) and a column per
    attribute. top10: one row per candidate of the recommendation pool with appearances, opportunities and
    a column per attribute.
    """
    from fairlearn.metrics import count, selection_rate, true_positive_rate

    if decided.empty:
        raise InvalidInputError(
            "the fairness report needs decided prospects (approved or rejected); none found"
        )
    labels = decided["label"].astype(int).to_numpy()
    probs = decided["probability"].astype(float).to_numpy()
    chosen = (probs >= threshold).astype(int)
    held = decided["held_out"].astype(bool).to_numpy()
    groups: list[GroupFigures] = []
    used: list[str] = []
    for attribute in attributes:
        column = decided[attribute].astype(str).to_numpy()
        if (column == NOT_STATED).all():
            continue  # no data for this attribute (e.g. no birth dates)
        used.append(attribute)
        counts = _by_group(count, labels, chosen, column)
        history = _by_group(lambda yt, yp: _rate(yt), labels, chosen, column)
        mean_p = _by_group(lambda yt, yp: _rate(yp), labels, probs, column)
        at_threshold = _by_group(selection_rate, labels, chosen, column)
        tpr = _by_group(true_positive_rate, labels[held], chosen[held], column[held])
        positives = _by_group(lambda yt, yp: float(np.sum(yt)), labels[held], chosen[held], column[held])
        top: dict[str, float] = {}
        if top10 is not None and not top10.empty:
            top = _by_group(
                lambda yt, yp: float(np.sum(yt) / np.sum(yp)) if np.sum(yp) else float("nan"),
                top10["appearances"].to_numpy(dtype=float),
                top10["opportunities"].to_numpy(dtype=float),
                top10[attribute].astype(str).to_numpy(),
            )
        for name in sorted(counts):
            n = int(counts[name])
            n_pos = int(positives.get(name, 0))
            groups.append(
                GroupFigures(
                    attribute=attribute,
                    group=name,
                    decided=n,
                    historical_selection_rate=_clean(history.get(name)),
                    mean_probability=_clean(mean_p.get(name)),
                    selection_rate_at_threshold=_clean(at_threshold.get(name)),
                    selection_rate_top10=_clean(top.get(name)),
                    true_positive_rate=_clean(tpr.get(name)) if n_pos else None,
                    held_out_positives=n_pos,
                    too_few=n < MIN_DECIDED,
                )
            )
    flags = _apply_four_fifths(groups)
    model_flagged = any(f for g in groups for f in g.flags if not f.startswith("historical"))
    history_flagged = any(f.startswith("historical") for g in groups for f in g.flags)
    return FairnessReport(
        generated_at=generated_at or dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        threshold=round(float(threshold), 4),
        min_decided=MIN_DECIDED,
        decided=len(decided),
        groups=groups,
        flags=flags,
        model_flagged=model_flagged,
        history_flagged=history_flagged,
        attributes=used,
    )


def _clean(value: float | None) -> float | None:
    if value is None or not np.isfinite(value):
        return None
    return round(float(value), 4)


def _apply_four_fifths(groups: list[GroupFigures]) -> list[str]:
    """Impact ratio of each judged group to the most-selected judged group; flag those below 4/5."""
    flags: list[str] = []
    for attribute in dict.fromkeys(g.attribute for g in groups):
        members = [g for g in groups if g.attribute == attribute]
        judged = [g for g in members if not g.too_few]
        for rate in RATES:
            values = [(g, getattr(g, rate)) for g in judged if getattr(g, rate) is not None]
            best = max((v for _, v in values), default=0.0)
            for g in members:
                value = getattr(g, rate)
                ratio = None if g.too_few or value is None or best <= 0 else round(value / best, 4)
                g.impact_ratios[rate] = ratio
                if ratio is not None and ratio < FOUR_FIFTHS:
                    top = max(values, key=lambda item: item[1])[0].group
                    flag = GroupFlag(rate=rate, ratio=ratio, top=top)
                    message = describe_flag(attribute, g.group, flag)
                    g.flag_details.append(flag)
                    g.flags.append(message)
                    flags.append(message)
    return flags


def load_protected_groups(engine: Engine, codes: set[str], today: dt.date) -> pd.DataFrame:
    """Group names of the given candidates (read for measurement only)."""
    return group_protected(data.load_protected_attributes(engine, codes=codes), today)


def compute_top10_appearances(
    *,
    model: Any,
    candidates: pd.DataFrame,
    vagas: pd.DataFrame,
    max_openings: int = 20,
    max_pool: int = 300,
    random_state: int = 0,
) -> pd.DataFrame:
    """How often each pool candidate is among the model's top 10 for sampled openings.

    The pool is the candidates with decided prospects (sampled to max_pool), the openings those with decided
    prospects (sampled to max_openings); each opening ranks the whole pool by match probability.
    """
    from hr_core.ml.features import make_pair_frame
    from hr_core.ml.match import predict_probabilities

    rng = np.random.default_rng(random_state)
    pool = candidates.iloc[np.sort(rng.permutation(len(candidates))[:max_pool])]
    openings = vagas.iloc[np.sort(rng.permutation(len(vagas))[:max_openings])]
    codes = [str(c) for c in pool["codigo"]]
    appearances = dict.fromkeys(codes, 0)
    for vaga in openings["codigo"]:
        pairs = make_pair_frame(pool, openings[openings["codigo"] == vaga], [(c, vaga) for c in codes])
        _, probs = predict_probabilities(model, pairs)
        order = np.lexsort((pairs["candidate"].to_numpy(), -probs))[:TOP_K]
        for i in order:
            appearances[str(pairs["candidate"].iloc[i])] += 1
    return pd.DataFrame(
        {
            "codigo": codes,
            "appearances": [appearances[c] for c in codes],
            "opportunities": len(openings),
        }
    )


def build_fairness_report(
    *,
    engine: Engine,
    model: Any,
    reference: pd.DataFrame,
    threshold: float,
    today: dt.date | None = None,
    max_openings: int = 20,
    max_pool: int = 300,
) -> FairnessReport:
    """The report for a model: reference holds candidate, vaga, label, probability, held_out per pair."""
    today = today or dt.date.today()
    decided = reference[["candidate", "vaga", "label", "probability", "held_out"]].copy()
    codes = set(decided["candidate"].astype(str))
    groups = load_protected_groups(engine, codes, today)
    decided = decided.merge(groups, left_on="candidate", right_on="codigo", how="inner")
    candidates = data.load_candidates(engine, codes=codes)
    vagas = data.load_vagas(engine, codes=set(decided["vaga"].astype(str)))
    top10 = compute_top10_appearances(
        model=model, candidates=candidates, vagas=vagas, max_openings=max_openings, max_pool=max_pool
    ).merge(groups, on="codigo", how="inner")
    return compute_fairness(decided, threshold=threshold, top10=top10)


def save_fairness_report(report: FairnessReport) -> Path:
    """Write the latest report beside the model (Home and Model monitoring read it)."""
    path = get_models_dir() / REPORT_FILE
    write_json(path, report.as_dict())
    return path


def get_latest_fairness_report() -> dict[str, Any] | None:
    """The latest fairness report, or None when none was made."""
    path = get_models_dir() / REPORT_FILE
    if not path.is_file():
        return None
    return read_json(path, what="the fairness report", fix="run `python -m hr_core fairness-report` again")


def run_fairness_report(*, engine: Engine, actor: Actor, out: Path | None = None) -> FairnessReport:
    """Recompute the report for the current model on today's data, save it (and to out, if given)."""
    from hr_core.ml.match import RETRAIN_HINT, load_match_model, load_reference_pairs

    with audited(engine, actor, Action.FAIRNESS_REPORT) as audit:
        model = load_match_model()
        reference = load_reference_pairs(model)
        if reference.empty:
            raise ModelError(f"the model's reference data holds no decided pairs; {RETRAIN_HINT}")
        # Today's data: the probabilities of the model for the decided prospects it was trained on.
        report = build_fairness_report(
            engine=engine,
            model=model,
            reference=reference,
            threshold=model.card.operating_threshold if model.card else 0.5,
        )
        save_fairness_report(report)
        if out is not None:
            out.parent.mkdir(parents=True, exist_ok=True)
            write_json(out, report.as_dict())
        audit.details.update({"model_flagged": report.model_flagged, "flags": len(report.flags)})
    return report
