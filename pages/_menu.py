"""The app's screens: file, title, icon, menu section, and the action that lets a role open each.

Which role may do an action is decided only by `hr_core.access.PERMISSIONS`; this table only names
the screens, so the core knows actions, not screens.
"""

from __future__ import annotations

from dataclasses import dataclass

from hr_core.access import Action, Role, may
from hr_core.i18n import N_


@dataclass(frozen=True)
class PageSpec:
    """A page of the app, the file that renders it and the action a role needs to open it."""

    path: str
    title: str
    icon: str
    section: str
    action: Action | None  # None: every logged-in user


PAGES: tuple[PageSpec, ...] = (
    PageSpec("pages/home.py", N_("Home"), ":material/home:", N_("Overview"), None),
    PageSpec("pages/upload.py", N_("Upload"), ":material/upload:", N_("Hiring"), Action.HR_LOAD),
    PageSpec(
        "pages/hiring_analytics.py",
        N_("Hiring analytics"),
        ":material/insights:",
        N_("Hiring"),
        Action.ANALYTICS_READ,
    ),
    PageSpec(
        "pages/candidates.py",
        N_("Candidates"),
        ":material/person_search:",
        N_("Recruiting"),
        Action.RECRUITING_READ,
    ),
    PageSpec(
        "pages/job_openings.py",
        N_("Job openings"),
        ":material/work:",
        N_("Recruiting"),
        Action.RECRUITING_READ,
    ),
    PageSpec(
        "pages/pipeline.py", N_("Pipeline"), ":material/filter_alt:", N_("Recruiting"), Action.RECRUITING_READ
    ),
    PageSpec(
        "pages/match_scoring.py",
        N_("Match scoring"),
        ":material/speed:",
        N_("Recruiting"),
        Action.MATCH_SCORE,
    ),
    PageSpec(
        "pages/recommendations.py",
        N_("Recommendations"),
        ":material/recommend:",
        N_("Recruiting"),
        Action.MATCH_RECOMMEND,
    ),
    PageSpec(
        "pages/cv_match.py",
        N_("Match a CV"),
        ":material/description:",
        N_("Recruiting"),
        Action.MATCH_RECOMMEND,
    ),
    PageSpec(
        "pages/model_monitoring.py",
        N_("Model monitoring"),
        ":material/monitor_heart:",
        N_("Recruiting"),
        Action.MODEL_READ,
    ),
    PageSpec("pages/backups.py", N_("Backups"), ":material/backup:", N_("Admin"), Action.BACKUP_LIST),
    PageSpec("pages/users.py", N_("Users"), ":material/group:", N_("Admin"), Action.USERS_LIST),
    PageSpec("pages/audit_log.py", N_("Audit log"), ":material/history:", N_("Admin"), Action.AUDIT_READ),
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
