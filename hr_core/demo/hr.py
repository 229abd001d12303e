"""The deterministic demo data set: HR CSVs like the historic files, plus the recruiting JSON."""

from __future__ import annotations

import csv
import datetime as dt
import random
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from hr_core.demo.recruiting import write_recruiting_demo

DEPARTMENTS: tuple[str, ...] = (
    "Product Management",
    "Sales",
    "Research and Development",
    "Business Development",
    "Engineering",
    "Human Resources",
    "Services",
    "Support",
    "Marketing",
    "Training",
    "Legal",
    "Accounting",
)
# Three job families per department, four levels each: 12 × 3 × 5 = 180 jobs.
_FAMILIES: tuple[tuple[str, str, str], ...] = (
    ("Product Manager", "Product Owner", "Business Analyst"),
    ("Account Executive", "Sales Representative", "Sales Engineer"),
    ("Research Scientist", "Biostatistician", "Research Associate"),
    ("Partnership Manager", "Business Development Rep", "Market Analyst"),
    ("Software Engineer", "Data Engineer", "Site Reliability Engineer"),
    ("Recruiter", "HR Business Partner", "Compensation Analyst"),
    ("Consultant", "Solutions Architect", "Project Manager"),
    ("Support Engineer", "Customer Success Manager", "Technical Writer"),
    ("Marketing Specialist", "Content Strategist", "Brand Manager"),
    ("Trainer", "Instructional Designer", "Learning Coordinator"),
    ("Paralegal", "Legal Counsel", "Compliance Officer"),
    ("Accountant", "Financial Analyst", "Payroll Specialist"),
)
_LEVELS = ("I", "II", "III", "IV", "Lead")
FIRST_NAMES = [
    "Harold",
    "Ty",
    "Lyman",
    "Lotti",
    "Gretna",
    "Ana",
    "Bruno",
    "Carla",
    "Diego",
    "Elena",
    "Fabio",
    "Giulia",
    "Hugo",
    "Ines",
    "Jonas",
    "Karin",
    "Lucas",
    "Maria",
    "Nadia",
    "Oscar",
    "Paula",
    "Rafael",
    "Sofia",
    "Tomas",
    "Ursula",
    "Victor",
    "Wanda",
    "Xavier",
    "Yara",
    "Zeno",
    "Aiko",
    "Bilal",
    "Chen",
    "Dara",
    "Emeka",
    "Farah",
    "Goran",
    "Hana",
    "Ivan",
    "Jia",
    "Kofi",
    "Leila",
    "Mateo",
    "Nia",
    "Omar",
    "Priya",
    "Quinn",
    "Rosa",
    "Sven",
    "Tariq",
    "Uma",
    "Vera",
    "Wei",
    "Yusuf",
    "Zara",
    "Amelia",
    "Ben",
    "Chloe",
    "Daniel",
    "Emma",
    "Finn",
    "Grace",
    "Henry",
    "Isla",
    "Jack",
    "Kate",
    "Liam",
    "Mia",
    "Noah",
    "Olivia",
    "Peter",
    "Ruby",
    "Sam",
    "Tess",
]
LAST_NAMES = [
    "Vogt",
    "Hofer",
    "Hadye",
    "Crowthe",
    "Lording",
    "Silva",
    "Santos",
    "Oliveira",
    "Souza",
    "Costa",
    "Pereira",
    "Almeida",
    "Ferreira",
    "Rodrigues",
    "Gomes",
    "Martins",
    "Rocha",
    "Ribeiro",
    "Carvalho",
    "Lima",
    "Smith",
    "Johnson",
    "Brown",
    "Taylor",
    "Wilson",
    "Davies",
    "Evans",
    "Thomas",
    "Roberts",
    "Walker",
    "Müller",
    "Schmidt",
    "Schneider",
    "Fischer",
    "Weber",
    "Meyer",
    "Wagner",
    "Becker",
    "Rossi",
    "Russo",
    "Ferrari",
    "Esposito",
    "Bianchi",
    "Romano",
    "García",
    "Martínez",
    "López",
    "Sánchez",
    "Pérez",
    "Gómez",
    "Novak",
    "Kowalski",
    "Nowak",
    "Tanaka",
    "Suzuki",
    "Kim",
    "Lee",
    "Park",
    "Nguyen",
    "Tran",
    "Okafor",
    "Mensah",
    "Haddad",
    "Khan",
    "Patel",
    "Singh",
    "Cohen",
    "Levi",
    "Dubois",
    "Moreau",
    "Laurent",
    "O'Brien",
]
# Hiring by month: busy January–March and September, quiet in August and December.
_MONTH_WEIGHTS = (11, 10, 10, 8, 8, 7, 6, 4, 11, 9, 8, 3)
_YEAR_WEIGHTS = {2019: 14, 2020: 10, 2021: 22, 2022: 28, 2023: 26}
_DEPT_WEIGHTS = (6, 12, 7, 6, 20, 4, 8, 10, 8, 4, 3, 5)
INVALID_SHARE = 0.004  # rows broken on purpose, so the upload page has rejects to show


