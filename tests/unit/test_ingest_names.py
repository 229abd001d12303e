"""Unique names judged on the table as a load leaves it (RowValidator.settle_names), for any table and file."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from hr_core.ingest import LoadMode
from hr_core.ingest.table_specs import JOBS
from hr_core.ingest.validate import RefData, RowValidator

NAMES = st.sampled_from([f"Job {c}" for c in "ABCDEFGH"])
IDS = st.integers(min_value=1, max_value=10)


def _validator(table: dict[int, str], mode: LoadMode) -> RowValidator:
    refs = RefData(job_ids=set(table), job_names={name: i for i, name in table.items()})
    return RowValidator(JOBS, refs, mode=mode, source="jobs.csv")


def _settle(
    table: dict[int, str], rows: list[tuple[int, str]], mode: LoadMode
) -> tuple[dict[int, str], set[int]]:
    """The table after the load and the lines refused, as the loader would leave them."""
    validator = _validator(table, mode)
    lines = []
    for line, (row_id, name) in enumerate(rows, start=1):
        result = validator.check(line, [str(row_id), name])
        assert isinstance(result, tuple)
        lines.append((line, result))
    refused = validator.settle_names(lines)
    after = dict(table)
    for line, (row_id, name) in lines:
        if line not in refused and (mode is LoadMode.ADD_AND_UPDATE or row_id not in table):
            after[row_id] = name
    assert validator.refs.job_names == {name: i for i, name in after.items()}  # what later tables see
    return after, set(refused)


tables = st.dictionaries(IDS, NAMES, max_size=8).filter(lambda t: len(set(t.values())) == len(t))
files = st.lists(st.tuples(IDS, NAMES), max_size=10, unique_by=lambda r: r[0])


@settings(max_examples=150, deadline=None)
@given(table=tables, rows=files, mode=st.sampled_from(LoadMode))
def test_the_table_after_any_load_has_unique_names(
    table: dict[int, str], rows: list[tuple[int, str]], mode: LoadMode
) -> None:
    after, refused = _settle(table, rows, mode)
    assert len(set(after.values())) == len(after)
    # A row is refused only if its name is somewhere else in the table as left, or earlier in the file.
    for line in refused:
        row_id, name = rows[line - 1]
        earlier = any(n == name for i, n in rows[: line - 1])
        assert earlier or any(n == name and i != row_id for i, n in after.items())


@settings(max_examples=60, deadline=None)
@given(table=tables, data=st.data())
def test_names_shuffled_among_the_ids_of_the_table_are_all_accepted(
    table: dict[int, str], data: st.DataObject
) -> None:
    ids = list(table)
    names = data.draw(st.permutations(list(table.values())))
    after, refused = _settle(table, list(zip(ids, names, strict=True)), LoadMode.ADD_AND_UPDATE)
    assert refused == set() and after == dict(zip(ids, names, strict=True))
