"""What a load does with a row whose id the table already holds."""

from __future__ import annotations

from enum import StrEnum


class LoadMode(StrEnum):
    """Add and update (the default): new ids inserted, changed rows updated. Add only: existing ids skipped."""

    ADD_AND_UPDATE = "add-and-update"
    ADD_ONLY = "add-only"
