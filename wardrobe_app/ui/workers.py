"""The one worker mechanism for every slow job of the GUI.

A :class:`Worker` is a ``QRunnable`` that runs a plain function with a
:class:`WorkerContext` (progress, streamed partial results, a cancel flag) and reports
through :class:`WorkerSignals`: ``started``, ``progress``, ``partial``, ``result``,
``error`` and ``finished``. Signals are emitted from the pool thread and delivered to
receivers in the GUI thread through queued connections.

:class:`TaskRunner` owns one queue per scarce resource (the model runs one batch at a
time, writes to the store are serialised, reads and thumbnails share a small pool) and
every live worker, so that the window can cancel them all on close and tests at
teardown. Every worker error also reaches ``TaskRunner.errorOccurred``: one handler.
"""

from __future__ import annotations

import logging
import threading
import traceback
import weakref
from collections.abc import Callable
from dataclasses import dataclass
from enum import StrEnum
from typing import Any, ClassVar

from PySide6.QtCore import QObject, QRunnable, QThreadPool, Signal, SignalInstance, Slot

from ..services.vectors import EmbeddingStopped
from ..store import StoreClosed

log = logging.getLogger(__name__)


class Queue(StrEnum):
    MODEL = "model"  # the segmenter / embedder: one job at a time
    WRITE = "write"  # writes to the wardrobe store: serialised
    READ = "read"  # listings, photos, similar items
    THUMBS = "thumbs"  # thumbnail decoding


QUEUE_THREADS: dict[Queue, int] = {Queue.MODEL: 1, Queue.WRITE: 1, Queue.READ: 2, Queue.THUMBS: 2}


class WorkerCancelled(Exception):
    """Raised inside a job (``ctx.check_cancelled()``) to stop early."""


@dataclass(frozen=True)
class ErrorInfo:
    """An exception caught in a worker, ready to show or log."""

    title: str  # what was being done, e.g. "Importing photos"
    exc_type: str
    message: str
    details: str  # the formatted traceback

    @classmethod
    def from_exception(cls, title: str, exc: BaseException) -> ErrorInfo:
        details = "".join(traceback.format_exception(type(exc), exc, exc.__traceback__))
        return cls(title, type(exc).__name__, str(exc) or type(exc).__name__, details)


class WorkerSignals(QObject):
    started = Signal()
    progress = Signal(int, int, str)  # done, total, current item
    partial = Signal(object)  # a streamed result (one photo analysed, one thumbnail...)
    result = Signal(object)
    error = Signal(object)  # ErrorInfo
    finished = Signal()  # always last, also after an error or a cancel


class WorkerContext:
    """What a job sees of its worker."""

    def __init__(self, worker: Worker) -> None:
        self._worker = worker

    def is_cancelled(self) -> bool:
        return self._worker.is_cancelled()

    def check_cancelled(self) -> None:
        if self._worker.is_cancelled():
            raise WorkerCancelled

    def progress(self, done: int, total: int, current: str = "") -> None:
        if not _tell(self._worker.signals.progress, int(done), int(total), str(current)):
            raise WorkerCancelled  # the app has gone: nobody waits for the rest

    def partial(self, value: object) -> None:
        if not _tell(self._worker.signals.partial, value):
            raise WorkerCancelled


Job = Callable[[WorkerContext], Any]


class Worker(QRunnable):
    """Runs ``fn(ctx)`` in a pool thread; the result or the error comes back as a signal."""

    def __init__(self, fn: Job, title: str = "Working") -> None:
        super().__init__()
        # The runner keeps the Python object alive until ``finished`` has been delivered.
        self.setAutoDelete(False)
        self.fn = fn
        self.title = title
        self.signals = WorkerSignals()
        self._cancel = threading.Event()
        self._done = threading.Event()
        self.was_cancelled = False
        self.failed = False

    def cancel(self) -> None:
        self._cancel.set()

    def is_cancelled(self) -> bool:
        return self._cancel.is_set()

    def is_done(self) -> bool:
        return self._done.is_set()

    def wait(self, timeout: float | None = None) -> bool:
        return self._done.wait(timeout)

    def run(self) -> None:
        signals = self.signals
        try:
            if self.is_cancelled():
                raise WorkerCancelled
            _tell(signals.started)
            value = self.fn(WorkerContext(self))
        except (WorkerCancelled, EmbeddingStopped, StoreClosed):
            # Also what a job meets when the window closes under it: a re-embedding
            # stopped (any job that needed the model waited for it: similar items of a
            # wardrobe re-embedded part-way), or the wardrobe closed. No error to show or
            # log at exit.
            self.was_cancelled = True
        except BaseException as exc:
            self.failed = True
            log.error("%s failed", self.title, exc_info=exc)
            _tell(signals.error, ErrorInfo.from_exception(self.title, exc))
        else:
            self.was_cancelled = self.is_cancelled()
            _tell(signals.result, value)
        finally:
            self._done.set()
            _tell(signals.finished)


