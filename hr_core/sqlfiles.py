"""Load named SQL blocks (`-- name: snake_case`) from sql/, with per-dialect overrides."""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from sqlalchemy import Engine, TextClause, text

from hr_core.errors import HRCoreError

SQL_DIR = Path(__file__).resolve().parent.parent / "sql"
DIALECTS = ("postgresql", "sqlite")
_NAME = re.compile(r"^--\s*name:\s*([a-z_][a-z0-9_]*)\s*$")


@dataclass(frozen=True)
class SqlBlock:
    name: str
    doc: str
    sql: str
    source: str


def parse_sql_file(path: Path) -> dict[str, SqlBlock]:
    """Split one .sql file into its named blocks; comment lines after the name are the doc."""
    blocks: dict[str, SqlBlock] = {}
    name: str | None = None
    doc: list[str] = []
    body: list[str] = []

    def flush() -> None:
        if name is None:
            return
        sql = "\n".join(body).strip().rstrip(";").strip()
        if not sql:
            raise HRCoreError(f"{path}: query {name!r} has no SQL")
        if name in blocks:
            raise HRCoreError(f"{path}: query {name!r} is defined twice")
        blocks[name] = SqlBlock(name, " ".join(doc).strip(), sql, str(path))

    for line in path.read_text(encoding="utf-8").splitlines():
        match = _NAME.match(line.strip())
        if match:
            flush()
            name, doc, body = match.group(1), [], []
        elif name is not None and not body and line.strip().startswith("--"):
            doc.append(line.strip()[2:].strip())
        elif name is not None:
            body.append(line)
    flush()
    return blocks


@cache
def load_queries(dialect: str) -> dict[str, SqlBlock]:
    """Every query for a dialect: the portable ones overridden by sql/<dialect>/."""
    queries: dict[str, SqlBlock] = {}
    for path in sorted(SQL_DIR.glob("*.sql")):
        for block in parse_sql_file(path).values():
            if block.name in queries:
                raise HRCoreError(f"query {block.name!r} is defined in two files")
            queries[block.name] = block
    dialect_dir = SQL_DIR / dialect
    if dialect_dir.is_dir():
        for path in sorted(dialect_dir.glob("*.sql")):
            queries.update(parse_sql_file(path))
    return queries


def get_query(name: str, dialect: str | Engine) -> TextClause:
    """The TextClause for a named query in the engine's dialect; an unknown name is an error."""
    dialect_name = dialect if isinstance(dialect, str) else dialect.dialect.name
    queries = load_queries(dialect_name)
    if name not in queries:
        raise HRCoreError(f"no SQL query named {name!r} in {SQL_DIR} (dialect {dialect_name})")
    return text(queries[name].sql)
