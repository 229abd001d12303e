"""`python -m hr_core users …` on SQLite and PostgreSQL: passwords from stdin or generated, exit codes."""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest
from sqlalchemy import Engine

from hr_core.auth import authenticate
from hr_core.cli import main
from hr_core.settings import reset_settings

REPO = Path(__file__).resolve().parents[2]


@pytest.fixture(autouse=True)
def _fast_bcrypt(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HR_BCRYPT_ROUNDS", "4")
    reset_settings()


class Result:
    def __init__(self, returncode: int, stdout: str, stderr: str) -> None:
        self.returncode, self.stdout, self.stderr = returncode, stdout, stderr


@pytest.fixture
def users(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> Callable[..., Result]:
    """Run `python -m hr_core users ARGS` in this process (fast) with stdin piped."""

    def run(*args: str, stdin: str = "") -> Result:
        monkeypatch.setattr(sys, "stdin", io.StringIO(stdin))
        capsys.readouterr()
        try:
            code = main(["users", *args])
        except SystemExit as e:  # argparse errors
            code = int(e.code or 0)
        captured = capsys.readouterr()
        return Result(code, captured.out, captured.err)

    return run


def test_piped_stdin_in_a_real_subprocess(engine: Engine) -> None:
    out = subprocess.run(
        [sys.executable, "-m", "hr_core", "users", "add", "Maria", "--role", "recruiter"],
        cwd=REPO,
        input="Piped-Secret-2024\n",
        capture_output=True,
        text=True,
        env=dict(os.environ),
        timeout=120,
    )
    assert out.returncode == 0, out.stderr
    assert len(out.stdout.strip().splitlines()) == 1
    assert (
        authenticate(engine=engine, username="maria", password="Piped-Secret-2024").actor.role == "recruiter"
    )


def test_add_reads_the_password_from_stdin(engine: Engine, users: Callable[..., Result]) -> None:
    out = users("add", "Maria", "--role", "recruiter", stdin="Piped-Secret-2024\n")
    assert out.returncode == 0, out.stderr
    result = json.loads(out.stdout)
    assert result["username"] == "maria" and result["role"] == "recruiter" and "password" not in result
    assert (
        authenticate(engine=engine, username="maria", password="Piped-Secret-2024").actor.role == "recruiter"
    )


def test_generate_prints_a_working_password_once(engine: Engine, users: Callable[..., Result]) -> None:
    out = users("add", "boss", "--role", "admin", "--generate")
    assert out.returncode == 0, out.stderr
    password = json.loads(out.stdout)["password"]
    assert authenticate(engine=engine, username="boss", password=password).actor.role == "admin"
    listed = users("list")
    assert listed.returncode == 0 and password not in listed.stdout
    assert [u["username"] for u in json.loads(listed.stdout)] == ["boss"]


@pytest.mark.parametrize(
    ("args", "stdin", "fragment"),
    [
        (("add", "weakling", "--role", "analyst"), "abc\n", "too short"),
        (("add", "nopass", "--role", "analyst"), "", "no password on stdin"),
        (("set-role", "ghost", "admin"), "", "'ghost' does not exist"),
        (("reset-password", "ghost", "--generate"), "", "'ghost' does not exist"),
        (("add", "x y", "--role", "analyst", "--generate"), "", "not allowed"),
    ],
)
def test_bad_input_exits_2_with_a_message(
    engine: Engine, users: Callable[..., Result], args: tuple[str, ...], stdin: str, fragment: str
) -> None:
    out = users(*args, stdin=stdin)
    assert out.returncode == 2, out.stderr
    assert fragment in out.stderr and "Traceback" not in out.stderr and out.stdout == ""


def test_unknown_role_is_refused_by_the_parser(engine: Engine, users: Callable[..., Result]) -> None:
    out = users("add", "maria", "--role", "boss", "--generate")
    assert out.returncode == 2 and "invalid choice" in out.stderr


def test_set_role_disable_and_reset_password(engine: Engine, users: Callable[..., Result]) -> None:
    assert users("add", "boss", "--role", "admin", "--generate").returncode == 0
    assert users("add", "ana", "--role", "analyst", stdin="First-Secret-111\n").returncode == 0
    assert json.loads(users("set-role", "ana", "recruiter").stdout)["role"] == "recruiter"
    assert json.loads(users("disable", "ana").stdout)["disabled"] is True
    last_admin = users("disable", "boss")
    assert last_admin.returncode == 2 and "last active admin" in last_admin.stderr
    reset = users("reset-password", "ana", stdin="Second-Secret-222\n")
    assert reset.returncode == 0, reset.stderr
    assert json.loads(users("enable", "ana").stdout)["disabled"] is False
    assert authenticate(engine=engine, username="ana", password="Second-Secret-222").actor.role == "recruiter"
