"""Retrieval quality on a labelled set: hit@k and MRR of MiniLM alone, BM25 alone, the RRF hybrid and the
hybrid re-ranked by the match model — the same fusion and re-ranking functions recommend() runs.

A labelled set is candidates (the queries), the openings they are ranked against, and for each candidate
the openings a recruiter would put them forward for. Three sets are built here: the hand-checked real
pairs of tests/data/retrieval_pairs.json, the real Decision candidates linked by prospects.json to the
openings they were actually put forward for, and planted matches in generated Decision data.
"""

from __future__ import annotations

import json
import random
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from hr_core.ml.embeddings import encode_texts
from hr_core.ml.features import (
    CANDIDATE_COLUMNS,
    VAGA_COLUMNS,
    build_candidate_text,
    build_vaga_text,
    make_pair_frame,
)
from hr_core.ml.lexical import build_lexical_index
from hr_core.ml.recommend import FUSION_DEPTH, RERANK_DEPTH, RRF_WEIGHTS, fuse_rankings, rerank_by_probability

if TYPE_CHECKING:
    from hr_core.ml.match import MatchModel

METHODS: tuple[str, ...] = ("minilm", "bm25", "hybrid", "hybrid+rerank")
BASELINE = "tfidf"  # plain word TF-IDF cosine: the baseline measured in the same run
METHOD_LABELS: dict[str, str] = {
    "tfidf": "plain word TF-IDF",
    "minilm": "MiniLM alone",
    "bm25": "BM25 alone",
    "hybrid": "hybrid (weighted RRF)",
    "hybrid+rerank": "hybrid + re-rank",
}


@dataclass(frozen=True)
class LabelledSet:
    """Candidates (queries) as column dicts, the openings ranked for them, and each one's relevant openings."""

    name: str
    candidates: tuple[dict[str, Any], ...]
    vagas: tuple[dict[str, Any], ...]
    relevant: Mapping[str, frozenset[str]]


@dataclass(frozen=True)
class MethodScore:
    """One ranker's figures on one labelled set."""

    method: str
    hit_at_k: float
    mrr: float
    queries: int
    k: int


@dataclass(frozen=True)
class RetrievalReport:
    """The four rankers' figures on one labelled set (re-ranking left out when no model was given)."""

    name: str
    queries: int
    openings: int
    scores: tuple[MethodScore, ...]

    def score(self, method: str) -> MethodScore:
        return next(s for s in self.scores if s.method == method)

    def best(self) -> MethodScore:
        """The best of the four rankers: highest hit@k, then highest MRR."""
        return max((s for s in self.scores if s.method in METHODS), key=lambda s: (s.hit_at_k, s.mrr))

    def table(self) -> str:
        lines = [f"{self.name}: {self.queries} candidates, {self.openings} openings"]
        lines.append(f"  {'method':22} {'hit@' + str(self.scores[0].k):>8} {'MRR':>7}")
        for s in self.scores:
            lines.append(f"  {METHOD_LABELS[s.method]:22} {s.hit_at_k:8.3f} {s.mrr:7.3f}")
        return "\n".join(lines)


def hit_at_k(
    rankings: Mapping[str, Sequence[str]], relevant: Mapping[str, Iterable[str]], k: int = 10
) -> float:
    """Share of queries with at least one relevant item in their first k."""
    if not rankings:
        return 0.0
    hits = [bool(set(ranking[:k]) & set(relevant[q])) for q, ranking in rankings.items()]
    return float(np.mean(hits))


def mean_reciprocal_rank(
    rankings: Mapping[str, Sequence[str]], relevant: Mapping[str, Iterable[str]]
) -> float:
    """Mean over queries of 1 / (rank of the first relevant item), 0 when none is ranked."""
    if not rankings:
        return 0.0
    values = []
    for q, ranking in rankings.items():
        wanted = set(relevant[q])
        first = next((i for i, code in enumerate(ranking, start=1) if code in wanted), None)
        values.append(1.0 / first if first else 0.0)
    return float(np.mean(values))


def _probabilities(
    model: MatchModel, candidates: pd.DataFrame, vagas: pd.DataFrame, pairs: list[tuple[str, str]]
) -> dict[tuple[str, str], float]:
    from hr_core.ml.match import predict_probabilities

    frame = make_pair_frame(candidates, vagas, pairs)
    _, probs = predict_probabilities(model, frame)
    keys = zip(frame["candidate"].astype(str), frame["vaga"].astype(str), strict=True)
    return {key: round(float(p), 4) for key, p in zip(keys, probs, strict=True)}


