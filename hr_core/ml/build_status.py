"""The status record of the latest index build (a JSON file in HR_MODELS_DIR), for pages and the terminal.

A build (from the command line, the page, or the background job `make run` starts) writes here how far
it is; pages read it to show "index being built: 40 %" instead of an error. A record left "running" by
a process that no longer exists reads as interrupted.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import time
from dataclasses import asdict, dataclass
from typing import Literal

from hr_core.ml.artifacts import get_models_dir, write_json

STATUS_FILE = "index_build_status.json"
State = Literal["none", "running", "done", "failed", "interrupted"]
_WRITE_EVERY_S = 0.5


@dataclass(frozen=True)
class BuildStatus:
    """Where the latest index build stands: state, fraction done (0–1), what it is doing."""

    state: State
    fraction: float = 0.0
    message: str = ""
    pid: int | None = None
    started_at: str | None = None
    updated_at: str | None = None
    error: str | None = None

    @property
    def running(self) -> bool:
        return self.state == "running"

    @property
    def percent(self) -> int:
        return int(round(100 * max(0.0, min(1.0, self.fraction))))


def _now() -> str:
    return dt.datetime.now(dt.UTC).isoformat(timespec="seconds")


def _alive(pid: int | None) -> bool:
    if not pid:
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def get_build_status() -> BuildStatus:
    """The latest build's status; "none" if no build ever ran here, "interrupted" if its process died."""
    path = get_models_dir() / STATUS_FILE
    try:
        raw = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return BuildStatus(state="none")
    if not isinstance(raw, dict) or raw.get("state") not in ("running", "done", "failed"):
        return BuildStatus(state="none")
    fields = {k: raw.get(k) for k in BuildStatus.__dataclass_fields__}
    status = BuildStatus(**{k: v for k, v in fields.items() if v is not None})  # type: ignore[arg-type]
    if status.running and not _alive(status.pid):
        return BuildStatus(
            state="interrupted",
            fraction=status.fraction,
            message="The last index build stopped before it finished.",
            pid=status.pid,
            started_at=status.started_at,
            updated_at=status.updated_at,
        )
    return status


class BuildStatusWriter:
    """Writes one build's progress to the status file (at most twice a second, always at the end)."""

    def __init__(self) -> None:
        self._path = get_models_dir() / STATUS_FILE
        self._started = _now()
        self._last = 0.0

    def _write(self, status: BuildStatus) -> None:
        write_json(self._path, asdict(status))

    def progress(self, fraction: float, message: str, *, force: bool = False) -> None:
        now = time.monotonic()
        if not force and now - self._last < _WRITE_EVERY_S:
            return
        self._last = now
        self._write(
            BuildStatus(
                state="running",
                fraction=float(fraction),
                message=message,
                pid=os.getpid(),
                started_at=self._started,
                updated_at=_now(),
            )
        )

    def finish(self, message: str) -> None:
        self._write(
            BuildStatus(
                state="done", fraction=1.0, message=message, started_at=self._started, updated_at=_now()
            )
        )

    def fail(self, error: str) -> None:
        self._write(
            BuildStatus(
                state="failed",
                message="The last index build failed.",
                started_at=self._started,
                updated_at=_now(),
                error=error,
            )
        )
