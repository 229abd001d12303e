"""BM25 over Portuguese stems: accents folded, inflections matched, multi-word terms counted."""

from __future__ import annotations

from hr_core.ml.lexical import build_lexical_index, tokenize


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
