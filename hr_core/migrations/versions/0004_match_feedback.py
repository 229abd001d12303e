"""match_feedback: recruiters' verdicts (good / wrong) on suggested candidate-opening pairs.

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-30
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

UTC_TIMESTAMP = sa.DateTime(timezone=True)  # hr_core.db.UTCDateTime's storage type


def upgrade() -> None:
    op.create_table(
        "match_feedback",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("candidate_codigo", sa.Text(), nullable=False),
        sa.Column("vaga_codigo", sa.Text(), nullable=False),
        sa.Column("verdict", sa.Text(), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("source", sa.Text(), nullable=False),
        sa.Column("username", sa.Text(), nullable=False),
        sa.Column("created_at", UTC_TIMESTAMP, nullable=False),
        sa.CheckConstraint("verdict IN ('good', 'wrong')", name="ck_match_feedback_verdict"),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index(
        "ix_match_feedback_pair", "match_feedback", ["candidate_codigo", "vaga_codigo"], unique=False
    )


def downgrade() -> None:
    op.drop_index("ix_match_feedback_pair", table_name="match_feedback")
    op.drop_table("match_feedback")
