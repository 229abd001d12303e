"""The command line names the cause of bad settings, bad paths and too-small samples (exit 2)."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import Engine

from hr_core.cli import main as cli_main
from hr_core.settings import reset_settings


def test_invalid_settings_are_named_with_their_variable(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("HR_BACKUP_RETENTION", "0")
    reset_settings()
    assert cli_main(["backups"]) == 2
    err = capsys.readouterr().err
    assert "invalid settings: HR_BACKUP_RETENTION (got '0'): must be at least 1" in err
    assert "unexpected" not in err


def test_a_secret_setting_is_never_echoed(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("HR_ENV", "production")
    monkeypatch.setenv("HR_COOKIE_KEY", "short-secret")
    reset_settings()
    assert cli_main(["backups"]) == 2
    err = capsys.readouterr().err
    assert "HR_COOKIE_KEY" in err and "short-secret" not in err


def test_drift_report_refuses_a_sample_too_small_to_show_drift(
    engine: Engine, capsys: pytest.CaptureFixture[str]
) -> None:
    assert cli_main(["drift-report", "--limit", "1"]) == 2
    assert "--limit 1 is too small" in capsys.readouterr().err


def test_drift_report_names_an_unwritable_out_before_working(
    engine: Engine, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    blocker = tmp_path / "a-file"
    blocker.write_text("x")
    assert cli_main(["drift-report", "--out", str(blocker / "report.html")]) == 2
    err = capsys.readouterr().err
    assert "cannot write the drift report to" in err and "unexpected" not in err
