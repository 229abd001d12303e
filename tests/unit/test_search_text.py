"""A candidate's search query: titles above CV mentions, distinctive CV terms above common ones,
Portuguese inflections and accents matched."""

from __future__ import annotations

from hr_core.ml.lexical import build_lexical_index
from hr_core.ml.search_text import build_candidate_query, get_cv_headline, get_field

OPENINGS = build_lexical_index(
    ["v1", "v2", "v3"],
    ["Analista de Testes Sênior", "Desenvolvedor Python Pleno", "Gerente de Projetos"],
)
CVS = build_lexical_index(
    ["c1", "c2", "c3", "c4"],
    [
        "desenvolvimento de sistemas e projetos",
        "analista de sistemas, desenvolvimento web",
        "sistemas, desenvolvimento e suporte",
        "sistemas cobol mainframe desenvolvimento",
    ],
)


def _top(row: dict[str, str]) -> str:
    query = build_candidate_query(row, idf=CVS.idf, vocabulary=OPENINGS.vocabulary)
    positions, _ = OPENINGS.search(query, 1)
    return OPENINGS.codes[positions[0]]


def test_a_title_match_ranks_above_an_opening_the_cv_only_mentions() -> None:
    filler = "experiência em empresas de grande porte, atendimento a clientes e documentação. " * 3
    cv = (
        filler
        + "python, python 3, python pandas, python flask, python django, python api, python etl, python."
    )
    tester = {"titulo_profissional": "Analista de Testes", "cv_pt": cv}
    assert _top(tester) == "v1"
    # The whole text as one plain query would follow the CV's many mentions instead.
    positions, _ = OPENINGS.search("Analista de Testes\n" + cv, 1)
    assert OPENINGS.codes[positions[0]] == "v2"
    developer = {"titulo_profissional": "Desenvolvedor Python", "cv_pt": filler + "apoio aos testes."}
    assert _top(developer) == "v2"


def test_a_portuguese_title_finds_the_inflected_and_accented_form() -> None:
    # "gerência de projeto" and "Gerente de Projetos" share the stem of "projeto(s)"; "testes"/"teste",
    # "sênior"/"senior" and "desenvolvedora"/"Desenvolvedor" are one term each.
    assert _top({"titulo_profissional": "analista de teste senior"}) == "v1"
    assert _top({"titulo_profissional": "Desenvolvedora python"}) == "v2"
    assert _top({"objetivo_profissional": "gerência de projeto"}) == "v3"


def test_cv_terms_every_cv_has_weigh_less_than_distinctive_ones() -> None:
    row = {"cv_pt": " ".join(["x"] * 40) + " sistemas cobol desenvolvimento"}
    query = build_candidate_query(row, idf=CVS.idf)
    assert query["cobol"] > query["sistem"] > 0
    assert CVS.idf("unknown") > CVS.idf("cobol") > CVS.idf("sistem") > 0


def test_the_cv_headline_is_its_opening_words_and_stated_objective() -> None:
    cv = "Maria Souza, São Paulo. " + "palavra " * 40 + "Objetivo: Analista de Dados Pleno. Experiência ..."
    headline = get_cv_headline(cv)
    assert headline.startswith("maria souza, sao paulo.")
    assert "analista de dados pleno" in headline


def test_fields_are_read_from_their_column_or_their_decision_section() -> None:
    assert get_field({"objetivo_profissional": "QA"}, "objetivo_profissional") == "QA"
    assert get_field({"infos_basicas": {"objetivo_profissional": "DBA"}}, "objetivo_profissional") == "DBA"
    assert get_field({"cargo_atual": {"cargo_atual": "Tech Lead"}}, "cargo_atual") == "Tech Lead"
    assert get_field({}, "titulo_profissional") == ""
