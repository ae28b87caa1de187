"""The temporary folder that holds a read-only wardrobe's similar-items index (its own
folder may not be written). Removed at close; one a crash left behind is removed at the
next read-only open, once no live process owns it.

Each folder is named ``wardrobe-index-<pid>-<random>`` and holds a lock file its owner
keeps ``flock``-ed: the OS releases that lock when the owner dies, however it dies, so a
folder whose lock can be taken is a dead process's (a pid alone may be reused)."""

from __future__ import annotations

import contextlib
import logging
import os
import re
import shutil
import tempfile
from pathlib import Path
from typing import IO

try:  # POSIX
    import fcntl
except ImportError:  # pragma: no cover - Windows: leftovers are left to the OS
    fcntl = None  # type: ignore[assignment]

log = logging.getLogger(__name__)

PREFIX = "wardrobe-index-"
OWNER_LOCK = ".owner.lock"
_NAME = re.compile(rf"^{re.escape(PREFIX)}(\d+)-")  # only the folders named so here


class ScratchFolder:
    """A new temporary folder, owned (its lock held) until ``remove``."""

    def __init__(self) -> None:
        self.path = Path(tempfile.mkdtemp(prefix=f"{PREFIX}{os.getpid()}-"))
        self._lock: IO[bytes] | None = None
        if fcntl is None:
            return
        # Locked under another name, then renamed: a sweep of another process that
        # finds the owner lock finds it locked. Made under its name and locked after,
        # a sweep in between took it for a dead process's and removed the folder.
        making = self.path / f"{OWNER_LOCK}.new"
        try:
            self._lock = open(making, "a+b")  # noqa: SIM115 - held open
            fcntl.flock(self._lock.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
            os.replace(making, self.path / OWNER_LOCK)
        except OSError as exc:  # no flock here (ENOLCK): the folder kept, never swept
            log.warning("similar-items index folder %s: no owner lock (%s)", self.path, exc)
            self._unlock()
            with contextlib.suppress(OSError):
                making.unlink()
        except BaseException:
            self.remove()  # neither the folder nor the lock's descriptor left behind
            raise

    def _unlock(self) -> None:
        if self._lock is not None:
            self._lock.close()
            self._lock = None

    def remove(self) -> None:
        # Under another name first: an index build abandoned at close may still write
        # into the folder by its name, and a file it made while the folder was being
        # removed kept it, without its owner lock, so that no sweep ever took it. The
        # new name is still this app's (a sweep leaves it while its lock is held).
        doomed = self.path.with_name(f"{self.path.name}-removed")
        try:
            os.rename(self.path, doomed)
        except OSError:  # Windows, while a file in it is open: removed where it is
            doomed = self.path
        shutil.rmtree(doomed, ignore_errors=True)
        self._unlock()  # after: no other process sweeps it half-removed


def _owner_gone(folder: Path) -> IO[bytes] | None:
    """The folder's lock file, locked here, where its owner is dead; else None."""
    if fcntl is None:
        return None
    match = _NAME.match(folder.name)
    if match is None or folder.is_symlink() or not folder.is_dir():
        return None
    try:
        if hasattr(os, "getuid") and folder.stat().st_uid != os.getuid():
            return None  # another user's: not ours to remove
    except OSError:  # gone meanwhile (another process's sweep removed it)
        return None
    try:
        fh = open(folder / OWNER_LOCK, "rb")  # noqa: SIM115 - returned, held
    except OSError:  # none yet (being made), or not ours to read: left alone
        return None
    try:
        fcntl.flock(fh.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
    except OSError:  # its owner lives (this process's own too: flock is per open file)
        fh.close()
        return None
    return fh


def remove_dead_leftovers(parent: Path | None = None) -> int:
    """Remove the index folders in ``parent`` (the temporary folder) that processes
    which died (a crash, a kill) left behind; how many."""
    parent = Path(parent or tempfile.gettempdir())
    removed = 0
    try:
        candidates = [p for p in parent.iterdir() if p.name.startswith(PREFIX)]
    except OSError:
        return 0
    for folder in candidates:
        lock = _owner_gone(folder)
        if lock is None:
            continue
        with contextlib.closing(lock):  # held while removed: another sweep leaves it
            shutil.rmtree(folder, ignore_errors=True)
        removed += not folder.exists()
    if removed:
        log.info("removed %d similar-items index folder(s) left by a crash", removed)
    return removed
