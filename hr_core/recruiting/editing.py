"""Create or edit one candidate or opening from a form: validate, update the sections, derive the typed
columns through the importer's record builders (so the exporter writes them back in the Decision format)."""

from __future__ import annotations

import copy
import datetime as dt
import re
from collections.abc import Callable, Mapping
from dataclasses import asdict, dataclass
from typing import Any

from sqlalchemy import Engine, Table, func, insert, select, update
from sqlalchemy import exc as sa_exc

from hr_core.access import Action, Actor
from hr_core.audit import audited
from hr_core.db import begin
from hr_core.errors import HRCoreError, InvalidInputError
from hr_core.recruiting.core_tables import CANDIDATES, VAGAS
from hr_core.recruiting.records import (
    CANDIDATE_FIELDS,
    VAGA_FIELDS,
    RecordError,
    build_candidate_record,
    build_candidate_row,
    build_vaga_record,
    build_vaga_row,
)
from hr_core.vocabulary import ACADEMIC_LEVELS, LANGUAGE_LEVELS, PCD_VALUES, PROFESSIONAL_LEVELS

MAX_TEXT = 100_000
_CODE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_-]{0,39}$")
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")

# A new candidate's record has the sections and keys the Decision data uses.
_EMPTY_RECORD: dict[str, Any] = {
    "infos_basicas": dict.fromkeys(
        (
            "telefone_recado",
            "telefone",
            "objetivo_profissional",
            "data_criacao",
            "inserido_por",
            "email",
            "local",
            "sabendo_de_nos_por",
            "data_atualizacao",
            "codigo_profissional",
            "nome",
        ),
        "",
    ),  # fmt: skip
    "informacoes_pessoais": dict.fromkeys(
        (
            "data_aceite",
            "nome",
            "cpf",
            "fonte_indicacao",
            "email",
            "email_secundario",
            "data_nascimento",
            "telefone_celular",
            "telefone_recado",
            "sexo",
            "estado_civil",
            "pcd",
            "endereco",
            "skype",
            "url_linkedin",
            "facebook",
        ),
        "",
    ),  # fmt: skip
    "informacoes_profissionais": dict.fromkeys(
        (
            "titulo_profissional",
            "area_atuacao",
            "conhecimentos_tecnicos",
            "certificacoes",
            "outras_certificacoes",
            "remuneracao",
            "nivel_profissional",
        ),
        "",
    ),  # fmt: skip
    "formacao_e_idiomas": dict.fromkeys(
        ("nivel_academico", "nivel_ingles", "nivel_espanhol", "outro_idioma"), ""
    ),
    "cargo_atual": {},
    "cv_pt": "",
    "cv_en": "",
}


@dataclass(frozen=True)
class CandidateForm:
    """What the candidate form edits; every other source field is kept as it was."""

    codigo: str
    nome: str
    email: str = ""
    telefone: str = ""
    local: str = ""
    titulo_profissional: str = ""
    area_atuacao: str = ""
    conhecimentos_tecnicos: str = ""
    certificacoes: str = ""
    nivel_profissional: str = ""
    nivel_academico: str = ""
    nivel_ingles: str = ""
    nivel_espanhol: str = ""
    outro_idioma: str = ""
    sexo: str = ""
    estado_civil: str = ""
    pcd: str = ""
    cv_pt: str = ""
    cv_en: str = ""


@dataclass(frozen=True)
class SaveResult:
    codigo: str
    created: bool


def validate_candidate_form(form: CandidateForm) -> list[str]:
    """Messages for every invalid field of the form (empty when it may be saved)."""
    errors: list[str] = []
    if not _CODE.match(form.codigo.strip()):
        errors.append(
            f"Code {form.codigo!r}: give 1-40 letters, digits, '-' or '_' (the candidate's codigo_profissional)."
        )
    if not form.nome.strip():
        errors.append("Name: required.")
    if form.email.strip() and not _EMAIL.match(form.email.strip()):
        errors.append(f"E-mail {form.email!r}: not an e-mail address (name@domain.tld).")
    for label, value in (("English level", form.nivel_ingles), ("Spanish level", form.nivel_espanhol)):
        if value and value not in LANGUAGE_LEVELS:
            errors.append(f"{label} {value!r}: choose one of {', '.join(LANGUAGE_LEVELS)} or leave empty.")
    if form.pcd and form.pcd not in PCD_VALUES:
        errors.append(f"PCD {form.pcd!r}: choose Sim, Não or leave empty.")
    for name, value in asdict(form).items():
        if len(value) > MAX_TEXT:
            errors.append(f"{name}: {len(value):,} characters; at most {MAX_TEXT:,}.")
    return errors


