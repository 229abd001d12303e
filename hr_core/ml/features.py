"""Features of a (candidate, opening) pair, built here only and used alike by training and scoring."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Mapping
from functools import lru_cache
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from hr_core.vocabulary import ACADEMIC_RANK, LANGUAGE_RANK, PROFESSIONAL_RANK

if TYPE_CHECKING:
    from hr_core.ml.skills import SkillComparison, SkillVocabulary

# Typed columns read from the tables (hr_core.models.recruiting).
CANDIDATE_COLUMNS: tuple[str, ...] = (
    "codigo",
    "nome",
    "local",
    "titulo_profissional",
    "area_atuacao",
    "conhecimentos_tecnicos",
    "certificacoes",
    "nivel_profissional",
    "nivel_academico",
    "nivel_ingles",
    "nivel_espanhol",
    "outro_idioma",
    "sexo",
    "estado_civil",
    "pcd",
    "cv_pt",
)
VAGA_COLUMNS: tuple[str, ...] = (
    "codigo",
    "titulo",
    "cliente",
    "tipo_contratacao",
    "pais",
    "estado",
    "cidade",
    "pcd",
    "nivel_profissional",
    "nivel_academico",
    "nivel_ingles",
    "nivel_espanhol",
    "outro_idioma",
    "areas_atuacao",
    "principais_atividades",
    "competencias",
)

# Data we keep and measure fairness on, never learn from: sex, marital status, disability (PcD), age or
# birth date, name, photo, address beyond city/state (and the contact data that identify a person).
# Candidate columns of these names are dropped before any feature is built, and a test proves that changing
# them changes no feature, probability or recommendation. An opening reserved for PcD candidates
# (vaga.pcd) is an eligibility filter the recruiter turns on (RecommendFilters.pcd), never a feature.
PROTECTED_ATTRIBUTES: tuple[str, ...] = (
    "sexo",
    "estado_civil",
    "pcd",
    "data_nascimento",
    "idade",
    "nome",
    "foto",
    "endereco",
    "email",
    "telefone",
    "cpf",
)
# Opening columns that are eligibility rules, not features.
VAGA_ELIGIBILITY_COLUMNS: tuple[str, ...] = ("pcd",)

# What a recruiter compares: does the candidate bring what the opening asks (skills covered, levels met or
# short by how many steps), same place, same title and area; no raw level of either side on its own.
CATEGORICAL_FEATURES: tuple[str, ...] = ("vaga_tipo_contratacao",)
NUMERIC_FEATURES: tuple[str, ...] = (
    "skills_overlap",
    "skills_weighted_overlap",
    "skills_matched",
    "skills_missing",
    "english_meets",
    "english_shortfall",
    "spanish_meets",
    "spanish_shortfall",
    "level_meets",
    "level_shortfall",
    "level_excess",
    "academic_meets",
    "academic_shortfall",
    "same_city",
    "same_state",
    "title_overlap",
    "area_overlap",
    "text_similarity",
)
FEATURES: tuple[str, ...] = CATEGORICAL_FEATURES + NUMERIC_FEATURES

# Skills recognised in free text; matched and missing skills are shown to recruiters.
SKILLS_VOCABULARY: tuple[str, ...] = (
    ".net",
    "abap",
    "agile",
    "airflow",
    "android",
    "angular",
    "aws",
    "azure",
    "bash",
    "c#",
    "c++",
    "cobol",
    "css",
    "databricks",
    "delphi",
    "django",
    "docker",
    "excel",
    "flask",
    "gcp",
    "git",
    "golang",
    "hadoop",
    "html",
    "ios",
    "java",
    "javascript",
    "jenkins",
    "jira",
    "kafka",
    "kotlin",
    "kubernetes",
    "linux",
    "machine learning",
    "mongodb",
    "mysql",
    "node",
    "oracle",
    "php",
    "postgresql",
    "power bi",
    "powershell",
    "python",
    "qlik",
    "react",
    "redis",
    "rest",
    "ruby",
    "salesforce",
    "sap",
    "sap fi",
    "sap mm",
    "sap sd",
    "scala",
    "scrum",
    "selenium",
    "servicenow",
    "spark",
    "spring",
    "sql",
    "sql server",
    "swift",
    "tableau",
    "terraform",
    "typescript",
    "vba",
    "vue",
    "windows server",
    "itil",
    "cobit",
    "sharepoint",
    "pl/sql",
    "etl",
    "tensorflow",
    "pandas",
)
_SKILL_PATTERNS: tuple[tuple[str, re.Pattern[str]], ...] = tuple(
    (skill, re.compile(r"(?<![\w#+.])" + re.escape(skill) + r"(?![\w#+])")) for skill in SKILLS_VOCABULARY
)


# Words in free text (mostly CVs) that state a protected attribute; blanked before the text is read by
# any model. "29 anos" is an age, "5 anos de experiência" is not.
_PROTECTED_TEXT = re.compile(
    r"(?ix)"
    r"\b(?:solteir[oa]s?|casad[oa]s?|divorciad[oa]s?|separad[oa]s?|vi[uú]v[oa]s?|uni[aã]o\s+est[aá]vel"
    r"|estado\s+civil|masculino|feminino|sexo|g[eê]nero|pcd|deficien(?:te|cia|t)s?|defici[eê]ncias?"
    r"|data\s+de\s+nascimento|nascid[oa]\s+em|idade)\b"
    r"|\b\d{2}\s*anos\b(?!\s*(?:de|em|na|no|nas|nos|como|atuando|trabalhando)\b)"
)


def redact_protected_text(text: str) -> str:
    """Free text with words stating sex, marital status, disability or age blanked out."""
    return _PROTECTED_TEXT.sub(" ", text)


def drop_protected(frame: pd.DataFrame) -> pd.DataFrame:
    """A pair frame without the candidate's protected columns and the opening's eligibility columns."""
    gone = [f"cand_{c}" for c in PROTECTED_ATTRIBUTES] + [f"vaga_{c}" for c in VAGA_ELIGIBILITY_COLUMNS]
    return frame.drop(columns=[c for c in gone if c in frame.columns])


def normalise_text(value: Any) -> str:
    """Lower-case, accents removed, blanks collapsed; None and NaN become ''."""
    if value is None or (isinstance(value, float) and np.isnan(value)):
        return ""
    text = unicodedata.normalize("NFKD", str(value))
    text = "".join(ch for ch in text if not unicodedata.combining(ch))
    return re.sub(r"\s+", " ", text.lower().replace("-", " ")).strip()


def _level(value: Any, levels: Mapping[str, float]) -> float:
    text = normalise_text(value)
    if not text:
        return float("nan")
    for name, rank in levels.items():
        if text.startswith(name):
            return rank
    return float("nan")


def rank_language(value: Any) -> float:
    """Ordinal rank of a language level (Nenhum 0 … Fluente 4); NaN when blank or unknown."""
    return _level(value, LANGUAGE_RANK)


def rank_professional(value: Any) -> float:
    """Ordinal rank of a professional level (Júnior 2, Pleno 3, Sênior 4 …); NaN when unknown."""
    return _level(value, PROFESSIONAL_RANK)


def rank_academic(value: Any) -> float:
    """Ordinal rank of an academic level; an unfinished course counts half a step lower."""
    rank = _level(value, ACADEMIC_RANK)
    text = normalise_text(value)
    if not np.isnan(rank) and ("cursando" in text or "incompleto" in text):
        rank -= 0.5
    return rank


def extract_skills(text: Any) -> set[str]:
    """Skills of the vocabulary named in a text."""
    norm = normalise_text(text)
    if not norm:
        return set()
    return {skill for skill, pattern in _SKILL_PATTERNS if pattern.search(norm)}


def build_candidate_text(row: Mapping[str, Any]) -> str:
    """The text of a candidate: title, area, skills, certifications and CV."""
    parts = ("titulo_profissional", "area_atuacao", "conhecimentos_tecnicos", "certificacoes", "cv_pt")
    return redact_protected_text("\n".join(str(row.get(p) or "") for p in parts).strip())


def build_vaga_text(row: Mapping[str, Any]) -> str:
    """The text of an opening: title, activities, required competences and areas."""
    parts = ("titulo", "principais_atividades", "competencias", "areas_atuacao")
    return "\n".join(str(row.get(p) or "") for p in parts).strip()


def build_candidate_skills_text(row: Mapping[str, Any]) -> str:
    parts = ("titulo_profissional", "conhecimentos_tecnicos", "certificacoes", "cv_pt")
    return redact_protected_text(" ".join(str(row.get(p) or "") for p in parts))


def build_vaga_skills_text(row: Mapping[str, Any]) -> str:
    parts = ("titulo", "principais_atividades", "competencias")
    return " ".join(str(row.get(p) or "") for p in parts)


def compare_skills(
    candidate: Mapping[str, Any], vaga: Mapping[str, Any], *, vocabulary: SkillVocabulary | None = None
) -> tuple[list[str], list[str]]:
    """Skills the opening asks for that the candidate has (matched) and lacks (missing).

    With a vocabulary (the one a model learned from the openings) its terms are read from the opening's
    requirement texts, less the skills a recruiter ignored; without one, the fixed SKILLS_VOCABULARY from the
    opening's title and texts (or, once the opening's skill levels are saved, the seed vocabulary's terms).
    """
    comparison = compare_skill_requirements(candidate, vaga, vocabulary=vocabulary)
    return comparison.matched, comparison.missing


def compare_skill_requirements(
    candidate: Mapping[str, Any], vaga: Mapping[str, Any], *, vocabulary: SkillVocabulary | None = None
) -> SkillComparison:
    """compare_skills with the required skills the candidate lacks (the opening's saved skill levels)."""
    from hr_core.ml.skills import (
        SkillComparison,
        compare_opening_terms,
        opening_requirement_text,
        read_skill_levels,
        seed_vocabulary,
    )

    levels = read_skill_levels(vaga)
    if vocabulary is None and levels:
        vocabulary = seed_vocabulary()  # the terms the levels were saved for (no model is trained)
    if vocabulary is not None:
        found = vocabulary.find(opening_requirement_text(vaga))
        has_terms = vocabulary.find(build_candidate_skills_text(candidate))
        return compare_opening_terms(has_terms, found, levels, vocabulary)
    wanted = extract_skills(build_vaga_skills_text(vaga))
    has = extract_skills(build_candidate_skills_text(candidate))
    return SkillComparison(sorted(wanted & has), sorted(wanted - has), [])


def _city_state(local: Any) -> tuple[str, str]:
    parts = [p.strip() for p in normalise_text(local).split(",")]
    city = parts[0] if parts else ""
    state = parts[1] if len(parts) > 1 else ""
    return city, state


def make_pair_frame(
    candidates: pd.DataFrame, vagas: pd.DataFrame, pairs: Iterable[tuple[str, str]]
) -> pd.DataFrame:
    """One row per (candidate, vaga) pair with cand_* and vaga_* columns; unknown codes are dropped."""
    pair_df = pd.DataFrame(list(pairs), columns=["candidate", "vaga"], dtype=object)
    cands = candidates.add_prefix("cand_").rename(columns={"cand_codigo": "candidate"})
    vags = vagas.add_prefix("vaga_").rename(columns={"vaga_codigo": "vaga"})
    frame = pair_df.merge(cands, on="candidate", how="inner").merge(vags, on="vaga", how="inner")
    return frame.reset_index(drop=True)


def _unprefix(row: Mapping[str, Any], prefix: str) -> dict[str, Any]:
    return {k[len(prefix) :]: v for k, v in row.items() if k.startswith(prefix)}


def compare_level(candidate: float, required: float) -> tuple[float, float, float]:
    """(meets, steps short, steps above) of a candidate's rank against what an opening asks.

    Nothing asked (blank or the lowest rank) is met by anyone; a requirement against a candidate who
    states nothing is unknown (NaN), which the model reads apart from 'falls short'.
    """
    if np.isnan(required):
        return 1.0, 0.0, 0.0
    if required <= 0:
        return 1.0, 0.0, (0.0 if np.isnan(candidate) else max(candidate - required, 0.0))
    if np.isnan(candidate):
        return float("nan"), float("nan"), float("nan")
    return float(candidate >= required), max(required - candidate, 0.0), max(candidate - required, 0.0)


@lru_cache(maxsize=20_000)
def _stems(text: str) -> frozenset[str]:
    from hr_core.ml.skills import read_terms

    return frozenset(t for t in read_terms(text) if " " not in t)


def _words_covered(wanted: Any, has: Any) -> float:
    """Share of the words of `wanted` (accents folded, stemmed, no stop or level words) found in `has`."""
    want = _stems(str(wanted or ""))
    if not want:
        return float("nan")
    return len(want & _stems(str(has or ""))) / len(want)


def build_features(
    pairs: pd.DataFrame, *, vectorizer: Any, skills: SkillVocabulary | None = None
) -> pd.DataFrame:
    """The model's input (FEATURES columns) for a pair frame; vectorizer is the fitted TF-IDF and skills
    the vocabulary learned from the openings (the fixed seed list when None).

    Protected columns are dropped first, so no feature can read them (see PROTECTED_ATTRIBUTES).
    """
    from hr_core.ml.skills import (
        apply_skill_levels,
        opening_requirement_text,
        read_skill_levels,
        seed_vocabulary,
    )

    vocabulary = skills if skills is not None else seed_vocabulary()
    records = drop_protected(pairs).to_dict("records")
    out: dict[str, list[Any]] = {name: [] for name in FEATURES}
    cand_texts: list[str] = []
    vaga_texts: list[str] = []
    cand_terms: dict[str, set[str]] = {}
    vaga_terms: dict[tuple[str, frozenset[tuple[str, str]]], set[str]] = {}
    comparisons = (
        ("english", "nivel_ingles", rank_language),
        ("spanish", "nivel_espanhol", rank_language),
        ("level", "nivel_profissional", rank_professional),
        ("academic", "nivel_academico", rank_academic),
    )
    for row in records:
        cand = _unprefix(row, "cand_")
        vaga = _unprefix(row, "vaga_")
        for name in CATEGORICAL_FEATURES:
            value = normalise_text(row.get(name))
            out[name].append(value if value else "(blank)")
        for prefix, column, rank in comparisons:
            meets, short, above = compare_level(rank(cand.get(column)), rank(vaga.get(column)))
            out[f"{prefix}_meets"].append(meets)
            out[f"{prefix}_shortfall"].append(short)
            if prefix == "level":
                out["level_excess"].append(above)
        city, state = _city_state(cand.get("local"))
        vaga_city, vaga_state = normalise_text(vaga.get("cidade")), normalise_text(vaga.get("estado"))
        out["same_city"].append(float(bool(city) and city == vaga_city))
        out["same_state"].append(float(bool(state) and state == vaga_state))
        cand_text = build_candidate_skills_text(cand)
        if cand_text not in cand_terms:
            cand_terms[cand_text] = vocabulary.find(cand_text)
        vaga_text = opening_requirement_text(vaga)
        levels = read_skill_levels(vaga)  # the recruiter's ignored skills leave the opening's set
        vaga_key = (vaga_text, frozenset(levels.items()))
        if vaga_key not in vaga_terms:
            vaga_terms[vaga_key] = apply_skill_levels(vocabulary.find(vaga_text), levels)
        wanted, has = vaga_terms[vaga_key], cand_terms[cand_text]
        matched = wanted & has
        total_weight = sum(vocabulary.weight(t) for t in wanted)
        out["skills_overlap"].append(len(matched) / len(wanted) if wanted else float("nan"))
        out["skills_weighted_overlap"].append(
            sum(vocabulary.weight(t) for t in matched) / total_weight if wanted else float("nan")
        )
        out["skills_matched"].append(float(len(matched)))
        out["skills_missing"].append(float(len(wanted - matched)))
        out["title_overlap"].append(_words_covered(vaga.get("titulo"), cand.get("titulo_profissional")))
        out["area_overlap"].append(_words_covered(vaga.get("areas_atuacao"), cand.get("area_atuacao")))
        cand_texts.append(normalise_text(build_candidate_text(cand)))
        vaga_texts.append(normalise_text(build_vaga_text(vaga)))
    out["text_similarity"] = list(_cosine_rows(vectorizer, cand_texts, vaga_texts)) if records else []
    frame = pd.DataFrame(out, columns=list(FEATURES))
    for name in NUMERIC_FEATURES:
        frame[name] = frame[name].astype(float)
    return frame


def _cosine_rows(vectorizer: Any, left: list[str], right: list[str]) -> np.ndarray:
    a = vectorizer.transform(left)
    b = vectorizer.transform(right)
    # TfidfVectorizer rows are L2-normalised, so the row-wise dot product is the cosine.
    return np.asarray(a.multiply(b).sum(axis=1)).ravel()


def fit_text_vectorizer(candidate_texts: Iterable[str], vaga_texts: Iterable[str]) -> Any:
    """Fit the TF-IDF vocabulary used by the text_similarity feature."""
    from sklearn.feature_extraction.text import TfidfVectorizer

    corpus = [normalise_text(t) for t in [*candidate_texts, *vaga_texts]]
    vectorizer = TfidfVectorizer(min_df=1, max_features=20_000, sublinear_tf=True, dtype=np.float64)
    vectorizer.fit([t or "(vazio)" for t in corpus])
    return vectorizer
