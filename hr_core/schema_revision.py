"""The schema revision, read without importing Alembic (half a second of start-up): what `check`, the
pages' database check and the API's readiness need. `hr_core.migrations` does the migrating."""

from __future__ import annotations

import re
from functools import cache
from pathlib import Path

from sqlalchemy import Engine, inspect

from hr_core.errors import DatabaseUnavailableError
from hr_core.sqlfiles import scalar

VERSIONS_DIR = Path(__file__).resolve().parent / "migrations" / "versions"
VERSION_TABLE = "alembic_version"
# Tables in the same database that belong to a library, not to our models (procrastinate's job queue).
FOREIGN_TABLE_PREFIXES = ("procrastinate_",)
_REVISION = re.compile(r"^revision\b[^=\n]*=\s*['\"]([^'\"]+)['\"]", re.M)
_DOWN_REVISION = re.compile(r"^down_revision\b[^=\n]*=(.*)$", re.M)
_QUOTED = re.compile(r"['\"]([^'\"]+)['\"]")


@cache
def read_head_revision() -> str:
    """The one revision in versions/ that no other revision builds on (the files do not change under a
    process, so it is read once)."""
    revisions: set[str] = set()
    parents: set[str] = set()
    for path in VERSIONS_DIR.glob("*.py"):
        source = path.read_text(encoding="utf-8")
        revision = _REVISION.search(source)
        if revision is None:
            continue
        revisions.add(revision.group(1))
        down = _DOWN_REVISION.search(source)
        if down is not None:
            parents.update(_QUOTED.findall(down.group(1)))
    heads = sorted(revisions - parents)
    if len(heads) != 1:
        raise RuntimeError(f"hr_core/migrations/versions must have exactly one head, found {heads}")
    return heads[0]


def read_schema_revision(engine: Engine) -> str | None:
    """The revision the database is at (None: never migrated)."""
    from sqlalchemy import exc as sa_exc

    try:
        with engine.connect() as conn:
            if not inspect(conn).has_table(VERSION_TABLE):
                return None
    except sa_exc.OperationalError as e:
        raise DatabaseUnavailableError(f"cannot reach the database: {e.orig}") from e
    revision = scalar(engine, "get_schema_revision")
    return None if revision is None else str(revision)
