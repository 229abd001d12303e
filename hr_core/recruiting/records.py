"""Turn Decision JSON records into table rows (typed columns + verbatim sections) and back."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from hr_core.pipeline_stages import stage_of
from hr_core.recruiting.dates import DateFormatError, parse_decision_date, parse_decision_datetime

CANDIDATE_SECTIONS = (
    "infos_basicas",
    "informacoes_pessoais",
    "informacoes_profissionais",
    "formacao_e_idiomas",
    "cargo_atual",
)
CANDIDATE_TEXTS = ("cv_pt", "cv_en")
CANDIDATE_KEYS = (*CANDIDATE_SECTIONS, *CANDIDATE_TEXTS)
VAGA_SECTIONS = ("informacoes_basicas", "perfil_vaga", "beneficios")
OPENING_KEYS = ("titulo", "modalidade", "prospects")
PROSPECT_KEYS = (
    "nome",
    "codigo",
    "situacao_candidado",
    "data_candidatura",
    "ultima_atualizacao",
    "comentario",
    "recrutador",
)

# Typed candidate column -> (section, key) it is read from / written to.
CANDIDATE_FIELDS: dict[str, tuple[str, str]] = {
    "nome": ("infos_basicas", "nome"),
    "email": ("infos_basicas", "email"),
    "local": ("infos_basicas", "local"),
    "titulo_profissional": ("informacoes_profissionais", "titulo_profissional"),
    "area_atuacao": ("informacoes_profissionais", "area_atuacao"),
    "conhecimentos_tecnicos": ("informacoes_profissionais", "conhecimentos_tecnicos"),
    "certificacoes": ("informacoes_profissionais", "certificacoes"),
    "nivel_profissional": ("informacoes_profissionais", "nivel_profissional"),
    "nivel_academico": ("formacao_e_idiomas", "nivel_academico"),
    "nivel_ingles": ("formacao_e_idiomas", "nivel_ingles"),
    "nivel_espanhol": ("formacao_e_idiomas", "nivel_espanhol"),
    "outro_idioma": ("formacao_e_idiomas", "outro_idioma"),
    "sexo": ("informacoes_pessoais", "sexo"),
    "estado_civil": ("informacoes_pessoais", "estado_civil"),
    "pcd": ("informacoes_pessoais", "pcd"),
}
VAGA_FIELDS: dict[str, tuple[str, str]] = {
    "titulo": ("informacoes_basicas", "titulo_vaga"),
    "cliente": ("informacoes_basicas", "cliente"),
    "tipo_contratacao": ("informacoes_basicas", "tipo_contratacao"),
    "analista_responsavel": ("informacoes_basicas", "analista_responsavel"),
    "pais": ("perfil_vaga", "pais"),
    "estado": ("perfil_vaga", "estado"),
    "cidade": ("perfil_vaga", "cidade"),
    "pcd": ("perfil_vaga", "vaga_especifica_para_pcd"),
    "nivel_profissional": ("perfil_vaga", "nivel profissional"),
    "nivel_academico": ("perfil_vaga", "nivel_academico"),
    "nivel_ingles": ("perfil_vaga", "nivel_ingles"),
    "nivel_espanhol": ("perfil_vaga", "nivel_espanhol"),
    "outro_idioma": ("perfil_vaga", "outro_idioma"),
    "areas_atuacao": ("perfil_vaga", "areas_atuacao"),
    "principais_atividades": ("perfil_vaga", "principais_atividades"),
    "competencias": ("perfil_vaga", "competencia_tecnicas_e_comportamentais"),
}


@dataclass(frozen=True)
class RecordError(Exception):
    """Why one record (or one prospect row) cannot be used."""

    field: str
    value: str
    reason: str

    def __str__(self) -> str:
        return f"{self.field}: {self.reason} (value {self.value!r})"


def _short(value: Any) -> str:
    text = repr(value) if not isinstance(value, str) else value
    return text if len(text) <= 80 else text[:77] + "..."


def _code(key: Any) -> str:
    if not isinstance(key, str) or not key.strip():
        raise RecordError("codigo", _short(key), "the record has no code; give it a non-empty key")
    return key.strip()


def _section(record: dict[str, Any], name: str) -> dict[str, Any]:
    value = record.get(name, {})
    if not isinstance(value, dict):
        raise RecordError(name, _short(value), f"section must be an object, not {type(value).__name__}")
    return value


def _text(section: dict[str, Any], section_name: str, key: str) -> str:
    value = section.get(key, "")
    if value is None:
        return ""
    if not isinstance(value, str):
        raise RecordError(f"{section_name}.{key}", _short(value), f"must be text, not {type(value).__name__}")
    return value


def _datetime(section: dict[str, Any], section_name: str, key: str) -> Any:
    text = _text(section, section_name, key)
    try:
        return parse_decision_datetime(text)
    except DateFormatError as e:
        raise RecordError(f"{section_name}.{key}", text, f"bad date: {e}") from e


def _date(section: dict[str, Any], section_name: str, key: str) -> Any:
    text = _text(section, section_name, key)
    try:
        return parse_decision_date(text)
    except DateFormatError as e:
        raise RecordError(f"{section_name}.{key}", text, f"bad date: {e}") from e


def _extra(record: dict[str, Any], known: tuple[str, ...]) -> dict[str, Any]:
    """Key order of the source record, and its keys outside the known sections."""
    other = {k: v for k, v in record.items() if k not in known}
    return {"order": list(record), "other": other}


def _object(key: str, value: Any) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise RecordError(
            "record", _short(value), f"record {key!r} must be an object, not {type(value).__name__}"
        )
    return value


def build_candidate_row(key: Any, record: Any) -> dict[str, Any]:
    """A candidates row from one applicants.json entry; raises RecordError if it can't be used."""
    codigo = _code(key)
    record = _object(codigo, record)
    sections = {name: _section(record, name) for name in CANDIDATE_SECTIONS}
    row: dict[str, Any] = {"codigo": codigo, **sections}
    source_code = sections["infos_basicas"].get("codigo_profissional")
    if source_code not in (None, "") and str(source_code).strip() != codigo:
        raise RecordError(
            "infos_basicas.codigo_profissional",
            _short(source_code),
            f"differs from the record key {codigo!r}",
        )
    for column, (section, name) in CANDIDATE_FIELDS.items():
        row[column] = _text(sections[section], section, name)
    if not row["nome"]:
        row["nome"] = _text(sections["informacoes_pessoais"], "informacoes_pessoais", "nome")
    for name in CANDIDATE_TEXTS:
        value = record.get(name, "")
        if not isinstance(value, str):
            raise RecordError(name, _short(value), f"must be text, not {type(value).__name__}")
        row[name] = value
    row["data_criacao"] = _datetime(sections["infos_basicas"], "infos_basicas", "data_criacao")
    row["data_atualizacao"] = _datetime(sections["infos_basicas"], "infos_basicas", "data_atualizacao")
    _date(sections["informacoes_pessoais"], "informacoes_pessoais", "data_nascimento")
    row["extra"] = _extra(record, CANDIDATE_KEYS)
    return row


