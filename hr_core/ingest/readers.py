"""Read rows from CSV, JSON and Avro streams without holding the whole file, refusing bad files clearly."""

from __future__ import annotations

import codecs
import csv
import io
import json
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any, BinaryIO, NamedTuple

from hr_core.errors import InvalidInputError
from hr_core.ingest.table_specs import BATCH_TABLES, LOAD_ORDER, NotAnObject, TableSpec

BATCH_MAX_ROWS = 1000
# Python's csv module refuses fields over 128 kB with a parse error that aborts the file; a long
# field must instead reach the validator, which rejects that row by its length (MAX_TEXT_LENGTH).
csv.field_size_limit(max(csv.field_size_limit(), 1 << 30))
BLOCK_BYTES = 1 << 20  # plain CSV lines are read, checked and copied in blocks of about this size
_BOMS = (
    (codecs.BOM_UTF32_LE, "UTF-32 LE"),
    (codecs.BOM_UTF32_BE, "UTF-32 BE"),
    (codecs.BOM_UTF16_LE, "UTF-16 LE"),
    (codecs.BOM_UTF16_BE, "UTF-16 BE"),
)


class RawRow(NamedTuple):
    """One row as read: its line (CSV physical line, else record number), raw text and field values."""

    line: int
    raw: str
    values: list[Any]


def _guess_encoding(sample: bytes) -> str:
    """A human name for the encoding of bytes that are not UTF-8."""
    for bom, name in _BOMS:
        if sample.startswith(bom):
            return name
    if b"\x00" in sample:
        return "binary data or UTF-16 without a byte-order mark"
    from charset_normalizer import from_bytes

    best = from_bytes(sample).best()
    if best is None:
        return "binary data (no text encoding fits)"
    return best.encoding


def refuse_non_utf8_start(stream: BinaryIO, filename: str) -> None:
    """Refuse UTF-16/32 files (by their byte-order mark) before reading a line; the stream is rewound."""
    start = stream.read(4)
    stream.seek(0)
    for bom, name in _BOMS:
        if start.startswith(bom):
            raise InvalidInputError(
                f"{filename}: the text is {name}, not UTF-8; save it as UTF-8 (a BOM is fine) and upload again"
            )


class _LineTap:
    """Iterates decoded lines for csv.reader, counting physical lines and keeping the current row's text."""

    def __init__(self, text: Iterable[str], filename: str, count: int = 0) -> None:
        self.text = text
        self.filename = filename
        self.count = count  # physical lines before the first one given
        self.lines: list[str] = []

    def __iter__(self) -> Iterator[str]:
        try:
            for line in self.text:
                self.count += 1
                if "\x00" in line:
                    raise InvalidInputError(
                        f"{self.filename} line {self.count}: binary data (NUL bytes) in a text file; "
                        "upload the CSV export, not a spreadsheet or archive"
                    )
                self.lines.append(line)
                yield line
        except UnicodeDecodeError as e:
            raise InvalidInputError(
                f"{self.filename} line {self.count + 1}: the text is not UTF-8 (it looks like "
                f"{_guess_encoding(e.object)}); save the file as UTF-8 and upload again"
            ) from e


@dataclass(frozen=True)
class CleanBlock:
    """Whole physical lines of plain CSV (no quotes, CR or NUL; UTF-8), checked together when they can be."""

    data: bytes  # ends with a newline
    first_line: int
    count: int

    def rows(self) -> Iterator[RawRow]:
        """The same rows the line-by-line reader gives for these lines."""
        for offset, line in enumerate(self.data.decode("utf-8").split("\n")[:-1]):
            yield RawRow(self.first_line + offset, line + "\n", line.split(","))


