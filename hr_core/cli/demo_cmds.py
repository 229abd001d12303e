"""CLI: demo (write the deterministic demo data set)."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from hr_core.cli._common import emit


def _demo(args: argparse.Namespace) -> None:
    from hr_core.demo import write_demo_dataset

    emit(write_demo_dataset(Path(args.out), seed=args.seed, employees=args.employees))


def register(sub: Any) -> None:
    p = sub.add_parser("demo", help="write the deterministic demo data set (CSV + Decision JSON)")
    p.add_argument("--out", required=True, help="folder to write into")
    p.add_argument("--seed", type=int, default=42)
    p.add_argument("--employees", type=int, default=50_000)
    p.set_defaults(handler=_demo)