def build_vaga_row(key: Any, record: Any) -> dict[str, Any]:
    """A vagas row from one vagas.json entry; raises RecordError if it can't be used."""
    codigo = _code(key)
    record = _object(codigo, record)
    sections = {name: _section(record, name) for name in VAGA_SECTIONS}
    row: dict[str, Any] = {"codigo": codigo, **sections}
    for column, (section, name) in VAGA_FIELDS.items():
        row[column] = _text(sections[section], section, name)
    if not row["nivel_profissional"]:
        row["nivel_profissional"] = _text(sections["perfil_vaga"], "perfil_vaga", "nivel_profissional")
    row["data_requisicao"] = _date(sections["informacoes_basicas"], "informacoes_basicas", "data_requicisao")
    row["extra"] = _extra(record, VAGA_SECTIONS)
    return row


def build_opening_row(key: Any, record: Any) -> tuple[dict[str, Any], list[Any]]:
    """A pipeline_openings row and its raw prospect list from one prospects.json entry."""
    codigo = _code(key)
    record = _object(codigo, record)
    prospects = record.get("prospects", [])
    if not isinstance(prospects, list):
        raise RecordError("prospects", _short(prospects), f"must be a list, not {type(prospects).__name__}")
    row = {
        "vaga_codigo": codigo,
        "titulo": _text(record, "opening", "titulo"),
        "modalidade": _text(record, "opening", "modalidade"),
        "extra": {"order": list(record), "other": {k: v for k, v in record.items() if k not in OPENING_KEYS}},
    }
    return row, prospects


def build_prospect_row(vaga_codigo: str, item: Any, position: int) -> dict[str, Any]:
    """A prospects row from one entry of an opening's prospects list."""
    if not isinstance(item, dict):
        raise RecordError("prospect", _short(item), f"must be an object, not {type(item).__name__}")
    code = item.get("codigo")
    if not isinstance(code, str) or not code.strip():
        raise RecordError("codigo", _short(code), "the prospect names no candidate code")
    situacao = _text(item, "prospect", "situacao_candidado")
    return {
        "vaga_codigo": vaga_codigo,
        "candidate_codigo": code.strip(),
        "nome": _text(item, "prospect", "nome"),
        "situacao": situacao,
        "stage": stage_of(situacao),
        "data_candidatura": _date(item, "prospect", "data_candidatura"),
        "ultima_atualizacao": _date(item, "prospect", "ultima_atualizacao"),
        "comentario": _text(item, "prospect", "comentario"),
        "recrutador": _text(item, "prospect", "recrutador"),
        "position": position,
        "raw": item,
    }


def _ordered(extra: dict[str, Any], default: tuple[str, ...], values: dict[str, Any]) -> dict[str, Any]:
    order = extra.get("order") or list(default)
    other = extra.get("other") or {}
    return {k: values[k] if k in values else other.get(k) for k in order}


def build_candidate_record(row: Mapping[str, Any]) -> dict[str, Any]:
    """The applicants.json entry for a candidates row (sections as stored, source key order)."""
    values = {name: row[name] for name in CANDIDATE_KEYS}
    return _ordered(row.get("extra") or {}, CANDIDATE_KEYS, values)


def build_vaga_record(row: Mapping[str, Any]) -> dict[str, Any]:
    """The vagas.json entry for a vagas row."""
    values = {name: row[name] for name in VAGA_SECTIONS}
    return _ordered(row.get("extra") or {}, VAGA_SECTIONS, values)


def build_opening_record(row: dict[str, Any], prospects: list[dict[str, Any]]) -> dict[str, Any]:
    """The prospects.json entry for an opening and its prospects' raw records."""
    values = {"titulo": row["titulo"], "modalidade": row["modalidade"], "prospects": prospects}
    return _ordered(row.get("extra") or {}, OPENING_KEYS, values)
