"""Background job records and small application settings (e.g. the backup schedule)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import JSON, Float, Index, Integer, Text
from sqlalchemy.orm import Mapped, mapped_column

from hr_core.db import Base, UTCDateTime


class BackgroundJob(Base):
    """One submitted piece of long work and how it went (the record, whichever runner runs it).

    Named `background_jobs` because `jobs` is the HR data table of job titles.
    """

    __tablename__ = "background_jobs"
    __table_args__ = (
        Index("ix_background_jobs_state", "state"),
        Index("ix_background_jobs_actor", "actor"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    kind: Mapped[str] = mapped_column(Text, nullable=False)
    params: Mapped[dict[str, Any]] = mapped_column(JSON, nullable=False, default=dict)
    actor: Mapped[str] = mapped_column(Text, nullable=False)
    actor_role: Mapped[str] = mapped_column(Text, nullable=False)
    state: Mapped[str] = mapped_column(Text, nullable=False)
    progress: Mapped[float] = mapped_column(Float, nullable=False, default=0.0)
    message: Mapped[str] = mapped_column(Text, nullable=False, default="")
    result: Mapped[Any] = mapped_column(JSON, nullable=True)
    error: Mapped[str | None] = mapped_column(Text, nullable=True)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, nullable=False)
    started_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime, nullable=True)
    finished_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime, nullable=True)
    heartbeat_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime, nullable=True)
    # host/pid/nonce of the process running it, to tell a dead worker from a slow one.
    worker: Mapped[str | None] = mapped_column(Text, nullable=True)
    # Set on scheduled runs ("backup.schedule@<slot>") so that a slot runs once across processes.
    dedupe_key: Mapped[str | None] = mapped_column(Text, nullable=True, unique=True)


class AppSetting(Base):
    """A small named setting changed from the app (JSON value), e.g. the backup schedule."""

    __tablename__ = "app_settings"

    key: Mapped[str] = mapped_column(Text, primary_key=True)
    value: Mapped[dict[str, Any]] = mapped_column(JSON, nullable=False)
    updated_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, nullable=False)
    updated_by: Mapped[str] = mapped_column(Text, nullable=False)
