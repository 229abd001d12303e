"""The match model's libraries are imported once per server process, in the background, ahead of the first load."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]

# A fresh interpreter, so nothing imported them before (outside a Streamlit run, st.cache_resource still caches).
SCRIPT = """
import sys
from pages._shared import start_importing_model_libraries
assert "skops.io" not in sys.modules and "torch" not in sys.modules
first = start_importing_model_libraries()
assert first.daemon and first.name == "hr-import-model-libraries"
assert start_importing_model_libraries() is first, "a second call must not start a second import"
first.join(900)
assert not first.is_alive()
assert "skops.io" in sys.modules
# skops' walk over scikit-learn would import torch; it is refused to that thread only, and nothing is lost:
assert "torch" not in sys.modules
from skops.io._trusted_types import SKLEARN_ESTIMATOR_TYPE_NAMES
print(len(SKLEARN_ESTIMATOR_TYPE_NAMES))
import torch  # other imports of torch still work afterwards
print("imported once")
"""
PLAIN = (
    "import skops.io\nfrom skops.io._trusted_types import SKLEARN_ESTIMATOR_TYPE_NAMES as n\nprint(len(n))"
)


def test_model_libraries_are_imported_once_in_the_background() -> None:
    out = subprocess.run(
        [sys.executable, "-c", SCRIPT], cwd=REPO, capture_output=True, text=True, timeout=1200
    )
    assert out.returncode == 0, out.stderr[-3000:]
    count, *_, done = out.stdout.split()
    assert done == "once"
    plain = subprocess.run(
        [sys.executable, "-c", PLAIN], cwd=REPO, capture_output=True, text=True, timeout=1200
    )
    assert plain.returncode == 0, plain.stderr[-3000:]
    assert int(count) == int(plain.stdout.split()[-1]) > 100  # the same trusted estimator types
