"""Where the project's data folders (sql/, locales/) are: one answer for a source tree and an install."""

from __future__ import annotations

from pathlib import Path

_PACKAGE = Path(__file__).resolve().parent


def find_data_dir(name: str) -> Path:
    """hr_core/<name> in an installed package (pyproject ships it there), else the source tree's top-level <name>/."""
    installed = _PACKAGE / name
    return installed if installed.is_dir() else _PACKAGE.parent / name