def _tfidf_scores(queries: list[str], documents: list[str]) -> np.ndarray:
    """Cosine of plain word TF-IDF vectors (accents and case folded, no stemming, no stop words)."""
    from sklearn.feature_extraction.text import TfidfVectorizer

    from hr_core.ml.features import normalise_text

    vectorizer = TfidfVectorizer().fit([normalise_text(t) for t in documents + queries])
    q = vectorizer.transform([normalise_text(t) for t in queries])
    d = vectorizer.transform([normalise_text(t) for t in documents])
    return np.asarray((q @ d.T).todense())


def rank_all(
    labelled: LabelledSet, *, encoder: Any, model: MatchModel | None = None
) -> dict[str, dict[str, list[str]]]:
    """Every method's full ranking of the openings for every candidate: {method: {candidate: codes}}."""
    vaga_codes = [str(v["codigo"]) for v in labelled.vagas]
    cand_codes = [str(c["codigo"]) for c in labelled.candidates]
    vaga_texts = [build_vaga_text(v) for v in labelled.vagas]
    cand_texts = [build_candidate_text(c) for c in labelled.candidates]
    vectors = encode_texts(vaga_texts + cand_texts, encoder=encoder)
    vaga_vectors, cand_vectors = vectors[: len(vaga_texts)], vectors[len(vaga_texts) :]
    lexical = build_lexical_index(vaga_codes, vaga_texts)
    semantic_scores = cand_vectors.astype(np.float64) @ vaga_vectors.astype(np.float64).T
    lexical_scores = lexical.score_texts(cand_texts)
    positions = np.arange(len(vaga_codes))
    out: dict[str, dict[str, list[str]]] = {m: {} for m in (BASELINE, *METHODS)}
    tfidf_scores = _tfidf_scores(cand_texts, vaga_texts)
    for i, code in enumerate(cand_codes):
        out[BASELINE][code] = [vaga_codes[j] for j in np.lexsort((positions, -tfidf_scores[i]))]
        semantic = [vaga_codes[j] for j in np.lexsort((positions, -semantic_scores[i]))]
        order = np.lexsort((positions, -lexical_scores[i]))
        lexical_ranking = [vaga_codes[j] for j in order if lexical_scores[i, j] > 0]
        fused = [
            c
            for c, _ in fuse_rankings(
                [semantic[:FUSION_DEPTH], lexical_ranking[:FUSION_DEPTH]], weights=RRF_WEIGHTS
            )
        ]
        seen = set(fused)
        out["minilm"][code] = semantic
        # Openings that share no word with the CV come last, in the order of meaning.
        out["bm25"][code] = lexical_ranking + [c for c in semantic if c not in set(lexical_ranking)]
        out["hybrid"][code] = fused + [c for c in semantic if c not in seen]
    if model is None:
        del out["hybrid+rerank"]
        return out
    heads = {c: out["hybrid"][c][:RERANK_DEPTH] for c in cand_codes}
    probabilities = _probabilities(
        model,
        pd.DataFrame(list(labelled.candidates)),
        pd.DataFrame(list(labelled.vagas)),
        [(c, v) for c, head in heads.items() for v in head],
    )
    for c in cand_codes:
        probability = {v: probabilities.get((c, v), 0.0) for v in heads[c]}
        out["hybrid+rerank"][c] = rerank_by_probability(out["hybrid"][c], probability)
    return out


def evaluate_retrieval(
    labelled: LabelledSet, *, encoder: Any, model: MatchModel | None = None, k: int = 10
) -> RetrievalReport:
    """hit@k and MRR of the baseline and each method on a labelled set (hybrid + re-rank only when a model
    is given)."""
    rankings = rank_all(labelled, encoder=encoder, model=model)
    scores = tuple(
        MethodScore(
            method=method,
            hit_at_k=round(hit_at_k(rankings[method], labelled.relevant, k), 4),
            mrr=round(mean_reciprocal_rank(rankings[method], labelled.relevant), 4),
            queries=len(rankings[method]),
            k=k,
        )
        for method in (BASELINE, *METHODS)
        if method in rankings
    )
    return RetrievalReport(labelled.name, len(labelled.candidates), len(labelled.vagas), scores)


# --- Labelled sets -------------------------------------------------------------------------------------


