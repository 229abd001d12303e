"""CLI: backup, backups, restore, verify, prune."""

from __future__ import annotations

import argparse
from typing import Any

from hr_core.cli._common import emit, open_engine


def _backup(args: argparse.Namespace) -> None:
    from hr_core.access import CLI_ACTOR
    from hr_core.backup import create_all_backups, create_backup
    from hr_core.errors import InvalidInputError
    from hr_core.storage import make_storage

    if bool(args.all) == bool(args.table):
        raise InvalidInputError("give either a TABLE or --all")
    engine, storage = open_engine(), make_storage()
    if args.all:
        emit([r.as_dict() for r in create_all_backups(engine=engine, storage=storage, actor=CLI_ACTOR)])
    else:
        emit(create_backup(engine=engine, storage=storage, table=args.table, actor=CLI_ACTOR).as_dict())


def _backups(args: argparse.Namespace) -> None:
    from hr_core.access import CLI_ACTOR
    from hr_core.backup import list_backups
    from hr_core.storage import make_storage

    emit([b.as_dict() for b in list_backups(make_storage(), args.table, actor=CLI_ACTOR)])


def _restore(args: argparse.Namespace) -> None:
    from hr_core.access import CLI_ACTOR
    from hr_core.backup import diff_backup, restore_backup
    from hr_core.storage import make_storage

    engine, storage = open_engine(), make_storage()
    if args.dry_run:
        emit(
            diff_backup(
                engine=engine, storage=storage, table=args.table, backup_id=args.backup_id, actor=CLI_ACTOR
            ).as_dict()
        )
    else:
        result = restore_backup(
            engine=engine, storage=storage, table=args.table, backup_id=args.backup_id, actor=CLI_ACTOR
        )
        emit(result.as_dict())


def _verify(args: argparse.Namespace) -> None:
    from hr_core.access import CLI_ACTOR
    from hr_core.backup import verify_backup
    from hr_core.storage import make_storage

    result = verify_backup(
        engine=open_engine(), storage=make_storage(), actor=CLI_ACTOR, backup_id=args.backup_id
    )
    emit(result.as_dict())


def _prune(args: argparse.Namespace) -> None:
    from hr_core.access import CLI_ACTOR
    from hr_core.backup import prune_backups
    from hr_core.storage import make_storage

    emit(
        prune_backups(engine=open_engine(), storage=make_storage(), actor=CLI_ACTOR, keep=args.keep).as_dict()
    )


def register(sub: Any) -> None:
    p = sub.add_parser("backup", help="back up a table (or --all) to storage as verified Avro")
    p.add_argument("table", nargs="?", help="departments, jobs, hired_employees, candidates, vagas, …")
    p.add_argument("--all", action="store_true", help="back up every table, parents first")
    p.set_defaults(handler=_backup)
    p = sub.add_parser("backups", help="list backups, newest first")
    p.add_argument("table", nargs="?")
    p.set_defaults(handler=_backups)
    p = sub.add_parser("restore", help="verify a backup, then replace the table with it in one transaction")
    p.add_argument("table")
    p.add_argument("backup_id")
    p.add_argument("--dry-run", action="store_true", help="only report rows added, removed and changed")
    p.set_defaults(handler=_restore)
    p = sub.add_parser("verify", help="verify a backup without restoring it")
    p.add_argument("backup_id")
    p.set_defaults(handler=_verify)
    p = sub.add_parser("prune", help="keep the newest N backups per table (HR_BACKUP_RETENTION)")
    p.add_argument("--keep", type=int, default=None)
    p.set_defaults(handler=_prune)
