"""CLI: load, load-batch, load-dir (HR data files into the database)."""

from __future__ import annotations

import argparse
from typing import Any

from hr_core.cli._common import emit, open_engine

# hr_core.ingest.LoadMode's values (kept literal so the command line starts without importing the loader;
# tests/unit/test_cli.py checks they match).
MODES = ("add-and-update", "add-only")
_MODE_HELP = (
    "add-and-update (default): insert new ids and update changed rows; "
    "add-only: insert new ids and leave rows whose id exists as they are (reported as skipped)"
)


def _load(args: argparse.Namespace) -> None:
    from hr_core.access import CLI_ACTOR
    from hr_core.ingest import LoadMode, load_table

    result = load_table(
        engine=open_engine(),
        source=args.file,
        table=args.table,
        actor=CLI_ACTOR,
        header=True if args.header else None,
        mode=LoadMode(args.mode),
    )
    emit(result.as_dict())


def _load_batch(args: argparse.Namespace) -> None:
    from hr_core.access import CLI_ACTOR
    from hr_core.ingest import LoadMode, load_batch

    results = load_batch(
        engine=open_engine(),
        source=args.file,
        actor=CLI_ACTOR,
        partial=args.partial,
        mode=LoadMode(args.mode),
    )
    emit([r.as_dict() for r in results])


def _load_dir(args: argparse.Namespace) -> None:
    from hr_core.access import CLI_ACTOR
    from hr_core.ingest import LoadMode, load_dir

    results = load_dir(engine=open_engine(), source=args.folder, actor=CLI_ACTOR, mode=LoadMode(args.mode))
    emit([r.as_dict() for r in results])


def register(sub: Any) -> None:
    p = sub.add_parser("load", help="load departments, jobs or hired_employees from a .csv/.json/.avro file")
    p.add_argument("table", choices=("departments", "jobs", "hired_employees"))
    p.add_argument("file", help="a local path or an s3://bucket/key URL")
    p.add_argument("--header", action="store_true", help="the first row is a header (detected when omitted)")
    p.add_argument("--mode", choices=MODES, default=MODES[0], help=_MODE_HELP)
    p.set_defaults(handler=_load)
    p = sub.add_parser(
        "load-batch",
        help='load a JSON batch {"records": [...]} in one transaction; any rejected row writes nothing',
    )
    p.add_argument("file", help="a local path or an s3://bucket/key URL")
    p.add_argument("--partial", action="store_true", help="write the valid rows and report the rejected ones")
    p.add_argument("--mode", choices=MODES, default=MODES[0], help=_MODE_HELP)
    p.set_defaults(handler=_load_batch)
    p = sub.add_parser(
        "load-dir", help="load departments.csv, jobs.csv, hired_employees.csv from a folder or s3:// prefix"
    )
    p.add_argument("folder", help="a local folder or an s3://bucket/prefix")
    p.add_argument("--mode", choices=MODES, default=MODES[0], help=_MODE_HELP)
    p.set_defaults(handler=_load_dir)
