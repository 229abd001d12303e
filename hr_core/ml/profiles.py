"""Scores and recommendations for free-form profiles (the replaced recruiting service's payloads), the model
card and the drift summary — each for an actor whose role may see them.

The recruiting service took one flat payload with the candidate's and the opening's fields side by side
(`titulo_profissional` … `titulo_vaga`, `cidade` … `cidade_vaga`); SEED_CANDIDATE_FIELDS and
SEED_VAGA_FIELDS map them onto the model's columns. Protected attributes in a payload (sex, marital
status) are accepted and ignored: the model never sees them.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import Engine

from hr_core.access import Action, Actor, require_role
from hr_core.errors import NotFoundError
from hr_core.ml import data
from hr_core.ml.match import MatchModel, MatchScore, ModelCard, read_model_card, score_records
from hr_core.ml.recommend import Recommendation

# payload field -> model column, per side.
SEED_CANDIDATE_FIELDS: dict[str, str] = {
    "titulo_profissional": "titulo_profissional",
    "area_atuacao": "area_atuacao",
    "conhecimentos_tecnicos": "conhecimentos_tecnicos",
    "certificacoes": "certificacoes",
    "nivel_profissional": "nivel_profissional",
    "nivel_academico": "nivel_academico",
    "ingles": "nivel_ingles",
    "espanhol": "nivel_espanhol",
    "outros_idiomas": "outro_idioma",
    "cidade": "local",
    "pcd": "pcd",
    "cv_candidato": "cv_pt",
}
SEED_VAGA_FIELDS: dict[str, str] = {
    "titulo_vaga": "titulo",
    "areas_atuacao_vaga": "areas_atuacao",
    "competencia_tecnicas_e_comportamentais": "competencias",
    "nivel_profissional_vaga": "nivel_profissional",
    "nivel_ingles_vaga": "nivel_ingles",
    "nivel_espanhol_vaga": "nivel_espanhol",
    "cidade_vaga": "cidade",
    "pais_vaga": "pais",
    "tipo_contratacao": "tipo_contratacao",
    "vaga_especifica_para_pcd": "pcd",
}


def split_payload(payload: Mapping[str, Any]) -> tuple[dict[str, Any], dict[str, Any]]:
    """The candidate and opening column dicts of a flat payload (unknown fields are ignored)."""

    def side(fields: dict[str, str]) -> dict[str, Any]:
        return {
            column: str(payload[name]) for name, column in fields.items() if payload.get(name) is not None
        }

    return side(SEED_CANDIDATE_FIELDS), side(SEED_VAGA_FIELDS)


def score_payload(*, actor: Actor, model: MatchModel, payload: Mapping[str, Any]) -> MatchScore:
    """Match probability and reasons for a flat candidate+opening payload."""
    require_role(actor, Action.MATCH_SCORE)
    candidate, vaga = split_payload(payload)
    return score_records(model=model, candidate=candidate, vaga=vaga)


@dataclass(frozen=True)
class ProfileRecommendation:
    """An opening recommended for a free-form profile, with the opening's competences and areas."""

    recommendation: Recommendation
    competencias: str
    areas_atuacao: str


def recommend_for_profile(
    *,
    engine: Engine,
    actor: Actor,
    profile: Mapping[str, Any],
    k: int = 10,
    get_encoder: Callable[[], Any] | None = None,
    get_model: Callable[[], MatchModel] | None = None,
) -> list[ProfileRecommendation]:
    """Openings for a free-form candidate profile, embedded on the fly, by the same hybrid retrieval and
    re-ranking as recommend() (best first).

    get_encoder returns the sentence encoder (a cached one in long-running processes); it is only
    called once the index is known to exist. get_model likewise returns the match model, if trained.
    """
    from hr_core.ml.embeddings import encode_texts, load_encoder
    from hr_core.ml.features import build_candidate_text
    from hr_core.ml.recommend import RecommendFilters, get_trained_model, open_index, rank_targets

    require_role(actor, Action.MATCH_RECOMMEND)
    candidate, _ = split_payload(profile)
    index = open_index("vagas")
    candidates = open_index("candidates")  # its lexical index weighs the CV's terms (how rare among CVs)
    vector = encode_texts([build_candidate_text(candidate)], encoder=(get_encoder or load_encoder)())[0]
    items = rank_targets(
        engine=engine,
        actor=actor,
        target=index,
        vector=vector,
        source_row={**candidate, "codigo": "profile"},
        source_kind="candidates",
        k=min(k, len(index.codes)),
        filters=RecommendFilters(),
        model=get_trained_model(get_model),
        candidates=candidates.lexical,
    )
    rows = {r["codigo"]: r for r in data.load_vagas(engine, codes=[i.code for i in items]).to_dict("records")}
    return [
        ProfileRecommendation(
            recommendation=item,
            competencias=str(rows[item.code].get("competencias") or ""),
            areas_atuacao=str(rows[item.code].get("areas_atuacao") or ""),
        )
        for item in items
        if item.code in rows
    ]


def get_model_card(*, actor: Actor) -> ModelCard | None:
    """The match model's card (what it learnt from, how well it does), or None before the first training."""
    require_role(actor, Action.MODEL_READ)
    return read_model_card()


def get_drift_report(*, actor: Actor) -> tuple[dict[str, Any], Path | None]:
    """The latest drift summary and its HTML report file (if still there); NotFoundError before the first."""
    from hr_core.ml.drift import get_latest_drift_summary

    require_role(actor, Action.DRIFT_REPORT)
    summary = get_latest_drift_summary()
    if summary is None:
        raise NotFoundError("no drift report yet; run one (POST /api/v1/drift, or Model monitoring)")
    report = Path(str(summary.get("report") or ""))
    return summary, report if report.is_file() else None
