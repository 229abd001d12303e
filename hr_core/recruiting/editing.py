"""Create or edit one candidate from a form: validate, update the sections, derive the typed columns."""

from __future__ import annotations

import copy
import datetime as dt
import re
from dataclasses import asdict, dataclass
from typing import Any

from sqlalchemy import Engine, func, insert, select, update
from sqlalchemy import exc as sa_exc

from hr_core.access import Action, Actor
from hr_core.audit import audited
from hr_core.db import begin
from hr_core.errors import HRCoreError, InvalidInputError
from hr_core.recruiting.core_tables import CANDIDATES
from hr_core.recruiting.records import (
    CANDIDATE_FIELDS,
    RecordError,
    build_candidate_record,
    build_candidate_row,
)
from hr_core.vocabulary import LANGUAGE_LEVELS, PCD_VALUES

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


def save_candidate(
    *, engine: Engine, actor: Actor, form: CandidateForm, new_only: bool = False
) -> SaveResult:
    """Create the candidate or update it (by code); InvalidInputError lists every invalid field.

    new_only refuses a code that exists already (a profile saved from a CV must never overwrite someone).
    """
    codigo = form.codigo.strip()
    with audited(engine, actor, Action.RECRUITING_EDIT, {"codigo": form.codigo}) as audit:
        errors = validate_candidate_form(form)
        if errors:
            audit.details["errors"] = errors
            raise InvalidInputError("The candidate was not saved: " + " ".join(errors))
        now = dt.datetime.now(dt.UTC).replace(microsecond=0)
        table = CANDIDATES
        try:
            with begin(engine) as conn:
                old = conn.execute(select(table).where(table.c.codigo == codigo)).mappings().first()
                created = old is None
                if new_only and not created:
                    raise InvalidInputError(
                        f"The candidate was not saved: code {codigo!r} belongs to another candidate; choose a new code."
                    )
                base = _EMPTY_RECORD if old is None else build_candidate_record(dict(old))
                row = build_candidate_row(codigo, _apply(base, form, now, created))
                if old is None:
                    position = (
                        conn.execute(select(func.coalesce(func.max(table.c.position), -1))).scalar_one() + 1
                    )
                    conn.execute(insert(table).values(**row, position=position))
                else:
                    conn.execute(update(table).where(table.c.codigo == codigo).values(**row))
        except RecordError as e:
            raise InvalidInputError(f"The candidate was not saved: {e}") from e
        except sa_exc.SQLAlchemyError as e:
            raise HRCoreError(f"The candidate {codigo!r} was not saved; the database refused it: {e}") from e
        audit.details["created"] = created
    return SaveResult(codigo=codigo, created=created)
