"""Skills learned from the openings' own requirement texts: single words and two-word terms ("sap fi",
"power bi", "gestao projet…"), accent-folded, lower-cased and stemmed the way the lexical index reads
Portuguese. The vocabulary is learned when the match model is trained and saved with it, so scoring reads
exactly the terms the model was trained on; the fixed SKILLS_VOCABULARY is only the fallback without one.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from hr_core.ml.features import SKILLS_VOCABULARY, normalise_text
from hr_core.ml.lexical import STOPWORDS, stem_words
from hr_core.vocabulary import ACADEMIC_RANK, LANGUAGE_RANK, PROFESSIONAL_RANK

# A term never spans these: a list of skills is written "SAP FI, SQL; Excel." and "sql excel" is no skill.
_SEGMENT = re.compile(r"[,;:\n\r\t()|•▪·*]|\.(?:\s|$)|\s[-–]\s|\s(?:e|ou|and|or)\s")
_WORD = re.compile(r"[a-z0-9]+(?:[#+]+)?")
# Words of requirement texts that name no skill: levels (the level features read those) and boilerplate.
_NOT_SKILLS: frozenset[str] = frozenset(
    {w for key in (*LANGUAGE_RANK, *PROFESSIONAL_RANK, *ACADEMIC_RANK) for w in key.split()}
    | {
        "completo",
        "cursando",
        "incompleto",
        "nivel",
        "ingles",
        "espanhol",
        "idioma",
        "idiomas",
        "requisito",
        "requisitos",
        "obrigatorio",
        "obrigatorios",
        "desejavel",
        "desejaveis",
        "diferencial",
        "diferenciais",
        "necessario",
        "necessaria",
        "imprescindivel",
        "vivencia",
        "dominio",
        "solido",
        "solida",
        "atuar",
        "realizar",
        "participar",
        "principais",
        "responsavel",
        "vaga",
        "cliente",
        "clientes",
        "candidato",
        "perfil",
        "etc",
    }
)
MIN_OPENINGS = 3
MAX_OPENING_SHARE = 0.5
MAX_TERMS = 3000
# The key of an opening's column dict holding its saved skill levels (hr_core.ml.data.load_vagas adds it).
SKILL_LEVELS_KEY = "skill_levels"


# Portuguese compound terms join their nouns with these ("gestão de projetos", "contas a pagar"); any other
# stop word ("em", "com", "para") ends a term.
_JOINERS = frozenset({"de", "da", "do", "das", "dos", "a"})


def _runs(segment: str) -> list[list[str]]:
    """Runs of skill words of a segment, split where a stop word other than a joiner stands."""
    runs: list[list[str]] = [[]]
    for w in _WORD.findall(segment):
        if w in _JOINERS:
            continue
        if w in STOPWORDS or w in _NOT_SKILLS or (len(w) == 1 and w not in ("c", "r")):
            runs.append([])
        else:
            runs[-1].append(w)
    return [r for r in runs if r]


def read_terms(text: Any) -> dict[str, str]:
    """The terms of a text (stem or 'stem stem' within one list item), each with the words it was read from."""
    found: dict[str, str] = {}
    for segment in _SEGMENT.split(normalise_text(text)):
        for words in _runs(segment):
            stems = stem_words(words)
            for word, stem in zip(words, stems, strict=True):
                found.setdefault(stem, word)
            for i in range(len(stems) - 1):
                found.setdefault(f"{stems[i]} {stems[i + 1]}", f"{words[i]} {words[i + 1]}")
    return found


@dataclass(frozen=True)
class SkillVocabulary:
    """Terms (stem keys) learned from openings, with the words shown to recruiters and their rarity."""

    terms: tuple[str, ...]
    labels: tuple[str, ...]
    openings: tuple[int, ...]
    n_openings: int

    def __post_init__(self) -> None:
        object.__setattr__(self, "_index", {t: i for i, t in enumerate(self.terms)})

    def __contains__(self, term: object) -> bool:
        return term in self._index  # type: ignore[attr-defined]

    def find(self, text: Any) -> set[str]:
        """The vocabulary's terms named in a text (stem keys)."""
        return {t for t in read_terms(text) if t in self}

    def label(self, term: str) -> str:
        return self.labels[self._index[term]]  # type: ignore[attr-defined]

    def weight(self, term: str) -> float:
        """Inverse document frequency over the openings: rare skills weigh more."""
        df = self.openings[self._index[term]]  # type: ignore[attr-defined]
        return math.log((1 + self.n_openings) / (1 + df)) + 1.0

    def top(self, n: int = 30) -> list[dict[str, Any]]:
        """The n terms most openings ask for, with how many do (for the model card)."""
        order = sorted(range(len(self.terms)), key=lambda i: (-self.openings[i], self.labels[i]))[:n]
        return [{"term": self.labels[i], "openings": self.openings[i]} for i in order]

    def as_bundle(self) -> dict[str, Any]:
        """Plain lists and numbers, as the skops bundle stores them."""
        return {
            "terms": list(self.terms),
            "labels": list(self.labels),
            "openings": list(self.openings),
            "n_openings": self.n_openings,
        }

    @classmethod
    def from_bundle(cls, saved: Mapping[str, Any]) -> SkillVocabulary:
        return cls(
            terms=tuple(str(t) for t in saved["terms"]),
            labels=tuple(str(t) for t in saved["labels"]),
            openings=tuple(int(n) for n in saved["openings"]),
            n_openings=int(saved["n_openings"]),
        )


