"""Employee CSVs checked in blocks give exactly what the row-by-row checks give, rejects included."""

from __future__ import annotations

import io
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from hr_core.errors import InvalidInputError
from hr_core.ingest import load, readers
from hr_core.ingest.readers import CleanBlock, CsvReader
from hr_core.ingest.table_specs import HIRED_EMPLOYEES
from hr_core.ingest.validate import RefData, RejectRow, RowValidator, ValidBlock


def _refs() -> RefData:
    return RefData(department_ids={1, 2, 3}, job_ids={1, 2, 3, 4})


def _run(data: bytes, *, blocks: bool) -> tuple[Any, ...]:
    """(rows seen, valid, clean rows, rejects, blocks used) or the refusal message."""
    rejects: list[RejectRow] = []
    staged: list[tuple[Any, ...]] = []
    used: list[ValidBlock] = []

    def take_block(block: ValidBlock) -> None:
        used.append(block)
        staged.extend(block.rows())

    reader = CsvReader(io.BytesIO(data), HIRED_EMPLOYEES, "hired_employees.csv", blocks=blocks)
    try:
        seen, valid = load._consume(
            reader,
            RowValidator(HIRED_EMPLOYEES, _refs()),
            rejects=rejects,
            sink=staged.extend,
            block_sink=take_block,
        )
    except InvalidInputError as e:
        return ("refused", str(e))
    return seen, valid, staged, rejects, reader.header_skipped, len(used)


_FIELDS = {
    "id": ["1", "2", "3", "007", "0", "-3", "x", "", " 4", "2147483648", "12"],
    "name": ["Ana", "Bo Chen", " Cy ", "", "Zé", "\xa0Di", "Ed\u3000", "Fa\x1f", "Gu,n"],
    "datetime": [
        "2021-01-01T10:00:00Z",
        "2021-02-28T23:59:59Z",
        "2021-02-30T10:00:00Z",
        "2021-01-01T24:00:00Z",
        "2021-01-01T10:00:60Z",
        "2021-01-01 10:00:00",
        "2021-01-01T10:00:00+02:00",
        "0000-01-01T00:00:00Z",
        "",
        "soon",
    ],
    "department_id": ["1", "2", "3", "9", "", "01"],
    "job_id": ["1", "4", "5", "x"],
}
_LINE = st.one_of(
    st.tuples(*(st.sampled_from(v) for v in _FIELDS.values())).map(",".join),
    st.sampled_from(
        ["", "id,name,datetime,department_id,job_id", '5,"Quoted, Name",2021-01-01T10:00:00Z,1,1']
    ),
)


@settings(max_examples=80, deadline=None)
@given(
    lines=st.lists(_LINE, min_size=1, max_size=30),
    block_bytes=st.sampled_from([1, 40, 100, 1 << 20]),
    trailing_newline=st.booleans(),
    bom=st.booleans(),
)
def test_blocks_give_the_same_rows_and_rejects_as_row_checks(
    lines: list[str], block_bytes: int, trailing_newline: bool, bom: bool
) -> None:
    data = ("\ufeff" if bom else "") + "\n".join(lines) + ("\n" if trailing_newline else "")
    saved = readers.BLOCK_BYTES
    readers.BLOCK_BYTES = block_bytes
    try:
        by_block = _run(data.encode("utf-8"), blocks=True)
    finally:
        readers.BLOCK_BYTES = saved
    by_row = _run(data.encode("utf-8"), blocks=False)
    assert by_block[:-1] == by_row[:-1] if by_block[0] != "refused" else by_block == by_row


def test_a_clean_file_is_checked_in_blocks_and_a_bad_row_falls_back(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(readers, "BLOCK_BYTES", 80)
    good = "".join(
        f"{i},Person {i},2021-03-0{i % 9 + 1}T10:00:00Z,{i % 3 + 1},{i % 4 + 1}\n" for i in range(1, 21)
    )
    result = _run(good.encode(), blocks=True)
    assert result[:2] == (20, 20) and result[3] == [] and result[-1] >= 5
    assert result[2][0] == (1, "Person 1", "2021-03-02T10:00:00Z", 2, 2)
    bad = good.replace("7,Person 7,2021-03-08T10:00:00Z,2,4", "7,Person 7,2021-03-08T10:00:00Z,2,9")
    result = _run(bad.encode(), blocks=True)
    assert result[:2] == (20, 19)
    assert result[3] == [
        RejectRow(
            7, "7,Person 7,2021-03-08T10:00:00Z,2,9", ("job_id 9 names no known job (load jobs first)",)
        )
    ]
    assert result[2] == _run(bad.encode(), blocks=False)[2]


def test_clean_block_rows_keep_physical_lines() -> None:
    block = CleanBlock(b"3,A,2021-01-01T00:00:00Z,1,1\n4,B,2021-01-01T00:00:00Z,1,1\n", first_line=7, count=2)
    assert [(r.line, r.raw, r.values[0]) for r in block.rows()] == [
        (7, "3,A,2021-01-01T00:00:00Z,1,1\n", "3"),
        (8, "4,B,2021-01-01T00:00:00Z,1,1\n", "4"),
    ]
