"""Helpers shared by the CLI command modules."""

from __future__ import annotations

import json
import sys
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # the command line imports SQLAlchemy only for commands that use the database
    from sqlalchemy import Engine


def emit(result: Any) -> None:
    """Print one JSON document on one line."""
    sys.stdout.write(json.dumps(result, default=str, ensure_ascii=False) + "\n")
    sys.stdout.flush()


def open_engine() -> Engine:
    """The engine for HR_DATABASE_URL."""
    from hr_core.db import make_engine
    from hr_core.settings import get_settings

    return make_engine(get_settings().database_url)
