"""The one permission table: every action has a description, roles come only from it, refusals name the action."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

from hr_core.access import DESCRIPTIONS, PERMISSIONS, ROLES, Action, Actor, describe, may, require_role
from hr_core.errors import PermissionDenied

REPO = Path(__file__).resolve().parents[2]
ROLE_LITERAL = re.compile(r"""["'](analyst|recruiter|admin)["']""")


def test_every_action_is_described_and_every_permission_names_known_roles() -> None:
    assert set(DESCRIPTIONS) == set(Action)
    for action, roles in PERMISSIONS.items():
        assert roles and roles <= set(ROLES), action


def test_admin_may_do_everything_and_roles_differ() -> None:
    assert all(may("admin", a) for a in Action)
    assert may("analyst", Action.HR_LOAD) and not may("recruiter", Action.HR_LOAD)
    assert may("recruiter", Action.RECRUITING_EDIT) and not may("analyst", Action.RECRUITING_EDIT)
    assert not may("recruiter", Action.BACKUP_RESTORE) and not may(None, Action.JOBS_READ)


def test_require_role_names_the_action_and_the_roles_that_may() -> None:
    with pytest.raises(
        PermissionDenied, match=r"'ana' \(role analyst\) may not restore tables; it needs the admin"
    ):
        require_role(Actor("ana", "analyst"), Action.BACKUP_RESTORE)
    with pytest.raises(PermissionDenied, match="log in to load HR data"):
        require_role(None, Action.HR_LOAD)
    assert require_role(Actor("rui", "recruiter"), Action.MATCH_SCORE).username == "rui"
    assert describe("no.such") == "no.such"


def _role_lists(path: Path) -> list[str]:
    """Tuples, lists or sets of two or more role names written as literals in a source file."""
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Tuple | ast.List | ast.Set):
            names = [e.value for e in node.elts if isinstance(e, ast.Constant) and e.value in ROLES]
            if len(names) >= 2:
                found.append(f"{path.relative_to(REPO)}:{node.lineno}")
        if isinstance(node, ast.Compare) and any(
            isinstance(c, ast.Constant) and c.value in ROLES for c in node.comparators
        ):
            found.append(f"{path.relative_to(REPO)}:{node.lineno}")
    return found


def test_no_role_list_outside_access() -> None:
    files = [
        *REPO.glob("hr_core/**/*.py"),
        *REPO.glob("hr_api/**/*.py"),
        *REPO.glob("pages/*.py"),
        REPO / "Home.py",
    ]
    offenders = [hit for f in files if f.name != "access.py" for hit in _role_lists(f)]
    assert offenders == []
