"""Whether dragged paths named like a text file, a video or a sound are folders ("Trip.ts",
"Berlin.csv"), asked of the disk on a thread of its own: asked on the GUI thread during
a drag, a slow network share froze the window."""

from __future__ import annotations

import threading
from collections.abc import Iterable
from pathlib import Path


class FolderProbe:
    """Answers ``is_folder`` once a background look-up has; None until then."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._known: dict[Path, bool] = {}
        self._asked: set[Path] = set()  # being looked up

    def ask(self, paths: Iterable[Path]) -> None:
        """Look ``paths`` up, those not known or being looked up already, off this thread."""
        with self._lock:
            new = [p for p in dict.fromkeys(paths) if p not in self._known and p not in self._asked]
            self._asked.update(new)
        if new:  # a daemon: a share that never answers holds this thread, not the app
            threading.Thread(
                target=self._look_up, args=(new,), name="wardrobe-drop-probe", daemon=True
            ).start()

    def is_folder(self, path: Path) -> bool | None:
        with self._lock:
            return self._known.get(path)

    def forget(self) -> None:
        """A new drag: what was there may have changed since the last one."""
        with self._lock:
            self._known.clear()

    def _look_up(self, paths: list[Path]) -> None:
        for path in paths:
            try:
                found = path.is_dir()
            except (OSError, ValueError):  # unreadable, or a name the system refuses
                found = False
            with self._lock:
                self._known[path] = found
                self._asked.discard(path)