@dataclass
class CsvReader:
    """Rows of a headerless (or headed) CSV file, in the field order of a table."""

    stream: BinaryIO
    spec: TableSpec
    filename: str
    header: bool | None = None  # None: detect; True: the first row is a header; False: none
    blocks: bool = False  # also yield CleanBlocks of plain lines, for checking many rows at once
    header_skipped: bool = field(default=False, init=False)

    def _header_order(self, cells: list[str]) -> list[int] | None:
        mapped = [self.spec.field_for(c.lstrip("\ufeff")) for c in cells]
        if None in mapped or sorted(mapped) != sorted(self.spec.fields):  # type: ignore[type-var]
            return None
        return [mapped.index(f) for f in self.spec.fields]

    def __iter__(self) -> Iterator[RawRow | CleanBlock]:
        refuse_non_utf8_start(self.stream, self.filename)
        self._first = True
        self._order: list[int] | None = None
        if not self.blocks:
            yield from self._stream_rows(0, 0)
            return
        yield from self._block_rows()

    def _block_rows(self) -> Iterator[RawRow | CleanBlock]:
        """Plain lines in blocks of about BLOCK_BYTES; from the first quote (or odd byte) on, line by line."""
        first = self.stream.readline()
        try:
            head = first.decode("utf-8-sig")
        except UnicodeDecodeError:
            head = ""
        if not head.strip() or b'"' in first or b"\r" in first or not first.endswith(b"\n"):
            self.stream.seek(0)
            yield from self._stream_rows(0, 0)
            return
        yield from self._parse([head], 0)
        if self._order is not None and self._order != list(range(len(self.spec.fields))):
            yield from self._stream_rows(len(first), 1)
            return
        width, offset, line, carry = len(self.spec.fields), len(first), 1, b""
        while chunk := self.stream.read(BLOCK_BYTES):
            data = carry + chunk
            cut = data.rfind(b"\n") + 1
            block, carry = data[:cut], data[cut:]
            if not block:
                continue
            if b'"' in block or b"\r" in block or b"\x00" in block or not _is_utf8(block):
                yield from self._stream_rows(offset, line)
                return
            count = block.count(b"\n")
            clean = CleanBlock(block, line + 1, count)
            if block.count(b",") == count * (width - 1) and b"\n\n" not in block and block[:1] != b"\n":
                yield clean
            else:
                yield from self._parse((r.raw for r in clean.rows()), line)
            offset, line = offset + cut, line + count
        if carry:  # a last line without a newline
            yield from self._stream_rows(offset, line)

    def _stream_rows(self, offset: int, line: int) -> Iterator[RawRow]:
        """Rows from byte offset on (the start of physical line line + 1), read line by line."""
        self.stream.seek(offset)
        text = io.TextIOWrapper(self.stream, encoding="utf-8-sig" if offset == 0 else "utf-8", newline="")
        try:
            yield from self._parse(text, line)
        finally:
            text.detach()

    def _parse(self, lines: Iterable[str], line_base: int) -> Iterator[RawRow]:
        """CSV rows of decoded physical lines that follow line line_base."""
        tap = _LineTap(lines, self.filename, line_base)
        width = len(self.spec.fields)
        try:
            reader = csv.reader(tap, strict=True)
            start = line_base + 1
            for cells in reader:
                line, start = start, tap.count + 1
                lines_read, tap.lines = tap.lines, []
                if not cells or (len(cells) == 1 and not cells[0].strip()):
                    continue
                if self._first:
                    self._first = False
                    if self.header is not False:
                        self._order = self._header_order(cells)
                        if self._order is not None or self.header:
                            self.header_skipped = True
                            continue
                if len(cells) != width:
                    raise InvalidInputError(
                        f"{self.filename} line {line}: {len(cells)} fields, expected {width} "
                        f"({','.join(self.spec.fields)}); fix the row (or the delimiter) — nothing was loaded"
                    )
                order = self._order
                values = [cells[i] for i in order] if order is not None else cells
                yield RawRow(line, lines_read[0] if len(lines_read) == 1 else "".join(lines_read), values)
        except csv.Error as e:
            raise InvalidInputError(
                f"{self.filename} line {tap.count}: the CSV is malformed ({e}); check quotes and delimiters"
            ) from e


def _is_utf8(data: bytes) -> bool:
    try:
        data.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return True


def _record_values(spec: TableSpec, record: Any) -> list[Any]:
    """The record's values in field order; a record that is not an object is marked for rejection."""
    if not isinstance(record, dict):
        kind = {list: "a list", str: "a string", type(None): "null", bool: "a boolean"}.get(
            type(record), "a number"
        )
        return [NotAnObject(kind)] * len(spec.fields)
    values: dict[str, Any] = {}
    for key, value in record.items():
        name = spec.field_for(str(key))
        if name is not None and name not in values:
            values[name] = value
    return [values.get(f) for f in spec.fields]


def _raw_json(record: Any) -> str:
    return json.dumps(record, default=str, ensure_ascii=False)


def _skip_bom(stream: BinaryIO, filename: str) -> None:
    refuse_non_utf8_start(stream, filename)
    if stream.read(3) != codecs.BOM_UTF8:
        stream.seek(0)


