"""CLI: pipeline-report [--group-by overall|opening|client|recruiter] [--out FILE.csv --table NAME]."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from hr_core.cli._common import emit, open_engine


def _pipeline_report(args: argparse.Namespace) -> None:
    import datetime as dt

    from hr_core.access import CLI_ACTOR
    from hr_core.exports import to_csv_bytes
    from hr_core.recruiting.pipeline_metrics import build_pipeline_report, check_table

    if args.out:
        check_table(args.table)
    report = build_pipeline_report(
        engine=open_engine(),
        actor=CLI_ACTOR,
        group_by=args.group_by,
        today=dt.date.fromisoformat(args.as_of) if args.as_of else None,
        stale_after_days=args.stale_after_days,
    )
    result: dict[str, Any] = report.as_dict()
    if args.out:
        table = report.table(args.table)
        Path(args.out).write_bytes(to_csv_bytes(table))
        result["written"] = {"path": args.out, "table": args.table, "rows": len(table)}
    emit(result)


def _iso_day(text: str) -> str:
    import datetime as dt

    try:
        dt.date.fromisoformat(text)
    except ValueError as e:
        raise argparse.ArgumentTypeError(f"{text!r} is not a date like 2024-03-31") from e
    return text


def register(sub: Any) -> None:
    p = sub.add_parser(
        "pipeline-report",
        help="days to each stage and to the decision, conversion, ageing openings, per month (one JSON)",
    )
    # The core checks both names against its allow-lists (exit 2 with the list when one is unknown).
    p.add_argument(
        "--group-by",
        default="overall",
        help="overall (default), opening, client or recruiter: groups times and conversion",
    )
    p.add_argument("--out", help="also write one table as formula-safe CSV to this file")
    p.add_argument(
        "--table",
        default="time_to_stage",
        help="the table --out writes: time_to_stage (default), time_to_decision, conversion, ageing, "
        "monthly_time or monthly_conversion",
    )
    p.add_argument(
        "--as-of", type=_iso_day, help="count ageing up to this day (YYYY-MM-DD; default today, UTC)"
    )
    p.add_argument(
        "--stale-after-days", type=int, default=30, help="openings without movement for longer are stale (30)"
    )
    p.set_defaults(handler=_pipeline_report)
