"""Streamlit data caches are bounded (a size or a time limit), so many sessions and searches cannot grow the server
without end (issue #13: "Streamlit caches with a size or TTL limit")."""

from __future__ import annotations

import ast
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
SCRIPTS = [REPO / "Home.py", *sorted((REPO / "pages").glob("*.py"))]


def _cache_data_decorators(path: Path) -> list[tuple[str, ast.expr]]:
    """(function name, decorator) of every function decorated with st.cache_data, bare or called."""
    found = []
    for node in ast.walk(ast.parse(path.read_text(), filename=str(path))):
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            for dec in node.decorator_list:
                target = dec.func if isinstance(dec, ast.Call) else dec
                if ast.unparse(target) == "st.cache_data":
                    found.append((node.name, dec))
    return found


def _unbounded(path: Path) -> list[str]:
    return [
        f"{path.name}:{name}"
        for name, dec in _cache_data_decorators(path)
        if not (isinstance(dec, ast.Call) and {k.arg for k in dec.keywords} & {"max_entries", "ttl"})
    ]


def test_every_page_data_cache_has_a_size_or_time_limit() -> None:
    assert sum(len(_cache_data_decorators(p)) for p in SCRIPTS) > 10  # the scan sees the pages' caches
    unbounded = [entry for path in SCRIPTS for entry in _unbounded(path)]
    assert unbounded == [], f"st.cache_data without max_entries or ttl: {unbounded}"


def test_the_check_catches_a_bare_and_an_unlimited_cache(tmp_path: Path) -> None:
    script = tmp_path / "page.py"
    script.write_text(
        "import streamlit as st\n"
        "@st.cache_data\ndef a(x): ...\n"
        "@st.cache_data(show_spinner=False)\ndef b(x): ...\n"
        "@st.cache_data(show_spinner=False, ttl=60)\ndef c(x): ...\n"
        "@st.cache_data(max_entries=8)\ndef d(x): ...\n"
    )
    assert _unbounded(script) == ["page.py:a", "page.py:b"]
