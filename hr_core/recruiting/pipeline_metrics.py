"""The pipeline numbers recruiters ask for: days from application to each stage and to the decision
(median and quartiles, overall or per opening, client or recruiter), stage-to-stage conversion, open
openings ageing without movement, and the same figures per month of application.

Where a stage was reached is read from the stage history (moves made in the app); a prospect's current
stage with no history is dated by its last update. Days are whole calendar days (UTC) from the application
date. A date that is missing, unreadable or earlier than the application leaves that figure out, and the
report counts the prospects it happened to, so nobody reads a median as covering everyone.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import asdict, dataclass, field
from typing import Any, Literal

import pandas as pd
from sqlalchemy import Engine, RowMapping

from hr_core.access import Action, Actor, require_role
from hr_core.errors import InvalidInputError
from hr_core.pipeline_stages import STAGE_ORDER
from hr_core.recruiting.stats import PROGRESSIVE
from hr_core.sqlfiles import fetch_all

GroupBy = Literal["overall", "opening", "client", "recruiter"]
GROUP_BYS: tuple[GroupBy, ...] = ("overall", "opening", "client", "recruiter")
# The only grouping columns a caller may choose (Python-side; no identifier reaches SQL).
_GROUP_COLUMNS: dict[str, str] = {
    "overall": "overall",
    "opening": "vaga_codigo",
    "client": "cliente",
    "recruiter": "recrutador",
    "month": "month",
}
# Stages whose date is measured from the application (applying is day 0 by definition).
TIMED_STAGES: tuple[str, ...] = tuple(s for s in STAGE_ORDER if s != "applied")
# A decision is the first move to a hired or a rejected stage.
DECISION = "decision"
DECISION_STAGES: tuple[str, ...] = ("approved", "rejected")
ALL_STAGES: tuple[str, ...] = (*STAGE_ORDER, "unknown")
STALE_AFTER_DAYS = 30
TABLES = ("time_to_stage", "time_to_decision", "conversion", "ageing", "monthly_time", "monthly_conversion")
Table = Literal[
    "time_to_stage", "time_to_decision", "conversion", "ageing", "monthly_time", "monthly_conversion"
]


@dataclass(frozen=True)
class StageDuration:
    """Days from application to a stage (or to the decision) for one group: how many, median, quartiles."""

    group: str
    label: str
    stage: str
    prospects: int
    median_days: float
    p25_days: float
    p75_days: float


@dataclass(frozen=True)
class StageConversion:
    """Of the prospects of a group that reached `from_stage`, the share that reached `to_stage` or later."""

    group: str
    label: str
    from_stage: str
    to_stage: str
    reached_from: int
    reached_to: int
    rate: float | None


@dataclass(frozen=True)
class AgeingOpening:
    """An open opening (nobody hired yet) and the days since anything moved in it (or since it was opened)."""

    vaga_codigo: str
    titulo: str
    cliente: str
    analista_responsavel: str
    opened_on: dt.date | None
    last_movement: dt.date
    days_without_movement: int
    prospects: int
    by_stage: dict[str, int]


@dataclass(frozen=True)
class DateGaps:
    """Prospects (and openings) some figure had to leave out for want of a usable date."""

    prospects: int = 0  # distinct prospects with any gap below
    no_application_date: int = 0
    no_stage_date: int = 0  # current stage past 'applied' with neither history nor last-update date
    before_application: int = 0  # a stage date earlier than the application
    openings_without_date: int = 0  # open openings with no date at all (left out of ageing)


@dataclass(frozen=True)
class PipelineReport:
    """Every pipeline number at once, for one grouping and one day."""

    group_by: GroupBy
    as_of: dt.date
    prospects: int
    hire_rate: float | None  # application → hired, over every prospect
    stale_after_days: int
    stale_openings: int  # open openings without movement for more than stale_after_days
    date_gaps: DateGaps
    time_to_stage: list[StageDuration] = field(default_factory=list)
    time_to_decision: list[StageDuration] = field(default_factory=list)
    conversion: list[StageConversion] = field(default_factory=list)
    ageing: list[AgeingOpening] = field(default_factory=list)
    monthly_time: list[StageDuration] = field(default_factory=list)
    monthly_conversion: list[StageConversion] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)

    def table(self, name: str) -> pd.DataFrame:
        """One section as a flat table (for CSV): ageing gets one column per stage."""
        check_table(name)
        rows: list[Any] = getattr(self, name)
        if name == "ageing":
            flat = [{**{k: v for k, v in asdict(r).items() if k != "by_stage"}, **r.by_stage} for r in rows]
            columns = [f for f in AgeingOpening.__dataclass_fields__ if f != "by_stage"] + list(ALL_STAGES)
            return pd.DataFrame(flat, columns=columns)
        kind = StageConversion if "conversion" in name else StageDuration
        return pd.DataFrame([asdict(r) for r in rows], columns=list(kind.__dataclass_fields__))


def check_group_by(group_by: str) -> GroupBy:
    """The grouping if it is one of GROUP_BYS, else a clear error."""
    if group_by not in GROUP_BYS:
        raise InvalidInputError(f"group_by {group_by!r} is not one of {', '.join(GROUP_BYS)}")
    return group_by  # type: ignore[return-value]


def check_table(name: str) -> Table:
    """The table name if it is one of TABLES, else a clear error."""
    if name not in TABLES:
        raise InvalidInputError(f"table {name!r} is not one of {', '.join(TABLES)}")
    return name  # type: ignore[return-value]


def _as_date(value: object) -> dt.date | None:
    """A date from a driver value (date, datetime, ISO text on SQLite); None when missing or unreadable."""
    if value is None:
        return None
    if isinstance(value, dt.datetime):
        return (value.astimezone(dt.UTC) if value.tzinfo else value).date()
    if isinstance(value, dt.date):
        return value
    try:
        return dt.date.fromisoformat(str(value).strip()[:10])
    except ValueError:
        return None


@dataclass
class _History:
    first: dict[str, dt.date] = field(default_factory=dict)  # stage -> first day it was reached
    stages: set[str] = field(default_factory=set)  # every stage it passed through
    last: dt.date | None = None


@dataclass(frozen=True)
class _Facts:
    prospects: pd.DataFrame  # one row per prospect: groups, month, reached (index in PROGRESSIVE), last move
    timings: pd.DataFrame  # one row per (prospect, timed stage or decision) with a usable date: days
    gaps: DateGaps


_GROUPS = ("vaga_codigo", "titulo", "cliente", "recrutador", "month")


def _histories(changes: Iterable[RowMapping]) -> dict[tuple[str, str], _History]:
    out: dict[tuple[str, str], _History] = {}
    for row in changes:
        day = _as_date(row["changed_at"])
        h = out.setdefault((row["vaga_codigo"], row["candidate_codigo"]), _History())
        h.stages.update(s for s in (row["from_stage"], row["to_stage"]) if s)
        if day is None:
            continue
        stage = row["to_stage"]
        if stage not in h.first or day < h.first[stage]:
            h.first[stage] = day
        h.last = day if h.last is None else max(h.last, day)
    return out


def _load_facts(engine: Engine) -> _Facts:
    rows = fetch_all(engine, "list_pipeline_prospect_dates")
    histories = _histories(fetch_all(engine, "list_pipeline_stage_changes"))
    prospects: list[dict[str, Any]] = []
    timings: list[dict[str, Any]] = []
    no_applied = no_stage = before = 0
    gap_prospects = 0
    empty = _History()
    for row in rows:
        stage = row["stage"] if row["stage"] in ALL_STAGES else "unknown"
        applied = _as_date(row["data_candidatura"])
        updated = _as_date(row["ultima_atualizacao"])
        history = histories.get((row["vaga_codigo"], row["candidate_codigo"]), empty)
        groups = {
            "vaga_codigo": row["vaga_codigo"],
            "titulo": row["titulo"] or "",
            "cliente": row["cliente"] or "",
            "recrutador": row["recrutador"] or "",
            "month": applied.strftime("%Y-%m") if applied else "",
        }
        reached = max((PROGRESSIVE.index(s) for s in (stage, *history.stages) if s in PROGRESSIVE), default=0)
        moved = [d for d in (applied, updated, history.last) if d is not None]
        prospects.append(
            {**groups, "stage": stage, "reached": reached, "last_move": max(moved, default=None)}
        )
        dates = dict(history.first)
        if stage not in dates and stage in TIMED_STAGES and updated is not None:
            dates[stage] = updated
        gap = False
        if stage in TIMED_STAGES and stage not in dates:
            no_stage += 1
            gap = True
        if applied is None:
            no_applied += 1
            gap_prospects += 1
            continue
        days = {s: (d - applied).days for s, d in dates.items() if s in TIMED_STAGES}
        if any(n < 0 for n in days.values()):
            before += 1
            gap = True
        days = {s: n for s, n in days.items() if n >= 0}
        decided = [n for s, n in days.items() if s in DECISION_STAGES]
        if decided:
            days[DECISION] = min(decided)
        timings.extend({**groups, "stage": s, "days": n} for s, n in days.items())
        gap_prospects += gap
    return _Facts(
        prospects=pd.DataFrame(prospects, columns=[*_GROUPS, "stage", "reached", "last_move"]),
        timings=pd.DataFrame(timings, columns=[*_GROUPS, "stage", "days"]),
        gaps=DateGaps(
            prospects=gap_prospects,
            no_application_date=no_applied,
            no_stage_date=no_stage,
            before_application=before,
        ),
    )


def _with_group(df: pd.DataFrame, group_by: str) -> pd.DataFrame:
    """df with `group` and `label` columns for a grouping (overall: one group named '')."""
    if group_by == "overall":
        return df.assign(group="", label="")
    column = _GROUP_COLUMNS[group_by]
    out = df[df[column] != ""] if group_by == "month" else df
    return out.assign(group=out[column], label=out["titulo"] if group_by == "opening" else out[column])


def _stage_rank(stage: str) -> int:
    order = (*TIMED_STAGES, DECISION)
    return order.index(stage) if stage in order else len(order)


def summarise_durations(
    timings: pd.DataFrame, group_by: str, *, stages: Iterable[str]
) -> list[StageDuration]:
    """Median and quartiles (linear interpolation) of days to each stage, per group, in stage order."""
    wanted = timings[timings["stage"].isin(list(stages))]
    if wanted.empty:
        return []
    df = _with_group(wanted, group_by)
    grouped = df.groupby(["group", "stage"], sort=False)["days"]
    stats = pd.DataFrame(
        {
            "label": df.groupby(["group", "stage"], sort=False)["label"].first(),
            "prospects": grouped.count(),
            "median": grouped.median(),
            "p25": grouped.quantile(0.25),
            "p75": grouped.quantile(0.75),
        }
    ).reset_index()
    stats["rank"] = stats["stage"].map(_stage_rank)
    stats = stats.sort_values(["group", "rank"], kind="stable")
    return [
        StageDuration(
            group=str(r.group),
            label=str(r.label),
            stage=str(r.stage),
            prospects=int(r.prospects),
            median_days=float(r.median),
            p25_days=float(r.p25),
            p75_days=float(r.p75),
        )
        for r in stats.itertuples(index=False)
    ]


def summarise_conversion(prospects: pd.DataFrame, group_by: str) -> list[StageConversion]:
    """Per group, the share of those who reached each progressive stage who reached the next or later."""
    if prospects.empty:
        return []
    df = _with_group(prospects, group_by)
    reached = pd.DataFrame({stage: df["reached"] >= k for k, stage in enumerate(PROGRESSIVE)})
    reached["group"] = df["group"].to_numpy()
    sums = reached.groupby("group", sort=True).sum()
    labels = df.groupby("group", sort=True)["label"].first()
    rows = []
    for group, counts in sums.iterrows():
        for before, after in zip(PROGRESSIVE, PROGRESSIVE[1:], strict=False):
            n_from, n_to = int(counts[before]), int(counts[after])
            rows.append(
                StageConversion(
                    group=str(group),
                    label=str(labels[group]),
                    from_stage=before,
                    to_stage=after,
                    reached_from=n_from,
                    reached_to=n_to,
                    rate=n_to / n_from if n_from else None,
                )
            )
    return rows


def _ageing(
    openings: Iterable[RowMapping], prospects: pd.DataFrame, today: dt.date
) -> tuple[list[AgeingOpening], int]:
    counts: dict[str, dict[str, int]] = {}
    last: dict[str, dt.date] = {}
    for vaga, stage, moved in zip(
        prospects["vaga_codigo"], prospects["stage"], prospects["last_move"], strict=True
    ):
        by_stage = counts.setdefault(vaga, dict.fromkeys(ALL_STAGES, 0))
        by_stage[stage] += 1
        if moved is not None and not pd.isna(moved) and (vaga not in last or moved > last[vaga]):
            last[vaga] = moved
    out: list[AgeingOpening] = []
    undated = 0
    for opening in openings:
        code = opening["vaga_codigo"]
        by_stage = counts.get(code, dict.fromkeys(ALL_STAGES, 0))
        if by_stage["approved"]:
            continue  # someone was hired: the opening is filled
        opened = _as_date(opening["data_requisicao"])
        moved = last.get(code, opened)
        if moved is None or moved > today:
            undated += 1
            continue
        out.append(
            AgeingOpening(
                vaga_codigo=code,
                titulo=opening["titulo"] or "",
                cliente=opening["cliente"] or "",
                analista_responsavel=opening["analista_responsavel"] or "",
                opened_on=opened,
                last_movement=moved,
                days_without_movement=(today - moved).days,
                prospects=sum(by_stage.values()),
                by_stage=by_stage,
            )
        )
    out.sort(key=lambda o: (-o.days_without_movement, o.vaga_codigo))
    return out, undated


def build_pipeline_report(
    *,
    engine: Engine,
    actor: Actor,
    group_by: str = "overall",
    today: dt.date | None = None,
    stale_after_days: int = STALE_AFTER_DAYS,
) -> PipelineReport:
    """Every pipeline number for one grouping (recruiters and admins), as of today (UTC) unless given."""
    require_role(actor, Action.RECRUITING_READ)
    grouping = check_group_by(group_by)
    if stale_after_days < 0:
        raise InvalidInputError(f"stale_after_days must be 0 or more, not {stale_after_days}")
    day = today or dt.datetime.now(dt.UTC).date()
    facts = _load_facts(engine)
    ageing, undated = _ageing(fetch_all(engine, "list_pipeline_openings"), facts.prospects, day)
    total = len(facts.prospects)
    hired = int((facts.prospects["reached"] >= PROGRESSIVE.index("approved")).sum())
    return PipelineReport(
        group_by=grouping,
        as_of=day,
        prospects=total,
        hire_rate=hired / total if total else None,
        stale_after_days=stale_after_days,
        stale_openings=sum(1 for o in ageing if o.days_without_movement > stale_after_days),
        date_gaps=DateGaps(**{**asdict(facts.gaps), "openings_without_date": undated}),
        time_to_stage=summarise_durations(facts.timings, grouping, stages=TIMED_STAGES),
        time_to_decision=summarise_durations(facts.timings, grouping, stages=(DECISION,)),
        conversion=summarise_conversion(facts.prospects, grouping),
        ageing=ageing,
        monthly_time=summarise_durations(facts.timings, "month", stages=(*TIMED_STAGES, DECISION)),
        monthly_conversion=summarise_conversion(facts.prospects, "month"),
    )


def get_time_to_stage(*, engine: Engine, actor: Actor, group_by: str = "overall") -> list[StageDuration]:
    """Days from application to each stage reached, per group (recruiters and admins)."""
    require_role(actor, Action.RECRUITING_READ)
    return summarise_durations(_load_facts(engine).timings, check_group_by(group_by), stages=TIMED_STAGES)


def get_time_to_decision(*, engine: Engine, actor: Actor, group_by: str = "overall") -> list[StageDuration]:
    """Days from application to the first hired-or-rejected stage, per group (recruiters and admins)."""
    require_role(actor, Action.RECRUITING_READ)
    return summarise_durations(_load_facts(engine).timings, check_group_by(group_by), stages=(DECISION,))


def get_stage_conversion(*, engine: Engine, actor: Actor, group_by: str = "overall") -> list[StageConversion]:
    """Stage-to-stage conversion in the order of the pipeline, per group (recruiters and admins)."""
    require_role(actor, Action.RECRUITING_READ)
    return summarise_conversion(_load_facts(engine).prospects, check_group_by(group_by))


def list_ageing_openings(
    *, engine: Engine, actor: Actor, today: dt.date | None = None
) -> list[AgeingOpening]:
    """Open openings, longest without movement first, with their prospects per stage (recruiters, admins)."""
    require_role(actor, Action.RECRUITING_READ)
    day = today or dt.datetime.now(dt.UTC).date()
    return _ageing(fetch_all(engine, "list_pipeline_openings"), _load_facts(engine).prospects, day)[0]
