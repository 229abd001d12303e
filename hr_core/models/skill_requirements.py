"""How much each skill extracted from an opening counts, as a recruiter set it (required / ignored)."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import CheckConstraint, Text
from sqlalchemy.orm import Mapped, mapped_column

from hr_core.db import Base, UTCDateTime
from hr_core.vocabulary import SKILL_LEVELS

_LEVEL_LIST = ", ".join(f"'{v}'" for v in SKILL_LEVELS)


class OpeningSkillRequirement(Base):
    """One skill term of one opening and its level; a term without a row is 'preferred' (the default).

    term is the skill's stem key (hr_core.ml.skills), label the words a recruiter saw. The opening code is
    not a foreign key (like match_feedback): an import may replace openings and the tuning stays.
    """

    __tablename__ = "opening_skill_requirements"
    __table_args__ = (
        CheckConstraint(f"level IN ({_LEVEL_LIST})", name="ck_opening_skill_requirements_level"),
    )

    vaga_codigo: Mapped[str] = mapped_column(Text, primary_key=True)
    term: Mapped[str] = mapped_column(Text, primary_key=True)
    label: Mapped[str] = mapped_column(Text, nullable=False, default="")
    level: Mapped[str] = mapped_column(Text, nullable=False)
    username: Mapped[str] = mapped_column(Text, nullable=False)
    updated_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, nullable=False)