def _apply(record: dict[str, Any], form: CandidateForm, now: dt.datetime, created: bool) -> dict[str, Any]:
    """The record with the form's values written into their sections (and mirrored copies)."""
    out = copy.deepcopy(record)
    values = asdict(form)
    for column, (section, key) in CANDIDATE_FIELDS.items():
        out.setdefault(section, {})[key] = (
            values[column].strip() if column != "conhecimentos_tecnicos" else values[column]
        )
    basics = out["infos_basicas"]
    personal = out.setdefault("informacoes_pessoais", {})
    basics["codigo_profissional"] = form.codigo.strip()
    basics["telefone"] = form.telefone.strip()
    for key in ("nome", "email"):
        if key in personal or created:
            personal[key] = basics[key]
    if "telefone_celular" in personal or created:
        personal["telefone_celular"] = basics["telefone"]
    stamp = now.strftime("%d-%m-%Y %H:%M:%S")
    basics["data_atualizacao"] = stamp
    if created:
        basics["data_criacao"] = stamp
    out["cv_pt"] = form.cv_pt
    out["cv_en"] = form.cv_en
    return out


def _save(
    *,
    engine: Engine,
    actor: Actor,
    what: str,
    table: Table,
    codigo: str,
    errors: Callable[[Mapping[str, Any] | None], list[str]],
    build: Callable[[dict[str, Any] | None, bool], dict[str, Any]],
    new_only: bool,
) -> SaveResult:
    """The audited create-or-update both forms share; errors(stored row or None) validates the form."""
    with audited(engine, actor, Action.RECRUITING_EDIT, {"codigo": codigo}) as audit:
        try:
            with begin(engine) as conn:
                found = conn.execute(select(table).where(table.c.codigo == codigo.strip())).mappings().first()
                old = None if found is None else dict(found)
                messages = errors(old)
                if messages:
                    audit.details["errors"] = messages
                    raise InvalidInputError(f"The {what} was not saved: " + " ".join(messages))
                codigo = codigo.strip()
                created = old is None
                if new_only and not created:
                    raise InvalidInputError(
                        f"The {what} was not saved: code {codigo!r} belongs to another {what}; choose a new code."
                    )
                row = build(old, created)
                if old is None:
                    last = conn.execute(select(func.coalesce(func.max(table.c.position), -1))).scalar_one()
                    conn.execute(insert(table).values(**row, position=last + 1))
                else:
                    conn.execute(update(table).where(table.c.codigo == codigo).values(**row))
        except RecordError as e:
            raise InvalidInputError(f"The {what} was not saved: {e}") from e
        except sa_exc.SQLAlchemyError as e:
            raise HRCoreError(f"The {what} {codigo!r} was not saved; the database refused it: {e}") from e
        audit.details["created"] = created
    return SaveResult(codigo=codigo, created=created)


def save_candidate(
    *, engine: Engine, actor: Actor, form: CandidateForm, new_only: bool = False
) -> SaveResult:
    """Create the candidate or update it (by code); InvalidInputError lists every invalid field.

    new_only refuses a code that exists already (a profile saved from a CV must never overwrite someone).
    """
    now = dt.datetime.now(dt.UTC).replace(microsecond=0)

    def build(old: dict[str, Any] | None, created: bool) -> dict[str, Any]:
        base = _EMPTY_RECORD if old is None else build_candidate_record(old)
        return build_candidate_row(form.codigo.strip(), _apply(base, form, now, created))

    return _save(
        engine=engine,
        actor=actor,
        what="candidate",
        table=CANDIDATES,
        codigo=form.codigo,
        errors=lambda _old: validate_candidate_form(form),
        build=build,
        new_only=new_only,
    )


