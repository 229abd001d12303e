"""Initial schema: the tables `Base.metadata.create_all` made before migrations existed.

Written out in full and frozen: later changes are new revisions, never edits here. A database made by
create_all (tables, no alembic_version) is stamped at this revision instead of running it.

Revision ID: 0001
Revises:
Create Date: 2026-11-30
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

# hr_core.db.UTCDateTime's storage type; the migration keeps its own copy so model code can change.
UTC_TIMESTAMP = sa.DateTime(timezone=True)


revision: str = "0001"
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "audit_log",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("at", UTC_TIMESTAMP, nullable=False),
        sa.Column("actor", sa.Text(), nullable=False),
        sa.Column("action", sa.Text(), nullable=False),
        sa.Column("outcome", sa.Text(), nullable=False),
        sa.Column("details", sa.JSON(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_audit_log_at", "audit_log", ["at"], unique=False)

    op.create_table(
        "candidates",
        sa.Column("codigo", sa.Text(), nullable=False),
        sa.Column("nome", sa.Text(), nullable=False),
        sa.Column("email", sa.Text(), nullable=False),
        sa.Column("local", sa.Text(), nullable=False),
        sa.Column("titulo_profissional", sa.Text(), nullable=False),
        sa.Column("area_atuacao", sa.Text(), nullable=False),
        sa.Column("conhecimentos_tecnicos", sa.Text(), nullable=False),
        sa.Column("certificacoes", sa.Text(), nullable=False),
        sa.Column("nivel_profissional", sa.Text(), nullable=False),
        sa.Column("nivel_academico", sa.Text(), nullable=False),
        sa.Column("nivel_ingles", sa.Text(), nullable=False),
        sa.Column("nivel_espanhol", sa.Text(), nullable=False),
        sa.Column("outro_idioma", sa.Text(), nullable=False),
        sa.Column("sexo", sa.Text(), nullable=False),
        sa.Column("estado_civil", sa.Text(), nullable=False),
        sa.Column("pcd", sa.Text(), nullable=False),
        sa.Column("data_criacao", UTC_TIMESTAMP, nullable=True),
        sa.Column("data_atualizacao", UTC_TIMESTAMP, nullable=True),
        sa.Column("cv_pt", sa.Text(), nullable=False),
        sa.Column("cv_en", sa.Text(), nullable=False),
        sa.Column("infos_basicas", sa.JSON(), nullable=False),
        sa.Column("informacoes_pessoais", sa.JSON(), nullable=False),
        sa.Column("informacoes_profissionais", sa.JSON(), nullable=False),
        sa.Column("formacao_e_idiomas", sa.JSON(), nullable=False),
        sa.Column("cargo_atual", sa.JSON(), nullable=False),
        sa.Column("extra", sa.JSON(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("codigo"),
    )
    op.create_table(
        "departments",
        sa.Column("id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("department", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("department"),
    )
    op.create_table(
        "jobs",
        sa.Column("id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("job", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("job"),
    )
    op.create_table(
        "pipeline_openings",
        sa.Column("vaga_codigo", sa.Text(), nullable=False),
        sa.Column("titulo", sa.Text(), nullable=False),
        sa.Column("modalidade", sa.Text(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("extra", sa.JSON(), nullable=False),
        sa.PrimaryKeyConstraint("vaga_codigo"),
    )
    op.create_table(
        "prospects",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("vaga_codigo", sa.Text(), nullable=False),
        sa.Column("candidate_codigo", sa.Text(), nullable=False),
        sa.Column("nome", sa.Text(), nullable=False),
        sa.Column("situacao", sa.Text(), nullable=False),
        sa.Column("stage", sa.Text(), nullable=False),
        sa.Column("data_candidatura", sa.Date(), nullable=True),
        sa.Column("ultima_atualizacao", sa.Date(), nullable=True),
        sa.Column("comentario", sa.Text(), nullable=False),
        sa.Column("recrutador", sa.Text(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("raw", sa.JSON(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("vaga_codigo", "candidate_codigo", name="uq_prospects_pair"),
    )
    op.create_index("ix_prospects_candidate", "prospects", ["candidate_codigo"], unique=False)
    op.create_index("ix_prospects_recrutador", "prospects", ["recrutador"], unique=False)
    op.create_index("ix_prospects_stage", "prospects", ["stage"], unique=False)

    op.create_table(
        "users",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("username", sa.Text(), nullable=False),
        sa.Column("role", sa.Text(), nullable=False),
        sa.Column("password_hash", sa.Text(), nullable=False),
        sa.Column("disabled", sa.Boolean(), nullable=False),
        sa.Column("failed_logins", sa.Integer(), nullable=False),
        sa.Column("locked_until", UTC_TIMESTAMP, nullable=True),
        sa.Column("session_version", sa.Integer(), nullable=False),
        sa.Column("created_at", UTC_TIMESTAMP, nullable=False),
        sa.Column("password_changed_at", UTC_TIMESTAMP, nullable=False),
        sa.Column("last_login_at", UTC_TIMESTAMP, nullable=True),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("username"),
    )
    op.create_table(
        "vagas",
        sa.Column("codigo", sa.Text(), nullable=False),
        sa.Column("titulo", sa.Text(), nullable=False),
        sa.Column("cliente", sa.Text(), nullable=False),
        sa.Column("tipo_contratacao", sa.Text(), nullable=False),
        sa.Column("analista_responsavel", sa.Text(), nullable=False),
        sa.Column("data_requisicao", sa.Date(), nullable=True),
        sa.Column("pais", sa.Text(), nullable=False),
        sa.Column("estado", sa.Text(), nullable=False),
        sa.Column("cidade", sa.Text(), nullable=False),
        sa.Column("pcd", sa.Text(), nullable=False),
        sa.Column("nivel_profissional", sa.Text(), nullable=False),
        sa.Column("nivel_academico", sa.Text(), nullable=False),
        sa.Column("nivel_ingles", sa.Text(), nullable=False),
        sa.Column("nivel_espanhol", sa.Text(), nullable=False),
        sa.Column("outro_idioma", sa.Text(), nullable=False),
        sa.Column("areas_atuacao", sa.Text(), nullable=False),
        sa.Column("principais_atividades", sa.Text(), nullable=False),
        sa.Column("competencias", sa.Text(), nullable=False),
        sa.Column("informacoes_basicas", sa.JSON(), nullable=False),
        sa.Column("perfil_vaga", sa.JSON(), nullable=False),
        sa.Column("beneficios", sa.JSON(), nullable=False),
        sa.Column("extra", sa.JSON(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("codigo"),
    )
    op.create_table(
        "hired_employees",
        sa.Column("id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("name", sa.Text(), nullable=False),
        sa.Column("hired_at", UTC_TIMESTAMP, nullable=False),
        sa.Column("department_id", sa.Integer(), nullable=False),
        sa.Column("job_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["department_id"],
            ["departments.id"],
        ),
        sa.ForeignKeyConstraint(
            ["job_id"],
            ["jobs.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index(
        "ix_hired_employees_hired_at",
        "hired_employees",
        ["hired_at", "department_id", "job_id"],
        unique=False,
    )


def downgrade() -> None:
    op.drop_index("ix_hired_employees_hired_at", table_name="hired_employees")

    op.drop_table("hired_employees")
    op.drop_table("vagas")
    op.drop_table("users")
    op.drop_index("ix_prospects_stage", table_name="prospects")
    op.drop_index("ix_prospects_recrutador", table_name="prospects")
    op.drop_index("ix_prospects_candidate", table_name="prospects")

    op.drop_table("prospects")
    op.drop_table("pipeline_openings")
    op.drop_table("jobs")
    op.drop_table("departments")
    op.drop_table("candidates")
    op.drop_index("ix_audit_log_at", table_name="audit_log")

    op.drop_table("audit_log")
