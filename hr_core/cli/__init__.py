"""`python -m hr_core`: one JSON result on stdout; errors on stderr (exit 2 bad input, 1 otherwise)."""

from __future__ import annotations

import argparse
import importlib
import os
import sys
from collections.abc import Sequence

from pydantic import ValidationError

from hr_core.errors import HRCoreError
from hr_core.settings import describe_settings_error

# Each module defines register(subparsers); handlers import heavy libraries lazily.
COMMAND_MODULES = (
    "hr_core.cli.db_cmds",
    "hr_core.cli.demo_cmds",
    "hr_core.cli.ingest_cmds",
    "hr_core.cli.backup_cmds",
    "hr_core.cli.analytics_cmds",
    "hr_core.cli.users_cmds",
    "hr_core.cli.ml_cmds",
    "hr_core.cli.recruiting_cmds",
    "hr_core.cli.pipeline_cmds",
    "hr_core.cli.jobs_cmds",
)


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> None:  # type: ignore[override]
        self.print_usage(sys.stderr)
        print(f"error: {message}", file=sys.stderr)
        raise SystemExit(2)


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="python -m hr_core", description="TalentLens core command line.")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)
    sub.required = True
    for name in COMMAND_MODULES:
        importlib.import_module(name).register(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        args.handler(args)
    except HRCoreError as e:
        print(f"error: {e}", file=sys.stderr)
        return e.exit_code
    except KeyboardInterrupt:
        print("error: interrupted", file=sys.stderr)
        return 1
    except ValidationError as e:  # the settings (HR_* variables) are invalid
        print(f"error: {describe_settings_error(e)}", file=sys.stderr)
        return 2
    except OSError as e:  # a path given on the command line cannot be read or written
        where = f" {e.filename}" if e.filename else ""
        print(
            f"error: cannot use{where}: {e.strerror or e}; check the path and its permissions",
            file=sys.stderr,
        )
        return 2
    except Exception as e:
        if os.environ.get("HR_DEBUG"):
            raise
        print(f"error: unexpected {type(e).__name__}: {e} (set HR_DEBUG=1 for a traceback)", file=sys.stderr)
        return 1
    return 0
