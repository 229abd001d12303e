"""CLI: init-db, check."""

from __future__ import annotations

import argparse
from typing import Any

from hr_core.cli._common import emit, open_engine


def _init_db(args: argparse.Namespace) -> None:
    from hr_core.db import init_db
    from hr_core.migrations import get_current_revision

    engine = open_engine()
    tables = init_db(engine)
    emit(
        {
            "database": engine.url.render_as_string(hide_password=True),
            "revision": get_current_revision(engine),
            "tables": tables,
        }
    )


def _check(args: argparse.Namespace) -> None:
    from hr_core.db import check_database
    from hr_core.storage import make_storage

    engine = open_engine()
    check_database(engine)
    store = make_storage()
    store.list_objects("backups/")
    emit({"database": "ok", "storage": store.url})


def register(sub: Any) -> None:
    p = sub.add_parser("init-db", help="migrate the schema to the newest revision (idempotent)")
    p.set_defaults(handler=_init_db)
    p = sub.add_parser("check", help="check that the database and storage answer")
    p.set_defaults(handler=_check)
