"""Lexical retrieval that reads Portuguese: accent folding, Snowball stemming (PyStemmer), BM25.

Each kind (openings, candidates) has its own index: a sparse matrix of BM25 term weights over stems and
stem bigrams (so "SAP FI" and "sql server" count as terms). A query is any text; its terms that the index
knows are looked up and summed. Pure numpy/scipy; built in memory in seconds for thousands of texts.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

import numpy as np
from scipy import sparse

from hr_core.ml.features import normalise_text

K1 = 1.2
B = 0.75
# Openings known by their title alone share few words with a CV. They are also reached through their
# peers: the PEERS candidates whose CVs their title finds (get_peer_matrix); a candidate's peer score for
# such an opening is how like those CVs theirs is (score_peers). THIN_STEMS: the most distinct stems a
# thin opening has (a title has a handful, a described opening hundreds).
PEERS = 40
THIN_STEMS = 8
_PEER_CELLS = 4_000_000  # title × candidate scores held at a time (32 MB; bounds the memory)
# Version of the analyser (tokenize, analyze): an index built by another one is refused and rebuilt, since
# its terms no longer match the queries' (2: English job-title words read in Portuguese, TITLE_WORDS).
ANALYZER_VERSION = 2
_TOKEN = re.compile(r"[a-z0-9]+(?:[#+]+)?")
# Function words of Portuguese and English (accents folded), plus CV boilerplate that says nothing of skills.
STOPWORDS: frozenset[str] = frozenset(
    [
        "a",
        "ao",
        "aos",
        "as",
        "com",
        "como",
        "da",
        "das",
        "de",
        "do",
        "dos",
        "e",
        "em",
        "entre",
        "na",
        "nas",
        "no",
        "nos",
        "o",
        "os",
        "ou",
        "para",
        "pela",
        "pelas",
        "pelo",
        "pelos",
        "por",
        "que",
        "se",
        "sem",
        "sob",
        "sobre",
        "um",
        "uma",
        "umas",
        "uns",
        "ja",
        "mais",
        "muito",
        "tambem",
        "ate",
        "seu",
        "sua",
        "seus",
        "suas",
        "ele",
        "ela",
        "eles",
        "elas",
        "isso",
        "este",
        "esta",
        "estes",
        "estas",
        "esse",
        "essa",
        "nao",
        "sim",
        "ser",
        "ter",
        "foi",
        "sao",
        "era",
        "ha",
        "tem",
        "atual",
        "atualmente",
        "ano",
        "anos",
        "mes",
        "meses",
        "periodo",
        "empresa",
        "nome",
        "cargo",
        "experiencia",
        "experiencias",
        "profissional",
        "profissionais",
        "resumo",
        "objetivo",
        "formacao",
        "atividades",
        "atuacao",
        "conhecimento",
        "conhecimentos",
        "area",
        "areas",
        "bom",
        "boa",
        "the",
        "of",
        "and",
        "or",
        "to",
        "in",
        "on",
        "for",
        "with",
        "at",
        "by",
        "from",
        "an",
        "as",
        "is",
        "are",
        "be",
        "this",
        "that",
        "it",
        "its",
        "into",
        "we",
        "you",
        "your",
        "our",
    ]
)


# Job-title words of English (and their short forms) read as the Portuguese word: Decision's openings and
# CVs name the same role either way ("Sr. Java Developer", "Desenvolvedor Java Sênior"). Only words whose
# meaning is the same in both contexts ("data" is left out: in Portuguese it is a date).
TITLE_WORDS: dict[str, str] = {
    word: portuguese
    for portuguese, words in {
        "desenvolvedor": "developer developers dev devs programmer programmers",
        "engenheiro": "engineer engineers",
        "engenharia": "engineering",
        "analista": "analyst analysts",
        "arquiteto": "architect architects",
        "arquitetura": "architecture",
        "gerente": "manager managers",
        "consultor": "consultant consultants",
        "teste": "test tests testing tester testers",
        "suporte": "support",
        "seguranca": "security",
        "redes": "network networks networking",
        "infraestrutura": "infrastructure infra",
        "sistemas": "systems system",
        "projetos": "projects project",
        "negocios": "business",
        "qualidade": "quality",
        "lider": "lead leader",
        "especialista": "specialist",
        "senior": "sr",
        "junior": "jr",
    }.items()
    for word in words.split()
}


@lru_cache(maxsize=1)
def _stemmer() -> Any:
    import Stemmer

    return Stemmer.Stemmer("portuguese")


def stem_words(words: Sequence[str]) -> list[str]:
    """Portuguese Snowball stems of words already folded and lower-cased."""
    return list(_stemmer().stemWords(list(words)))


def tokenize(text: Any) -> list[str]:
    """Stems of the words of a text: lower-case, accents folded, English job-title words read in Portuguese
    (TITLE_WORDS), stop words out, Portuguese Snowball stems."""
    found = (TITLE_WORDS.get(w, w) for w in _TOKEN.findall(normalise_text(text)))
    words = [w for w in found if w not in STOPWORDS and (len(w) > 1 or w == "r")]
    return list(_stemmer().stemWords(words))


def analyze(text: Any) -> list[str]:
    """The terms of a text: its stems and its adjacent stem pairs ("sap fi", "sql server")."""
    stems = tokenize(text)
    return stems + [f"{a} {b}" for a, b in zip(stems, stems[1:], strict=False)]


def count_terms(text: Any) -> dict[str, float]:
    """A text as a weighted query: each of its terms weighted 1 + log(count)."""
    counts: dict[str, int] = {}
    for term in analyze(text):
        counts[term] = counts.get(term, 0) + 1
    return {t: 1.0 + float(np.log(c)) for t, c in counts.items()}


@dataclass
class LexicalIndex:
    """BM25 weights (documents × terms) of one kind of text, with its vocabulary."""

    codes: list[str]
    weights: sparse.csr_matrix
    vocabulary: dict[str, int]
    _df: np.ndarray | None = field(default=None, repr=False, compare=False)
    _unit: sparse.csr_matrix | None = field(default=None, repr=False, compare=False)
    _peers: tuple[LexicalIndex, sparse.csr_matrix] | None = field(default=None, repr=False, compare=False)

    def query_vector(self, query: Any) -> sparse.csr_matrix:
        """The query's known terms: a text's terms each weighted 1 + log(count), or a weighted query
        ({term: weight}, see hr_core.ml.search_text) as it is."""
        weighted = query if isinstance(query, Mapping) else count_terms(query)
        known = {self.vocabulary[t]: float(w) for t, w in weighted.items() if t in self.vocabulary and w > 0}
        cols = np.fromiter(known.keys(), dtype=np.int64, count=len(known))
        vals = np.fromiter(known.values(), dtype=np.float64, count=len(known))
        return sparse.csr_matrix(
            (vals, (np.zeros(len(cols), dtype=np.int64), cols)), shape=(1, len(self.vocabulary))
        )

    def score_text(self, query: Any) -> np.ndarray:
        """BM25 score of every document for a query text or weighted query (0 when nothing is shared)."""
        q = self.query_vector(query)
        return np.asarray((self.weights @ q.T).todense()).ravel()

    def score_texts(self, queries: Sequence[Any]) -> np.ndarray:
        """Scores (queries × documents) for many query texts or weighted queries at once."""
        rows = sparse.vstack([self.query_vector(t) for t in queries]) if queries else None
        if rows is None:
            return np.zeros((0, len(self.codes)))
        return np.asarray((rows @ self.weights.T).todense())

    def idf(self, term: str) -> float:
        """The term's inverse document frequency in this index (the BM25 one); a term no document has gets
        the highest (it is rarer than any)."""
        if self._df is None:
            self._df = np.diff(self.weights.tocsc().indptr)
        j = self.vocabulary.get(term)
        df = 0 if j is None else int(self._df[j])
        n = max(len(self.codes), 1)
        return float(np.log(1.0 + (n - df + 0.5) / (df + 0.5)))

    def align(self, codes: Sequence[str]) -> LexicalIndex:
        """The same index with its rows in the order of codes (unknown codes get an empty row)."""
        codes = [str(c) for c in codes]
        if codes == self.codes:
            return self
        position = {c: i for i, c in enumerate(self.codes)}
        padded = sparse.vstack([self.weights, sparse.csr_matrix((1, self.weights.shape[1]))]).tocsr()
        rows = [position.get(c, len(self.codes)) for c in codes]
        return LexicalIndex(codes=codes, weights=padded[rows].tocsr(), vocabulary=self.vocabulary)

    def search(self, text: Any, n: int) -> tuple[list[int], np.ndarray]:
        """Positions of the n best documents and their scores, best first (ties by position)."""
        scores = self.score_text(text)
        order = np.lexsort((np.arange(len(scores)), -scores))[:n]
        return [int(i) for i in order], scores[order]


def get_unit_rows(index: LexicalIndex) -> sparse.csr_matrix:
    """The index's BM25 rows scaled to length 1 (computed once per index)."""
    if index._unit is None:
        norms = np.sqrt(np.asarray(index.weights.multiply(index.weights).sum(axis=1)).ravel())
        index._unit = sparse.diags(1.0 / np.where(norms > 0, norms, 1.0)) @ index.weights
    return index._unit


