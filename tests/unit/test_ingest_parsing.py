"""The CSV reader, the row rules and the table/format choices, without a database."""

from __future__ import annotations

import csv
import datetime as dt
import io

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from hr_core.errors import InvalidInputError
from hr_core.ingest.readers import CsvReader, read_batch
from hr_core.ingest.sources import detect_format
from hr_core.ingest.table_specs import DEPARTMENTS, HIRED_EMPLOYEES, infer_table
from hr_core.ingest.validate import RefData, RowValidator, parse_instant

names = st.text(
    alphabet=st.characters(blacklist_categories=("Cs",), blacklist_characters="\x00"), min_size=1, max_size=20
)


@settings(max_examples=60, deadline=None)
@given(
    rows=st.lists(st.tuples(st.integers(1, 10**6), names), min_size=1, max_size=15),
    crlf=st.booleans(),
    quote_all=st.booleans(),
)
def test_csv_rows_round_trip_with_physical_line_numbers(
    rows: list[tuple[int, str]], crlf: bool, quote_all: bool
) -> None:
    if not quote_all:  # minimal quoting leaves a lone CR unquoted, and then it is a line break
        rows = [(i, n.replace("\r", "")) for i, n in rows]
    options = {
        "lineterminator": "\r\n" if crlf else "\n",
        "quoting": csv.QUOTE_ALL if quote_all else csv.QUOTE_MINIMAL,
    }
    buf = io.StringIO()
    csv.writer(buf, **options).writerows(rows)  # type: ignore[arg-type]
    got = list(
        CsvReader(io.BytesIO(buf.getvalue().encode("utf-8")), DEPARTMENTS, "departments.csv", header=False)
    )
    assert [r.values for r in got] == [[str(i), n] for i, n in rows]
    line = 1
    for row, (i, n) in zip(got, rows, strict=True):
        assert row.line == line
        single = io.StringIO()
        csv.writer(single, **options).writerow((i, n))  # type: ignore[arg-type]
        assert row.raw == single.getvalue()
        text = single.getvalue()
        line += text.count("\n") + text.count("\r") - text.count("\r\n")


def test_blank_lines_are_skipped_and_line_numbers_stay_physical() -> None:
    data = b"\xef\xbb\xbf1,Eng\n\n   \n2,Sales"
    got = list(CsvReader(io.BytesIO(data), DEPARTMENTS, "d.csv"))
    assert [(r.line, r.values) for r in got] == [(1, ["1", "Eng"]), (4, ["2", "Sales"])]


def test_header_detection_only_takes_real_column_names() -> None:
    reader = CsvReader(io.BytesIO(b"id,department\n1,Eng\n"), DEPARTMENTS, "d.csv")
    assert [r.values for r in reader] == [["1", "Eng"]] and reader.header_skipped
    reader = CsvReader(io.BytesIO(b"x,Eng\n1,Sales\n"), DEPARTMENTS, "d.csv")
    assert [r.values for r in reader] == [["x", "Eng"], ["1", "Sales"]] and not reader.header_skipped


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2021-11-07T02:48:42Z", dt.datetime(2021, 11, 7, 2, 48, 42, tzinfo=dt.UTC)),
        ("2021-11-07T02:48:42-03:00", dt.datetime(2021, 11, 7, 5, 48, 42, tzinfo=dt.UTC)),
        ("2021-11-07 02:48:42.5", dt.datetime(2021, 11, 7, 2, 48, 42, 500000, tzinfo=dt.UTC)),
    ],
)
def test_parse_instant_gives_utc(text: str, expected: dt.datetime) -> None:
    assert parse_instant(text) == expected


@pytest.mark.parametrize("text", ["2021-11-07", "yesterday", "2021-02-30T10:00:00Z", "07/11/2021 02:48"])
def test_parse_instant_refuses_non_instants(text: str) -> None:
    with pytest.raises(ValueError):
        parse_instant(text)


@settings(max_examples=80, deadline=None)
@given(
    row_id=st.one_of(st.integers(-5, 3_000_000_000).map(str), st.text(max_size=4)),
    name=st.text(max_size=5),
    when=st.one_of(
        st.datetimes(timezones=st.just(dt.UTC)).map(lambda d: d.strftime("%Y-%m-%dT%H:%M:%SZ")),
        st.text(max_size=6),
    ),
    department=st.one_of(st.integers(0, 5).map(str), st.text(max_size=3)),
    job=st.one_of(st.integers(0, 5).map(str), st.text(max_size=3)),
)
def test_fast_and_full_checks_agree(row_id: str, name: str, when: str, department: str, job: str) -> None:
    values = [row_id, name, when, department, job]
    fast = RowValidator(HIRED_EMPLOYEES, RefData(department_ids={1, 2, 3}, job_ids={1, 2}))
    full = RowValidator(HIRED_EMPLOYEES, RefData(department_ids={1, 2, 3}, job_ids={1, 2}))
    full._fast_employee = lambda _line, _values: None  # type: ignore[method-assign]
    got, want = fast.check(1, list(values)), full.check(1, list(values))
    if isinstance(want, list):
        assert got == want and want
    else:
        assert isinstance(got, tuple)
        assert (got[0], got[1], got[3], got[4]) == (want[0], want[1], want[3], want[4])
        assert parse_instant(got[2]) == parse_instant(want[2]) == parse_instant(when)


def test_every_reason_of_a_row_is_listed() -> None:
    validator = RowValidator(HIRED_EMPLOYEES, RefData(department_ids={1}, job_ids={1}))
    assert validator.check(3, ["", " ", "soon", "2", "x"]) == [
        "id is empty",
        "name is empty",
        "datetime 'soon' is not an ISO-8601 date and time (e.g. 2021-11-07T02:48:42Z)",
        "department_id 2 names no known department (load departments first)",
        "job_id 'x' is not an integer",
    ]


def test_table_and_format_come_from_the_file_name() -> None:
    assert infer_table("2024_hired_employees.csv") == "hired_employees"
    assert infer_table("Departments.CSV") == "departments"
    assert infer_table("jobs-export.avro") == "jobs"
    with pytest.raises(InvalidInputError, match="cannot tell the table"):
        infer_table("salaries.csv")
    assert (detect_format("a.CSV"), detect_format("a.json"), detect_format("a.avro")) == (
        "csv",
        "json",
        "avro",
    )
    with pytest.raises(InvalidInputError, match="unsupported file type '.xlsx'"):
        detect_format("a.xlsx")


def test_batch_assigns_ids_after_the_highest_known_one() -> None:
    batch = (
        b'{"records": [{"table_name": "employee", "data": ['
        b'{"name": "A", "datetime": "2021-01-01T00:00:00Z", "department_id": 1, "job_id": 1},'
        b'{"id": 40, "name": "B", "datetime": "2021-01-01T00:00:00Z", "department_id": 1, "job_id": 1}]}]}'
    )
    rows = read_batch(io.BytesIO(batch), "b.json", next_employee_id=lambda: 11)["hired_employees"]
    assert [r.values[0] for r in rows] == [41, 40]
    rows = read_batch(
        io.BytesIO(batch.replace(b'"id": 40', b'"id": 4')), "b.json", next_employee_id=lambda: 11
    )
    assert [r.values[0] for r in rows["hired_employees"]] == [11, 4]
