"""Loading HR data (departments, jobs, hired employees) from CSV, JSON batches and Avro files."""

from hr_core.ingest.load import (
    LoadResult,
    ValidationSummary,
    load_batch,
    load_dir,
    load_table,
    validate_batch,
    validate_upload,
)
from hr_core.ingest.modes import LoadMode
from hr_core.ingest.table_specs import LOAD_ORDER, TABLES, infer_table
from hr_core.ingest.validate import RejectRow

__all__ = [
    "LOAD_ORDER",
    "TABLES",
    "LoadMode",
    "LoadResult",
    "RejectRow",
    "ValidationSummary",
    "infer_table",
    "load_batch",
    "load_dir",
    "load_table",
    "validate_batch",
    "validate_upload",
]