# A new opening's record has the sections and keys the Decision vagas data uses.
_EMPTY_VAGA: dict[str, Any] = {
    "informacoes_basicas": {
        "data_requicisao": "",
        "titulo_vaga": "",
        "cliente": "",
        "tipo_contratacao": "",
        "analista_responsavel": "",
    },
    "perfil_vaga": {key: "" for section, key in VAGA_FIELDS.values() if section == "perfil_vaga"},
    "beneficios": {},
}
_OPENING_LEVELS: dict[str, tuple[str, tuple[str, ...]]] = {
    "nivel_profissional": ("Professional level", PROFESSIONAL_LEVELS),
    "nivel_academico": ("Academic level", ACADEMIC_LEVELS),
    "nivel_ingles": ("English level", LANGUAGE_LEVELS),
    "nivel_espanhol": ("Spanish level", LANGUAGE_LEVELS),
}


@dataclass(frozen=True)
class OpeningForm:
    """What the opening form edits (the typed vagas columns); every other source field is kept as it was."""

    codigo: str
    titulo: str
    cliente: str = ""
    tipo_contratacao: str = ""
    analista_responsavel: str = ""
    pais: str = ""
    estado: str = ""
    cidade: str = ""
    pcd: str = ""
    nivel_profissional: str = ""
    nivel_academico: str = ""
    nivel_ingles: str = ""
    nivel_espanhol: str = ""
    outro_idioma: str = ""
    areas_atuacao: str = ""
    principais_atividades: str = ""
    competencias: str = ""


def validate_opening_form(form: OpeningForm, stored: Mapping[str, Any] | None = None) -> list[str]:
    """Messages for every invalid field of the form (empty when it may be saved).

    A level must be one of the vocabulary's, or the value the stored opening already has (imported data
    may hold others; an edit that keeps them is not refused).
    """
    errors: list[str] = []
    if not _CODE.match(form.codigo.strip()):
        errors.append(
            f"Code {form.codigo!r}: give 1-40 letters, digits, '-' or '_' (the opening's codigo_vaga)."
        )
    if not form.titulo.strip():
        errors.append("Title: required.")
    for column, (name, allowed) in _OPENING_LEVELS.items():
        value = getattr(form, column).strip()
        if value and value not in allowed and (stored is None or value != stored.get(column)):
            errors.append(f"{name} {value!r}: choose one of {', '.join(allowed)} or leave empty.")
    if form.pcd and form.pcd not in PCD_VALUES:
        errors.append(f"PCD {form.pcd!r}: choose Sim, Não or leave empty.")
    for name, value in asdict(form).items():
        if len(value) > MAX_TEXT:
            errors.append(f"{name}: {len(value):,} characters; at most {MAX_TEXT:,}.")
    return errors


def _apply_opening(
    record: dict[str, Any], form: OpeningForm, today: dt.date, created: bool
) -> dict[str, Any]:
    """The vagas record with the form's values written into their sections."""
    out = copy.deepcopy(record)
    values = asdict(form)
    for column, (section, key) in VAGA_FIELDS.items():
        multiline = column in ("principais_atividades", "competencias")
        out.setdefault(section, {})[key] = values[column] if multiline else values[column].strip()
    if created:
        out["informacoes_basicas"]["data_requicisao"] = today.strftime("%d-%m-%Y")
    return out


def save_opening(*, engine: Engine, actor: Actor, form: OpeningForm, new_only: bool = False) -> SaveResult:
    """Create the opening or update it (by code) with the same rules, roles and audit as a candidate;
    InvalidInputError lists every invalid field. new_only refuses a code that exists already."""
    today = dt.datetime.now(dt.UTC).date()

    def build(old: dict[str, Any] | None, created: bool) -> dict[str, Any]:
        base = _EMPTY_VAGA if old is None else build_vaga_record(old)
        return build_vaga_row(form.codigo.strip(), _apply_opening(base, form, today, created))

    return _save(
        engine=engine,
        actor=actor,
        what="opening",
        table=VAGAS,
        codigo=form.codigo,
        errors=lambda old: validate_opening_form(form, old),
        build=build,
        new_only=new_only,
    )
