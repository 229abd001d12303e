"""Skills learned from the openings' requirement texts: multi-word terms, Portuguese, accents folded."""

from __future__ import annotations

from hr_core.ml.features import compare_skills
from hr_core.ml.skills import (
    SkillVocabulary,
    learn_from_openings,
    learn_skill_vocabulary,
    read_terms,
    seed_vocabulary,
)


def _opening(competencias: str) -> dict[str, str]:
    return {"principais_atividades": "Atuar com o cliente em projetos.", "competencias": competencias}


OPENINGS = [
    _opening("Requisitos: SAP FI, Conciliação bancária, Excel. Inglês avançado. Desejável boa comunicação."),
    _opening("Requisitos obrigatórios: SAP FI; conciliacao bancaria; Power BI. Nível Sênior."),
    _opening("Experiência com SAP FI e Gestão de Projetos, Power BI."),
    _opening("Power BI, gestão de projetos, Excel, CONCILIAÇÃO BANCÁRIA."),
    _opening("Gestao de projeto e Excel; SAP MM."),
    _opening("Python, Django e SQL Server."),
    _opening("Python, Django, Docker, SQL Server."),
    _opening("Python; SQL Server; Django."),
]


def test_terms_are_learned_from_the_openings_with_multi_word_and_portuguese_terms() -> None:
    vocabulary = learn_from_openings(OPENINGS, min_openings=3, max_share=0.6, seed=None)
    labels = {vocabulary.label(t) for t in vocabulary.terms}
    # Multi-word terms, accents folded and both spellings read as one term.
    assert {"sap fi", "power bi", "conciliacao bancaria", "gestao projetos", "python", "django"} <= labels
    assert "sql server" in labels
    # Stop words, levels and requirement boilerplate are no skills; two openings are not enough.
    for word in ("requisitos", "com", "senior", "avancado", "ingles", "desejavel", "docker", "sap mm"):
        assert word not in labels, word
    # Named by every opening: boilerplate, dropped ("atuar … projetos").
    assert "projetos" not in labels and "cliente" not in labels
    top = vocabulary.top(3)
    assert top[0]["openings"] >= top[-1]["openings"] and {"term", "openings"} == set(top[0])


def test_a_term_never_spans_a_list_separator_or_a_preposition() -> None:
    terms = set(read_terms("Python, SQL; Excel. Atuar em projetos com foco em Contas a pagar"))
    assert not {"python sql", "sql excel", "atu projet"} & terms
    assert "cont pag" in terms  # "contas a pagar" is one term: "a", "de", "do" join nouns


def test_matched_and_missing_skills_come_from_the_learned_terms() -> None:
    vocabulary = learn_from_openings(OPENINGS, min_openings=3, max_share=0.6)
    candidate = {"conhecimentos_tecnicos": "SAP FI, Excel avançado", "cv_pt": "CONCILIAÇÃO BANCÁRIA"}
    matched, missing = compare_skills(candidate, OPENINGS[0], vocabulary=vocabulary)
    assert {"sap fi", "excel", "conciliacao bancaria"} <= set(matched)
    assert "power bi" not in matched and "power bi" not in missing  # not asked by this opening
    _, missing = compare_skills({"conhecimentos_tecnicos": "SAP MM"}, OPENINGS[1], vocabulary=vocabulary)
    assert "sap fi" in missing and "power bi" in missing
    assert "fi" not in missing and "bi" not in missing  # shown once, as the two-word term


def test_the_vocabulary_survives_the_bundle_and_falls_back_to_the_seed_list() -> None:
    vocabulary = learn_skill_vocabulary([o["competencias"] for o in OPENINGS], min_openings=2)
    again = SkillVocabulary.from_bundle(vocabulary.as_bundle())
    assert again == vocabulary and again.find("SAP FI") == vocabulary.find("sap fi")
    rare, common = min(vocabulary.terms, key=vocabulary.weight), max(vocabulary.terms, key=vocabulary.weight)
    assert (
        vocabulary.openings[vocabulary.terms.index(rare)]
        > vocabulary.openings[vocabulary.terms.index(common)]
    )
    seed = seed_vocabulary()
    assert seed.find("Experiência com SAP FI, Power BI e C#") >= {"sap fi", "pow bi", "c#"}
    # The seed list stays in a learned vocabulary: a known skill two openings name is still a skill.
    seeded = learn_from_openings(OPENINGS, min_openings=3)
    assert "dock" in seeded and seeded.openings[seeded.terms.index("dock")] == 1
    assert "kubernet" in seeded and seeded.openings[seeded.terms.index("kubernet")] == 0
