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
from sqlalchemy import Engine

from hr_core.access import Action, Actor, require_role
from hr_core.errors import InvalidInputError
from hr_core.pipeline_stages import STAGE_ORDER
from hr_core.recruiting.stats import PROGRESSIVE
from hr_core.sqlfiles import fetch_frame

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


def _days_of(values: pd.Series, *, moments: bool = False) -> pd.Series:
    """Calendar days (datetime64 at midnight) from driver values: dates, datetimes (UTC day) or ISO text
    (SQLite); missing or unreadable values become NaT."""
    if values.empty:
        return pd.Series(pd.NaT, index=values.index, dtype="datetime64[ns]")
    if moments:
        stamps = pd.to_datetime(values, errors="coerce", utc=True, format="ISO8601")
        return stamps.dt.tz_localize(None).dt.normalize()
    return pd.to_datetime(values, errors="coerce", format="ISO8601").dt.normalize()


def _months(days: pd.Series) -> pd.Series:
    """'YYYY-MM' of each day ('' for NaT), formatting each distinct month once."""
    numbers = (days.dt.year * 100 + days.dt.month).fillna(0).astype(int)
    names = {n: f"{n // 100:04d}-{n % 100:02d}" if n else "" for n in numbers.unique()}
    return numbers.map(names)


@dataclass(frozen=True)
class _Facts:
    prospects: (
        pd.DataFrame
    )  # one row per prospect: groups, month, stage, reached (index in PROGRESSIVE), last_move
    timings: pd.DataFrame  # one row per (prospect, timed stage or decision) with a usable date: days
    gaps: DateGaps


_GROUPS = ["vaga_codigo", "titulo", "cliente", "recrutador", "month"]
_PAIR = ["vaga_codigo", "candidate_codigo"]
_PROGRESS = {stage: index for index, stage in enumerate(PROGRESSIVE)}


def _history(changes: pd.DataFrame) -> pd.DataFrame:
    """Per prospect (the pair of codes): the first day each stage was reached, the last move, and the
    furthest progressive stage passed through."""
    changes = changes.assign(day=_days_of(changes["changed_at"], moments=True))
    dated = changes.dropna(subset=["day"])
    first = dated.groupby([*_PAIR, "to_stage"])["day"].min().unstack("to_stage")
    first = first.reindex(columns=list(TIMED_STAGES)).add_prefix("first_")
    passed = pd.concat(
        [changes["from_stage"].map(_PROGRESS), changes["to_stage"].map(_PROGRESS)], axis=1
    ).max(axis=1)
    summary = pd.DataFrame(
        {
            "history_last": dated.groupby(_PAIR)["day"].max(),
            "history_reached": passed.groupby([changes[c] for c in _PAIR]).max(),
        }
    )
    return summary.join(first, how="outer")


