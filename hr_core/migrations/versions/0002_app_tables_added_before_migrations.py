"""Tables and columns added on main after 0001's snapshot but before migrations existed.

users.locale, api_keys, background_jobs, app_settings, prospect_stage_changes and prospect_notes came
in through create_all while Alembic was being introduced, so a pre-Alembic database (stamped at 0001)
may already hold some of them: each is created only where it is missing. Later revisions do not do this.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-30
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

UTC_TIMESTAMP = sa.DateTime(timezone=True)  # hr_core.db.UTCDateTime's storage type


def _missing(table: str) -> bool:
    return not sa.inspect(op.get_bind()).has_table(table)


def upgrade() -> None:
    users_columns = {c["name"] for c in sa.inspect(op.get_bind()).get_columns("users")}
    if "locale" not in users_columns:
        with op.batch_alter_table("users") as batch_op:
            batch_op.add_column(sa.Column("locale", sa.Text(), server_default="en", nullable=False))

    if _missing("api_keys"):
        op.create_table(
            "api_keys",
            sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
            sa.Column("user_id", sa.Integer(), nullable=False),
            sa.Column("prefix", sa.Text(), nullable=False),
            sa.Column("key_hash", sa.Text(), nullable=False),
            sa.Column("created_at", UTC_TIMESTAMP, nullable=False),
            sa.Column("created_by", sa.Text(), nullable=False),
            sa.Column("last_used_at", UTC_TIMESTAMP, nullable=True),
            sa.Column("revoked_at", UTC_TIMESTAMP, nullable=True),
            sa.ForeignKeyConstraint(["user_id"], ["users.id"], ondelete="CASCADE"),
            sa.PrimaryKeyConstraint("id"),
            sa.UniqueConstraint("key_hash"),
        )

    if _missing("background_jobs"):
        op.create_table(
            "background_jobs",
            sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
            sa.Column("kind", sa.Text(), nullable=False),
            sa.Column("params", sa.JSON(), nullable=False),
            sa.Column("actor", sa.Text(), nullable=False),
            sa.Column("actor_role", sa.Text(), nullable=False),
            sa.Column("state", sa.Text(), nullable=False),
            sa.Column("progress", sa.Float(), nullable=False),
            sa.Column("message", sa.Text(), nullable=False),
            sa.Column("result", sa.JSON(), nullable=True),
            sa.Column("error", sa.Text(), nullable=True),
            sa.Column("created_at", UTC_TIMESTAMP, nullable=False),
            sa.Column("started_at", UTC_TIMESTAMP, nullable=True),
            sa.Column("finished_at", UTC_TIMESTAMP, nullable=True),
            sa.Column("heartbeat_at", UTC_TIMESTAMP, nullable=True),
            sa.Column("worker", sa.Text(), nullable=True),
            sa.Column("dedupe_key", sa.Text(), nullable=True),
            sa.PrimaryKeyConstraint("id"),
            sa.UniqueConstraint("dedupe_key"),
        )
        op.create_index("ix_background_jobs_actor", "background_jobs", ["actor"], unique=False)
        op.create_index("ix_background_jobs_state", "background_jobs", ["state"], unique=False)

    if _missing("app_settings"):
        op.create_table(
            "app_settings",
            sa.Column("key", sa.Text(), nullable=False),
            sa.Column("value", sa.JSON(), nullable=False),
            sa.Column("updated_at", UTC_TIMESTAMP, nullable=False),
            sa.Column("updated_by", sa.Text(), nullable=False),
            sa.PrimaryKeyConstraint("key"),
        )

    if _missing("prospect_stage_changes"):
        op.create_table(
            "prospect_stage_changes",
            sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
            sa.Column("vaga_codigo", sa.Text(), nullable=False),
            sa.Column("candidate_codigo", sa.Text(), nullable=False),
            sa.Column("from_status", sa.Text(), nullable=False),
            sa.Column("to_status", sa.Text(), nullable=False),
            sa.Column("from_stage", sa.Text(), nullable=False),
            sa.Column("to_stage", sa.Text(), nullable=False),
            sa.Column("changed_by", sa.Text(), nullable=False),
            sa.Column("changed_at", UTC_TIMESTAMP, nullable=False),
            sa.PrimaryKeyConstraint("id"),
        )
        op.create_index(
            "ix_prospect_stage_changes_pair",
            "prospect_stage_changes",
            ["vaga_codigo", "candidate_codigo"],
            unique=False,
        )

    if _missing("prospect_notes"):
        op.create_table(
            "prospect_notes",
            sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
            sa.Column("vaga_codigo", sa.Text(), nullable=False),
            sa.Column("candidate_codigo", sa.Text(), nullable=False),
            sa.Column("author", sa.Text(), nullable=False),
            sa.Column("created_at", UTC_TIMESTAMP, nullable=False),
            sa.Column("text", sa.Text(), nullable=False),
            sa.PrimaryKeyConstraint("id"),
        )
        op.create_index(
            "ix_prospect_notes_pair", "prospect_notes", ["vaga_codigo", "candidate_codigo"], unique=False
        )


def downgrade() -> None:
    op.drop_index("ix_prospect_notes_pair", table_name="prospect_notes")
    op.drop_table("prospect_notes")
    op.drop_index("ix_prospect_stage_changes_pair", table_name="prospect_stage_changes")
    op.drop_table("prospect_stage_changes")
    op.drop_table("app_settings")
    op.drop_index("ix_background_jobs_state", table_name="background_jobs")
    op.drop_index("ix_background_jobs_actor", table_name="background_jobs")
    op.drop_table("background_jobs")
    op.drop_table("api_keys")
    with op.batch_alter_table("users") as batch_op:
        batch_op.drop_column("locale")
