"""The rejected-rows report: a CSV (line, raw, reasons) in storage under rejects/<table>/<UTC time>.csv."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

import pandas as pd

from hr_core.exports import save_rejects_report
from hr_core.ingest.validate import RejectRow
from hr_core.storage import Storage, make_storage

REJECT_COLUMNS = ("line", "raw", "reasons")


def build_rejects_frame(rows: Sequence[RejectRow]) -> pd.DataFrame:
    """Rejected rows as a table: line, raw row, reasons joined by '; '."""
    return pd.DataFrame([(r.line, r.raw, "; ".join(r.reasons)) for r in rows], columns=list(REJECT_COLUMNS))


def write_rejects_report(
    rows: Sequence[RejectRow], *, table: str, storage: Storage | None = None, now: dt.datetime | None = None
) -> str | None:
    """Write the report for a table's rejected rows and return its storage key (None if nothing was rejected)."""
    if not rows:
        return None
    return save_rejects_report(
        build_rejects_frame(rows), table=table, storage=storage or make_storage(), now=now
    )
