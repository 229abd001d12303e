"""The app's screens: file, title, icon, menu section, and the action that lets a role open each.

Which role may do an action is decided only by `hr_core.access.PERMISSIONS`; this table only names
the screens, so the core knows actions, not screens.
"""

from __future__ import annotations

from dataclasses import dataclass

from hr_core.access import Action, Role, may


@dataclass(frozen=True)
class PageSpec:
    """A page of the app, the file that renders it and the action a role needs to open it."""

    path: str
    title: str
    icon: str
    section: str
    action: Action | None  # None: every logged-in user


PAGES: tuple[PageSpec, ...] = (
    PageSpec("pages/home.py", "Home", ":material/home:", "Overview", None),
    PageSpec("pages/upload.py", "Upload", ":material/upload:", "Hiring", Action.HR_LOAD),
    PageSpec(
        "pages/hiring_analytics.py",
        "Hiring analytics",
        ":material/insights:",
        "Hiring",
        Action.ANALYTICS_READ,
    ),
    PageSpec(
        "pages/candidates.py", "Candidates", ":material/person_search:", "Recruiting", Action.RECRUITING_READ
    ),
    PageSpec(
        "pages/job_openings.py", "Job openings", ":material/work:", "Recruiting", Action.RECRUITING_READ
    ),
    PageSpec("pages/pipeline.py", "Pipeline", ":material/filter_alt:", "Recruiting", Action.RECRUITING_READ),
    PageSpec("pages/match_scoring.py", "Match scoring", ":material/speed:", "Recruiting", Action.MATCH_SCORE),
    PageSpec(
        "pages/recommendations.py",
        "Recommendations",
        ":material/recommend:",
        "Recruiting",
        Action.MATCH_RECOMMEND,
    ),
    PageSpec(
        "pages/model_monitoring.py",
        "Model monitoring",
        ":material/monitor_heart:",
        "Recruiting",
        Action.MODEL_READ,
    ),
    PageSpec("pages/backups.py", "Backups", ":material/backup:", "Admin", Action.BACKUP_LIST),
    PageSpec("pages/users.py", "Users", ":material/group:", "Admin", Action.USERS_LIST),
    PageSpec("pages/audit_log.py", "Audit log", ":material/history:", "Admin", Action.AUDIT_READ),
)


def may_see(role: Role | None, spec: PageSpec) -> bool:
    """Whether a role may open a page (any logged-in role for pages that need no action)."""
    return role is not None and (spec.action is None or may(role, spec.action))


def list_pages_for(role: Role | None) -> list[PageSpec]:
    """The pages a role may see, in menu order; no role sees none."""
    return [p for p in PAGES if may_see(role, p)]


def may_open(role: Role | None, page_path: str) -> bool:
    """Whether a role may open the page stored at page_path."""
    return any(p.path == page_path for p in list_pages_for(role))


def find_page(page_path: str) -> PageSpec | None:
    """The page stored at page_path, if it is one of the app's pages."""
    return next((p for p in PAGES if p.path == page_path), None)
