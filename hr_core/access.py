"""Roles, the acting user, and the one table of which role may do which action.

Every permission check in every face (pages, CLI, HTTP API) goes through `require_role(actor, action)`
and every menu or button asks `may(role, action)`; no other module holds a role list.
The same `Action` names are the audit log's vocabulary (see `hr_core.audit.audited`).
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import Literal

from hr_core.errors import PermissionDenied
from hr_core.i18n import N_

Role = Literal["analyst", "recruiter", "admin"]
ROLES: tuple[Role, ...] = ("analyst", "recruiter", "admin")
ADMIN_ROLE: Role = "admin"


@dataclass(frozen=True)
class Actor:
    """Who is acting: a logged-in user, an API client, or the command line run by an operator."""

    username: str
    role: Role


# The command line runs on the server by an operator who already has shell access.
CLI_ACTOR = Actor(username="cli", role="admin")
# Scheduled work an admin set up (the daily backup) runs as this actor.
SCHEDULER_ACTOR = Actor(username="scheduler", role="admin")


class Action(StrEnum):
    """Everything a user can do or see, named `area.verb`; also the audit log's action names."""

    # Hiring data and reports
    HR_LOAD = "hr.load"
    HR_READ = "hr.read"
    ANALYTICS_READ = "analytics.read"
    # Backups
    BACKUP_LIST = "backup.list"
    BACKUP_CREATE = "backup.create"
    BACKUP_VERIFY = "backup.verify"
    BACKUP_RESTORE = "backup.restore"
    BACKUP_PRUNE = "backup.prune"
    BACKUP_DOWNLOAD = "backup.download"
    BACKUP_SCHEDULE = "backup.schedule"
    # Recruiting
    RECRUITING_READ = "recruiting.read"
    RECRUITING_VIEW_PROFILE = "recruiting.view_profile"
    RECRUITING_EDIT = "recruiting.edit"
    OPENING_SKILLS_EDIT = "recruiting.opening_skills"
    RECRUITING_IMPORT = "recruiting.import"
    RECRUITING_EXPORT = "recruiting.export"
    CANDIDATE_ANONYMISE = "candidate.anonymise"
    # Matching and models
    MATCH_SCORE = "ml.score"
    MATCH_RECOMMEND = "ml.recommend"
    MATCH_FEEDBACK = "ml.feedback"
    MODEL_READ = "ml.model_read"
    MODEL_TRAIN = "ml.train"
    MODEL_PROMOTE = "ml.promote"
    INDEX_BUILD = "ml.build_index"
    DRIFT_REPORT = "ml.drift"
    FAIRNESS_REPORT = "ml.fairness"
    # Users, API keys, audit
    USERS_LIST = "users.list"
    USERS_ADD = "users.add"
    USERS_SET_ROLE = "users.set_role"
    USERS_DISABLE = "users.disable"
    USERS_ENABLE = "users.enable"
    USERS_RESET_PASSWORD = "users.reset_password"
    API_KEYS_MANAGE = "users.api_keys"
    AUDIT_READ = "audit.read"
    JOBS_READ = "jobs.read"
    JOBS_READ_ALL = "jobs.read_all"
    # Submitting long work needs no role of its own: the job kind's action decides (checked inside).
    JOBS_SUBMIT = "jobs.submit"
    # Events every logged-in user causes for themself (no role needed, audited)
    AUTH_LOGIN = "auth.login"
    AUTH_LOGOUT = "auth.logout"
    AUTH_CHANGE_PASSWORD = "auth.change_password"
    AUTH_API_KEY_USE = "auth.api_key_use"


_ANALYSTS: frozenset[Role] = frozenset({"analyst", "admin"})
_RECRUITERS: frozenset[Role] = frozenset({"recruiter", "admin"})
_ADMINS: frozenset[Role] = frozenset({"admin"})
_EVERYONE: frozenset[Role] = frozenset(ROLES)

# The one permission table: action -> roles that may perform it. Actions absent here need no role.
PERMISSIONS: dict[Action, frozenset[Role]] = {
    Action.HR_LOAD: _ANALYSTS,
    Action.HR_READ: _ANALYSTS,
    Action.ANALYTICS_READ: _ANALYSTS,
    Action.BACKUP_LIST: _ADMINS,
    Action.BACKUP_CREATE: _ADMINS,
    Action.BACKUP_VERIFY: _ADMINS,
    Action.BACKUP_RESTORE: _ADMINS,
    Action.BACKUP_PRUNE: _ADMINS,
    Action.BACKUP_DOWNLOAD: _ADMINS,
    Action.BACKUP_SCHEDULE: _ADMINS,
    Action.RECRUITING_READ: _RECRUITERS,
    Action.RECRUITING_VIEW_PROFILE: _RECRUITERS,
    Action.RECRUITING_EDIT: _RECRUITERS,
    Action.OPENING_SKILLS_EDIT: _RECRUITERS,
    Action.RECRUITING_IMPORT: _RECRUITERS,
    Action.RECRUITING_EXPORT: _RECRUITERS,
    Action.CANDIDATE_ANONYMISE: _ADMINS,
    Action.MATCH_SCORE: _RECRUITERS,
    Action.MATCH_RECOMMEND: _RECRUITERS,
    Action.MATCH_FEEDBACK: _RECRUITERS,
    Action.MODEL_READ: _RECRUITERS,
    Action.MODEL_TRAIN: _ADMINS,
    Action.MODEL_PROMOTE: _ADMINS,
    Action.INDEX_BUILD: _RECRUITERS,
    Action.DRIFT_REPORT: _RECRUITERS,
    Action.FAIRNESS_REPORT: _RECRUITERS,
    Action.USERS_LIST: _ADMINS,
    Action.USERS_ADD: _ADMINS,
    Action.USERS_SET_ROLE: _ADMINS,
    Action.USERS_DISABLE: _ADMINS,
    Action.USERS_ENABLE: _ADMINS,
    Action.USERS_RESET_PASSWORD: _ADMINS,
    Action.API_KEYS_MANAGE: _ADMINS,
    Action.AUDIT_READ: _ADMINS,
    Action.JOBS_READ: _EVERYONE,
    Action.JOBS_READ_ALL: _ADMINS,
}

