"""Canonical row values, the Avro schema, the order-independent content hash, and DB-ready values.

Every value is first brought to a canonical form that is the same whether it came from the
database (any dialect) or from an Avro file: integers, strings, JSON as compact text in its own
key order, dates as days and timestamps as microseconds since 1970-01-01 UTC, or None.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import re
from collections.abc import Callable, Sequence
from typing import Any

from hr_core.backup.allowed_tables import ColumnSpec
from hr_core.errors import InvalidInputError

EPOCH = dt.datetime(1970, 1, 1, tzinfo=dt.UTC)
EPOCH_DATE = dt.date(1970, 1, 1)
_MICRO = dt.timedelta(microseconds=1)
_JSON = json.JSONEncoder(ensure_ascii=False, separators=(",", ":"))
_AVRO_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")
HASH_MODULUS = 2**256
AVRO_TYPES: dict[str, Any] = {
    "integer": "long",
    "text": "string",
    "json": "string",
    "date": {"type": "int", "logicalType": "date"},
    "timestamp": {"type": "long", "logicalType": "timestamp-micros"},
}

Normalizer = Callable[[Any], Any]


def _integer(value: Any) -> Any:
    return None if value is None else int(value)


def _text(value: Any) -> Any:
    return None if value is None else str(value)


def _json(value: Any) -> Any:
    if value is None:
        return None
    if isinstance(value, str | bytes):
        value = json.loads(value)
    return _JSON.encode(value)


def _date(value: Any) -> Any:
    if value is None or isinstance(value, int):
        return value
    if isinstance(value, str):
        value = dt.date.fromisoformat(value[:10])
    if isinstance(value, dt.datetime):
        value = value.date()
    return (value - EPOCH_DATE).days


def _timestamp(value: Any) -> Any:
    if value is None or isinstance(value, int):
        return value
    if isinstance(value, str):
        value = dt.datetime.fromisoformat(value)
    if value.tzinfo is None:
        value = value.replace(tzinfo=dt.UTC)
    return (value - EPOCH) // _MICRO


NORMALIZERS: dict[str, Normalizer] = {
    "integer": _integer,
    "text": _text,
    "json": _json,
    "date": _date,
    "timestamp": _timestamp,
}


def build_avro_schema(table: str, columns: Sequence[ColumnSpec]) -> dict[str, Any]:
    """The Avro record schema for a table's columns (nullable columns are unions with null)."""
    fields = []
    for col in columns:
        if not _AVRO_NAME.match(col.name):
            raise InvalidInputError(f"column {table}.{col.name} has a name Avro cannot hold; rename it")
        avro_type = AVRO_TYPES[col.kind]
        fields.append({"name": col.name, "type": ["null", avro_type] if col.nullable else avro_type})
    return {"type": "record", "name": table, "namespace": "talentlens.backup", "fields": fields}


def describe_avro_fields(schema: dict[str, Any]) -> list[tuple[str, str]]:
    """(name, canonical type text) per field, to compare schemas however a writer spelled them."""
    return [(f["name"], json.dumps(f["type"], sort_keys=True)) for f in schema.get("fields", [])]


def make_row_normalizer(columns: Sequence[ColumnSpec]) -> Callable[[Sequence[Any]], list[Any]]:
    """A function turning one row (values in column order) into its canonical values."""
    # Integer and text values arrive as int/str from every driver and from Avro: only the other
    # kinds need converting, which keeps the per-row cost low on wide scans.
    pairs = [(i, NORMALIZERS[c.kind]) for i, c in enumerate(columns) if c.kind not in ("integer", "text")]

    def normalize(row: Sequence[Any]) -> list[Any]:
        values = list(row)
        for i, f in pairs:
            values[i] = f(values[i])
        return values

    return normalize


_FIELD_SEP = "\x1f"
_JSON_MARK = "\x1e"


def encode_row(values: Sequence[Any]) -> bytes:
    """Canonical bytes of one row of canonical values (ints and strings, in column order).

    Rows without None whose strings hold no U+001E/U+001F are their values' text joined by U+001F
    (the field count and each column's kind make this unambiguous); any other row is U+001E followed
    by its compact JSON encoding, which can never equal a joined row.
    """
    if None not in values:
        joined = _FIELD_SEP.join(map(str, values))
        if joined.count(_FIELD_SEP) == len(values) - 1 and _JSON_MARK not in joined:
            return joined.encode("utf-8")
    return (_JSON_MARK + _JSON.encode(list(values))).encode("utf-8")


def _encode_row_v1(values: Sequence[Any]) -> bytes:
    # Format talentlens-backup/1 hashed every row as compact JSON; kept so those backups still verify.
    return _JSON.encode(list(values)).encode("utf-8")


def hash_row(values: Sequence[Any]) -> int:
    """SHA-256 of one row's canonical encoding, as an integer."""
    return int.from_bytes(hashlib.sha256(encode_row(values)).digest(), "big")


class ContentHasher:
    """Order-independent hash of a table's rows: the sum of per-row SHA-256 values mod 2**256."""

    def __init__(self, *, legacy: bool = False) -> None:
        self.total = 0
        self.rows = 0
        self._encode = _encode_row_v1 if legacy else encode_row

    def add(self, values: Sequence[Any]) -> None:
        self.total += int.from_bytes(hashlib.sha256(self._encode(values)).digest(), "big")
        self.rows += 1

    def add_rows(self, rows: Sequence[Sequence[Any]]) -> None:
        """Add a batch of rows (one tight loop: this is the hot path of backups and checks)."""
        encode, sha256, from_bytes = self._encode, hashlib.sha256, int.from_bytes
        total = self.total
        if encode is encode_row:
            sep, mark = _FIELD_SEP, _JSON_MARK
            for values in rows:
                # encode_row inlined (same bytes): the joined form, else the JSON form.
                if None not in values:
                    joined = sep.join(map(str, values))
                    if joined.count(sep) == len(values) - 1 and mark not in joined:
                        total += from_bytes(sha256(joined.encode("utf-8")).digest(), "big")
                        continue
                total += from_bytes(sha256(encode(values)).digest(), "big")
        else:
            for values in rows:
                total += from_bytes(sha256(encode(values)).digest(), "big")
        self.total = total
        self.rows += len(rows)

    def hexdigest(self) -> str:
        return f"{self.total % HASH_MODULUS:064x}"


def to_sqlite_value(kind: str, value: Any) -> Any:
    """A canonical value as SQLAlchemy stores it in SQLite (naive UTC text timestamps)."""
    if value is None:
        return None
    if kind == "timestamp":
        stamp = (EPOCH + value * _MICRO).replace(tzinfo=None)
        return stamp.isoformat(sep=" ", timespec="microseconds")
    if kind == "date":
        return (EPOCH_DATE + dt.timedelta(days=value)).isoformat()
    return value
