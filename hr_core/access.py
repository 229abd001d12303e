"""Roles, the acting user, and which role may use which page or action."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from hr_core.errors import PermissionDenied

Role = Literal["analyst", "recruiter", "admin"]
ROLES: tuple[Role, ...] = ("analyst", "recruiter", "admin")


@dataclass(frozen=True)
class Actor:
    """Who is acting: a logged-in user, or the command line run by an operator."""

    username: str
    role: Role


# The command line runs on the server by an operator who already has shell access.
CLI_ACTOR = Actor(username="cli", role="admin")


@dataclass(frozen=True)
class PageSpec:
    """A page of the app, the file that renders it and the roles that may open it."""

    path: str
    title: str
    icon: str
    roles: tuple[Role, ...]
    section: str


PAGES: tuple[PageSpec, ...] = (
    PageSpec("pages/home.py", "Home", ":material/home:", ROLES, "Overview"),
    PageSpec("pages/upload.py", "Upload", ":material/upload:", ("analyst", "admin"), "Hiring"),
    PageSpec(
        "pages/hiring_analytics.py",
        "Hiring analytics",
        ":material/insights:",
        ("analyst", "admin"),
        "Hiring",
    ),
    PageSpec(
        "pages/candidates.py", "Candidates", ":material/person_search:", ("recruiter", "admin"), "Recruiting"
    ),
    PageSpec(
        "pages/job_openings.py", "Job openings", ":material/work:", ("recruiter", "admin"), "Recruiting"
    ),
    PageSpec("pages/pipeline.py", "Pipeline", ":material/filter_alt:", ("recruiter", "admin"), "Recruiting"),
    PageSpec(
        "pages/match_scoring.py", "Match scoring", ":material/speed:", ("recruiter", "admin"), "Recruiting"
    ),
    PageSpec(
        "pages/recommendations.py",
        "Recommendations",
        ":material/recommend:",
        ("recruiter", "admin"),
        "Recruiting",
    ),
    PageSpec(
        "pages/model_monitoring.py",
        "Model monitoring",
        ":material/monitor_heart:",
        ("recruiter", "admin"),
        "Recruiting",
    ),
    PageSpec("pages/backups.py", "Backups", ":material/backup:", ("admin",), "Admin"),
    PageSpec("pages/users.py", "Users", ":material/group:", ("admin",), "Admin"),
    PageSpec("pages/audit_log.py", "Audit log", ":material/history:", ("admin",), "Admin"),
)


def list_pages_for(role: Role | None) -> list[PageSpec]:
    """The pages a role may see, in menu order; no role sees none."""
    if role is None:
        return []
    return [p for p in PAGES if role in p.roles]


def may_open(role: Role | None, page_path: str) -> bool:
    """Whether a role may open the page stored at page_path."""
    return any(p.path == page_path for p in list_pages_for(role))


def require_role(actor: Actor | None, *roles: Role, action: str) -> Actor:
    """Return the actor if its role is one of roles, else raise PermissionDenied naming the action."""
    if actor is None:
        raise PermissionDenied(f"log in to {action}")
    if actor.role not in roles:
        allowed = " or ".join(roles)
        raise PermissionDenied(
            f"user {actor.username!r} (role {actor.role}) may not {action}; it needs the {allowed} role"
        )
    return actor
