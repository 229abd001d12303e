"""Recruiting import of a generated 40,000-applicant Decision set: peak memory (target 1 GB) and time."""

from __future__ import annotations

import json

from bench.common import BenchContext, Figure, run_measured
from hr_core.demo.recruiting import write_recruiting_demo

APPLICANTS = 40_000
VAGAS = 4_000

IMPORT = """
import json
from hr_core.access import CLI_ACTOR
from hr_core.db import init_db, make_engine
from hr_core.recruiting.importer import import_recruiting
engine = make_engine({url!r})
init_db(engine)
result = import_recruiting(engine=engine, actor=CLI_ACTOR, applicants={a!r}, vagas={v!r}, prospects={p!r})
print(json.dumps(result.as_dict()))
"""
# Baselines in the same run: the naive whole-file json.load, and the bare ijson parse the import streams.
JSON_LOAD = "import json\nfor f in ({a!r}, {v!r}, {p!r}):\n    data = json.load(open(f, encoding='utf-8'))\n    del data\n"
IJSON_PARSE = (
    "import ijson\nfor f in ({a!r}, {v!r}, {p!r}):\n"
    "    with open(f, 'rb') as fh:\n        for _ in ijson.kvitems(fh, '', use_float=True):\n            pass\n"
)


def run(ctx: BenchContext) -> list[Figure]:
    data = ctx.workdir / "recruiting"
    made = write_recruiting_demo(data, seed=5, applicants=APPLICANTS, vagas=VAGAS)
    files = {
        "a": str(data / "applicants.json"),
        "v": str(data / "vagas.json"),
        "p": str(data / "prospects.json"),
    }
    size_mb = (
        sum((data / n).stat().st_size for n in ("applicants.json", "vagas.json", "prospects.json")) / 2**20
    )
    env = {"HR_STORAGE_URL": f"file://{ctx.workdir / 'storage'}", "HR_ENV": "test"}
    extra = {
        **{k: made[k] for k in ("applicants", "vagas", "openings", "prospects")},
        "input_mb": round(size_mb, 1),
    }

    load_s, load_mb, _ = run_measured(JSON_LOAD.format(**files), env)
    parse_s, parse_mb, _ = run_measured(IJSON_PARSE.format(**files), env)
    pg_s, pg_mb, out = run_measured(IMPORT.format(url=ctx.pg_url, **files), env)
    first = json.loads(out.strip().splitlines()[-1])
    again_s, again_mb, out = run_measured(IMPORT.format(url=ctx.pg_url, **files), env)
    second = json.loads(out.strip().splitlines()[-1])
    sqlite_url = f"sqlite:///{ctx.workdir / 'recruiting.db'}"
    lite_s, lite_mb, _ = run_measured(IMPORT.format(url=sqlite_url, **files), env)
    changed = sum(second[t]["inserted"] + second[t]["updated"] for t in ("candidates", "vagas", "prospects"))
    return [
        Figure("recruiting import 40k pg peak RSS", pg_mb, "MB", None, 1024, {**extra, "result": first}),
        Figure("recruiting import 40k pg peak RSS vs json.load", pg_mb, "MB", load_mb, None, extra),
        Figure("recruiting import 40k sqlite peak RSS", lite_mb, "MB", None, 1024, extra),
        Figure(
            "recruiting import 40k pg time vs ijson parse", pg_s, "s", parse_s, None, {"parse_mb": parse_mb}
        ),
        Figure("recruiting import 40k sqlite time", lite_s, "s", None, None),
        Figure(
            "recruiting re-import 40k pg (no changes)",
            again_s,
            "s",
            pg_s,
            1.0,
            {"changed": changed, "mb": again_mb},
        ),
    ]
