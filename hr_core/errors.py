"""Domain errors raised by hr_core; pages show them, the CLI maps them to exit codes."""


class HRCoreError(Exception):
    """Base of every error hr_core raises on purpose."""

    exit_code = 1


class InvalidInputError(HRCoreError):
    """The caller gave bad input (a file, a value, a name); nothing was changed."""

    exit_code = 2


class NotFoundError(InvalidInputError):
    """A named thing (table, backup, candidate, user…) does not exist."""


class PermissionDenied(HRCoreError):
    """The acting user's role may not do this."""

    exit_code = 2


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
