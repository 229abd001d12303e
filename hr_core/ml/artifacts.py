"""Files of trained artefacts in HR_MODELS_DIR: paths, hashes and atomic JSON writes."""

from __future__ import annotations

import json
import os
import tempfile
from pathlib import Path
from typing import Any

from hr_core.errors import ModelError
from hr_core.settings import get_settings
from hr_core.storage import hash_file

# The latest drift report's summary (Home reads it); a retrain makes it obsolete.
DRIFT_SUMMARY_FILE = "drift_summary.json"


def get_models_dir() -> Path:
    """HR_MODELS_DIR, created if missing."""
    path = Path(get_settings().models_dir)
    path.mkdir(parents=True, exist_ok=True)
    return path


def write_json(path: Path, data: dict[str, Any]) -> None:
    """Write JSON to a temporary name and rename it into place."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".tmp-", suffix=".json")
    with os.fdopen(fd, "w", encoding="utf-8") as fh:
        json.dump(data, fh, ensure_ascii=False, indent=2, default=str)
    os.replace(tmp, path)


def read_json(path: Path, *, what: str, fix: str) -> dict[str, Any]:
    """Read a metadata JSON file, or raise ModelError saying what is missing and how to fix it."""
    if not path.is_file():
        raise ModelError(f"{what} not found at {path}; {fix}")
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as e:
        raise ModelError(f"{what} at {path} is unreadable ({e}); {fix}") from e
    if not isinstance(data, dict):
        raise ModelError(f"{what} at {path} is not a JSON object; {fix}")
    return data


def verify_hash(path: Path, expected: str | None, *, what: str, fix: str) -> None:
    """Refuse a file whose SHA-256 differs from the one recorded when it was written."""
    if not path.is_file():
        raise ModelError(f"{what} not found at {path}; {fix}")
    actual = hash_file(path)
    if not expected or actual != expected:
        raise ModelError(
            f"{what} at {path} fails its integrity check (SHA-256 {actual[:12]}… does not match the "
            f"recorded {str(expected)[:12]}…); it was changed after it was written — {fix}"
        )
