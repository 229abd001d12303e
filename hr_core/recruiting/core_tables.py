"""The recruiting tables as Core `Table`s (typed for insert/update/select)."""

from __future__ import annotations

from typing import cast

from sqlalchemy import Table

from hr_core.models.recruiting import Candidate, PipelineOpening, Prospect, Vaga

CANDIDATES = cast(Table, Candidate.__table__)
VAGAS = cast(Table, Vaga.__table__)
OPENINGS = cast(Table, PipelineOpening.__table__)
PROSPECTS = cast(Table, Prospect.__table__)
