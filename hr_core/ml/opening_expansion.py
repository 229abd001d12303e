"""Openings known by their title alone borrow the requirement terms usual for that title.

A recruiter who types only "Backend Dev" has said little for BM25 to match a CV against. Among the
openings that are described (activities and competences), the EXPANSION_NEIGHBOURS whose titles are most
like this one (BM25 over their titles: accents folded, Portuguese stems, hr_core.ml.lexical) lend it their
terms: each term weighs the share of those neighbours (by title similarity) whose text has it, the
EXPANSION_TERMS with the highest share × IDF among described openings are kept, and they count
EXPANSION_WEIGHT × that share beside the title's own terms, which count 1 each. A described opening is
left as it is. The corpus is the openings already there: the database's (hr_core.ml.vector_index builds
the openings' lexical index from build_opening_documents, and an opening searching candidates adds its
borrowed terms to its query, build_opening_query); in hr_core.ml.retrieval_eval, the described openings of
vagas.json loaded beside a pool of titles.

Measured on the 58 real candidates linked by prospects.json, ranked among 350 openings known by title, the
titles borrowing from the 300 described openings of vagas.json (none shared; one hit = 1.7 points, on a
half 3.4): over the grid neighbours 1, 3, 5, 10 × weight 0.1, 0.3, 1 × terms 20, 50, 200, no setting
beats no expansion on the tuning half (hybrid hit@10 0.448, MRR 0.209; best expanded 0.448 / 0.207,
weight 1: 0.14-0.38), nor with only terms most neighbours share. Borrowing the neighbours' text for
MiniLM lost too (0.414). An earlier run that looked better on all 58 (0.448) chose its terms among ties in
hash order: the gain was a draw. Kept out of the product; this commit records it.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from hr_core.ml.features import build_vaga_text
from hr_core.ml.lexical import LexicalIndex, analyze, build_lexical_index, count_terms

MIN_DESCRIPTION_WORDS = 10  # fewer words of activities and competences than this: known by its title alone
EXPANSION_NEIGHBOURS = 5  # described openings of the most similar titles that lend their terms
EXPANSION_TERMS = 20  # borrowed terms kept (highest share × IDF)
EXPANSION_WEIGHT = 0.1  # a borrowed term's count: this × the share of neighbours whose text has it
_DESCRIPTION = ("principais_atividades", "competencias")

# A document of the openings' lexical index: the opening's text, or its terms counted with those it borrows.
OpeningDocument = str | dict[str, float]


def count_description_words(row: Mapping[str, Any]) -> int:
    """Words of the opening's activities and competences (its area and title not counted)."""
    return sum(len(str(row.get(p) or "").split()) for p in _DESCRIPTION)


def is_described(row: Mapping[str, Any]) -> bool:
    """Whether an opening says what it asks (MIN_DESCRIPTION_WORDS or more of activities and competences)."""
    return count_description_words(row) >= MIN_DESCRIPTION_WORDS


@dataclass(frozen=True)
class TitleCorpus:
    """The described openings a title-only one borrows from: BM25 over their titles, each one's terms, and
    the IDF of terms over their texts."""

    titles: LexicalIndex
    terms: tuple[frozenset[str], ...]
    texts: LexicalIndex


def build_title_corpus(openings: Sequence[Mapping[str, Any]]) -> TitleCorpus | None:
    """The corpus of the described openings among these (None when none is described)."""
    described = [row for row in openings if is_described(row)]
    if not described:
        return None
    codes = [str(row.get("codigo") or i) for i, row in enumerate(described)]
    texts = [build_vaga_text(row) for row in described]
    return TitleCorpus(
        titles=build_lexical_index(codes, [str(row.get("titulo") or "") for row in described]),
        terms=tuple(frozenset(analyze(t)) for t in texts),
        texts=build_lexical_index(codes, texts),
    )


def get_expansion_terms(
    title: str,
    corpus: TitleCorpus | None,
    *,
    neighbours: int = EXPANSION_NEIGHBOURS,
    terms: int = EXPANSION_TERMS,
    weight: float = EXPANSION_WEIGHT,
) -> dict[str, float]:
    """The terms a title borrows ({term: count}): empty when no described title shares a term with it."""
    if corpus is None or not str(title).strip():
        return {}
    scores = corpus.titles.score_text(title)
    nearest = [int(i) for i in np.lexsort((np.arange(len(scores)), -scores))[:neighbours] if scores[i] > 0]
    if not nearest:
        return {}
    total = float(scores[nearest].sum())
    share: dict[str, float] = {}
    for i in nearest:
        for term in corpus.terms[i]:
            share[term] = share.get(term, 0.0) + float(scores[i]) / total
    kept = sorted(share, key=lambda t: (-share[t] * corpus.texts.idf(t), t))[:terms]
    return {t: weight * share[t] for t in kept}


def _add(counts: dict[str, float], extra: Mapping[str, float]) -> dict[str, float]:
    out = dict(counts)
    for term, count in extra.items():
        out[term] = out.get(term, 0.0) + count
    return out


def list_borrowed_terms(
    openings: Sequence[Mapping[str, Any]], *, corpus: Sequence[Mapping[str, Any]] | None = None
) -> list[dict[str, float]]:
    """The terms each opening borrows (get_expansion_terms) from the described openings of corpus (the
    openings themselves when not given): empty for a described opening."""
    title_corpus = build_title_corpus(openings if corpus is None else corpus)
    return [
        {} if is_described(row) else get_expansion_terms(str(row.get("titulo") or ""), title_corpus)
        for row in openings
    ]


def build_opening_document(row: Mapping[str, Any], borrowed: Mapping[str, float]) -> OpeningDocument:
    """An opening as the openings' lexical index holds it: its text, or, when it borrowed terms, its
    text's terms counted with the borrowed ones added."""
    text = build_vaga_text(row)
    if not borrowed:
        return text
    counts: dict[str, float] = {}
    for term in analyze(text):
        counts[term] = counts.get(term, 0.0) + 1.0
    return _add(counts, borrowed)


def build_opening_documents(
    openings: Sequence[Mapping[str, Any]], *, corpus: Sequence[Mapping[str, Any]] | None = None
) -> list[OpeningDocument]:
    """Every opening's document for the openings' lexical index (list_borrowed_terms, then
    build_opening_document): what the index build and the retrieval evaluation both index."""
    borrowed = list_borrowed_terms(openings, corpus=corpus)
    return [build_opening_document(row, b) for row, b in zip(openings, borrowed, strict=True)]


def build_opening_query(row: Mapping[str, Any], borrowed: Mapping[str, float] | None = None) -> Any:
    """What BM25 searches candidates with for an opening: its text, or, when it borrowed terms, its text's
    terms (1 + log count each) with the borrowed ones added."""
    text = build_vaga_text(row)
    if not borrowed:
        return text
    return _add(count_terms(text), borrowed)
