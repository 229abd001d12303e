"""The tables a backup may name (a fixed allow-list) and what their live columns look like."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import JSON, Date, DateTime, Engine, Integer, String, Table, inspect
from sqlalchemy import exc as sa_exc
from sqlalchemy.types import TypeEngine

from hr_core.db import import_all_models
from hr_core.errors import DatabaseUnavailableError, InvalidInputError, NotFoundError

# Parents before children, so `backup --all` and a later restore of the set respect foreign keys.
# opening_skill_requirements and match_feedback name openings and candidates by code, not by foreign key
# (an import may replace those and the tuning and verdicts stay): they come last and restore in any order.
TABLE_ORDER: tuple[str, ...] = (
    "departments",
    "jobs",
    "hired_employees",
    "candidates",
    "vagas",
    "pipeline_openings",
    "prospects",
    "opening_skill_requirements",
    "match_feedback",
)
KINDS = ("integer", "text", "json", "date", "timestamp")


@dataclass(frozen=True)
class ColumnSpec:
    """A column as a backup records it: name, portable kind and nullability."""

    name: str
    kind: str
    nullable: bool

    def as_dict(self) -> dict[str, object]:
        return {"name": self.name, "type": self.kind, "nullable": self.nullable}


def get_allowed_tables() -> dict[str, Table]:
    """The allow-list: table name → SQLAlchemy Table, in foreign-key order."""
    import_all_models()
    from hr_core.db import Base

    return {name: Base.metadata.tables[name] for name in TABLE_ORDER}


def check_table_name(table: str) -> Table:
    """The Table for an allow-listed name; anything else is refused before it reaches SQL."""
    tables = get_allowed_tables()
    if not isinstance(table, str) or table not in tables:
        raise InvalidInputError(
            f"table {table!r} cannot be backed up or restored; choose one of: {', '.join(TABLE_ORDER)}"
        )
    return tables[table]


def kind_of(type_: TypeEngine[object]) -> str | None:
    """The portable kind of a SQL type, or None when backups do not support it."""
    if isinstance(type_, JSON):
        return "json"
    if isinstance(type_, Integer):
        return "integer"
    if isinstance(type_, DateTime):
        return "timestamp"
    if isinstance(type_, Date):
        return "date"
    if isinstance(type_, String):
        return "text"
    return None


def list_live_columns(engine: Engine, table: str) -> list[ColumnSpec]:
    """The table's columns as the database has them now (not as the models say)."""
    check_table_name(table)
    try:
        insp = inspect(engine)
        if not insp.has_table(table):
            raise NotFoundError(
                f"table {table!r} does not exist in the database; run `python -m hr_core init-db`"
            )
        reflected = insp.get_columns(table)
    except sa_exc.OperationalError as e:
        raise DatabaseUnavailableError(f"cannot reach the database: {e.orig}") from e
    out = []
    for col in reflected:
        kind = kind_of(col["type"])
        if kind is None:
            raise InvalidInputError(
                f"column {table}.{col['name']} has type {col['type']} that backups do not support "
                f"(supported: {', '.join(KINDS)})"
            )
        out.append(ColumnSpec(col["name"], kind, bool(col.get("nullable", True))))
    return out


def get_primary_key(table: str) -> list[str]:
    """Primary-key column names of an allow-listed table (from the models)."""
    return [c.name for c in check_table_name(table).primary_key.columns]


def list_incoming_keys(table: str) -> list[tuple[str, str, str]]:
    """(child table, child column, referenced column) for foreign keys that point at table."""
    out = []
    for name, other in get_allowed_tables().items():
        for fk in other.foreign_keys:
            if fk.column.table.name == table and name != table:
                out.append((name, fk.parent.name, fk.column.name))
    return out


def list_outgoing_keys(table: str) -> list[tuple[str, str, str]]:
    """(local column, parent table, parent column) for foreign keys of table."""
    return [
        (fk.parent.name, fk.column.table.name, fk.column.name) for fk in check_table_name(table).foreign_keys
    ]


def get_serial_column(table: str) -> str | None:
    """The autoincrement integer primary key whose sequence a restore must reset, if any."""
    tbl = check_table_name(table)
    pk = list(tbl.primary_key.columns)
    if len(pk) == 1 and pk[0].autoincrement is True:
        return pk[0].name
    return None
