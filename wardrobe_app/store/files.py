"""Content-addressed image files under ``<home>/files``.

Every file is named by the SHA-256 of its bytes (``files/ab/abcdef….png``), written to a
temporary file in ``files/.incoming`` first, flushed to disk and renamed into place with
:func:`os.replace`, so a reader (or a crash) never sees half a file under a final name.
Files that no database row references are removed by :meth:`FileStore.sweep` at start-up,
and a save's leftovers by ``services.stored_files.discard_files``, under the database's
write lock: two programs may store the same file (the app and ``wardrobe-cli import``),
and each looks for its files again under that lock before it commits rows naming them.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import re
import uuid
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path

import cv2
import numpy as np

from .read_only import ReadOnlyWardrobe

FILES = "files"
INCOMING = ".incoming"
# What this store writes, and so all that its clean-up may ever delete: files/<ab>/<sha256
# starting ab>.<ext>, and <uuid>.part in .incoming. A folder chosen as a data home may
# hold other files (a user's own); those are never touched.
_STORED_NAME = re.compile(r"([0-9a-f]{2})[0-9a-f]{62}(\.[0-9a-z]+)?")
_TEMP_NAME = re.compile(r"[0-9a-f]{32}\.part")
_SHARD_NAME = re.compile(r"[0-9a-f]{2}")
_CHUNK = 1 << 20
# PNG encoder settings per content, chosen for speed (import throughput) over size:
# masks are 1-bit, label maps and images use zlib's run-length strategy.
PNG_PARAMS: dict[str, list[int]] = {
    "mask": [cv2.IMWRITE_PNG_BILEVEL, 1, cv2.IMWRITE_PNG_COMPRESSION, 1],
    "labels": [cv2.IMWRITE_PNG_STRATEGY, cv2.IMWRITE_PNG_STRATEGY_RLE],
    "image": [cv2.IMWRITE_PNG_STRATEGY, cv2.IMWRITE_PNG_STRATEGY_RLE],
}


def claimed_hash(rel: str) -> str | None:
    """The SHA-256 a stored file's name says its bytes have; None for a name this store
    did not give."""
    name = rel.rsplit("/", 1)[-1]
    return name[:64] if _STORED_NAME.fullmatch(name) else None


class SourceChangedError(OSError):
    """A file copied into the store no longer holds the bytes it was hashed as."""


def write_all(fd: int, data: bytes) -> None:
    """All of ``data`` to ``fd`` (``os.write`` may write less than it is given)."""
    view = memoryview(data)
    while view:
        view = view[os.write(fd, view) :]


def fsync_path(path: Path) -> None:
    """Flush a file, or a folder's entries (POSIX), to disk by its path."""
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def sha256_file(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        while chunk := fh.read(_CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


def encode_png(image: np.ndarray) -> bytes:
    """PNG bytes of a gray (H, W), bool mask (stored 1-bit, read back 0/255), RGB or
    RGBA uint8 array."""
    arr = image
    params = PNG_PARAMS["image"] if arr.ndim == 3 else PNG_PARAMS["labels"]
    if arr.dtype == bool:
        arr = arr.astype(np.uint8) * 255
        params = PNG_PARAMS["mask"]
    if arr.dtype != np.uint8:
        raise ValueError(f"cannot store {arr.dtype} image as PNG")
    if arr.ndim == 3 and arr.shape[2] == 3:
        arr = cv2.cvtColor(arr, cv2.COLOR_RGB2BGR)
    elif arr.ndim == 3 and arr.shape[2] == 4:
        arr = cv2.cvtColor(arr, cv2.COLOR_RGBA2BGRA)
    elif arr.ndim != 2:
        raise ValueError(f"cannot store image of shape {arr.shape} as PNG")
    ok, buf = cv2.imencode(".png", np.ascontiguousarray(arr), params)
    if not ok:
        raise OSError("PNG encoding failed")
    return buf.tobytes()


def read_png(path: Path) -> np.ndarray:
    """A stored PNG as gray (H, W), RGB or RGBA uint8 (channel order as written)."""
    data = np.fromfile(str(path), dtype=np.uint8)
    if not data.size:  # cv2.imdecode asserts on it: a cv2.error, not the OSError below
        raise OSError(f"{path}: empty file (0 bytes)")
    arr = cv2.imdecode(data, cv2.IMREAD_UNCHANGED)
    if arr is None:
        raise OSError(f"{path}: unreadable PNG")
    if arr.ndim == 3 and arr.shape[2] == 3:
        arr = cv2.cvtColor(arr, cv2.COLOR_BGR2RGB)
    elif arr.ndim == 3 and arr.shape[2] == 4:
        arr = cv2.cvtColor(arr, cv2.COLOR_BGRA2RGBA)
    return np.ascontiguousarray(arr)


def stored_plane(files: FileStore, rel: str) -> np.ndarray | None:
    """A stored label map or mask PNG as one 2-d plane; None where it cannot be read."""
    try:
        stored = read_png(files.abspath(rel))
    except OSError:
        return None
    return stored if stored.ndim == 2 else stored[..., 0]


class StoreClosed(RuntimeError):
    """The store was closed; nothing more is written through it."""


class FileStore:
    """The ``files`` folder of one data home. Paths handed out are relative to the home."""

    def __init__(self, home: Path, *, fsync: bool = True, refusal: str | None = None) -> None:
        self.home = Path(home)
        self.root = self.home / FILES
        self.incoming = self.root / INCOMING
        self.fsync = fsync
        self.closed = False  # set by Store.close
        # Called before each write: the store's deferred start-up clean-up done first.
        self.before_write: Callable[[], None] = _nothing
        # Why nothing may be written here (a read-only wardrobe), or None.
        self.refusal = refusal
        self._absolute: dict[str, Path] = {}
        if refusal is None:
            self.root.mkdir(parents=True, exist_ok=True)
            self.incoming.mkdir(exist_ok=True)

    def check_writable(self) -> None:
        if self.refusal is not None:
            raise ReadOnlyWardrobe(self.refusal)

    # -- names -------------------------------------------------------------------------
    def relpath_for(self, digest: str, suffix: str) -> str:
        return f"{FILES}/{digest[:2]}/{digest}{suffix.lower()}"

    def abspath(self, rel: str) -> Path:
        # Remembered (a Path is immutable): listing 3000 garments joined 12000 paths,
        # about 60 ms of every filter change. Bounded by the files in the store.
        path = self._absolute.get(rel)
        if path is None:
            path = self._absolute[rel] = self.home / rel
        return path

    # -- writing -----------------------------------------------------------------------
    @contextlib.contextmanager
    def _temp(self) -> Iterator[tuple[Path, int]]:
        if self.closed:  # the home's lock is released: a clean-up elsewhere may sweep it
            raise StoreClosed(f"the wardrobe in {self.home} was closed: nothing is saved")
        self.check_writable()
        tmp = self.incoming / f"{uuid.uuid4().hex}.part"
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o644)
        try:
            yield tmp, fd
        except BaseException:
            with contextlib.suppress(OSError):
                os.close(fd)
            with contextlib.suppress(OSError):
                tmp.unlink()
            raise

    def _commit(self, tmp: Path, fd: int, rel: str) -> None:
        if self.fsync:
            os.fsync(fd)
        os.close(fd)
        dest = self.abspath(rel)
        dest.parent.mkdir(parents=True, exist_ok=True)
        os.replace(tmp, dest)

    def put_bytes(self, data: bytes, suffix: str) -> tuple[str, bool]:
        """Store ``data``; returns (relative path, whether a new file was written)."""
        self.before_write()  # before the look: a file there may be about to be swept
        digest = hashlib.sha256(data).hexdigest()
        rel = self.relpath_for(digest, suffix)
        if self.abspath(rel).is_file():
            return rel, False
        with self._temp() as (tmp, fd):
            write_all(fd, data)
            self._commit(tmp, fd, rel)
        return rel, True

    def put_file(self, src: Path, digest: str, suffix: str) -> tuple[str, bool]:
        """Copy ``src`` (whose SHA-256 is ``digest``) in; returns (relative path, new?).

        :class:`SourceChangedError` where the bytes copied no longer hash to ``digest``:
        the file was written to since it was hashed (a sync client, an editor), and
        stored under that name it would be a damaged file from the start."""
        self.before_write()
        rel = self.relpath_for(digest, suffix)
        if self.abspath(rel).is_file():
            return rel, False
        with self._temp() as (tmp, fd), open(src, "rb") as fh:
            copied = hashlib.sha256()
            with os.fdopen(os.dup(fd), "wb", closefd=True) as out:
                while chunk := fh.read(_CHUNK):
                    copied.update(chunk)
                    out.write(chunk)
            if copied.hexdigest() != digest:
                raise SourceChangedError(f"{src}: changed while it was being copied")
            self._commit(tmp, fd, rel)
        return rel, True

    def put_png(self, image: np.ndarray) -> tuple[str, bool]:
        return self.put_bytes(encode_png(image), ".png")

    def is_damaged(self, rel: str) -> bool:
        """Whether a stored file's bytes no longer hash to its name (truncated, or written
        over by another program), or cannot be read; False for a name it did not give."""
        claimed = claimed_hash(rel)
        if claimed is None:
            return False
        try:
            return sha256_file(self.abspath(rel)) != claimed
        except OSError:
            return True

    def remove(self, rels: Iterable[str]) -> None:
        self.before_write()
        for rel in rels:
            self.check_writable()
            with contextlib.suppress(FileNotFoundError):
                self.abspath(rel).unlink()

    # -- start-up cleanup --------------------------------------------------------------
    def all_files(self) -> list[str]:
        """Every stored file (relative paths), temporary ones excluded."""
        return [rel for rel, _ in self._stored_entries()]

    def temp_files(self) -> list[Path]:
        """Unfinished writes: this store's own temporary files in ``.incoming``."""
        if not self.incoming.is_dir():
            return []
        return sorted(
            p for p in self.incoming.iterdir() if _TEMP_NAME.fullmatch(p.name) and p.is_file()
        )

    def _stored_entries(self) -> Iterator[tuple[str, str]]:
        return _stored_entries(self.root)

    def sweep(self, referenced: set[str]) -> int:
        """Delete this store's temporary files and the stored files no row references;
        returns how many went. Files it did not name (see ``_STORED_NAME``) stay."""
        self.check_writable()
        removed = 0
        for tmp in self.temp_files():
            with contextlib.suppress(OSError):
                tmp.unlink()
                removed += 1
        for rel, path in list(self._stored_entries()):
            if rel in referenced:
                continue
            with contextlib.suppress(OSError):
                os.unlink(path)
                removed += 1
        with os.scandir(self.root) as it:
            shards = [s.path for s in it if _SHARD_NAME.fullmatch(s.name) and s.is_dir()]
        for shard in shards:
            with contextlib.suppress(OSError):
                os.rmdir(shard)  # only succeeds when empty
        return removed


def _stored_entries(root: Path) -> Iterator[tuple[str, str]]:
    """(relative path, path) of each file under ``root`` (a home's ``files``) named as
    the store names them.

    Every start (each ``wardrobe-cli`` command) lists them all: ``os.scandir`` tells
    a file from the folder's own listing, where ``Path.is_file`` asked the disk once
    per file (16,000 files of 3,600 garments: 150 ms of a 210 ms start, warm)."""
    with os.scandir(root) as it:
        shards = sorted(
            (s for s in it if _SHARD_NAME.fullmatch(s.name) and s.is_dir()),
            key=lambda s: s.name,
        )
    for shard in shards:
        with os.scandir(shard.path) as it:
            entries = sorted(it, key=lambda e: e.name)
        for entry in entries:
            named = _STORED_NAME.fullmatch(entry.name)
            if named and named.group(1) == shard.name and entry.is_file():
                yield f"{FILES}/{shard.name}/{entry.name}", entry.path


def holds_stored_files(home: Path) -> bool:
    """Whether ``home`` holds a file the store wrote (read only: nothing is made). An
    empty ``files`` folder, or one of other files, is no wardrobe's."""
    root = home / FILES
    return root.is_dir() and next(_stored_entries(root), None) is not None


def _nothing() -> None:
    """FileStore.before_write of a store with no deferred clean-up."""