def learn_skill_vocabulary(
    requirement_texts: Iterable[str],
    *,
    min_openings: int = MIN_OPENINGS,
    max_share: float = MAX_OPENING_SHARE,
    max_terms: int = MAX_TERMS,
    seed: SkillVocabulary | None = None,
) -> SkillVocabulary:
    """Terms named by at least min_openings openings and by no more than max_share of them (boilerplate),
    plus the seed's terms (known skills a few openings name are still skills)."""
    document_frequency: Counter[str] = Counter()
    surfaces: dict[str, Counter[str]] = {}
    n = 0
    for text in requirement_texts:
        n += 1
        terms = read_terms(text)
        document_frequency.update(terms.keys())
        for term, words in terms.items():
            surfaces.setdefault(term, Counter())[words] += 1
    ceiling = max(min_openings, int(max_share * n))
    kept = [t for t, df in document_frequency.items() if min_openings <= df <= ceiling]
    kept.sort(key=lambda t: (-document_frequency[t], t))
    labels = {t: surfaces[t].most_common(1)[0][0] for t in kept[:max_terms]}
    if seed is not None:
        for term, label in zip(seed.terms, seed.labels, strict=True):
            labels.setdefault(term, label)
    ordered = sorted(labels)
    return SkillVocabulary(
        terms=tuple(ordered),
        labels=tuple(labels[t] for t in ordered),
        openings=tuple(document_frequency.get(t, 0) for t in ordered),
        n_openings=n,
    )


def seed_vocabulary() -> SkillVocabulary:
    """The fixed SKILLS_VOCABULARY read as terms: the fallback before any model has learned its own."""
    terms: dict[str, str] = {}
    for skill in SKILLS_VOCABULARY:
        read = read_terms(skill)
        key = max(read, key=len) if read else None
        if key is not None:
            terms.setdefault(key, skill)
    keys = sorted(terms)
    return SkillVocabulary(
        terms=tuple(keys),
        labels=tuple(terms[k] for k in keys),
        openings=tuple(1 for _ in keys),
        n_openings=1,
    )


def opening_requirement_text(vaga: Mapping[str, Any]) -> str:
    """What an opening asks for: its activities and required competences."""
    return "\n".join(str(vaga.get(p) or "") for p in ("principais_atividades", "competencias"))


def select_shown_terms(terms: set[str]) -> set[str]:
    """The terms a recruiter sees: a word that is part of a two-word term of the same set is not repeated
    ("sap fi", not "sap", "fi" and "sap fi")."""
    parts = {w for t in terms if " " in t for w in t.split(" ")}
    return {t for t in terms if " " in t or t not in parts}


def compare_terms(
    candidate_terms: set[str], wanted: set[str], vocabulary: SkillVocabulary
) -> tuple[list[str], list[str]]:
    """Labels of the wanted terms the candidate has and lacks, sorted (see select_shown_terms)."""

    def shown(terms: set[str]) -> list[str]:
        return sorted({vocabulary.label(t) for t in select_shown_terms(terms)})

    return shown(wanted & candidate_terms), shown(wanted - candidate_terms)


def read_skill_levels(vaga: Mapping[str, Any]) -> dict[str, str]:
    """The levels a recruiter saved for an opening's skill terms (term -> level), {} when none."""
    levels = vaga.get(SKILL_LEVELS_KEY)
    return dict(levels) if isinstance(levels, Mapping) else {}


def apply_skill_levels(wanted: set[str], levels: Mapping[str, str]) -> set[str]:
    """The opening's terms that count once its levels apply: an ignored term drops out, and so do the words
    of an ignored two-word term that no other counted two-word term holds (they were shown as part of it)."""
    ignored = {t for t in wanted if levels.get(t) == "ignored"}
    if not ignored:
        return set(wanted)
    kept = wanted - ignored
    held = {w for t in kept if " " in t for w in t.split(" ")}
    orphans = {w for t in ignored if " " in t for w in t.split(" ") if w in kept and w not in held}
    return kept - orphans


def select_required_terms(wanted: set[str], levels: Mapping[str, str]) -> set[str]:
    """The terms of the opening (after apply_skill_levels) that the recruiter marked required."""
    return {t for t in wanted if levels.get(t) == "required"}


@dataclass(frozen=True)
class SkillComparison:
    """What an opening asks that a candidate has and lacks (labels), and the required ones it lacks."""

    matched: list[str]
    missing: list[str]
    missing_required: list[str]


def compare_opening_terms(
    candidate_terms: set[str], found: set[str], levels: Mapping[str, str], vocabulary: SkillVocabulary
) -> SkillComparison:
    """compare_terms on the opening's terms (found) after the recruiter's levels apply, and the labels of
    the required terms the candidate lacks."""
    wanted = apply_skill_levels(found, levels)
    matched, missing = compare_terms(candidate_terms, wanted, vocabulary)
    lacking = select_required_terms(wanted, levels) - candidate_terms
    return SkillComparison(matched, missing, sorted({vocabulary.label(t) for t in lacking}))


def learn_from_openings(vagas: Sequence[Mapping[str, Any]], **kwargs: Any) -> SkillVocabulary:
    """learn_skill_vocabulary over the openings' requirement texts, seeded with SKILLS_VOCABULARY."""
    kwargs.setdefault("seed", seed_vocabulary())
    return learn_skill_vocabulary((opening_requirement_text(v) for v in vagas), **kwargs)
