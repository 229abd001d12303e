"""Scores and recommendations for free-form profiles (the replaced recruiting service's payloads), the model
card and the drift summary — each for an actor whose role may see them.

The recruiting service took one flat payload with the candidate's and the opening's fields side by side
(`titulo_profissional` … `titulo_vaga`, `cidade` … `cidade_vaga`); SEED_CANDIDATE_FIELDS and
SEED_VAGA_FIELDS map them onto the model's columns. Protected attributes in a payload (sex, marital
status) are accepted and ignored: the model never sees them.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

from sqlalchemy import Engine

from hr_core.access import Action, Actor, require_role
from hr_core.errors import NotFoundError
from hr_core.ml import data
from hr_core.ml.match import MatchModel, MatchScore, read_model_card, score_records

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


def recommend_for_profile(
    *,
    engine: Engine,
    actor: Actor,
    profile: Mapping[str, Any],
    k: int = 10,
    get_encoder: Callable[[], Any] | None = None,
) -> list[dict[str, Any]]:
    """Openings nearest to a free-form candidate profile, embedded on the fly (best first).

    get_encoder returns the sentence encoder (a cached one in long-running processes); it is only
    called once the index is known to exist.
    """
    from hr_core.ml.embeddings import encode_texts, load_encoder
    from hr_core.ml.features import build_candidate_text
    from hr_core.ml.recommend import open_index, query_index

    require_role(actor, Action.MATCH_RECOMMEND)
    candidate, _ = split_payload(profile)
    index = open_index("vagas")
    vector = encode_texts([build_candidate_text(candidate)], encoder=(get_encoder or load_encoder)())[0]
    ids, scores = query_index(index, vector, min(k, len(index.codes)))
    codes = [index.codes[i] for i in ids]
    rows = {r["codigo"]: r for r in data.load_vagas(engine, codes=codes).to_dict(orient="records")}
    return [
        {
            "codigo_vaga": code,
            "titulo_vaga": rows[code]["titulo"],
            "competencia_tecnicas_e_comportamentais": rows[code]["competencias"],
            "areas_atuacao_vaga": rows[code]["areas_atuacao"],
            "score": round(float(score), 6),
        }
        for code, score in zip(codes, scores, strict=True)
        if code in rows
    ]


def get_model_card(*, actor: Actor) -> dict[str, Any] | None:
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
