"""All table models; importing this package registers them on Base.metadata."""

from hr_core.models.audit import AuditEvent
from hr_core.models.auth import ApiKey, User
from hr_core.models.feedback import MatchFeedback
from hr_core.models.hr import Department, HiredEmployee, Job
from hr_core.models.jobs import AppSetting, BackgroundJob
from hr_core.models.recruiting import (
    Candidate,
    PipelineOpening,
    Prospect,
    ProspectNote,
    ProspectStageChange,
    Vaga,
)
from hr_core.models.skill_requirements import OpeningSkillRequirement

__all__ = [
    "ApiKey",
    "AppSetting",
    "AuditEvent",
    "BackgroundJob",
    "Candidate",
    "Department",
    "HiredEmployee",
    "Job",
    "MatchFeedback",
    "OpeningSkillRequirement",
    "PipelineOpening",
    "Prospect",
    "ProspectNote",
    "ProspectStageChange",
    "User",
    "Vaga",
]
