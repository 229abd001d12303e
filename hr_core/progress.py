"""The one progress type: long work reports (fraction done 0..1, a message) to whoever shows it."""

from __future__ import annotations

from collections.abc import Callable

Progress = Callable[[float, str], None]


def no_progress(_fraction: float, _message: str) -> None:
    """A Progress that shows nothing (the default when the caller gives none)."""


def scale_progress(progress: Progress | None, start: float, span: float) -> Progress:
    """A Progress for one step of a longer job: its 0..1 maps onto start..start+span of the whole."""
    if progress is None:
        return no_progress
    outer = progress
    return lambda fraction, message: outer(start + span * fraction, message)
