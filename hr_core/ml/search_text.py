"""What a candidate is searched by: a field-weighted query, titles above the CV's distinctive terms.

A recruiter searching openings for a candidate reads the title, objective and current role first, then
the area and skills, and skims the CV for what stands out. The query does the same: each field's terms
weighted by CANDIDATE_FIELD_WEIGHTS, the CV's opening words (where a CV names the role) and the words
after "objetivo" as a headline, and from the rest of the CV only its most distinctive terms (highest
count × IDF among candidates' texts, so that what every CV says weighs little).

Measured with hr_core.ml.retrieval_eval (bench_retrieval), BM25 alone, whole text as query → this query:
hit@10 0.310 → 0.414 on the 58 real candidates linked by prospects.json, 0.881 → 0.929 on the 42
hand-checked pairs, 0.378 → 0.384 on planted matches. Weighing CV terms by their rarity among CVs did
most of it; the number of CV terms (40, 100, all) was chosen on one half of the 58 (retrieval_eval).
A headline text for MiniLM (instead of the whole text) and a hand-made role → skills expansion were
tried and left out: no gain on the tuning half.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Container, Mapping
from typing import Any

from hr_core.ml.features import normalise_text, redact_protected_text
from hr_core.ml.lexical import count_terms

# Weight of each structured field's terms in the query (the CV's most distinctive terms weigh CV_WEIGHT).
CANDIDATE_FIELD_WEIGHTS: dict[str, float] = {
    "titulo_profissional": 3.0,
    "objetivo_profissional": 3.0,
    "cargo_atual": 3.0,
    "area_atuacao": 1.5,
    "conhecimentos_tecnicos": 1.5,
    "nivel_profissional": 1.0,
    "certificacoes": 1.0,
}
# Where a field may sit in a Decision record when the row has no column of that name.
_SECTION_OF: dict[str, tuple[str, str]] = {
    "objetivo_profissional": ("infos_basicas", "objetivo_profissional"),
    "cargo_atual": ("cargo_atual", "cargo_atual"),
}
CV_HEADLINE_WORDS = 30  # the CV's first words: where most CVs name the role sought or held
OBJECTIVE_WORDS = 12  # words read after "objetivo" / "cargo pretendido"
CV_HEADLINE_WEIGHT = 2.0
CV_TERMS = 100  # the CV's most distinctive terms kept in the query
CV_WEIGHT = 1.0
_OBJECTIVE = re.compile(r"\b(?:objetivo(?: profissional)?|cargo pretendido|cargo desejado|objective)\b\s*:?")


def get_field(row: Mapping[str, Any], name: str) -> str:
    """A candidate field as text, from its column or, in a Decision record, from its section."""
    value = row.get(name)
    if (value is None or value == "") and name in _SECTION_OF:
        section, key = _SECTION_OF[name]
        inner = row.get(section)
        value = inner.get(key) if isinstance(inner, Mapping) else None
    if isinstance(value, Mapping):
        value = " ".join(str(v) for v in value.values() if v)
    return "" if value is None or (isinstance(value, float) and value != value) else str(value).strip()


def get_cv_headline(cv: Any) -> str:
    """The CV's first CV_HEADLINE_WORDS words and the OBJECTIVE_WORDS words after "objetivo" (accents
    folded, lower-cased)."""
    text = normalise_text(cv)
    words = text.split()
    parts = [" ".join(words[:CV_HEADLINE_WORDS])]
    found = _OBJECTIVE.search(text)
    if found:
        parts.append(" ".join(text[found.end() :].split()[:OBJECTIVE_WORDS]))
    return " ".join(p for p in parts if p)


def build_candidate_query(
    row: Mapping[str, Any], *, idf: Callable[[str], float], vocabulary: Container[str] | None = None
) -> dict[str, float]:
    """The candidate's weighted query ({term: weight}): structured fields by CANDIDATE_FIELD_WEIGHTS, the
    CV headline by CV_HEADLINE_WEIGHT, and the CV_TERMS terms of the CV with the highest (1 + log count) ×
    idf, each weighing that much × CV_WEIGHT; a term in several parts adds up.

    idf is the term's inverse document frequency among candidates' texts (the candidates' lexical index):
    words every CV has ("desenvolvimento", "sistemas") say little of this one. vocabulary, when given,
    holds the terms of the index searched: CV terms it lacks are not counted among the CV_TERMS.
    """
    query: dict[str, float] = {}

    def add(terms: Mapping[str, float], weight: float) -> None:
        for term, w in terms.items():
            query[term] = query.get(term, 0.0) + weight * w

    for name, weight in CANDIDATE_FIELD_WEIGHTS.items():
        add(count_terms(redact_protected_text(get_field(row, name))), weight)
    cv = redact_protected_text(str(row.get("cv_pt") or ""))
    add(count_terms(get_cv_headline(cv)), CV_HEADLINE_WEIGHT)
    distinctive = {t: c * idf(t) for t, c in count_terms(cv).items() if vocabulary is None or t in vocabulary}
    top = sorted(distinctive, key=lambda t: (-distinctive[t], t))[:CV_TERMS]
    add({t: distinctive[t] for t in top if distinctive[t] > 0}, CV_WEIGHT)
    return query
