"""Record and list audit events: who did what, when, and how it ended."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from sqlalchemy import Engine, insert, select
from sqlalchemy import exc as sa_exc

from hr_core.access import PERMISSIONS, Action, Actor, require_role
from hr_core.errors import DatabaseUnavailableError
from hr_core.models.audit import AuditEvent

if TYPE_CHECKING:  # every audited command imports this module; only the audit page needs a frame
    import pandas as pd


def _jsonable(details: dict[str, Any] | None) -> dict[str, Any]:
    plain: dict[str, Any] = json.loads(json.dumps(details or {}, default=str))
    return plain


def record_event(
    engine: Engine,
    *,
    actor: Actor | str | None,
    action: str,
    outcome: str = "ok",
    details: dict[str, Any] | None = None,
) -> None:
    """Append one event to the audit log; a failure to write it never hides the original outcome."""
    name = actor.username if isinstance(actor, Actor) else (actor or "anonymous")
    try:
        with engine.begin() as conn:
            conn.execute(
                insert(AuditEvent).values(
                    at=dt.datetime.now(dt.UTC),
                    actor=name,
                    action=action,
                    outcome=outcome,
                    details=_jsonable(details),
                )
            )
    except sa_exc.SQLAlchemyError:
        # The audit table may be unreachable together with the database; the caller's own
        # error (if any) is the one the user must see.
        pass


def list_events(
    engine: Engine,
    *,
    actor: Actor,
    user: str | None = None,
    action: str | None = None,
    outcome: str | None = None,
    since: dt.datetime | None = None,
    until: dt.datetime | None = None,
    limit: int = 5000,
) -> pd.DataFrame:
    """Audit events newest first, filtered by user (who acted), action, outcome and time window."""
    require_role(actor, Action.AUDIT_READ)
    stmt = select(
        AuditEvent.id,
        AuditEvent.at,
        AuditEvent.actor,
        AuditEvent.action,
        AuditEvent.outcome,
        AuditEvent.details,
    ).order_by(AuditEvent.at.desc(), AuditEvent.id.desc())
    if user:
        stmt = stmt.where(AuditEvent.actor == user)
    if action:
        stmt = stmt.where(AuditEvent.action == action)
    if outcome:
        stmt = stmt.where(AuditEvent.outcome == outcome)
    if since:
        stmt = stmt.where(AuditEvent.at >= since)
    if until:
        stmt = stmt.where(AuditEvent.at < until)
    stmt = stmt.limit(limit)
    try:
        with engine.connect() as conn:
            rows = conn.execute(stmt).mappings().all()
    except sa_exc.OperationalError as e:
        raise DatabaseUnavailableError(f"cannot reach the database to read the audit log: {e.orig}") from e
    import pandas as pd

    return pd.DataFrame(rows, columns=["id", "at", "actor", "action", "outcome", "details"])


def list_event_facets(engine: Engine, *, actor: Actor) -> dict[str, list[str]]:
    """The distinct actors, actions and outcomes in the audit log (for filter choices)."""
    require_role(actor, Action.AUDIT_READ)
    facets: dict[str, list[str]] = {}
    try:
        with engine.connect() as conn:
            for name, column in (
                ("actor", AuditEvent.actor),
                ("action", AuditEvent.action),
                ("outcome", AuditEvent.outcome),
            ):
                facets[name] = list(conn.execute(select(column).distinct().order_by(column)).scalars())
    except sa_exc.OperationalError as e:
        raise DatabaseUnavailableError(f"cannot reach the database to read the audit log: {e.orig}") from e
    return facets


@dataclass
class AuditRecord:
    """What an `audited` block will record: its details (the block may add to them) and outcome."""

    details: dict[str, Any] = field(default_factory=dict)
    outcome: str = "ok"


@contextmanager
def audited(
    engine: Engine,
    actor: Actor | str | None,
    action: Action,
    details: dict[str, Any] | None = None,
    *,
    check_role: bool = True,
) -> Iterator[AuditRecord]:
    """Check the actor's role for the action, run the block, and record how it ended.

    The one way to audit: success is recorded with the details the block added to the yielded
    record, any failure (a refusal included) with its message, and the error is re-raised.
    """
    record = AuditRecord(details=dict(details or {}))
    try:
        if check_role and action in PERMISSIONS:
            require_role(actor if isinstance(actor, Actor) else None, action)
        yield record
    except BaseException as e:
        message = str(e) or type(e).__name__
        record_event(
            engine,
            actor=actor,
            action=action,
            outcome="error",
            details={**record.details, "error": message, "error_type": type(e).__name__},
        )
        raise
    record_event(engine, actor=actor, action=action, outcome=record.outcome, details=record.details)
