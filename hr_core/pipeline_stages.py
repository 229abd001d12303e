"""The one mapping from Decision statuses to pipeline stages, used by funnels and match labels."""

from __future__ import annotations

from typing import Literal

from hr_core.i18n import N_

Stage = Literal["applied", "in_process", "interview", "approved", "rejected", "withdrew", "unknown"]

# Funnel order (rejected / withdrew are exits, shown after).
STAGE_ORDER: tuple[Stage, ...] = ("applied", "in_process", "interview", "approved", "rejected", "withdrew")
STAGE_LABELS: dict[str, str] = {
    "applied": N_("Applied"),
    "in_process": N_("In process"),
    "interview": N_("Interview"),
    "approved": N_("Approved / hired"),
    "rejected": N_("Rejected"),
    "withdrew": N_("Withdrew"),
    "unknown": N_("Unknown status"),
}

STATUS_STAGE: dict[str, Stage] = {
    "Prospect": "applied",
    "Inscrito": "applied",
    "Encaminhado ao Requisitante": "in_process",
    "Em avaliação pelo RH": "in_process",
    "Entrevista Técnica": "interview",
    "Entrevista com Cliente": "interview",
    "Aprovado": "approved",
    "Encaminhar Proposta": "approved",
    "Proposta Aceita": "approved",
    "Documentação PJ": "approved",
    "Documentação CLT": "approved",
    "Documentação Cooperado": "approved",
    "Contratado pela Decision": "approved",
    "Contratado como Hunting": "approved",
    "Não Aprovado pelo Cliente": "rejected",
    "Não Aprovado pelo RH": "rejected",
    "Não Aprovado pelo Requisitante": "rejected",
    "Recusado": "rejected",
    "Desistiu": "withdrew",
    "Desistiu da Contratação": "withdrew",
    "Sem interesse nesta vaga": "withdrew",
}

ALL_STATUSES: tuple[str, ...] = tuple(STATUS_STAGE)


def stage_of(status: str | None) -> Stage:
    """The pipeline stage of a status (surrounding blanks ignored); unknown text maps to 'unknown'."""
    return STATUS_STAGE.get((status or "").strip(), "unknown")


def match_label(status: str | None) -> int | None:
    """Training label for the match model: 1 approved/hired, 0 rejected/withdrew, None in progress."""
    stage = stage_of(status)
    if stage == "approved":
        return 1
    if stage in ("rejected", "withdrew"):
        return 0
    return None
