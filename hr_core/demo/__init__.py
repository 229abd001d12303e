"""Deterministic demo data: the HR CSVs (`demo.hr`) and the Decision recruiting JSON (`demo.recruiting`)."""

from hr_core.demo.hr import write_demo_dataset
from hr_core.demo.recruiting import write_recruiting_demo

__all__ = ["write_demo_dataset", "write_recruiting_demo"]
