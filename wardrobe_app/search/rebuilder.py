"""A single background thread that runs rebuilds one at a time.

Requests coalesce: however many arrive while a rebuild runs, exactly one more runs after
it, and that one sees every change made before it started. A request may be delayed
(debouncing a burst of edits); the earliest due time wins, so a steady trickle of edits
can't postpone the rebuild forever.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable

log = logging.getLogger(__name__)


class Rebuilder:
    def __init__(self, job: Callable[[], None], name: str = "similar-index-rebuild") -> None:
        self._job = job
        self._name = name
        self._cond = threading.Condition()
        self._requested = 0  # tickets handed out
        self._done = 0  # every ticket <= this is covered by a finished run
        self._due: float | None = None  # monotonic time the pending run may start
        self._running = False
        self._closed = False
        self._thread: threading.Thread | None = None
        self.last_error: BaseException | None = None

    @property
    def closed(self) -> bool:
        return self._closed

    def request(self, delay: float = 0.0) -> int:
        """Ask for a run starting after ``delay`` seconds; returns a ticket for :meth:`wait`."""
        with self._cond:
            if self._closed:
                raise RuntimeError("the index is closed")
            self._requested += 1
            due = time.monotonic() + max(0.0, delay)
            if self._due is None or due < self._due:
                self._due = due
            if self._thread is None:
                # Daemon: an unfinished rebuild must never keep the app from exiting; the
                # next open() reconciles whatever it didn't get to.
                self._thread = threading.Thread(target=self._run, name=self._name, daemon=True)
                self._thread.start()
            self._cond.notify_all()
            return self._requested

    def wait(self, ticket: int, timeout: float | None = None) -> bool:
        """Until a run that started after ``ticket`` was requested has finished."""
        with self._cond:
            return (
                self._cond.wait_for(lambda: self._done >= ticket or self._closed, timeout)
                and self._done >= ticket
            )

    def hurry(self) -> None:
        """Let a pending (delayed) run start now."""
        with self._cond:
            if self._due is not None:
                self._due = time.monotonic()
                self._cond.notify_all()

    def wait_idle(self, timeout: float | None = None) -> bool:
        """Until nothing is pending or running (True), or the timeout passes (False)."""
        with self._cond:
            return self._cond.wait_for(
                lambda: self._closed or (self._due is None and not self._running), timeout
            )

    def close(self, timeout: float | None = None) -> bool:
        """Stop the thread (a running job should poll :attr:`closed`); True unless a job
        is still running after ``timeout`` (an idle thread ends on its own)."""
        with self._cond:
            self._closed = True
            self._cond.notify_all()
            thread = self._thread
        if thread is None or thread is threading.current_thread():
            return True
        thread.join(timeout)
        with self._cond:
            return not (thread.is_alive() and self._running)

    def _run(self) -> None:
        while True:
            with self._cond:
                while not self._closed and (self._due is None or self._due > time.monotonic()):
                    wait = None if self._due is None else max(0.0, self._due - time.monotonic())
                    self._cond.wait(wait)
                if self._closed:
                    return
                ticket, self._due, self._running = self._requested, None, True
            error: BaseException | None = None
            try:
                self._job()
            except Exception as exc:  # keep the thread alive; the old index stays in use
                if self._closed:  # abandoned at close: its folder may be gone (read-only)
                    log.info("similar-items index rebuild abandoned at close: %s", exc)
                else:
                    log.exception("similar-items index rebuild failed")
                error = exc
            with self._cond:
                self._running = False
                self._done, self.last_error = ticket, error
                self._cond.notify_all()
