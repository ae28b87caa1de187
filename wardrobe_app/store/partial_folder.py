"""Hidden work folders (``.NAME.1a2b3c4d.partial``) that become a folder only when
complete, and the clean-up of those a killed process left behind.

A backup writes into one and renames it into place last, so a stopped backup never
looks complete. But a backup killed (or a machine that lost power) left its work folder
for good: hidden, up to a whole wardrobe's size, and with dated backup names nothing
ever met it again. The folder's owner holds a lock on a file in it (``flock``: the OS
releases it when the process dies), so another backup in the same place can tell a
folder still being written from a leftover, and remove only the latter.
"""

from __future__ import annotations

import contextlib
import re
import shutil
import time
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import IO

from .asked_names import named_as_asked

try:  # POSIX
    import fcntl
except ImportError:  # pragma: no cover - Windows: leftovers are not looked for
    fcntl = None  # type: ignore[assignment]

IN_PROGRESS = ".in-progress"  # locked by the folder's owner while it writes
_NAME = re.compile(r"\..+\.[0-9a-f]{8}\.partial")
# A folder that changed this recently may be one a live process has not locked yet (it
# is made, then its lock file, then locked) or is renaming into place (the lock file is
# removed first): only an older one, unlocked, is a leftover.
UNLOCKED_GRACE_S = 120.0


@contextlib.contextmanager
def partial_folder(destination: Path) -> Iterator[Path]:
    """A new, locked work folder beside ``destination``; on leaving normally it is
    renamed to ``destination`` (which must not exist), on an error removed."""
    work = destination.parent / f".{destination.name}.{uuid.uuid4().hex[:8]}.partial"
    try:
        work.mkdir()
    except OSError as exc:  # said of the folder asked for, not of a hidden one never seen
        named_as_asked(exc, work, destination)
        raise
    lock: IO[bytes] | None = None
    try:
        lock = open(work / IN_PROGRESS, "wb")  # noqa: SIM115 - held to the end
        if fcntl is not None:
            fcntl.flock(lock.fileno(), fcntl.LOCK_EX)
        yield work
        (work / IN_PROGRESS).unlink()  # still locked through the open file until closed
        work.rename(destination)
    except BaseException:
        shutil.rmtree(work, ignore_errors=True)
        raise
    finally:
        if lock is not None:
            lock.close()


def remove_leftovers(parent: Path) -> list[Path]:
    """Remove the work folders in ``parent`` that no live process holds; returns them."""
    if fcntl is None:
        return []
    removed: list[Path] = []
    try:
        entries = [p for p in parent.iterdir() if _NAME.fullmatch(p.name)]
    except OSError:
        return removed
    for entry in entries:
        if entry.is_symlink() or not entry.is_dir() or _in_use(entry):
            continue
        shutil.rmtree(entry, ignore_errors=True)
        removed.append(entry)
    return removed


def _in_use(folder: Path) -> bool:
    """Whether a live process may be writing ``folder``: it holds the lock, or the
    folder changed a moment ago (made, its lock file not locked yet; or being renamed
    into place, the lock file removed first)."""
    if _changed_lately(folder):
        return True
    try:
        fh = open(folder / IN_PROGRESS, "rb")  # noqa: SIM115 - closed below
    except FileNotFoundError:
        # Killed before it locked, long enough ago; unless its owner removed the lock
        # file since the look above, to rename the folder into place: it changed then.
        return _changed_lately(folder)
    except OSError:
        return True  # cannot tell: leave it
    with fh:
        try:
            fcntl.flock(fh.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            return True
        return False


def _changed_lately(folder: Path) -> bool:
    """Whether ``folder`` changed within UNLOCKED_GRACE_S; True where it cannot be told
    (gone already: renamed into place)."""
    try:
        return time.time() - folder.stat().st_mtime < UNLOCKED_GRACE_S
    except OSError:
        return True
