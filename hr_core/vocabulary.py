"""The recruiting vocabulary, defined once: language, professional and academic levels, PcD answers, stages.

Forms and filters offer exactly these values, the validator accepts exactly these, the match model ranks
them with the `*_RANK` tables (keys accent-folded and lower-cased, matched as prefixes), and the demo
generators draw from them.
"""

from __future__ import annotations

from typing import Literal, get_args

from hr_core.pipeline_stages import ALL_STATUSES, STAGE_LABELS, STAGE_ORDER, Stage

# Values as the Decision data writes them, lowest first.
LANGUAGE_LEVELS: tuple[str, ...] = ("Nenhum", "Básico", "Técnico", "Intermediário", "Avançado", "Fluente")
PROFESSIONAL_LEVELS: tuple[str, ...] = (
    "Estagiário",
    "Trainee",
    "Auxiliar",
    "Assistente",
    "Júnior",
    "Analista",
    "Pleno",
    "Sênior",
    "Especialista",
    "Líder",
    "Supervisor",
    "Coordenador",
    "Gerente",
    "Diretor",
)
ACADEMIC_LEVELS: tuple[str, ...] = (
    "Ensino Fundamental",
    "Ensino Médio",
    "Ensino Técnico",
    "Ensino Superior",
    "Pós Graduação",
    "Mestrado",
    "Doutorado",
)
PCD_VALUES: tuple[str, ...] = ("Sim", "Não")

# Ordinal ranks used by the match model (accent-folded, lower-case keys).
LANGUAGE_RANK: dict[str, float] = {
    "nenhum": 0.0,
    "basico": 1.0,
    "tecnico": 1.5,
    "intermediario": 2.0,
    "avancado": 3.0,
    "fluente": 4.0,
}
PROFESSIONAL_RANK: dict[str, float] = {
    "estagiario": 0.0,
    "trainee": 0.5,
    "auxiliar": 1.0,
    "assistente": 1.0,
    "junior": 2.0,
    "analista": 3.0,
    "pleno": 3.0,
    "senior": 4.0,
    "especialista": 5.0,
    "lider": 5.0,
    "supervisor": 5.0,
    "coordenador": 6.0,
    "gerente": 7.0,
    "diretor": 8.0,
}
ACADEMIC_RANK: dict[str, float] = {
    "ensino fundamental": 1.0,
    "ensino medio": 2.0,
    "ensino tecnico": 3.0,
    "ensino superior": 4.0,
    "pos graduacao": 5.0,
    "mestrado": 6.0,
    "doutorado": 7.0,
}

# A recruiter's verdict on a suggested (candidate, opening) pair, and the screens or faces it comes from.
FEEDBACK_VERDICTS: tuple[str, ...] = ("good", "wrong")
FEEDBACK_SOURCES: tuple[str, ...] = ("match_scoring", "recommendations", "job_openings", "api", "cli")

# How much a skill extracted from an opening's texts counts, as the recruiter tunes it: a candidate who lacks
# a required one ranks below those who have them all; an ignored one is left out of the opening's skills;
# preferred (the default, when nothing is saved) counts as the skills always did.
SkillLevel = Literal["required", "preferred", "ignored"]
SKILL_LEVELS: tuple[str, ...] = get_args(SkillLevel)
DEFAULT_SKILL_LEVEL = "preferred"

# The files one recruiting import takes (any subset, at least one), under the one name every face gives
# them: the CLI's --flag, the import job's parameter and the API body's field; each with what it is.
IMPORT_SOURCES: dict[str, str] = {
    "applicants": "applicants.json (Decision candidates)",
    "vagas": "vagas.json (Decision openings)",
    "prospects": "prospects.json (Decision prospects)",
    "requirements": "opening_skill_requirements.csv of an export (a bad row: nothing is imported)",
    "feedback": "match_feedback.csv of an export (a bad row: nothing is imported)",
}

__all__ = [
    "ACADEMIC_LEVELS",
    "ACADEMIC_RANK",
    "ALL_STATUSES",
    "DEFAULT_SKILL_LEVEL",
    "FEEDBACK_SOURCES",
    "FEEDBACK_VERDICTS",
    "IMPORT_SOURCES",
    "LANGUAGE_LEVELS",
    "LANGUAGE_RANK",
    "PCD_VALUES",
    "PROFESSIONAL_LEVELS",
    "PROFESSIONAL_RANK",
    "SKILL_LEVELS",
    "SkillLevel",
    "STAGE_LABELS",
    "STAGE_ORDER",
    "Stage",
]