def list_jobs() -> list[str]:
    """The 180 demo job titles, department by department."""
    return [f"{family} {level}" for families in _FAMILIES for family in families for level in _LEVELS]


def _job_ids_by_department() -> list[list[int]]:
    per_department = 3 * len(_LEVELS)
    return [
        list(range(d * per_department + 1, (d + 1) * per_department + 1)) for d in range(len(DEPARTMENTS))
    ]


def _break_row(rng: random.Random, row: list[str]) -> list[str]:
    kind = rng.randrange(6)
    if kind == 0:
        row[1] = ""
    elif kind == 1:
        row[2] = ""
    elif kind == 2:
        row[3] = ""
    elif kind == 3:
        row[4] = ""
    elif kind == 4:
        row[3] = str(len(DEPARTMENTS) + rng.randint(1, 50))
    else:
        row[2] = rng.choice(("2021-13-45T25:61:00Z", "yesterday", "07/11/2021 02:48", "2022-02-30T10:00:00Z"))
    return row


def iter_employee_rows(
    *, seed: int = 42, employees: int = 50_000, invalid_share: float = INVALID_SHARE
) -> Iterator[list[str]]:
    """Hired-employee rows (id, name, datetime, department_id, job_id) as strings; same seed, same rows."""
    rng = random.Random(seed)
    years = list(_YEAR_WEIGHTS)
    year_weights = list(_YEAR_WEIGHTS.values())
    jobs = _job_ids_by_department()
    departments = list(range(1, len(DEPARTMENTS) + 1))
    months = list(range(1, 13))
    for employee_id in range(1, employees + 1):
        year = rng.choices(years, year_weights)[0]
        month = rng.choices(months, _MONTH_WEIGHTS)[0]
        start = dt.datetime(year, month, 1, tzinfo=dt.UTC)
        end = dt.datetime(year + (month == 12), month % 12 + 1, 1, tzinfo=dt.UTC)
        at = start + dt.timedelta(seconds=rng.randrange(int((end - start).total_seconds())))
        department = rng.choices(departments, _DEPT_WEIGHTS)[0]
        row = [
            str(employee_id),
            f"{rng.choice(FIRST_NAMES)} {rng.choice(LAST_NAMES)}",
            at.strftime("%Y-%m-%dT%H:%M:%SZ"),
            str(department),
            str(rng.choice(jobs[department - 1])),
        ]
        if invalid_share and rng.random() < invalid_share:
            row = _break_row(rng, row)
        yield row


def _write_csv(path: Path, rows: Any) -> int:
    count = 0
    with open(path, "w", encoding="utf-8", newline="") as fh:
        writer = csv.writer(fh, lineterminator="\n")
        for row in rows:
            writer.writerow(row)
            count += 1
    return count


def write_demo_dataset(out: Path, *, seed: int = 42, employees: int = 50_000) -> dict[str, Any]:
    """Write departments.csv, jobs.csv, hired_employees.csv (headerless) and the recruiting JSON; file → rows."""
    out.mkdir(parents=True, exist_ok=True)
    counts: dict[str, Any] = {
        "departments.csv": _write_csv(out / "departments.csv", enumerate(DEPARTMENTS, start=1)),
        "jobs.csv": _write_csv(out / "jobs.csv", enumerate(list_jobs(), start=1)),
        "hired_employees.csv": _write_csv(
            out / "hired_employees.csv", iter_employee_rows(seed=seed, employees=employees)
        ),
    }
    counts.update(write_recruiting_demo(out, seed=seed))
    return counts
