"""TalentLens core: database, storage, ingest, analytics, recruiting, auth and ML, with no UI."""

__version__ = "0.1.0"
