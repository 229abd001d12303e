"""The PostgreSQL job queue: procrastinate 3.10's own tables, types and functions (SQLite needs none).

hr_core.jobs keeps its records in background_jobs; procrastinate's tables only carry "run job N" to a
worker on any machine. Its schema is kept verbatim beside this file, frozen at the pinned version;
when procrastinate is upgraded, add a revision that runs its files from procrastinate/sql/migrations/.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-30
"""

from collections.abc import Sequence
from pathlib import Path

import sqlalchemy as sa
from alembic import op

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

SCHEMA = Path(__file__).with_name("0003_procrastinate_3_10_schema.sql")

# Drops every procrastinate object in the current schema (tables first, then functions and types).
DROP_ALL = r"""
DO $$
DECLARE r record;
BEGIN
  FOR r IN SELECT c.oid::regclass AS name FROM pg_class c
           WHERE c.relkind = 'r' AND c.relname LIKE 'procrastinate\_%'
             AND c.relnamespace = current_schema()::regnamespace LOOP
    EXECUTE format('DROP TABLE IF EXISTS %s CASCADE', r.name);
  END LOOP;
  FOR r IN SELECT p.oid::regprocedure AS name FROM pg_proc p
           WHERE p.proname LIKE 'procrastinate\_%' AND p.pronamespace = current_schema()::regnamespace LOOP
    EXECUTE format('DROP FUNCTION IF EXISTS %s CASCADE', r.name);
  END LOOP;
  FOR r IN SELECT t.oid::regtype AS name FROM pg_type t
           WHERE t.typname LIKE 'procrastinate\_%' AND t.typtype IN ('e', 'c')
             AND t.typnamespace = current_schema()::regnamespace LOOP
    EXECUTE format('DROP TYPE IF EXISTS %s CASCADE', r.name);
  END LOOP;
END $$;
"""


def _run(sql: str) -> None:
    # Driver-level, escaped the way procrastinate escapes it: psycopg would read % as a placeholder.
    op.get_bind().exec_driver_sql(sql.replace("%", "%%"))


def upgrade() -> None:
    bind = op.get_bind()
    # A database used by hr_core.jobs before this revision already got the schema from the job code.
    if bind.dialect.name == "postgresql" and not sa.inspect(bind).has_table("procrastinate_jobs"):
        _run(SCHEMA.read_text(encoding="utf-8"))


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        _run(DROP_ALL)
