"""CLI: load, load-batch, load-dir (HR data files into the database)."""

from __future__ import annotations

import argparse
from typing import Any

from hr_core.cli._common import emit, open_engine


def _load(args: argparse.Namespace) -> None:
    from hr_core.access import CLI_ACTOR
    from hr_core.ingest import load_table

    result = load_table(
        engine=open_engine(),
        source=args.file,
        table=args.table,
        actor=CLI_ACTOR,
        header=True if args.header else None,
    )
    emit(result.as_dict())


def _load_batch(args: argparse.Namespace) -> None:
    from hr_core.access import CLI_ACTOR
    from hr_core.ingest import load_batch

    results = load_batch(engine=open_engine(), source=args.file, actor=CLI_ACTOR, partial=args.partial)
    emit([r.as_dict() for r in results])


def _load_dir(args: argparse.Namespace) -> None:
    from hr_core.access import CLI_ACTOR
    from hr_core.ingest import load_dir

    emit([r.as_dict() for r in load_dir(engine=open_engine(), source=args.folder, actor=CLI_ACTOR)])


def register(sub: Any) -> None:
    p = sub.add_parser("load", help="load departments, jobs or hired_employees from a .csv/.json/.avro file")
    p.add_argument("table", choices=("departments", "jobs", "hired_employees"))
    p.add_argument("file", help="a local path or an s3://bucket/key URL")
    p.add_argument("--header", action="store_true", help="the first row is a header (detected when omitted)")
    p.set_defaults(handler=_load)
    p = sub.add_parser(
        "load-batch",
        help='load a JSON batch {"records": [...]} in one transaction; any rejected row writes nothing',
    )
    p.add_argument("file", help="a local path or an s3://bucket/key URL")
    p.add_argument("--partial", action="store_true", help="write the valid rows and report the rejected ones")
    p.set_defaults(handler=_load_batch)
    p = sub.add_parser(
        "load-dir", help="load departments.csv, jobs.csv, hired_employees.csv from a folder or s3:// prefix"
    )
    p.add_argument("folder", help="a local folder or an s3://bucket/prefix")
    p.set_defaults(handler=_load_dir)
