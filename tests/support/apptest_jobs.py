"""Wait in an AppTest for a page's background job to finish (AppTest does not run fragment timers)."""

from __future__ import annotations

import time
from collections.abc import Callable

from streamlit.testing.v1 import AppTest


def rerun_until(at: AppTest, done: Callable[[AppTest], bool], *, timeout: float = 180) -> AppTest:
    """Rerun the page until done(at) holds, as the page's one-second job poll would; fail after timeout."""
    deadline = time.monotonic() + timeout
    while not done(at):
        assert not at.exception, [e.value for e in at.exception]
        if time.monotonic() > deadline:
            raise AssertionError(
                "the page's job did not finish in time: "
                + repr([e.value for e in (*at.error, *at.info, *at.success)])
            )
        time.sleep(0.3)
        at.run()
    return at
