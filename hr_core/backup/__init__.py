"""Verified Avro backups of the allow-listed tables, and atomic restores, on local disk or S3."""

from hr_core.backup.allowed_tables import TABLE_ORDER, check_table_name
from hr_core.backup.manifest import BackupInfo, Manifest, check_backup_id, find_backup_table, list_backups
from hr_core.backup.prune import PruneResult, prune_backups
from hr_core.backup.restore import (
    RestoreDiff,
    RestoreObserver,
    RestoreResult,
    RestoreStage,
    compute_live_content_hash,
    diff_backup,
    restore_backup,
)
from hr_core.backup.verify import VerifyResult, download_backup, verify_backup
from hr_core.backup.writer import BackupResult, create_all_backups, create_backup

__all__ = [
    "TABLE_ORDER",
    "BackupInfo",
    "BackupResult",
    "Manifest",
    "PruneResult",
    "RestoreDiff",
    "RestoreObserver",
    "RestoreResult",
    "RestoreStage",
    "VerifyResult",
    "check_backup_id",
    "check_table_name",
    "compute_live_content_hash",
    "create_all_backups",
    "create_backup",
    "diff_backup",
    "download_backup",
    "find_backup_table",
    "list_backups",
    "prune_backups",
    "restore_backup",
    "verify_backup",
]
