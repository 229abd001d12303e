"""All table models; importing this package registers them on Base.metadata."""

from hr_core.models.audit import AuditEvent
from hr_core.models.hr import Department, HiredEmployee, Job

__all__ = ["AuditEvent", "Department", "HiredEmployee", "Job"]