def get_document_vector(index: LexicalIndex, text: Any, *, k1: float = K1) -> sparse.csr_matrix:
    """A text's BM25 row over the index's terms, as if it were a document of the index's average length
    (the length is not kept with an index): idf × tf × (k1 + 1) / (tf + k1)."""
    counts = Counter(analyze(text))  # query_vector keeps the terms the index knows
    return index.query_vector({t: index.idf(t) * c * (k1 + 1.0) / (c + k1) for t, c in counts.items()})


def get_peer_matrix(openings: LexicalIndex, candidates: LexicalIndex) -> sparse.csr_matrix:
    """Each thin opening's peers (openings × candidates, 1 for a peer): the PEERS candidates whose CVs its
    terms, each counted once, score highest by BM25 over the candidates' index (ties by position). An
    opening is thin when it has THIN_STEMS distinct stems or fewer (a title alone); other rows are empty.
    Computed once per pair of indexes."""
    if openings._peers is not None and openings._peers[0] is candidates:
        return openings._peers[1]
    terms = sorted(openings.vocabulary, key=openings.vocabulary.__getitem__)
    stems = np.asarray([" " not in t for t in terms], dtype=bool)
    present = openings.weights.copy()
    present.data[:] = 1.0
    stem_counts = np.asarray(present[:, np.flatnonzero(stems)].sum(axis=1)).ravel()
    thin = np.flatnonzero((stem_counts > 0) & (stem_counts <= THIN_STEMS))
    into = np.asarray([candidates.vocabulary.get(t, -1) for t in terms], dtype=np.int64)
    # Openings whose known terms are the same (a title repeated) share their peers: each is scored once.
    known = present[thin].tolil().rows if len(thin) else []
    queries: dict[tuple[int, ...], int] = {}
    query_of = np.asarray(
        [
            queries.setdefault(tuple(sorted(int(into[j]) for j in row if into[j] >= 0)), len(queries))
            for row in known
        ],
        dtype=np.int64,
    )
    n_cand = len(candidates.codes)
    best = np.zeros((len(queries), min(PEERS, n_cand)), dtype=np.int64)
    found = np.zeros(best.shape, dtype=bool)
    terms_of = list(queries)
    step = max(1, _PEER_CELLS // max(n_cand, 1))
    for start in range(0, len(terms_of), step):
        block = terms_of[start : start + step]
        rows = np.repeat(np.arange(len(block)), [len(t) for t in block])
        cols = np.fromiter((j for t in block for j in t), dtype=np.int64, count=len(rows))
        query = sparse.csr_matrix(
            (np.ones(len(rows)), (rows, cols)), shape=(len(block), len(candidates.vocabulary))
        )
        scores = np.asarray((query @ candidates.weights.T).todense())
        order = np.argsort(-scores, axis=1, kind="stable")[:, : best.shape[1]]  # ties by position
        best[start : start + len(block)] = order
        found[start : start + len(block)] = np.take_along_axis(scores, order, axis=1) > 0
    row_of = np.repeat(thin, found[query_of].sum(axis=1)) if len(thin) else np.zeros(0, dtype=np.int64)
    peers = sparse.csr_matrix(
        (np.ones(len(row_of)), (row_of, best[query_of][found[query_of]])),
        shape=(len(openings.codes), n_cand),
    )
    openings._peers = (candidates, peers)
    return peers


def score_peers(peers: sparse.csr_matrix, similarities: np.ndarray, *, exclude: int | None) -> np.ndarray:
    """Each opening's peer score: the mean of its peers' similarities to the candidate (exclude: the
    candidate's own position, never its own peer); NaN for an opening without peers."""
    sums = np.asarray(peers @ similarities, dtype=np.float64).ravel()
    counts = np.diff(peers.indptr).astype(np.float64)
    if exclude is not None:
        own = np.asarray(peers[:, exclude].todense()).ravel()
        sums -= own * similarities[exclude]
        counts -= own
    out = np.full(len(counts), np.nan)
    np.divide(sums, counts, out=out, where=counts > 0)
    return out


def get_candidate_similarities(candidates: LexicalIndex, *, position: int | None, text: Any) -> np.ndarray:
    """The cosine of a candidate's BM25 row with every candidate's (its own row when position is given,
    else its text's, get_document_vector)."""
    unit = get_unit_rows(candidates)
    row = unit[position] if position is not None else get_document_vector(candidates, text)
    norm = float(np.sqrt(row.multiply(row).sum())) or 1.0
    return np.asarray((unit @ row.T).todense()).ravel() / norm


def build_lexical_index(
    codes: Sequence[str], texts: Sequence[Any], *, min_df: int = 1, k1: float = K1, b: float = B
) -> LexicalIndex:
    """Count terms per document and turn them into BM25 weights (k1 = K1, b = B unless given)."""
    vocabulary: dict[str, int] = {}
    indptr = [0]
    indices: list[int] = []
    data: list[float] = []
    for text in texts:
        counts: dict[int, int] = {}
        for term in analyze(text):
            j = vocabulary.setdefault(term, len(vocabulary))
            counts[j] = counts.get(j, 0) + 1
        indices.extend(counts.keys())
        data.extend(counts.values())
        indptr.append(len(indices))
    tf = sparse.csr_matrix(
        (np.asarray(data, dtype=np.float64), np.asarray(indices, dtype=np.int64), np.asarray(indptr)),
        shape=(len(texts), len(vocabulary)),
    )
    df = np.bincount(tf.indices, minlength=len(vocabulary))
    if min_df > 1 and len(vocabulary):
        keep = np.flatnonzero(df >= min_df)
        tf = tf[:, keep].tocsr()
        terms = list(vocabulary)
        vocabulary = {terms[j]: i for i, j in enumerate(keep)}
        df = df[keep]
    n_docs = max(len(texts), 1)
    idf = np.log(1.0 + (n_docs - df + 0.5) / (df + 0.5))
    lengths = np.asarray(tf.sum(axis=1)).ravel()
    avg = float(lengths.mean()) if len(lengths) and lengths.mean() > 0 else 1.0
    norm = k1 * (1.0 - b + b * lengths / avg)
    weights = tf.copy()
    row_of = np.repeat(np.arange(tf.shape[0]), np.diff(tf.indptr))
    weights.data = idf[tf.indices] * tf.data * (k1 + 1.0) / (tf.data + norm[row_of])
    return LexicalIndex(codes=[str(c) for c in codes], weights=weights.tocsr(), vocabulary=vocabulary)
