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


def test_overrides_only_replace_known_queries() -> None:
    portable = {b.name for p in SQL_DIR.glob("*.sql") for b in parse_sql_file(p).values()}
    for dialect in DIALECTS:
        for path in (SQL_DIR / dialect).glob("*.sql"):
            for name in parse_sql_file(path):
                assert name in portable, f"{path}: override {name!r} has no portable query"


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
