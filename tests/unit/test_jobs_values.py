"""Job params are checked per kind; job results become plain JSON (numpy, NaN and dates included)."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pytest

from hr_core.errors import InvalidInputError
from hr_core.jobs import get_job_kind
from hr_core.jobs.records import to_jsonable


def test_results_become_plain_json() -> None:
    value = {
        "auc": np.float64(0.75),
        "n": np.int64(5),
        "nan": float("nan"),
        "ok": True,
        "at": dt.date(2025, 1, 2),
    }
    assert to_jsonable(value) == {"auc": 0.75, "n": 5, "nan": None, "ok": True, "at": "2025-01-02"}


def test_params_are_checked_against_the_kind() -> None:
    assert get_job_kind("ml.train").check_params({"seed": "3"}) == {"seed": 3}
    assert get_job_kind("backup.all").check_params(None) == {}
    with pytest.raises(InvalidInputError, match="needs the parameter 'out'"):
        get_job_kind("recruiting.export").check_params({})
    with pytest.raises(InvalidInputError, match="'seed' must be int, got True"):
        get_job_kind("ml.train").check_params({"seed": True})
