"""Safe defaults: spreadsheet exports cannot run formulas; Streamlit's config matches the settings."""

from __future__ import annotations

import io
import tomllib
from pathlib import Path

import openpyxl
import pandas as pd
from hypothesis import given, settings
from hypothesis import strategies as st

from hr_core.exports import neutralize_cell, neutralize_frame, rows_to_csv_bytes, to_csv_bytes, to_excel_bytes
from hr_core.settings import Settings

REPO = Path(__file__).resolve().parents[2]
DANGEROUS = ['=HYPERLINK("http://x")', "+1+1", "-2+3", "@SUM(A1)", "\tcmd", "\rcmd"]


def test_csv_export_neutralises_formula_cells_but_keeps_the_frame_raw() -> None:
    df = pd.DataFrame({"name": DANGEROUS + ["plain"], "n": range(7)})
    text = to_csv_bytes(df).decode("utf-8")
    back = pd.read_csv(io.StringIO(text), keep_default_na=False)
    assert list(back["name"]) == ["'" + v for v in DANGEROUS] + ["plain"]
    assert list(back["n"]) == list(range(7))
    assert df["name"].iloc[0] == DANGEROUS[0]  # the caller's data (what the database keeps) is unchanged


@settings(max_examples=60, deadline=None)
@given(st.lists(st.tuples(st.text(max_size=12), st.integers(-5, 10**6)), max_size=8))
def test_plain_rows_give_the_same_csv_as_a_frame(rows: list[tuple[str, int]]) -> None:
    # The command line writes reports without pandas; its CSV must be byte for byte the page's and API's.
    df = pd.DataFrame(rows, columns=["=name", "hired"]).astype({"hired": "int64"})
    assert rows_to_csv_bytes(["=name", "hired"], rows) == to_csv_bytes(df)


def test_excel_export_neutralises_cells_and_headers() -> None:
    df = pd.DataFrame(
        {"=cmd": ["=1+1", "ok"], "when": pd.to_datetime(["2021-01-01", "2021-02-01"], utc=True)}
    )
    sheet = openpyxl.load_workbook(io.BytesIO(to_excel_bytes(df, sheet_name="x"))).active
    assert sheet["A1"].value == "'=cmd"
    assert sheet["A2"].value == "'=1+1" and sheet["A2"].data_type == "s"
    assert sheet["A3"].value == "ok"


@settings(max_examples=60, deadline=None)
@given(st.text(max_size=20))
def test_no_neutralised_cell_starts_with_a_formula_character(value: str) -> None:
    out = neutralize_cell(value)
    assert not out.startswith(("=", "+", "-", "@", "\t", "\r"))
    assert out == value or out == "'" + value


def test_non_text_values_pass_unchanged() -> None:
    df = pd.DataFrame({"n": [-1, 2], "x": [-1.5, None]})
    assert neutralize_frame(df).equals(df)


def _streamlit_config() -> dict:
    return tomllib.loads((REPO / ".streamlit" / "config.toml").read_text(encoding="utf-8"))


def test_streamlit_upload_limit_equals_the_app_setting() -> None:
    assert _streamlit_config()["server"]["maxUploadSize"] == Settings().upload_limit_mb


def test_streamlit_config_is_locked_down() -> None:
    config = _streamlit_config()
    assert config["server"]["enableXsrfProtection"] is True
    # Streamlit's enableCORS=true is CORS *protection*: no cross-origin access.
    assert config["server"]["enableCORS"] is True
    assert config["browser"]["gatherUsageStats"] is False
    assert config["client"]["showErrorDetails"] == "none"


def test_streamlit_runs_no_full_collection_after_each_script_run() -> None:
    """The option is a hidden one: a Streamlit that renamed it would ignore the line and quietly bring back a
    full gc.collect(2) per script run (two thirds of the server's CPU per page open)."""
    from streamlit import config as streamlit_config

    assert "runner.postScriptGC" in streamlit_config.get_config_options()
    assert _streamlit_config()["runner"]["postScriptGC"] is False


def test_no_credentials_file_or_secrets_in_the_repo() -> None:
    assert (
        not (REPO / ".streamlit" / "secrets.toml").exists()
        or ".streamlit/secrets.toml" in (REPO / ".gitignore").read_text()
    )
    # No streamlit-authenticator credentials file: users live in the database.
    for path in [*REPO.glob("*.y*ml"), *(REPO / ".streamlit").glob("*.y*ml")]:
        text = path.read_text()
        assert "credentials:" not in text and "usernames:" not in text, path
