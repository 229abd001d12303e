"""CSV and Excel exports that a spreadsheet cannot turn into formulas."""

from __future__ import annotations

import csv
import datetime as dt
import io
from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING, Any

from hr_core.storage import Storage

if TYPE_CHECKING:  # imported where a frame is written: the command line's reports do without pandas
    import pandas as pd

_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def neutralize_cell(value: Any) -> Any:
    """Prefix text that a spreadsheet would run as a formula with a quote; other values pass."""
    if isinstance(value, str) and value.startswith(_FORMULA_STARTS):
        return "'" + value
    return value


def restore_cell(value: str) -> str:
    """Undo neutralize_cell on a cell read back from one of our CSV files (a quote before a formula start)."""
    if value.startswith("'") and value[1:].startswith(_FORMULA_STARTS):
        return value[1:]
    return value


def neutralize_frame(df: pd.DataFrame) -> pd.DataFrame:
    """A copy of df whose text cells (and column names) are safe to open in a spreadsheet."""
    import pandas as pd

    out = df.copy()
    for col in out.columns:
        if out[col].dtype == object or pd.api.types.is_string_dtype(out[col]):
            out[col] = out[col].map(neutralize_cell)
    out.columns = [neutralize_cell(str(c)) for c in out.columns]
    return out


def to_csv_bytes(df: pd.DataFrame) -> bytes:
    """UTF-8 CSV with a header row, formula-neutralised."""
    # CRLF rows (RFC 4180) also make the writer quote any cell holding a bare CR or LF.
    text: str = neutralize_frame(df).to_csv(index=False, lineterminator="\r\n")
    return text.encode("utf-8")


def rows_to_csv_bytes(columns: Sequence[str], rows: Iterable[Sequence[Any]]) -> bytes:
    """The CSV of to_csv_bytes for plain rows of text and numbers (None as an empty cell)."""
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\r\n")
    writer.writerow([neutralize_cell(str(c)) for c in columns])
    writer.writerows([neutralize_cell("" if v is None else v) for v in row] for row in rows)
    return buf.getvalue().encode("utf-8")


def to_excel_bytes(df: pd.DataFrame, sheet_name: str = "data") -> bytes:
    """An .xlsx workbook of df, formula-neutralised, timezones dropped (Excel has none)."""
    import pandas as pd

    safe = neutralize_frame(df)
    for col in safe.columns:
        if isinstance(safe[col].dtype, pd.DatetimeTZDtype):
            safe[col] = safe[col].dt.tz_convert("UTC").dt.tz_localize(None)
    buf = io.BytesIO()
    with pd.ExcelWriter(buf, engine="openpyxl") as writer:
        safe.to_excel(writer, index=False, sheet_name=sheet_name[:31])
    return buf.getvalue()


def save_rejects_report(
    frame: pd.DataFrame, *, table: str, storage: Storage, now: dt.datetime | None = None
) -> str:
    """Write a rejected-rows report as formula-safe CSV to rejects/<table>/<UTC time>.csv; return its key."""
    stamp = (now or dt.datetime.now(dt.UTC)).strftime("%Y%m%dT%H%M%S.%fZ")
    key = f"rejects/{table}/{stamp}.csv"
    storage.put_bytes(key, to_csv_bytes(frame))
    return key