def read_json_rows(stream: BinaryIO, spec: TableSpec, filename: str) -> Iterator[RawRow]:
    """Rows of a JSON array of objects, streamed; a JSON batch is pointed to load-batch."""
    import ijson

    _skip_bom(stream, filename)
    start = stream.tell()
    head = stream.read(64).lstrip()
    stream.seek(start)
    if head.startswith(b"{"):
        raise InvalidInputError(
            f"{filename} is a JSON object; a single-table JSON file is an array of row objects. "
            'For the {"records": [...]} batch format use load-batch (or the batch tab)'
        )
    if not head.startswith(b"["):
        raise InvalidInputError(f"{filename} is not a JSON array of row objects")
    try:
        for number, record in enumerate(ijson.items(stream, "item", use_float=True), start=1):
            yield RawRow(number, _raw_json(record), _record_values(spec, record))
    except ijson.JSONError as e:
        raise InvalidInputError(f"{filename} is not valid JSON ({e}); nothing was loaded") from e
    except UnicodeDecodeError as e:
        raise InvalidInputError(
            f"{filename}: the text is not UTF-8 (it looks like {_guess_encoding(e.object)}); save it as UTF-8"
        ) from e


def read_avro_rows(stream: BinaryIO, spec: TableSpec, filename: str) -> Iterator[RawRow]:
    """Rows of an Avro container file whose schema has the table's fields."""
    import fastavro

    try:
        reader = fastavro.reader(stream)
    except Exception as e:  # fastavro raises ValueError, TypeError, EOFError… on non-Avro bytes
        raise InvalidInputError(f"{filename} is not an Avro container file ({e})") from e
    schema = reader.writer_schema
    names = [f.get("name", "") for f in schema.get("fields", [])] if isinstance(schema, dict) else []
    have = {spec.field_for(n) for n in names}
    missing = [f for f in spec.fields if f not in have]
    if missing:
        raise InvalidInputError(
            f"{filename}: the Avro schema does not fit table {spec.name}: it lacks {', '.join(missing)} "
            f"(fields found: {', '.join(names) or 'none'})"
        )
    try:
        for number, record in enumerate(reader, start=1):
            yield RawRow(number, _raw_json(record), _record_values(spec, record))
    except (ValueError, EOFError, TypeError) as e:
        raise InvalidInputError(f"{filename}: the Avro data is damaged ({e}); nothing was loaded") from e


def read_rows(
    stream: BinaryIO, *, spec: TableSpec, filename: str, fmt: str, header: bool | None = None
) -> Iterable[RawRow | CleanBlock]:
    """Rows of one table from a stream in format csv, json or avro."""
    if fmt == "csv":
        return CsvReader(stream, spec, filename, header, blocks=spec.name == "hired_employees")
    if fmt == "json":
        return read_json_rows(stream, spec, filename)
    if fmt == "avro":
        return read_avro_rows(stream, spec, filename)
    raise InvalidInputError(f"{filename}: unsupported format {fmt!r}; use .csv, .json or .avro")


def read_batch(
    stream: BinaryIO, filename: str, *, next_employee_id: Callable[[], int]
) -> dict[str, list[RawRow]]:
    """Rows per table (in load order) from a JSON batch; employees without id get the next free id."""
    _skip_bom(stream, filename)
    try:
        doc = json.loads(stream.read().decode("utf-8"))
    except UnicodeDecodeError as e:
        raise InvalidInputError(
            f"{filename}: the text is not UTF-8 (it looks like {_guess_encoding(e.object)}); save it as UTF-8"
        ) from e
    except json.JSONDecodeError as e:
        raise InvalidInputError(f"{filename} is not valid JSON (line {e.lineno}: {e.msg})") from e
    records = doc.get("records") if isinstance(doc, dict) else None
    if not isinstance(records, list) or not records:
        raise InvalidInputError(
            f'{filename}: a batch is {{"records": [{{"table_name": "employee"|"department"|"job", "data": [...]}}]}}'
        )
    out: dict[str, list[RawRow]] = {t: [] for t in LOAD_ORDER}
    for index, entry in enumerate(records):
        where = f"{filename} records[{index}]"
        table_name = entry.get("table_name") if isinstance(entry, dict) else None
        spec = BATCH_TABLES.get(str(table_name))
        if spec is None:
            raise InvalidInputError(
                f"{where}: table_name {table_name!r} is not one of {', '.join(sorted(BATCH_TABLES))}"
            )
        data = entry.get("data")
        if not isinstance(data, list) or not 1 <= len(data) <= BATCH_MAX_ROWS:
            count = len(data) if isinstance(data, list) else "no"
            raise InvalidInputError(
                f"{where}: data must be a list of 1 to {BATCH_MAX_ROWS:,} rows, got {count}; split larger batches"
            )
        rows = out[spec.name]
        for record in data:
            rows.append(RawRow(len(rows) + 1, _raw_json(record), _record_values(spec, record)))
    employees = out["hired_employees"]
    if employees:
        given = [r.values[0] for r in employees if r.values[0] not in (None, "")]
        top = max([v for v in given if isinstance(v, int) and not isinstance(v, bool)], default=0)
        next_id = max(top, next_employee_id() - 1)
        for row in employees:
            if row.values[0] is None:
                next_id += 1
                row.values[0] = next_id
    return out
