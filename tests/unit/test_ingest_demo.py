"""The HR demo files: deterministic, shaped like the historic CSVs, with a few rows broken on purpose."""

from __future__ import annotations

import csv
from collections import Counter
from pathlib import Path

from hr_core.demo.hr import DEPARTMENTS, iter_employee_rows, list_jobs, write_demo_dataset
from hr_core.ingest.table_specs import HIRED_EMPLOYEES
from hr_core.ingest.validate import RefData, RowValidator


def test_same_seed_same_bytes_other_seed_other_rows(tmp_path: Path) -> None:
    a = write_demo_dataset(tmp_path / "a", seed=7, employees=1500)
    b = write_demo_dataset(tmp_path / "b", seed=7, employees=1500)
    hr_files = ("departments.csv", "jobs.csv", "hired_employees.csv")
    assert {k: a[k] for k in hr_files} == {k: b[k] for k in hr_files}
    assert (a["departments.csv"], a["jobs.csv"], a["hired_employees.csv"]) == (12, 180, 1500)
    for name in ("departments.csv", "jobs.csv", "hired_employees.csv"):
        assert (tmp_path / "a" / name).read_bytes() == (tmp_path / "b" / name).read_bytes()
    assert list(iter_employee_rows(seed=8, employees=50)) != list(iter_employee_rows(seed=7, employees=50))


def test_rows_are_headerless_valid_mostly_and_seasonal() -> None:
    refs = RefData(department_ids=set(range(1, 13)), job_ids=set(range(1, 181)))
    validator = RowValidator(HIRED_EMPLOYEES, refs)
    rows = list(iter_employee_rows(seed=42, employees=20_000))
    results = [validator.check(n, row) for n, row in enumerate(rows, start=1)]
    rejected = [r for r in results if isinstance(r, list)]
    assert 20 <= len(rejected) <= 200  # about 0.4 %: enough for the upload page to show rejects
    kinds = {reason.split(" ")[0] for reasons in rejected for reason in reasons}
    assert {"name", "datetime", "department_id", "job_id"} <= kinds
    valid = [r for r in results if isinstance(r, tuple)]
    years = Counter(str(r[2])[:4] for r in valid)
    assert set(years) == {"2019", "2020", "2021", "2022", "2023"}
    months = Counter(str(r[2])[5:7] for r in valid)
    assert months["01"] > 2 * months["12"] and months["09"] > 2 * months["08"] / 1.5
    assert len({r[1] for r in valid}) > 1000  # realistic, varied names


def test_departments_and_jobs_are_unique_names(tmp_path: Path) -> None:
    write_demo_dataset(tmp_path, seed=1, employees=10)
    with (tmp_path / "jobs.csv").open(newline="", encoding="utf-8") as fh:
        jobs = list(csv.reader(fh))
    assert len({j[1] for j in jobs}) == len(jobs) == len(list_jobs()) == 180
    assert len(set(DEPARTMENTS)) == 12
