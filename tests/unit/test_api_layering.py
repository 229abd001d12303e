"""hr_api is a thin face: no SQL, no role list or role check of its own (hr_core enforces roles)."""

import re
from pathlib import Path

API = Path(__file__).resolve().parents[2] / "hr_api"


def test_hr_api_has_no_sql_and_no_role_rules() -> None:
    offenders = []
    for path in sorted(API.rglob("*.py")):
        source = path.read_text(encoding="utf-8")
        for pattern in (
            r"from sqlalchemy import .*\b(select|text|insert|update|delete)\b",
            r"\brequire_role\b|\bmay\(|\bPERMISSIONS\b|\bROLES\b",
            r"[\"'](analyst|recruiter|admin)[\"']",
            r"\bSELECT\b|\bINSERT INTO\b",
        ):
            if re.search(pattern, source):
                offenders.append(f"{path.name}: {pattern}")
    assert not offenders, offenders
