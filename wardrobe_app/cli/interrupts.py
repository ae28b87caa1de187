"""Ctrl+C in a long command: the first stops it after the work in progress, so that
what was done is still reported; a second stops it at once."""

from __future__ import annotations

import contextlib
import signal
import sys
import threading
from collections.abc import Callable, Iterator
from types import FrameType

INTERRUPTED = 130  # the exit status of a command stopped by Ctrl+C (128 + SIGINT)


@contextlib.contextmanager
def stop_on_first_interrupt(
    on_stop: Callable[[], None] | None = None,
) -> Iterator[threading.Event]:
    """An event set by the first Ctrl+C (SIGINT), so that an import (or segment) stops
    after the photo in progress and still reports what it did; a second one interrupts
    at once.
    ``on_stop`` is called with the first (a re-embedding in progress stops after its
    batch: it is no photo, and took minutes at 100k garments)."""
    stop = threading.Event()

    def on_interrupt(signum: int, frame: FrameType | None) -> None:
        if stop.is_set():
            raise KeyboardInterrupt
        stop.set()
        if on_stop is not None:
            on_stop()
        ends_bar = "\n" if sys.stderr.isatty() else ""  # the bar's line; a log has none
        print(
            f"{ends_bar}stopping after the work in progress (Ctrl+C again to stop at once)",
            file=sys.stderr,
        )

    if signal.getsignal(signal.SIGINT) is signal.SIG_IGN:
        # Started with Ctrl+C ignored, as a shell starts a script's background job
        # (`wardrobe-cli import DIR &`): it stays ignored, as Python leaves it elsewhere;
        # a Ctrl+C meant for the foreground stopped the import.
        yield stop
        return
    previous = signal.signal(signal.SIGINT, on_interrupt)
    try:
        yield stop
    finally:
        signal.signal(signal.SIGINT, previous)
