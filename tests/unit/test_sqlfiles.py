from pathlib import Path

import pytest

from hr_core.errors import HRCoreError
from hr_core.sqlfiles import DIALECTS, SQL_DIR, get_query, load_queries, parse_sql_file


def test_every_sql_block_parses_for_every_dialect() -> None:
    for dialect in DIALECTS:
        queries = load_queries(dialect)
        for block in queries.values():
            assert block.sql.strip(), block.name
            get_query(block.name, dialect)  # builds a TextClause


def test_a_query_is_for_every_dialect_or_says_which() -> None:
    names = {dialect: load_queries(dialect) for dialect in DIALECTS}
    everywhere = set.union(*(set(n) for n in names.values()))
    for dialect, have in names.items():
        for name in everywhere - set(have):
            other = next(names[d][name] for d in DIALECTS if name in names[d])
            assert " only" in other.doc, (
                f"{name!r} is missing for {dialect}; or say '<Dialect> only' in its doc"
            )


# Syntax that one database has and the other lacks: it belongs in sql/postgresql/ or sql/sqlite/.
DIALECT_ONLY = (
    "temp.",
    "pg_temp",
    "EXTRACT(",
    "AT TIME ZONE",
    "::",
    "to_char(",
    "strftime(",
    "IS NOT excluded",
    "IS DISTINCT FROM",
    "COLLATE",
    "ON COMMIT DROP",
    "ANALYZE",
    "LOCK TABLE",
    "ILIKE",
    "substr(",
)


@pytest.mark.parametrize("path", sorted(SQL_DIR.glob("*.sql")), ids=lambda p: p.name)
def test_portable_files_are_portable(path: Path) -> None:
    for block in parse_sql_file(path).values():
        found = [s for s in DIALECT_ONLY if s in block.sql]
        assert not found, f"{path.name}: {block.name} uses {found}; move it to sql/postgresql/ or sql/sqlite/"


def test_sql_dir_is_found_in_one_place() -> None:
    assert (SQL_DIR / "analytics.sql").is_file()


def test_unknown_query_is_a_clear_error() -> None:
    with pytest.raises(HRCoreError, match="no SQL query named 'nope'"):
        get_query("nope", "sqlite")


def test_parse_names_and_docs(tmp_path: Path) -> None:
    f = tmp_path / "q.sql"
    f.write_text("-- name: list_things\n-- Lists things.\nSELECT 1;\n\n-- name: count_things\nSELECT 2\n")
    blocks = parse_sql_file(f)
    assert list(blocks) == ["list_things", "count_things"]
    assert blocks["list_things"].doc == "Lists things."
    assert blocks["list_things"].sql == "SELECT 1"


def test_duplicate_name_refused(tmp_path: Path) -> None:
    f = tmp_path / "q.sql"
    f.write_text("-- name: a\nSELECT 1;\n-- name: a\nSELECT 2;\n")
    with pytest.raises(HRCoreError, match="defined twice"):
        parse_sql_file(f)
