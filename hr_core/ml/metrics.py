"""Measures of a probabilistic classifier that scikit-learn lacks."""

from __future__ import annotations

import numpy as np


def expected_calibration_error(y: np.ndarray, p: np.ndarray, *, bins: int = 10) -> float:
    """Expected calibration error: over equal-width probability bins, the share of pairs in the bin times
    |mean predicted − observed rate|, summed (0 = perfectly calibrated)."""
    y = np.asarray(y, dtype=float)
    p = np.asarray(p, dtype=float)
    if len(p) == 0:
        return 0.0
    which = np.clip((p * bins).astype(int), 0, bins - 1)
    total = 0.0
    for b in range(bins):
        mask = which == b
        if mask.any():
            total += mask.mean() * abs(float(p[mask].mean()) - float(y[mask].mean()))
    return float(total)
