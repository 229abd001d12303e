"""Alembic environment: runs on the connection hr_core.migrations hands over (or HR_DATABASE_URL)."""

from __future__ import annotations

from typing import Any

from alembic import context

from hr_core.db import Base, import_all_models, make_engine
from hr_core.migrations import include_object
from hr_core.settings import get_settings

import_all_models()
config = context.config
target_metadata = Base.metadata


def _configure(**kwargs: Any) -> None:
    context.configure(
        target_metadata=target_metadata,
        compare_type=True,
        include_object=include_object,
        # SQLite alters a table by copying it; batch mode writes that for every op.alter_column & co.
        render_as_batch=True,
        **kwargs,
    )


def run_offline() -> None:
    """`--sql` mode: print the DDL for HR_DATABASE_URL's dialect instead of running it."""
    _configure(url=get_settings().database_url, literal_binds=True, dialect_opts={"paramstyle": "named"})
    with context.begin_transaction():
        context.run_migrations()


def run_online() -> None:
    connection = config.attributes.get("connection")
    if connection is not None:
        # hr_core.migrations.upgrade_database: the caller holds the lock and the transaction.
        _configure(connection=connection)
        with context.begin_transaction():
            context.run_migrations()
        return
    engine = make_engine(get_settings().database_url)
    try:
        with engine.begin() as conn:
            _configure(connection=conn)
            with context.begin_transaction():
                context.run_migrations()
    finally:
        engine.dispose()


if context.is_offline_mode():
    run_offline()
else:
    run_online()
