"""CLI: report hires-by-quarter|departments-above-mean --year Y --format csv|json."""

from __future__ import annotations

import argparse
import sys
from typing import Any

from hr_core.cli._common import emit, open_engine

_REPORTS = ("hires-by-quarter", "departments-above-mean")


def _report(args: argparse.Namespace) -> None:
    from hr_core.access import CLI_ACTOR
    from hr_core.analytics import read_report_rows
    from hr_core.exports import rows_to_csv_bytes

    table = read_report_rows(engine=open_engine(), actor=CLI_ACTOR, report=args.report, year=args.year)
    if args.format == "csv":
        sys.stdout.write(rows_to_csv_bytes(table.columns, table.rows).decode("utf-8"))
        sys.stdout.flush()
    else:
        emit(table.records())


def register(sub: Any) -> None:
    p = sub.add_parser("report", help="print a hiring report for a year (JSON records or CSV)")
    p.add_argument("report", choices=_REPORTS, help="which report")
    p.add_argument("--year", type=int, default=2021, help="calendar year in UTC (default 2021)")
    p.add_argument("--format", choices=("json", "csv"), default="json", help="output format (default json)")
    p.set_defaults(handler=_report)
