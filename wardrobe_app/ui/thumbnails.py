"""Thumbnails decoded off the GUI thread and kept in an LRU cache.

``get(path)`` answers at once: the cached pixmap, or ``None`` after queueing the file.
Requests come from the model's ``data()``, which the view only calls for visible rows,
so only what is on screen gets loaded. The queue is a stack (the newest request, i.e.
what the user is looking at now, first) with a bounded length: rows scrolled past
quickly fall off and are asked for again if they come back into view.
"""

from __future__ import annotations

import threading
from collections import OrderedDict, deque
from pathlib import Path

from PySide6.QtCore import QObject, QSize, Signal, Slot
from PySide6.QtGui import QImage, QPixmap

from .imaging import load_scaled
from .workers import Queue, TaskRunner, WorkerContext

MAX_PENDING = 400
DRAINERS = 2


class ThumbnailCache(QObject):
    loaded = Signal(str)  # the path (as str) whose thumbnail is now cached

    def __init__(
        self, runner: TaskRunner, size: QSize, capacity: int = 800, parent: QObject | None = None
    ) -> None:
        super().__init__(parent)
        self.runner = runner
        self.size = QSize(size)
        self.capacity = capacity
        self._cache: OrderedDict[str, QPixmap] = OrderedDict()
        self._lock = threading.Lock()
        self._stack: deque[str] = deque()
        self._pending: set[str] = set()
        self._drainers = 0
        self.requests = 0  # how many files were queued (tests check laziness with it)

    def get(self, path: Path | str) -> QPixmap | None:
        key = str(path)
        pm = self._cache.get(key)
        if pm is not None:
            self._cache.move_to_end(key)
            return pm
        self._request(key)
        return None

    def peek(self, path: Path | str) -> QPixmap | None:
        return self._cache.get(str(path))

    def clear(self) -> None:
        self._cache.clear()
        with self._lock:
            self._stack.clear()
            self._pending.clear()

    def invalidate(self, path: Path | str) -> None:
        self._cache.pop(str(path), None)

    def pending_count(self) -> int:
        with self._lock:
            return len(self._pending)

    def _request(self, key: str) -> None:
        start = False
        with self._lock:
            if key in self._pending:
                return
            self.requests += 1
            self._pending.add(key)
            self._stack.append(key)
            while len(self._stack) > MAX_PENDING:
                dropped = self._stack.popleft()
                self._pending.discard(dropped)
            if self._drainers < DRAINERS:
                self._drainers += 1
                start = True
        if start:
            self.runner.start(
                self._drain,
                queue=Queue.THUMBS,
                title="Loading thumbnails",
                on_partial=self._on_loaded,
            )

    def _drain(self, ctx: WorkerContext) -> None:
        while True:
            with self._lock:
                if not self._stack or ctx.is_cancelled():
                    self._drainers -= 1
                    return
                key = self._stack.pop()
            try:
                image = load_scaled(Path(key), self.size)
            except Exception:  # an unreadable file gets the "broken" marker below
                image = QImage()
            ctx.partial((key, image))

    @Slot(object)
    def _on_loaded(self, item: tuple[str, QImage]) -> None:
        key, image = item
        with self._lock:
            self._pending.discard(key)
        self._cache[key] = QPixmap.fromImage(image) if not image.isNull() else QPixmap()
        self._cache.move_to_end(key)
        while len(self._cache) > self.capacity:
            self._cache.popitem(last=False)
        self.loaded.emit(key)
