"""Run every benchmark module, print one table of figures and ratios, and save it as JSON."""

from __future__ import annotations

import argparse
import importlib
import json
import os
import pkgutil
import sys
import time
import traceback
from pathlib import Path

import bench
from bench.common import BenchContext, Figure

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")


def main() -> int:
    parser = argparse.ArgumentParser(prog="python -m bench")
    parser.add_argument("names", nargs="*", help="run only these modules (e.g. bench_ingest)")
    parser.add_argument("--out", default="bench/results/latest.json")
    args = parser.parse_args()
    modules = sorted(m.name for m in pkgutil.iter_modules(bench.__path__) if m.name.startswith("bench_"))
    if args.names:
        modules = [m for m in modules if m in args.names]
    figures: list[Figure] = []
    failed = []
    with BenchContext.create() as ctx:
        for name in modules:
            print(f"== {name}", file=sys.stderr, flush=True)
            start = time.perf_counter()
            try:
                figures += importlib.import_module(f"bench.{name}").run(ctx)
            except Exception:
                traceback.print_exc()
                failed.append(name)
            print(f"   {name} took {time.perf_counter() - start:.1f} s", file=sys.stderr, flush=True)
    header = f"{'benchmark':52} {'value':>12} {'baseline':>12} {'ratio':>7} {'target':>10}  ok"
    print(header)
    print("-" * len(header))
    for f in figures:
        print(f.row())
    out = Path(args.out)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps([f.as_dict() for f in figures], indent=2))
    print(f"\nsaved {out}; failed modules: {failed or 'none'}")
    return 1 if failed else 0


if __name__ == "__main__":
    raise SystemExit(main())
