"""Helpers shared by the CLI command modules."""

from __future__ import annotations

import json
import sys
from typing import Any

from sqlalchemy import Engine

from hr_core.db import make_engine
from hr_core.settings import get_settings


def emit(result: Any) -> None:
    """Print one JSON document on one line."""
    sys.stdout.write(json.dumps(result, default=str, ensure_ascii=False) + "\n")
    sys.stdout.flush()


def open_engine() -> Engine:
    """The engine for HR_DATABASE_URL."""
    return make_engine(get_settings().database_url)
