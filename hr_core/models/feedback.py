"""Recruiters' feedback on suggested matches: one row per verdict, kept as a history (latest wins)."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import CheckConstraint, Index, Integer, Text
from sqlalchemy.orm import Mapped, mapped_column

from hr_core.db import Base, UTCDateTime
from hr_core.vocabulary import FEEDBACK_VERDICTS

_VERDICT_LIST = ", ".join(f"'{v}'" for v in FEEDBACK_VERDICTS)


class MatchFeedback(Base):
    """A recruiter's verdict (good / wrong) on a candidate for an opening, with an optional reason.

    Codes are not foreign keys (like prospects): an import may replace candidates or openings, and the
    feedback given on them stays; training reads only pairs whose candidate and opening exist.
    """

    __tablename__ = "match_feedback"
    __table_args__ = (
        Index("ix_match_feedback_pair", "candidate_codigo", "vaga_codigo"),
        CheckConstraint(f"verdict IN ({_VERDICT_LIST})", name="ck_match_feedback_verdict"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    candidate_codigo: Mapped[str] = mapped_column(Text, nullable=False)
    vaga_codigo: Mapped[str] = mapped_column(Text, nullable=False)
    verdict: Mapped[str] = mapped_column(Text, nullable=False)
    reason: Mapped[str] = mapped_column(Text, nullable=False, default="")
    source: Mapped[str] = mapped_column(Text, nullable=False)
    username: Mapped[str] = mapped_column(Text, nullable=False)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, nullable=False)
