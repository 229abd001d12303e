"""CLI: import-recruiting, export-recruiting (Decision JSON files and the export's CSV files, local or s3://)."""

from __future__ import annotations

import argparse
from typing import Any

from hr_core.cli._common import emit, open_engine
from hr_core.vocabulary import IMPORT_SOURCES


def _import(args: argparse.Namespace) -> None:
    from hr_core.access import CLI_ACTOR
    from hr_core.db import init_db
    from hr_core.recruiting.importer import import_recruiting

    engine = open_engine()
    init_db(engine)
    files = {name: getattr(args, name) for name in IMPORT_SOURCES}
    result = import_recruiting(engine=engine, actor=CLI_ACTOR, **files)
    emit(result.as_dict())


def _export(args: argparse.Namespace) -> None:
    from hr_core.access import CLI_ACTOR
    from hr_core.db import init_db
    from hr_core.recruiting.exporter import export_recruiting

    engine = open_engine()
    init_db(engine)
    emit(export_recruiting(engine=engine, actor=CLI_ACTOR, out=args.out))


def _anonymise(args: argparse.Namespace) -> None:
    from hr_core.access import CLI_ACTOR
    from hr_core.recruiting.anonymise import anonymise_candidate

    emit(anonymise_candidate(engine=open_engine(), actor=CLI_ACTOR, codigo=args.code).as_dict())


def register(sub: Any) -> None:
    p = sub.add_parser(
        "import-recruiting",
        help="upsert Decision applicants/vagas/prospects JSON and an export's skill levels and feedback CSV "
        "(paths or s3:// URLs)",
    )
    for name, what in IMPORT_SOURCES.items():
        p.add_argument(f"--{name}", help=f"{what}; a path or s3://bucket/key")
    p.set_defaults(handler=_import)
    p = sub.add_parser(
        "export-recruiting",
        help="write applicants.json, vagas.json, prospects.json, opening_skill_requirements.csv and "
        "match_feedback.csv",
    )
    p.add_argument("--out", required=True, help="a folder or s3://bucket/prefix")
    p.set_defaults(handler=_export)

    p = sub.add_parser("candidates", help="candidate data requests (LGPD)")
    csub = p.add_subparsers(dest="candidates_command", required=True)
    a = csub.add_parser(
        "anonymise", help="erase a candidate's personal data; their applications' outcomes are kept"
    )
    a.add_argument("code", help="the candidate's code (codigo_profissional)")
    a.set_defaults(handler=_anonymise)
