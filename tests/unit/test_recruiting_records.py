"""Decision records → rows → records, dates, funnel maths, form validation (no database)."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from hr_core.pipeline_stages import ALL_STATUSES, stage_of
from hr_core.recruiting.dates import (
    DateFormatError,
    format_decision_date,
    parse_decision_date,
    parse_decision_datetime,
)
from hr_core.recruiting.editing import CandidateForm, validate_candidate_form
from hr_core.recruiting.queries import escape_like
from hr_core.recruiting.records import (
    RecordError,
    build_candidate_record,
    build_candidate_row,
    build_opening_record,
    build_opening_row,
    build_prospect_row,
    build_vaga_record,
    build_vaga_row,
)
from hr_core.recruiting.stats import build_funnel
from tests.factories import make_applicant_record, make_prospect_record

# --- dates ----------------------------------------------------------------------------------


@pytest.mark.parametrize("text", ["", "  ", "0000-00-00", "00-00-0000", None, "00-05-2021"])
def test_placeholders_are_none(text: str | None) -> None:
    assert parse_decision_date(text) is None


def test_day_first_dates_with_and_without_time() -> None:
    assert parse_decision_date("25-03-2021") == dt.date(2021, 3, 25)
    assert parse_decision_datetime("10-11-2021 07:29:49") == dt.datetime(
        2021, 11, 10, 7, 29, 49, tzinfo=dt.UTC
    )
    assert parse_decision_date("1990-07-14") == dt.date(1990, 7, 14)


@pytest.mark.parametrize("text", ["31-02-2021", "2021/03/25", "ontem", "25-13-2021", "25-03-21"])
def test_bad_dates_are_refused(text: str) -> None:
    with pytest.raises(DateFormatError):
        parse_decision_date(text)


@settings(max_examples=60)
@given(st.dates(min_value=dt.date(1900, 1, 1), max_value=dt.date(2100, 12, 31)))
def test_date_format_round_trip(day: dt.date) -> None:
    assert parse_decision_date(format_decision_date(day)) == day


# --- candidates and vagas ---------------------------------------------------------------------


def test_candidate_row_has_typed_columns_and_keeps_the_record() -> None:
    record = make_applicant_record("77", nome="Bruno Lima", skills="SAP, Java")
    record["extra_key"] = {"kept": True}
    row = build_candidate_row("77", record)
    assert row["codigo"] == "77"
    assert row["nome"] == "Bruno Lima"
    assert row["conhecimentos_tecnicos"] == "SAP, Java"
    assert row["nivel_ingles"] == "Avançado"
    assert row["pcd"] == "Não"
    assert row["data_criacao"] == dt.datetime(2021, 11, 10, 7, 29, 49, tzinfo=dt.UTC)
    back = build_candidate_record(row)
    assert back == record
    assert list(back) == list(record)


@pytest.mark.parametrize(
    ("key", "change", "field"),
    [
        ("", {}, "codigo"),
        ("5", {"infos_basicas": "not a section"}, "infos_basicas"),
        ("5", {"cv_pt": 12}, "cv_pt"),
        (
            "5",
            {"informacoes_profissionais": {"conhecimentos_tecnicos": ["Python"]}},
            "informacoes_profissionais",
        ),
        ("5", {"infos_basicas": {"codigo_profissional": "5", "data_criacao": "32-01-2021"}}, "infos_basicas"),
    ],
)
def test_unusable_candidates_raise_record_error_naming_the_field(key: str, change: dict, field: str) -> None:
    record = make_applicant_record(key or "5")
    record.update(change)
    with pytest.raises(RecordError) as info:
        build_candidate_row(key, record)
    assert info.value.field.startswith(field)
    assert info.value.reason


def test_candidate_code_must_match_its_key() -> None:
    with pytest.raises(RecordError, match="differs from the record key"):
        build_candidate_row("6", make_applicant_record("5"))


def test_vaga_row_reads_the_spaced_level_key() -> None:
    record = {
        "informacoes_basicas": {
            "titulo_vaga": "Consultor SAP",
            "cliente": "ACME",
            "data_requicisao": "04-05-2021",
        },
        "perfil_vaga": {
            "cidade": "Recife",
            "nivel profissional": "Sênior",
            "competencia_tecnicas_e_comportamentais": "SAP",
        },
        "beneficios": {"valor_venda": "-"},
    }
    row = build_vaga_row("10", record)
    assert (row["titulo"], row["cliente"], row["cidade"]) == ("Consultor SAP", "ACME", "Recife")
    assert row["nivel_profissional"] == "Sênior"
    assert row["competencias"] == "SAP"
    assert row["data_requisicao"] == dt.date(2021, 5, 4)
    assert build_vaga_record(row) == record


# --- prospects --------------------------------------------------------------------------------


def test_prospect_row_gets_its_stage_and_keeps_the_raw_entry() -> None:
    item = make_prospect_record("9", status="Entrevista Técnica")
    row = build_prospect_row("100", item, 3)
    assert row["stage"] == "interview"
    assert row["raw"] == item
    assert row["position"] == 3
    assert row["data_candidatura"] == dt.date(2022, 2, 1)


@pytest.mark.parametrize(
    ("item", "field"),
    [
        ({"codigo": "", "situacao_candidado": "Prospect"}, "codigo"),
        ({"situacao_candidado": "Prospect"}, "codigo"),
        ({"codigo": "1", "situacao_candidado": 3}, "prospect.situacao_candidado"),
        ({"codigo": "1", "data_candidatura": "99-99-2020"}, "prospect.data_candidatura"),
        ("just text", "prospect"),
    ],
)
def test_unusable_prospects_are_refused(item: object, field: str) -> None:
    with pytest.raises(RecordError) as info:
        build_prospect_row("100", item, 0)
    assert info.value.field == field


def test_opening_prospects_must_be_a_list() -> None:
    with pytest.raises(RecordError, match="must be a list"):
        build_opening_row("1", {"titulo": "x", "modalidade": "", "prospects": {"a": 1}})


text_values = st.text(alphabet=st.characters(codec="utf-8", exclude_categories=("Cs",)), max_size=20)


@settings(max_examples=40)
@given(
    titulo=text_values,
    modalidade=text_values,
    items=st.lists(
        st.fixed_dictionaries(
            {
                "nome": text_values,
                "codigo": st.from_regex(r"[0-9]{1,6}", fullmatch=True),
                "comentario": text_values,
            }
        ),
        max_size=5,
    ),
)
def test_opening_round_trip(titulo: str, modalidade: str, items: list[dict]) -> None:
    record = {"titulo": titulo, "modalidade": modalidade, "prospects": items}
    row, raw_items = build_opening_row("42", record)
    rows = [build_prospect_row("42", item, i)["raw"] for i, item in enumerate(raw_items)]
    assert build_opening_record(row, rows) == record


# --- status mapping and funnel ------------------------------------------------------------------


def test_all_21_statuses_map_to_a_known_stage() -> None:
    assert len(ALL_STATUSES) == 21
    assert {stage_of(s) for s in ALL_STATUSES} == {
        "applied",
        "in_process",
        "interview",
        "approved",
        "rejected",
        "withdrew",
    }
    assert stage_of(" Contratado pela Decision ") == "approved"
    assert stage_of("Algo novo") == "unknown"


def test_funnel_counts_reached_stages_and_conversion() -> None:
    funnel = build_funnel({"applied": 50, "in_process": 20, "interview": 10, "approved": 5, "rejected": 15})
    by_stage = funnel.set_index("stage")
    assert by_stage.loc["applied", "reached"] == 100
    assert by_stage.loc["in_process", "reached"] == 35
    assert by_stage.loc["interview", "reached"] == 15
    assert by_stage.loc["approved", "reached"] == 5
    assert by_stage.loc["in_process", "conversion"] == pytest.approx(0.35)
    assert by_stage.loc["approved", "conversion"] == pytest.approx(5 / 15)
    assert by_stage.loc["rejected", "at_stage"] == 15
    assert "unknown" not in by_stage.index


def test_empty_funnel_has_zero_rows_and_no_division() -> None:
    funnel = build_funnel({})
    assert funnel["reached"].sum() == 0
    assert funnel["conversion"].isna().all()


# --- form validation and LIKE escaping ------------------------------------------------------------


def test_valid_form_has_no_messages() -> None:
    assert (
        validate_candidate_form(
            CandidateForm(codigo="123", nome="Ana", email="a@b.co", nivel_ingles="Fluente")
        )
        == []
    )


def test_invalid_form_lists_every_problem() -> None:
    messages = validate_candidate_form(
        CandidateForm(codigo="bad code!", nome=" ", email="nope", nivel_ingles="Nativo", pcd="talvez")
    )
    text = " ".join(messages)
    for part in ("Code", "Name", "E-mail", "English level", "PCD"):
        assert part in text
    assert len(messages) == 5


def test_escape_like_makes_wildcards_literal() -> None:
    assert escape_like("50%_a\\b") == "%50\\%\\_a\\\\b%"


section_values = st.dictionaries(
    st.sampled_from(
        ["nome", "email", "local", "telefone", "titulo_profissional", "nivel_ingles", "pcd", "outro"]
    ),
    text_values,
    max_size=6,
)


@settings(max_examples=40)
@given(
    sections=st.fixed_dictionaries(
        {
            "infos_basicas": section_values,
            "informacoes_pessoais": section_values,
            "informacoes_profissionais": section_values,
            "formacao_e_idiomas": section_values,
            "cargo_atual": section_values,
        }
    ),
    cv=text_values,
    other=st.dictionaries(st.sampled_from(["anexos", "observacoes"]), text_values, max_size=2),
    drop=st.sets(st.sampled_from(["cargo_atual", "cv_en", "formacao_e_idiomas"])),
)
def test_candidate_round_trip(sections: dict, cv: str, other: dict, drop: set[str]) -> None:
    record = {**sections, "cv_pt": cv, "cv_en": cv[::-1], **other}
    for key in drop:
        record.pop(key)
    row = build_candidate_row("123", record)
    assert row["nome"] == (
        record["infos_basicas"].get("nome") or record["informacoes_pessoais"].get("nome", "")
    )
    back = build_candidate_record(row)
    assert back == record
    assert list(back) == list(record)
