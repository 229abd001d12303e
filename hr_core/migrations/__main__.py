"""Developers' Alembic commands on HR_DATABASE_URL without an alembic.ini.

    python -m hr_core.migrations revision -m "add x" [--autogenerate]
    python -m hr_core.migrations current | history | upgrade [REV] | downgrade REV

Admins use `python -m hr_core init-db` (the same upgrade, under the migration lock).
"""

from __future__ import annotations

import argparse

from alembic import command

from hr_core.db import make_engine
from hr_core.migrations import downgrade_database, get_current_revision, make_config, upgrade_database
from hr_core.settings import get_settings


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m hr_core.migrations")
    sub = parser.add_subparsers(dest="command", required=True)
    rev = sub.add_parser("revision", help="write a new revision file into hr_core/migrations/versions")
    rev.add_argument("-m", "--message", required=True)
    rev.add_argument("--autogenerate", action="store_true", help="diff the models against the database")
    sub.add_parser("current", help="the database's revision")
    sub.add_parser("history", help="every revision, newest first")
    up = sub.add_parser("upgrade", help="migrate up (default: head)")
    up.add_argument("revision", nargs="?", default="head")
    down = sub.add_parser("downgrade", help="migrate down to REV (base: drop every table)")
    down.add_argument("revision")
    args = parser.parse_args()

    if args.command == "revision":
        command.revision(make_config(), message=args.message, autogenerate=args.autogenerate)
    elif args.command == "history":
        command.history(make_config())
    else:
        engine = make_engine(get_settings().database_url)
        if args.command == "current":
            print(get_current_revision(engine))
        elif args.command == "upgrade":
            print(upgrade_database(engine, args.revision))
        else:
            print(downgrade_database(engine, args.revision))


if __name__ == "__main__":
    main()
