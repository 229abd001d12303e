"""Open an upload (path, s3:// URL or file object), check its size and tell its format."""

from __future__ import annotations

import io
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path, PurePath
from typing import BinaryIO

from hr_core.errors import InvalidInputError, TooLargeError
from hr_core.settings import get_settings
from hr_core.storage import fetch_input

FORMATS = {".csv": "csv", ".txt": "csv", ".json": "json", ".avro": "avro"}
Source = str | Path | bytes | BinaryIO


@dataclass
class OpenSource:
    stream: BinaryIO
    filename: str
    size: int

    def fraction(self) -> float:
        """How far reading has got, 0..1."""
        try:
            return min(1.0, self.stream.tell() / self.size) if self.size else 1.0
        except (OSError, ValueError):
            return 0.0


def detect_format(filename: str, fmt: str | None = None) -> str:
    """csv, json or avro from an explicit choice or the file name's extension."""
    if fmt:
        if fmt not in FORMATS.values():
            raise InvalidInputError(f"unsupported format {fmt!r}; use csv, json or avro")
        return fmt
    suffix = PurePath(filename).suffix.lower()
    if suffix not in FORMATS:
        raise InvalidInputError(
            f"{filename}: unsupported file type {suffix or '(none)'!r}; use .csv, .json or .avro"
        )
    return FORMATS[suffix]


def _check_size(size: int, filename: str) -> None:
    settings = get_settings()
    if size > settings.upload_limit_bytes:
        raise TooLargeError(
            f"{filename} is {size / 1024 / 1024:.1f} MB, over the upload limit of {settings.upload_limit_mb} MB "
            "(HR_UPLOAD_LIMIT_MB); split the file or ask an admin to raise the limit"
        )


@contextmanager
def open_source(source: Source, *, filename: str | None = None) -> Iterator[OpenSource]:
    """A rewound binary stream of the upload, refused if over the size limit."""
    if isinstance(source, bytes):
        source = io.BytesIO(source)
    if isinstance(source, str | Path):
        name = filename or PurePath(str(source)).name
        with fetch_input(source) as path:
            size = path.stat().st_size
            _check_size(size, name)
            with open(path, "rb") as fh:
                yield OpenSource(fh, name, size)
        return
    name = filename or str(getattr(source, "name", "upload"))
    source.seek(0, io.SEEK_END)
    size = source.tell()
    source.seek(0)
    _check_size(size, name)
    try:
        yield OpenSource(source, name, size)
    finally:
        source.seek(0)
