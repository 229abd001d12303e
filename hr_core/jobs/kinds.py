"""The one table of job kinds: what each runs in hr_core and which action it needs."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Engine

from hr_core.access import Action, Actor
from hr_core.errors import InvalidInputError
from hr_core.progress import Progress, scale_progress
from hr_core.vocabulary import IMPORT_SOURCES


@dataclass(frozen=True)
class JobContext:
    """What a running job gets: the database, who submitted it, its checked params, a progress callback."""

    engine: Engine
    actor: Actor
    params: dict[str, Any]
    progress: Progress


@dataclass(frozen=True)
class JobKind:
    """A kind of long work: the action its submitter needs, its parameters, and the function it runs."""

    name: str
    action: Action
    run: Callable[[JobContext], Any]
    title: str
    # parameter name -> type; `required` must be present, `one_of` needs at least one of its names.
    params: Mapping[str, type] = field(default_factory=dict)
    required: frozenset[str] = frozenset()
    one_of: frozenset[str] = frozenset()

    def check_params(self, params: Mapping[str, Any] | None) -> dict[str, Any]:
        """The params if they fit this kind, else InvalidInputError naming the offending one."""
        given = dict(params or {})
        unknown = sorted(set(given) - set(self.params))
        if unknown:
            allowed = ", ".join(sorted(self.params)) or "none"
            raise InvalidInputError(
                f"job kind {self.name!r} takes no parameter {unknown[0]!r} (it takes: {allowed})"
            )
        missing = sorted(self.required - {k for k, v in given.items() if v not in (None, "")})
        if missing:
            raise InvalidInputError(f"job kind {self.name!r} needs the parameter {missing[0]!r}")
        if self.one_of and not any(given.get(k) not in (None, "") for k in self.one_of):
            raise InvalidInputError(
                f"job kind {self.name!r} needs at least one of {', '.join(sorted(self.one_of))}"
            )
        checked: dict[str, Any] = {}
        for key, value in given.items():
            if value is None:
                continue
            expected = self.params[key]
            if expected is int and isinstance(value, str) and value.strip().lstrip("-").isdigit():
                value = int(value)
            if not isinstance(value, expected) or (expected is int and isinstance(value, bool)):
                raise InvalidInputError(
                    f"job kind {self.name!r}: parameter {key!r} must be {expected.__name__}, got {value!r}"
                )
            checked[key] = value
        return checked


def _import_recruiting(ctx: JobContext) -> Any:
    from hr_core.recruiting.importer import import_recruiting

    return import_recruiting(engine=ctx.engine, actor=ctx.actor, progress=ctx.progress, **ctx.params)


def _export_recruiting(ctx: JobContext) -> Any:
    from hr_core.recruiting.exporter import export_recruiting

    return export_recruiting(engine=ctx.engine, actor=ctx.actor, out=ctx.params["out"], progress=ctx.progress)


def _train_match(ctx: JobContext) -> Any:
    from hr_core.ml.match import train_match_model

    return train_match_model(
        engine=ctx.engine, actor=ctx.actor, progress=ctx.progress, random_state=ctx.params.get("seed", 0)
    )


def _build_index(ctx: JobContext) -> Any:
    from hr_core.ml.recommend import build_indexes

    return build_indexes(engine=ctx.engine, actor=ctx.actor, progress=ctx.progress)


def _drift_report(ctx: JobContext) -> Any:
    from hr_core.ml.drift import build_drift_report

    since = ctx.params.get("since")
    try:
        since_date = dt.date.fromisoformat(since) if since else None
    except ValueError as e:
        raise InvalidInputError(f"since {since!r} is not a date like 2025-01-31") from e
    return build_drift_report(
        engine=ctx.engine,
        actor=ctx.actor,
        since=since_date,
        limit=ctx.params.get("limit", 1000),
        progress=ctx.progress,
    )


def _backup_all(ctx: JobContext) -> Any:
    from hr_core.backup import create_all_backups, prune_backups
    from hr_core.storage import make_storage

    storage = make_storage()
    retention = ctx.params.get("retention")

    step = scale_progress(ctx.progress, 0.0, 0.95 if retention else 1.0)
    backups = create_all_backups(engine=ctx.engine, storage=storage, actor=ctx.actor, progress=step)
    result: dict[str, Any] = {"backups": [b.as_dict() for b in backups]}
    if retention:
        ctx.progress(0.96, f"Keeping the newest {retention} backups per table")
        result["pruned"] = prune_backups(
            engine=ctx.engine, storage=storage, actor=ctx.actor, keep=retention
        ).as_dict()
    return result


# The one table of job kinds. Tests add their own kinds with monkeypatch.setitem.
JOB_KINDS: dict[str, JobKind] = {
    kind.name: kind
    for kind in (
        JobKind(
            "recruiting.import",
            Action.RECRUITING_IMPORT,
            _import_recruiting,
            "Import recruiting data",
            params=dict.fromkeys(IMPORT_SOURCES, str),
            one_of=frozenset(IMPORT_SOURCES),
        ),
        JobKind(
            "recruiting.export",
            Action.RECRUITING_EXPORT,
            _export_recruiting,
            "Export recruiting data",
            params={"out": str},
            required=frozenset({"out"}),
        ),
        JobKind(
            "ml.train", Action.MODEL_TRAIN, _train_match, "Retrain the match model", params={"seed": int}
        ),
        JobKind("ml.build_index", Action.INDEX_BUILD, _build_index, "Rebuild the recommendation indexes"),
        JobKind(
            "ml.drift",
            Action.DRIFT_REPORT,
            _drift_report,
            "Drift report",
            params={"since": str, "limit": int},
        ),
        JobKind(
            "backup.all",
            Action.BACKUP_CREATE,
            _backup_all,
            "Back up all tables",
            params={"retention": int},
        ),
    )
}


def get_job_kind(name: str) -> JobKind:
    """The registered kind of that name, else InvalidInputError listing the kinds there are."""
    try:
        return JOB_KINDS[name]
    except KeyError:
        raise InvalidInputError(
            f"unknown job kind {name!r}; the kinds are: {', '.join(sorted(JOB_KINDS))}"
        ) from None
