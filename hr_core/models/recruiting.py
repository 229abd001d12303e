"""Recruiting tables in the Decision datathon shape: candidates, vagas (openings), prospects.

Typed columns hold what the app searches, filters and models on; the JSON columns keep every
source section exactly as imported, so an export gives back what came in.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import JSON, Date, Index, Integer, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from hr_core.db import Base, UTCDateTime

JsonDict = dict[str, Any]


class Candidate(Base):
    __tablename__ = "candidates"

    codigo: Mapped[str] = mapped_column(Text, primary_key=True)  # codigo_profissional
    nome: Mapped[str] = mapped_column(Text, nullable=False, default="")
    email: Mapped[str] = mapped_column(Text, nullable=False, default="")
    local: Mapped[str] = mapped_column(Text, nullable=False, default="")
    titulo_profissional: Mapped[str] = mapped_column(Text, nullable=False, default="")
    area_atuacao: Mapped[str] = mapped_column(Text, nullable=False, default="")
    conhecimentos_tecnicos: Mapped[str] = mapped_column(Text, nullable=False, default="")
    certificacoes: Mapped[str] = mapped_column(Text, nullable=False, default="")
    nivel_profissional: Mapped[str] = mapped_column(Text, nullable=False, default="")
    nivel_academico: Mapped[str] = mapped_column(Text, nullable=False, default="")
    nivel_ingles: Mapped[str] = mapped_column(Text, nullable=False, default="")
    nivel_espanhol: Mapped[str] = mapped_column(Text, nullable=False, default="")
    outro_idioma: Mapped[str] = mapped_column(Text, nullable=False, default="")
    sexo: Mapped[str] = mapped_column(Text, nullable=False, default="")
    estado_civil: Mapped[str] = mapped_column(Text, nullable=False, default="")
    pcd: Mapped[str] = mapped_column(Text, nullable=False, default="")
    data_criacao: Mapped[dt.datetime | None] = mapped_column(UTCDateTime, nullable=True)
    data_atualizacao: Mapped[dt.datetime | None] = mapped_column(UTCDateTime, nullable=True)
    cv_pt: Mapped[str] = mapped_column(Text, nullable=False, default="")
    cv_en: Mapped[str] = mapped_column(Text, nullable=False, default="")
    infos_basicas: Mapped[JsonDict] = mapped_column(JSON, nullable=False, default=dict)
    informacoes_pessoais: Mapped[JsonDict] = mapped_column(JSON, nullable=False, default=dict)
    informacoes_profissionais: Mapped[JsonDict] = mapped_column(JSON, nullable=False, default=dict)
    formacao_e_idiomas: Mapped[JsonDict] = mapped_column(JSON, nullable=False, default=dict)
    cargo_atual: Mapped[JsonDict] = mapped_column(JSON, nullable=False, default=dict)
    # Any other top-level keys of the source record, and the order of its keys.
    extra: Mapped[JsonDict] = mapped_column(JSON, nullable=False, default=dict)
    # Order of the record in the file it came from (export keeps it).
    position: Mapped[int] = mapped_column(Integer, nullable=False, default=0)


class Vaga(Base):
    __tablename__ = "vagas"

    codigo: Mapped[str] = mapped_column(Text, primary_key=True)
    titulo: Mapped[str] = mapped_column(Text, nullable=False, default="")
    cliente: Mapped[str] = mapped_column(Text, nullable=False, default="")
    tipo_contratacao: Mapped[str] = mapped_column(Text, nullable=False, default="")
    analista_responsavel: Mapped[str] = mapped_column(Text, nullable=False, default="")
    data_requisicao: Mapped[dt.date | None] = mapped_column(Date, nullable=True)
    pais: Mapped[str] = mapped_column(Text, nullable=False, default="")
    estado: Mapped[str] = mapped_column(Text, nullable=False, default="")
    cidade: Mapped[str] = mapped_column(Text, nullable=False, default="")
    pcd: Mapped[str] = mapped_column(Text, nullable=False, default="")  # vaga_especifica_para_pcd
    nivel_profissional: Mapped[str] = mapped_column(Text, nullable=False, default="")
    nivel_academico: Mapped[str] = mapped_column(Text, nullable=False, default="")
    nivel_ingles: Mapped[str] = mapped_column(Text, nullable=False, default="")
    nivel_espanhol: Mapped[str] = mapped_column(Text, nullable=False, default="")
    outro_idioma: Mapped[str] = mapped_column(Text, nullable=False, default="")
    areas_atuacao: Mapped[str] = mapped_column(Text, nullable=False, default="")
    principais_atividades: Mapped[str] = mapped_column(Text, nullable=False, default="")
    competencias: Mapped[str] = mapped_column(Text, nullable=False, default="")
    informacoes_basicas: Mapped[JsonDict] = mapped_column(JSON, nullable=False, default=dict)
    perfil_vaga: Mapped[JsonDict] = mapped_column(JSON, nullable=False, default=dict)
    beneficios: Mapped[JsonDict] = mapped_column(JSON, nullable=False, default=dict)
    extra: Mapped[JsonDict] = mapped_column(JSON, nullable=False, default=dict)
    position: Mapped[int] = mapped_column(Integer, nullable=False, default=0)


class PipelineOpening(Base):
    """An opening as prospects.json names it (titulo, modalidade); it may not be in vagas."""

    __tablename__ = "pipeline_openings"

    vaga_codigo: Mapped[str] = mapped_column(Text, primary_key=True)
    titulo: Mapped[str] = mapped_column(Text, nullable=False, default="")
    modalidade: Mapped[str] = mapped_column(Text, nullable=False, default="")
    position: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
    # Other keys of the source entry and the order of its keys.
    extra: Mapped[JsonDict] = mapped_column(JSON, nullable=False, default=dict)


class Prospect(Base):
    """One candidate in one opening's pipeline; either side may be missing from its table."""

    __tablename__ = "prospects"
    __table_args__ = (
        UniqueConstraint("vaga_codigo", "candidate_codigo", name="uq_prospects_pair"),
        Index("ix_prospects_candidate", "candidate_codigo"),
        Index("ix_prospects_stage", "stage"),
        Index("ix_prospects_recrutador", "recrutador"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    vaga_codigo: Mapped[str] = mapped_column(Text, nullable=False)
    candidate_codigo: Mapped[str] = mapped_column(Text, nullable=False)
    nome: Mapped[str] = mapped_column(Text, nullable=False, default="")
    situacao: Mapped[str] = mapped_column(Text, nullable=False, default="")
    stage: Mapped[str] = mapped_column(Text, nullable=False, default="")
    data_candidatura: Mapped[dt.date | None] = mapped_column(Date, nullable=True)
    ultima_atualizacao: Mapped[dt.date | None] = mapped_column(Date, nullable=True)
    comentario: Mapped[str] = mapped_column(Text, nullable=False, default="")
    recrutador: Mapped[str] = mapped_column(Text, nullable=False, default="")
    position: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
    raw: Mapped[JsonDict] = mapped_column(JSON, nullable=False, default=dict)


class ProspectStageChange(Base):
    """One move of a prospect from a status (and stage) to another: who, when, from what to what.

    Keyed by the (opening, candidate) codes rather than the prospect's id, so the history survives a
    re-import of prospects.json.
    """

    __tablename__ = "prospect_stage_changes"
    __table_args__ = (Index("ix_prospect_stage_changes_pair", "vaga_codigo", "candidate_codigo"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    vaga_codigo: Mapped[str] = mapped_column(Text, nullable=False)
    candidate_codigo: Mapped[str] = mapped_column(Text, nullable=False)
    from_status: Mapped[str] = mapped_column(Text, nullable=False, default="")
    to_status: Mapped[str] = mapped_column(Text, nullable=False)
    from_stage: Mapped[str] = mapped_column(Text, nullable=False, default="")
    to_stage: Mapped[str] = mapped_column(Text, nullable=False)
    changed_by: Mapped[str] = mapped_column(Text, nullable=False)
    changed_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, nullable=False)


class ProspectNote(Base):
    """A recruiter's note on one candidate in one opening's pipeline."""

    __tablename__ = "prospect_notes"
    __table_args__ = (Index("ix_prospect_notes_pair", "vaga_codigo", "candidate_codigo"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    vaga_codigo: Mapped[str] = mapped_column(Text, nullable=False)
    candidate_codigo: Mapped[str] = mapped_column(Text, nullable=False)
    author: Mapped[str] = mapped_column(Text, nullable=False)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, nullable=False)
    text: Mapped[str] = mapped_column(Text, nullable=False)