def _tell(signal: SignalInstance, *args: object) -> bool:
    """Emit ``signal``; False where its QObject is gone: a job that outlived the
    shutdown's wait (a model still loading) ends as Python exits, which deletes it, and
    Qt printed "Signal source has been deleted" tracebacks on the way out."""
    try:
        signal.emit(*args)
    except RuntimeError:
        return False
    return True


class TaskRunner(QObject):
    """Owns the queues (thread pools) and every live worker."""

    errorOccurred = Signal(object)  # ErrorInfo from any worker: the one handler listens here
    activeChanged = Signal(int)
    # every runner alive, so that tests can shut them all down at teardown
    instances: ClassVar[weakref.WeakSet[TaskRunner]] = weakref.WeakSet()

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        TaskRunner.instances.add(self)
        self._pools: dict[Queue, QThreadPool] = {}
        for queue, threads in QUEUE_THREADS.items():
            pool = QThreadPool(self)
            pool.setMaxThreadCount(threads)
            pool.setObjectName(f"wardrobe-{queue.value}")
            self._pools[queue] = pool
        self._active: set[Worker] = set()
        self._closed = False

    def pool(self, queue: Queue) -> QThreadPool:
        return self._pools[queue]

    @property
    def active(self) -> list[Worker]:
        return list(self._active)

    def start(
        self,
        fn: Job,
        *,
        queue: Queue = Queue.READ,
        title: str = "Working",
        on_result: Callable[[Any], None] | None = None,
        on_progress: Callable[[int, int, str], None] | None = None,
        on_partial: Callable[[Any], None] | None = None,
        on_error: Callable[[ErrorInfo], None] | None = None,
        on_finished: Callable[[], None] | None = None,
        priority: int = 0,
    ) -> Worker:
        """Queue ``fn`` on ``queue``; callbacks run in the GUI thread.

        Pass bound methods of QObjects (not lambdas) where the receiver may be deleted
        before the worker finishes: Qt then drops the connection.
        """
        worker = Worker(fn, title)
        signals = worker.signals
        if on_result is not None:
            signals.result.connect(on_result)
        if on_progress is not None:
            signals.progress.connect(on_progress)
        if on_partial is not None:
            signals.partial.connect(on_partial)
        if on_error is not None:
            signals.error.connect(on_error)
        signals.error.connect(self.errorOccurred)
        if on_finished is not None:
            signals.finished.connect(on_finished)
        signals.finished.connect(lambda w=worker: self._forget(w))
        self._active.add(worker)
        self.activeChanged.emit(len(self._active))
        if self._closed:
            worker.cancel()
        self._pools[queue].start(worker, priority)
        return worker

    @Slot()
    def _forget(self, worker: Worker) -> None:
        self._active.discard(worker)
        self.activeChanged.emit(len(self._active))

    def cancel_all(self) -> None:
        for worker in list(self._active):
            worker.cancel()

    def wait_all(self, msecs: int = 10_000) -> bool:
        """Block until every pool is idle (used at shutdown and test teardown)."""
        ok = True
        for pool in self._pools.values():
            pool.clear()  # queued but not started: never run
            ok = pool.waitForDone(msecs) and ok
        return ok

    def finish_queue(self, queue: Queue, msecs: int = 10_000) -> bool:
        """Block until ``queue`` has run every job it holds, queued ones included (the
        saves of photos the user accepted, before a shutdown would drop them)."""
        return self.pool(queue).waitForDone(msecs)

    def shutdown(self, msecs: int = 10_000) -> bool:
        """Cancel everything, drop queued jobs and wait for the running ones."""
        self._closed = True
        self.cancel_all()
        ok = self.wait_all(msecs)
        # Jobs removed from a queue before they started never report ``finished``.
        for worker in list(self._active):
            if not worker.is_done():
                self._active.discard(worker)
        return ok