def _columns(row: Mapping[str, Any], columns: Sequence[str]) -> dict[str, Any]:
    return {c: row.get(c, "") for c in columns}


def read_decision_rows(path: Path, *, kind: str) -> dict[str, dict[str, Any]]:
    """Rows (the model's columns) of a Decision applicants.json (kind "candidates") or vagas.json ("vagas");
    records the importer would reject are left out."""
    from hr_core.recruiting.records import RecordError, build_candidate_row, build_vaga_row

    raw = json.loads(path.read_text(encoding="utf-8"))
    build, columns = (
        (build_candidate_row, CANDIDATE_COLUMNS) if kind == "candidates" else (build_vaga_row, VAGA_COLUMNS)
    )
    rows = {}
    for key, record in raw.items():
        try:
            rows[str(key)] = _columns(build(key, record), columns)
        except RecordError:
            continue
    return rows


def load_retrieval_pairs(fixture: Path, *, applicants: Path, vagas: Path) -> LabelledSet:
    """The hand-checked pairs (candidate → openings a recruiter would put them forward for) over the
    openings of vagas.json."""
    pairs = json.loads(fixture.read_text(encoding="utf-8"))["pairs"]
    candidates = read_decision_rows(applicants, kind="candidates")
    openings = read_decision_rows(vagas, kind="vagas")
    relevant = {str(p["candidate"]): frozenset(str(v) for v in p["relevant_vagas"]) for p in pairs}
    return LabelledSet(
        name="hand-checked real pairs",
        candidates=tuple(candidates[c] for c in relevant),
        vagas=tuple(openings.values()),
        relevant=relevant,
    )


def load_prospect_links(
    *, applicants: Path, prospects: Sequence[Path], openings: int = 350, seed: int = 0
) -> LabelledSet:
    """Real candidates and the openings prospects.json says they were put forward for, ranked among
    about `openings` openings: every linked one plus others of the same files drawn at random.

    An opening is known there only by its title, so that is its whole text; openings without a title
    are left out.
    """
    candidates = read_decision_rows(applicants, kind="candidates")
    titles: dict[str, str] = {}
    links: dict[str, set[str]] = {}
    for path in prospects:
        for code, opening in json.loads(path.read_text(encoding="utf-8")).items():
            title = str(opening.get("titulo") or "").strip()
            if not title:
                continue  # an opening without a title has no text at all: nothing could retrieve it
            titles[str(code)] = title
            for prospect in opening.get("prospects") or []:
                who = str(prospect.get("codigo") or "")
                if who in candidates:
                    links.setdefault(who, set()).add(str(code))
    linked = sorted({v for vs in links.values() for v in vs})
    others = sorted(set(titles) - set(linked))
    drawn = random.Random(seed).sample(others, max(0, min(len(others), openings - len(linked))))
    vagas = tuple({"codigo": v, "titulo": titles[v]} for v in sorted(linked + drawn))
    return LabelledSet(
        name="real prospect links",
        candidates=tuple(candidates[c] for c in sorted(links)),
        vagas=vagas,
        relevant={c: frozenset(vs) for c, vs in links.items()},
    )


def make_planted_set(folder: Path, *, seed: int = 11, applicants: int = 400, vagas: int = 350) -> LabelledSet:
    """Generated Decision data (hr_core.demo.recruiting) whose outcomes follow a planted fit rule: each
    candidate's relevant openings are those their prospect ended approved or hired for."""
    from hr_core.demo.recruiting import write_recruiting_demo
    from hr_core.pipeline_stages import STATUS_STAGE

    write_recruiting_demo(folder, seed=seed, applicants=applicants, vagas=vagas)
    candidates = read_decision_rows(folder / "applicants.json", kind="candidates")
    openings = read_decision_rows(folder / "vagas.json", kind="vagas")
    relevant: dict[str, set[str]] = {}
    for code, opening in json.loads((folder / "prospects.json").read_text(encoding="utf-8")).items():
        if code not in openings:
            continue
        for prospect in opening["prospects"]:
            who = str(prospect["codigo"])
            if who in candidates and STATUS_STAGE.get(prospect["situacao_candidado"]) == "approved":
                relevant.setdefault(who, set()).add(code)
    return LabelledSet(
        name="planted matches (generated)",
        candidates=tuple(candidates[c] for c in sorted(relevant)),
        vagas=tuple(openings.values()),
        relevant={c: frozenset(vs) for c, vs in relevant.items()},
    )
