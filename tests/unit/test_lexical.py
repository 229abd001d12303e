"""BM25 over Portuguese stems: accents folded, inflections matched, multi-word terms counted; thin
openings reached through their peers."""

from __future__ import annotations

import numpy as np
import pytest

from hr_core.ml.lexical import (
    THIN_STEMS,
    LexicalIndex,
    build_lexical_index,
    get_candidate_similarities,
    get_peer_matrix,
    score_peers,
    tokenize,
)


def test_portuguese_words_are_folded_and_stemmed() -> None:
    assert tokenize("Gestão de Projetos") == tokenize("gestao de projeto")
    assert "de" not in tokenize("analista de sistemas")


def test_bm25_ranks_the_opening_that_shares_the_rare_terms_first() -> None:
    index = build_lexical_index(
        ["v1", "v2", "v3"],
        [
            "Consultor SAP FI sênior, contabilidade",
            "Desenvolvedor Android Kotlin",
            "Analista de infraestrutura",
        ],
    )
    positions, scores = index.search("desenvolvedora de aplicativos android em kotlin e java", 3)
    assert index.codes[positions[0]] == "v2" and scores[0] > 0 and scores[-1] == 0
    assert index.align(["v3", "zz", "v2"]).score_text("kotlin")[2] > 0


def test_english_job_title_words_read_as_their_portuguese_equals() -> None:
    assert sorted(tokenize("Sr. Java Developer")) == sorted(tokenize("Desenvolvedor Java Sênior"))
    assert tokenize("Data Engineer") == tokenize("data engenheiro")  # "data" stays: in Portuguese, a date
    assert tokenize("Data Engineer") != tokenize("dados engenheiro")
    index = build_lexical_index(["v1", "v2"], ["Software Engineer Java", "Analista de Negócios"])
    assert index.codes[index.search("engenheiro de software com java", 2)[0][0]] == "v1"
    assert index.search("engenheiro", 2)[1][0] > 0 and index.score_text("engenheiro")[1] == 0


CVS = {
    "c1": "Desenvolvedor backend Java Spring, microsserviços, APIs REST, Kafka",
    "c2": "Desenvolvedora backend Java, Spring Boot, APIs, Kafka, Docker",
    "c3": "Analista de infraestrutura, servidores Linux e Windows, redes",
    "c4": "Programador Java, Spring, microsserviços, mensageria Kafka",  # no "backend" in the CV
}
OPENINGS = {
    "v1": "Backend Dev",  # a title alone: thin
    "v2": "Analista de Infraestrutura",  # thin
    "v3": " ".join(f"palavra{i}" for i in range(THIN_STEMS + 1)),  # described: more stems than a title has
}


def _peer_indexes() -> tuple[LexicalIndex, LexicalIndex]:
    return build_lexical_index(list(OPENINGS), list(OPENINGS.values())), build_lexical_index(
        list(CVS), list(CVS.values())
    )


def test_a_thin_opening_peers_are_the_cvs_its_title_finds_and_a_described_one_has_none() -> None:
    openings, candidates = _peer_indexes()
    peers = get_peer_matrix(openings, candidates)
    assert peers.shape == (3, 4)
    found = {openings.codes[i]: {candidates.codes[j] for j in peers[i].indices} for i in range(3)}
    assert found == {"v1": {"c1", "c2"}, "v2": {"c3"}, "v3": set()}
    assert get_peer_matrix(openings, candidates) is peers  # computed once per pair of indexes


def test_peer_scores_average_the_peers_similarity_without_the_candidate_itself() -> None:
    openings, candidates = _peer_indexes()
    peers = get_peer_matrix(openings, candidates)
    similarities = np.array([1.0, 0.6, 0.1, 0.8])
    scores = score_peers(peers, similarities, exclude=None)
    assert scores[:2] == pytest.approx([0.8, 0.1]) and np.isnan(scores[2])
    own = score_peers(peers, similarities, exclude=0)  # c1 is v1's peer: only c2 is left
    assert own[0] == pytest.approx(0.6) and own[1] == pytest.approx(0.1)
    assert np.isnan(score_peers(peers, similarities, exclude=2)[1])  # v2's only peer was the candidate


def test_the_cv_without_the_title_word_reaches_the_opening_through_its_peers() -> None:
    openings, candidates = _peer_indexes()
    c4 = candidates.codes.index("c4")
    assert openings.score_text(CVS["c4"])[0] == 0  # "Backend Dev" shares no word with c4's CV
    stored = get_candidate_similarities(candidates, position=c4, text="")
    free = get_candidate_similarities(candidates, position=None, text=CVS["c4"])
    assert stored[c4] == pytest.approx(1.0) and int(np.argmax(free)) == c4
    scores = score_peers(get_peer_matrix(openings, candidates), stored, exclude=c4)
    assert scores[0] > scores[1]  # the Java backend title's peers are like c4, the infrastructure one's not
