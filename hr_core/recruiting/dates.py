"""Decision dates: `dd-mm-YYYY[ HH:MM:SS]` (ISO `YYYY-MM-DD` too); placeholders become None."""

from __future__ import annotations

import datetime as dt
import re

PLACEHOLDERS = frozenset(
    {"", "0000-00-00", "00-00-0000", "00/00/0000", "0000-00-00 00:00:00", "00-00-0000 00:00:00"}
)
_DMY = re.compile(r"^(\d{2})[-/](\d{2})[-/](\d{4})(?:[ T](\d{2}):(\d{2})(?::(\d{2}))?)?$")
_YMD = re.compile(r"^(\d{4})-(\d{2})-(\d{2})(?:[ T](\d{2}):(\d{2})(?::(\d{2}))?)?$")


class DateFormatError(ValueError):
    """A date text that is neither a placeholder nor dd-mm-YYYY[ HH:MM:SS]."""


def parse_decision_datetime(text: str | None) -> dt.datetime | None:
    """A UTC datetime from a Decision date text; placeholders and blanks give None."""
    value = (text or "").strip()
    if value in PLACEHOLDERS:
        return None
    match = _DMY.match(value)
    if match:
        day, month, year = (int(g) for g in match.group(1, 2, 3))
    else:
        match = _YMD.match(value)
        if not match:
            raise DateFormatError(f"{value!r} is not a date like dd-mm-YYYY or dd-mm-YYYY HH:MM:SS")
        year, month, day = (int(g) for g in match.group(1, 2, 3))
    hour, minute, second = (int(g or 0) for g in match.group(4, 5, 6))
    if year == 0 or month == 0 or day == 0:
        return None  # partial placeholders such as 00-05-2021 carry no usable date
    try:
        return dt.datetime(year, month, day, hour, minute, second, tzinfo=dt.UTC)
    except ValueError as e:
        raise DateFormatError(f"{value!r} is not a valid date ({e})") from e


def parse_decision_date(text: str | None) -> dt.date | None:
    """The calendar date of a Decision date text; placeholders and blanks give None."""
    moment = parse_decision_datetime(text)
    return moment.date() if moment else None


def format_decision_date(value: dt.date | None) -> str:
    """A date as the data writes it (dd-mm-YYYY); None gives an empty string."""
    return value.strftime("%d-%m-%Y") if value else ""
