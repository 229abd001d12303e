"""opening_skill_requirements: per opening, the skills a recruiter marked required or ignored.

Revision ID: 0005_opening_skill_requirements
Revises: 0004
Create Date: 2026-11-30
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0005_opening_skill_requirements"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

UTC_TIMESTAMP = sa.DateTime(timezone=True)  # hr_core.db.UTCDateTime's storage type


def upgrade() -> None:
    op.create_table(
        "opening_skill_requirements",
        sa.Column("vaga_codigo", sa.Text(), nullable=False),
        sa.Column("term", sa.Text(), nullable=False),
        sa.Column("label", sa.Text(), nullable=False),
        sa.Column("level", sa.Text(), nullable=False),
        sa.Column("username", sa.Text(), nullable=False),
        sa.Column("updated_at", UTC_TIMESTAMP, nullable=False),
        sa.CheckConstraint(
            "level IN ('required', 'preferred', 'ignored')", name="ck_opening_skill_requirements_level"
        ),
        sa.PrimaryKeyConstraint("vaga_codigo", "term"),
    )


def downgrade() -> None:
    op.drop_table("opening_skill_requirements")
