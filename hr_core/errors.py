"""Domain errors raised by hr_core; pages show them, the CLI maps them to exit codes."""

from __future__ import annotations

from dataclasses import dataclass


class HRCoreError(Exception):
    """Base of every error hr_core raises on purpose."""

    exit_code = 1


class InvalidInputError(HRCoreError):
    """The caller gave bad input (a file, a value, a name); nothing was changed."""

    exit_code = 2


@dataclass(frozen=True)
class RowProblem:
    """One rejected input row: its table, line (1-based within its table), raw text and every reason."""

    table: str
    line: int
    raw: str
    reasons: tuple[str, ...]


class RowsRejected(InvalidInputError):
    """Some rows broke the rules, so nothing was written; `problems` lists every row and reason."""

    def __init__(self, message: str, problems: list[RowProblem]) -> None:
        super().__init__(message)
        self.problems = problems


class NotFoundError(InvalidInputError):
    """A named thing (table, backup, candidate, user…) does not exist."""


class PermissionDenied(HRCoreError):
    """The acting user's role may not do this."""

    exit_code = 2


class AuthenticationError(PermissionDenied):
    """No valid credentials: a wrong log-in, an ended session, a bad or revoked token or API key."""


class TooLargeError(InvalidInputError):
    """The input is larger than the configured limit (HR_UPLOAD_LIMIT_MB, rows per batch)."""


class ConflictError(HRCoreError):
    """Another operation holds the resource (e.g. a restore already running)."""


class StorageError(HRCoreError):
    """Storage (local disk or S3) failed or is unreachable."""


class DatabaseUnavailableError(HRCoreError):
    """The database cannot be reached."""


class IntegrityError(HRCoreError):
    """Data failed a consistency check (hash, foreign key, schema)."""


class ModelError(HRCoreError):
    """A trained artefact is missing, stale or fails its integrity check."""
