"""Act as another replica of the app: its own HR_MODELS_DIR (cache), the same storage and database."""

from __future__ import annotations

from pathlib import Path

import pytest

from hr_core.settings import reset_settings


def use_cache(monkeypatch: pytest.MonkeyPatch, folder: Path, refresh_seconds: float) -> None:
    """Act as the process whose HR_MODELS_DIR is folder (another replica when folder differs), reading the
    storage's pointers at most every refresh_seconds."""
    monkeypatch.setenv("HR_MODELS_DIR", str(folder))
    monkeypatch.setenv("HR_MODEL_REFRESH_SECONDS", str(refresh_seconds))
    reset_settings()