# What each action means, in the words a refusal uses ("… may not <description>"); N_-marked so the
# audit log shows them translated.
DESCRIPTIONS: dict[Action, str] = {
    Action.HR_LOAD: N_("load HR data"),
    Action.HR_READ: N_("read HR data"),
    Action.ANALYTICS_READ: N_("read hiring reports"),
    Action.BACKUP_LIST: N_("list backups"),
    Action.BACKUP_CREATE: N_("back up tables"),
    Action.BACKUP_VERIFY: N_("verify backups"),
    Action.BACKUP_RESTORE: N_("restore tables"),
    Action.BACKUP_PRUNE: N_("prune backups"),
    Action.BACKUP_DOWNLOAD: N_("download backups"),
    Action.BACKUP_SCHEDULE: N_("schedule backups"),
    Action.RECRUITING_READ: N_("read recruiting data"),
    Action.RECRUITING_VIEW_PROFILE: N_("open candidate profiles"),
    Action.RECRUITING_EDIT: N_("create or edit recruiting data"),
    Action.OPENING_SKILLS_EDIT: N_("set which skills an opening requires"),
    Action.RECRUITING_IMPORT: N_("import recruiting data"),
    Action.RECRUITING_EXPORT: N_("export recruiting data"),
    Action.CANDIDATE_ANONYMISE: N_("anonymise candidates"),
    Action.MATCH_SCORE: N_("score matches"),
    Action.MATCH_RECOMMEND: N_("get recommendations"),
    Action.MATCH_FEEDBACK: N_("give feedback on matches"),
    Action.MODEL_READ: N_("read the model card"),
    Action.MODEL_TRAIN: N_("retrain the match model"),
    Action.MODEL_PROMOTE: N_("promote model versions"),
    Action.INDEX_BUILD: N_("rebuild the recommendation indexes"),
    Action.DRIFT_REPORT: N_("run a drift report"),
    Action.FAIRNESS_REPORT: N_("run a fairness report"),
    Action.USERS_LIST: N_("list users"),
    Action.USERS_ADD: N_("add users"),
    Action.USERS_SET_ROLE: N_("change roles"),
    Action.USERS_DISABLE: N_("disable users"),
    Action.USERS_ENABLE: N_("enable users"),
    Action.USERS_RESET_PASSWORD: N_("reset passwords"),
    Action.API_KEYS_MANAGE: N_("manage API keys"),
    Action.AUDIT_READ: N_("read the audit log"),
    Action.JOBS_READ: N_("read jobs"),
    Action.JOBS_READ_ALL: N_("read other users' jobs"),
    Action.JOBS_SUBMIT: N_("start long work"),
    Action.AUTH_LOGIN: N_("log in"),
    Action.AUTH_LOGOUT: N_("log out"),
    Action.AUTH_CHANGE_PASSWORD: N_("change a password"),
    Action.AUTH_API_KEY_USE: N_("use an API key"),
}


def roles_for(action: Action) -> frozenset[Role]:
    """The roles that may perform an action (every role when the action needs none)."""
    return PERMISSIONS.get(action, _EVERYONE)


def may(role: Role | None, action: Action) -> bool:
    """Whether a role may perform an action; no role (logged out) may perform none."""
    return role is not None and role in roles_for(action)


def describe(action: Action | str) -> str:
    """The plain-words description of an action, for messages."""
    try:
        return DESCRIPTIONS[Action(action)]
    except (ValueError, KeyError):
        return str(action)


def require_role(actor: Actor | None, action: Action) -> Actor:
    """Return the actor if its role may perform the action, else raise PermissionDenied naming it."""
    what = describe(action)
    if actor is None:
        raise PermissionDenied(f"log in to {what}")
    if not may(actor.role, action):
        allowed = " or ".join(r for r in ROLES if r in roles_for(action))
        raise PermissionDenied(
            f"user {actor.username!r} (role {actor.role}) may not {what}; it needs the {allowed} role"
        )
    return actor
