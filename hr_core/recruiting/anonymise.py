"""Erase a candidate's personal data on request (LGPD art. 18), keeping pipeline outcomes for statistics."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import Engine, select, update
from sqlalchemy import exc as sa_exc

from hr_core.access import Action, Actor
from hr_core.audit import audited
from hr_core.db import begin
from hr_core.errors import HRCoreError, NotFoundError
from hr_core.models.feedback import MatchFeedback
from hr_core.recruiting.core_tables import CANDIDATES, PROSPECTS
from hr_core.recruiting.records import build_candidate_record, build_candidate_row

ERASED = ""
# Keys erased in each section of the Decision record. Kept: city/state (`local`), the professional
# profile, languages and education (they are what a match is about), dates, and who entered the record.
PERSONAL_KEYS: dict[str, tuple[str, ...]] = {
    "infos_basicas": ("nome", "email", "telefone", "telefone_recado"),
    "informacoes_pessoais": (
        "nome",
        "cpf",
        "email",
        "email_secundario",
        "telefone_celular",
        "telefone_recado",
        "endereco",
        "skype",
        "url_linkedin",
        "facebook",
        "fonte_indicacao",
        "data_nascimento",
        "sexo",
        "estado_civil",
        "pcd",
    ),
}
FREE_TEXTS: tuple[str, ...] = ("cv_pt", "cv_en")


@dataclass(frozen=True)
class AnonymiseResult:
    """Which candidate was anonymised and how many of their applications kept their outcome."""

    codigo: str
    fields_erased: int
    applications_kept: int

    def as_dict(self) -> dict[str, Any]:
        return {
            "codigo": self.codigo,
            "fields_erased": self.fields_erased,
            "applications_kept": self.applications_kept,
        }


def _erase(record: dict[str, Any]) -> int:
    erased = 0
    for section, keys in PERSONAL_KEYS.items():
        values = record.get(section)
        if not isinstance(values, dict):
            continue
        for key in keys:
            if values.get(key) not in (None, ERASED):
                erased += 1
            if key in values:
                values[key] = ERASED
    for key in FREE_TEXTS:
        if record.get(key) not in (None, ERASED):
            erased += 1
        record[key] = ERASED
    return erased


def anonymise_candidate(*, engine: Engine, actor: Actor, codigo: str) -> AnonymiseResult:
    """Erase name, CPF, e-mails, phones, address, CV texts, protected attributes and the reasons of
    match feedback on one candidate.

    The candidate's code, city/state, professional profile and every application's stage and dates
    stay, so pipeline statistics are unchanged; the names copied into their applications are erased
    too. Admins only; audited. Later exports and backups no longer hold the erased values.
    """
    code = codigo.strip()
    with audited(engine, actor, Action.CANDIDATE_ANONYMISE, {"codigo": code}) as audit:
        try:
            with begin(engine) as conn:
                row = conn.execute(select(CANDIDATES).where(CANDIDATES.c.codigo == code)).mappings().first()
                if row is None:
                    raise NotFoundError(f"candidate {code!r} does not exist; nothing was changed")
                record = build_candidate_record(dict(row))
                erased = _erase(record)
                new_row = build_candidate_row(code, record)
                new_row["nome"] = ERASED
                new_row["email"] = ERASED
                conn.execute(update(CANDIDATES).where(CANDIDATES.c.codigo == code).values(**new_row))
                applications = conn.execute(
                    select(PROSPECTS.c.id, PROSPECTS.c.raw).where(PROSPECTS.c.candidate_codigo == code)
                ).all()
                for prospect_id, raw in applications:
                    cleaned = (
                        {**(raw or {}), "nome": ERASED} if isinstance(raw, dict) and "nome" in raw else raw
                    )
                    conn.execute(
                        update(PROSPECTS)
                        .where(PROSPECTS.c.id == prospect_id)
                        .values(nome=ERASED, raw=cleaned)
                    )
                # Recruiters' reasons may quote the person; the verdicts (good / wrong) stay.
                conn.execute(
                    update(MatchFeedback).where(MatchFeedback.candidate_codigo == code).values(reason=ERASED)
                )
        except sa_exc.SQLAlchemyError as e:
            raise HRCoreError(f"candidate {code!r} was not anonymised; the database refused: {e}") from e
        result = AnonymiseResult(code, erased, len(applications))
        audit.details.update(result.as_dict())
    return result