def _load_facts(engine: Engine) -> _Facts:
    rows = fetch_frame(engine, "list_pipeline_prospect_dates")
    history = _history(fetch_frame(engine, "list_pipeline_stage_changes"))
    p = rows.join(history, on=_PAIR)
    for col in ("titulo", "cliente", "recrutador"):
        p[col] = p[col].fillna("").astype(str)
    p["stage"] = p["stage"].where(p["stage"].isin(ALL_STAGES), "unknown")
    applied = _days_of(p["data_candidatura"])
    updated = _days_of(p["ultima_atualizacao"])
    p["month"] = _months(applied)
    p["reached"] = (
        pd.concat([p["stage"].map(_PROGRESS), p["history_reached"]], axis=1).max(axis=1).fillna(0).astype(int)
    )
    p["last_move"] = pd.concat([applied, updated, pd.to_datetime(p["history_last"])], axis=1).max(axis=1)
    # The day each timed stage was reached: the history's first move to it, else (the current stage) the
    # prospect's last update.
    days = pd.DataFrame(index=p.index)
    current_dated = pd.Series(False, index=p.index)
    for stage in TIMED_STAGES:
        reached_on = pd.to_datetime(p[f"first_{stage}"])
        is_current = p["stage"] == stage
        reached_on = reached_on.where(reached_on.notna() | ~is_current, updated)
        current_dated |= is_current & reached_on.notna()
        days[stage] = (reached_on - applied).dt.days
    no_stage = p["stage"].isin(TIMED_STAGES) & ~current_dated
    before = (days < 0).any(axis=1)
    days = days.where(days >= 0)
    days[DECISION] = days[list(DECISION_STAGES)].min(axis=1)
    timings = (
        days.join(p[_GROUPS])
        .melt(id_vars=_GROUPS, var_name="stage", value_name="days")
        .dropna(subset=["days"])
    )
    no_applied = applied.isna()
    return _Facts(
        prospects=p[[*_GROUPS, "stage", "reached", "last_move"]],
        timings=timings.astype({"days": int}),
        gaps=DateGaps(
            prospects=int((no_applied | no_stage | before).sum()),
            no_application_date=int(no_applied.sum()),
            no_stage_date=int(no_stage.sum()),
            before_application=int(before.sum()),
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
    labels = df.groupby("group", sort=True)["label"].first().reindex(sums.index).tolist()
    counts = sums[list(PROGRESSIVE)].to_numpy().tolist()  # plain ints: a loop over them is quick
    steps = list(zip(PROGRESSIVE, PROGRESSIVE[1:], strict=False))
    rows = []
    for group, label, reached_counts in zip(sums.index.tolist(), labels, counts, strict=True):
        for k, (before, after) in enumerate(steps):
            n_from, n_to = int(reached_counts[k]), int(reached_counts[k + 1])
            rows.append(
                StageConversion(
                    group=str(group),
                    label=str(label),
                    from_stage=before,
                    to_stage=after,
                    reached_from=n_from,
                    reached_to=n_to,
                    rate=n_to / n_from if n_from else None,
                )
            )
    return rows


def _ageing(
    openings: pd.DataFrame, prospects: pd.DataFrame, today: dt.date
) -> tuple[list[AgeingOpening], int]:
    counts = prospects.groupby(["vaga_codigo", "stage"]).size().unstack("stage")
    counts = counts.reindex(columns=list(ALL_STAGES)).fillna(0).astype(int)
    last = prospects.groupby("vaga_codigo")["last_move"].max()
    o = openings.join(counts, on="vaga_codigo").join(last, on="vaga_codigo")
    o[list(ALL_STAGES)] = o[list(ALL_STAGES)].fillna(0).astype(int)
    o = o[o["approved"] == 0]  # someone was hired: the opening is filled
    opened = _days_of(o["data_requisicao"])
    moved = o["last_move"].where(o["last_move"].notna(), opened)
    usable = moved.notna() & (moved <= pd.Timestamp(today))
    o = o.assign(opened=opened, moved=moved, days=(pd.Timestamp(today) - moved).dt.days)[usable]
    o = o.sort_values(["days", "vaga_codigo"], ascending=[False, True], kind="stable")
    out = [
        AgeingOpening(
            vaga_codigo=str(r["vaga_codigo"]),
            titulo=str(r["titulo"] or ""),
            cliente=str(r["cliente"] or ""),
            analista_responsavel=str(r["analista_responsavel"] or ""),
            opened_on=None if pd.isna(r["opened"]) else r["opened"].date(),
            last_movement=r["moved"].date(),
            days_without_movement=int(r["days"]),
            prospects=int(sum(r[s] for s in ALL_STAGES)),
            by_stage={s: int(r[s]) for s in ALL_STAGES},
        )
        for r in o.to_dict("records")
    ]
    return out, int((~usable).sum())


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
    ageing, undated = _ageing(fetch_frame(engine, "list_pipeline_openings"), facts.prospects, day)
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
    return _ageing(fetch_frame(engine, "list_pipeline_openings"), _load_facts(engine).prospects, day)[0]
