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
from PySide6.QtGui import QGuiApplication, QImage, QPixmap

from .imaging import load_scaled
from .workers import Queue, TaskRunner, WorkerContext

MAX_PENDING = 400
DRAINERS = 2


class ThumbnailCache(QObject):
    loaded = Signal(str)  # the path (as str) whose thumbnail is now cached

    def __init__(
        self,
        runner: TaskRunner,
        size: QSize,
        capacity: int = 800,
        parent: QObject | None = None,
        ratio: float | None = None,
    ) -> None:
        super().__init__(parent)
        self.runner = runner
        self.size = QSize(size)  # in the cards' (device-independent) pixels
        # The screen's pixels per card pixel (1.5 at 150 % scaling): thumbnails are read
        # for those, or a 148 px picture is stretched over 296 pixels, blurred.
        if ratio is None:
            app = QGuiApplication.instance()
            ratio = app.devicePixelRatio() if isinstance(app, QGuiApplication) else 1.0
        self.ratio = max(1.0, ratio)
        self._load_box = QSize(round(size.width() * self.ratio), round(size.height() * self.ratio))
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
                image = load_scaled(Path(key), self._load_box)
            except Exception:  # an unreadable file gets the "broken" marker below
                image = QImage()
            ctx.partial((key, image))

    def _pixmap(self, image: QImage) -> QPixmap:
        """The picture at the cards' size: as many screen pixels as it has, up to the
        screen's ratio (a smaller file is drawn at its own size, as before)."""
        if image.isNull():
            return QPixmap()
        pixmap = QPixmap.fromImage(image)
        fit = max(image.width() / self.size.width(), image.height() / self.size.height())
        pixmap.setDevicePixelRatio(min(self.ratio, max(1.0, fit)))
        return pixmap

    @Slot(object)
    def _on_loaded(self, item: tuple[str, QImage]) -> None:
        key, image = item
        with self._lock:
            self._pending.discard(key)
        self._cache[key] = self._pixmap(image)
        self._cache.move_to_end(key)
        while len(self._cache) > self.capacity:
            self._cache.popitem(last=False)
        self.loaded.emit(key)
