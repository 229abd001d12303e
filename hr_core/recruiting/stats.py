"""Pipeline funnels and stage conversion: across openings, by recruiter and by month."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import pandas as pd
from sqlalchemy import Engine

from hr_core.pipeline_stages import STAGE_LABELS, STAGE_ORDER
from hr_core.sqlfiles import fetch_frame, fetch_one

# Stages a prospect moves through in order; rejected / withdrew / unknown are exits.
PROGRESSIVE = ("applied", "in_process", "interview", "approved")
EXITS = tuple(s for s in (*STAGE_ORDER, "unknown") if s not in PROGRESSIVE)


def build_funnel(counts: Mapping[str, int]) -> pd.DataFrame:
    """Funnel rows: prospects at each stage, those who reached it, and conversion from the stage before.

    Everyone counts as having applied; a prospect at a later stage has passed the earlier ones.
    Exits (rejected, withdrew, unknown) follow with their counts and no conversion.
    """
    total = sum(int(v) for v in counts.values())
    rows: list[dict[str, Any]] = []
    previous: int | None = None
    for index, stage in enumerate(PROGRESSIVE):
        at = int(counts.get(stage, 0))
        reached = total if index == 0 else sum(int(counts.get(s, 0)) for s in PROGRESSIVE[index:])
        conversion = (reached / previous if previous else None) if index else None
        rows.append(
            {
                "stage": stage,
                "label": STAGE_LABELS[stage],
                "at_stage": at,
                "reached": reached,
                "conversion": conversion,
            }
        )
        previous = reached
    for stage in EXITS:
        at = int(counts.get(stage, 0))
        if at or stage != "unknown":
            rows.append(
                {
                    "stage": stage,
                    "label": STAGE_LABELS[stage],
                    "at_stage": at,
                    "reached": at,
                    "conversion": None,
                }
            )
    return pd.DataFrame(rows, columns=["stage", "label", "at_stage", "reached", "conversion"])


def count_recruiting_rows(*, engine: Engine) -> dict[str, int]:
    """Rows per recruiting table and prospects that point at a missing candidate or opening."""
    row = fetch_one(engine, "count_recruiting_rows")
    assert row is not None  # COUNTs always return one row
    return {k: int(v) for k, v in row.items()}


def _pivot(df: pd.DataFrame, index: str) -> pd.DataFrame:
    """Index × stage counts with total, hire rate (approved / total) and exit rate."""
    stages = [*STAGE_ORDER, "unknown"]
    if df.empty:
        return pd.DataFrame(columns=[index, *stages, "total", "approved_rate", "exit_rate"])
    wide = df.pivot_table(index=index, columns="stage", values="prospects", aggfunc="sum", fill_value=0)
    wide = wide.reindex(columns=stages, fill_value=0)
    if not wide["unknown"].any():
        wide = wide.drop(columns="unknown")
    wide["total"] = wide.sum(axis=1)
    wide["approved_rate"] = wide["approved"] / wide["total"]
    wide["exit_rate"] = (wide["rejected"] + wide["withdrew"]) / wide["total"]
    wide.columns.name = None
    return wide.reset_index()


def get_pipeline_overview(*, engine: Engine) -> dict[str, Any]:
    """Totals, the funnel across openings, and stage counts by recruiter and by application month."""
    by_stage = fetch_frame(engine, "count_prospects_by_stage")
    counts = {str(s): int(n) for s, n in zip(by_stage["stage"], by_stage["prospects"], strict=True)}
    by_recruiter = fetch_frame(engine, "count_prospects_by_recruiter_stage")
    by_recruiter["recrutador"] = by_recruiter["recrutador"].replace("", "(none)")
    by_month = fetch_frame(engine, "count_prospects_by_month_stage")
    return {
        "totals": count_recruiting_rows(engine=engine),
        "funnel": build_funnel(counts),
        "by_recruiter": _pivot(by_recruiter, "recrutador"),
        "by_month": _pivot(by_month, "month"),
    }


def count_opening_stages(*, engine: Engine, codes: list[str]) -> pd.DataFrame:
    """Prospects per stage for each of the given openings (codes × stages, zeros filled)."""
    df = fetch_frame(engine, "count_prospects_by_opening_stage", codes=list(codes) or [""])
    return _pivot(df, "vaga_codigo")
