"""On-disk builds of the similarity index.

A build ``b`` is three files, all written to temporary names and moved into place with
``os.replace`` once the whole build is made (so a build abandoned part-way, even by a
kill, leaves only temporaries, which the next clean-up removes):

* ``index-b.ann``: the Annoy forest (metric 'angular'), item ``i`` = row ``i``;
* ``ids-b.npy``: the garment id of each row, sorted ascending (so lookups are a bisection);
* ``vectors-b.npy``: the unit float32 rows, memory-mapped for exact re-ranking.

``manifest.json`` is replaced last and names the current build with sizes and CRC-32s, so
a reader only ever sees a complete, matching set; anything that doesn't check out (missing,
truncated, garbage, other dimension) is reported as :class:`IndexFileError` and the caller
rebuilds. Older builds are deleted once a newer manifest is in place.

A process maps a private copy of a build's Annoy file and vectors, not the files
themselves (``load_build``): another program that truncates or writes over them in place,
even during a query, changes nothing it reads (a truncated map killed the process with
SIGBUS). The copy has no name (``O_TMPFILE``, else a name unlinked before anything is
copied into it, ending in ``.tmp`` so that ``clean`` removes it if the process dies in
between), in the index's folder, else the system's temporary folder; the map keeps it
alive and its space is freed once unmapped. Where no copy can be made (a full disk,
Windows, which refuses to truncate a mapped file), or none opened by a name (no
``/proc/self/fd`` nor ``/dev/fd``), the files are mapped in place and checked before each
query (``Mapped``).
"""

from __future__ import annotations

import contextlib
import errno
import io
import json
import logging
import os
import re
import tempfile
import time
import uuid
import zlib
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Final

import numpy as np
from annoy import AnnoyIndex

from .calibrate import BRUTE_FORCE, tune_search_k
from .vectors import as_ids, normalise

try:  # POSIX
    import fcntl
except ImportError:  # pragma: no cover - Windows: one process per wardrobe assumed
    fcntl = None  # type: ignore[assignment]

log = logging.getLogger(__name__)

FORMAT = 1
MANIFEST = "manifest.json"
METRIC: Final = "angular"
_BUILD_FILE = re.compile(r"^(index|ids|vectors)-(\d+)\.(ann|npy)$")
_TMP_SUFFIX = ".tmp"
_CHUNK = 1 << 22
# flock's answers on a file system without such locks (some network shares).
_NO_LOCKS = frozenset({errno.ENOLCK, errno.EOPNOTSUPP, errno.ENOTSUP, errno.EBADF, errno.EINVAL})
_LOCK_POLL_S = 0.05  # how often a build waiting for another process's lock looks again
# Whether builds are mapped from private copies: on Windows a mapped file cannot be
# truncated, nor deleted while open.
PRIVATE_COPIES = os.name == "posix"
_PRIVATE_PREFIX = "private-"


class IndexFileError(Exception):
    """The persisted index is missing, corrupt or for another dimension."""


class BuildCancelled(Exception):
    """The index was closed while a build was running."""


@dataclass(frozen=True)
class Mapped:
    """A file a build maps in place (where no private copy could be made), as it was
    when mapped. Truncated in place by another program (a sync tool, a clean-up script),
    its pages past the new end kill the process on the next read (SIGBUS), and a file
    written over in place feeds Annoy garbage offsets."""

    path: Path
    ino: int
    size: int
    mtime_ns: int

    @classmethod
    def of(cls, path: Path) -> Mapped:
        st = path.stat()
        return cls(path, st.st_ino, st.st_size, st.st_mtime_ns)

    def intact(self) -> bool:
        """Whether the file mapped is still as it was (a stat: microseconds)."""
        try:
            st = os.stat(self.path)
        except OSError:
            return True  # removed (another build's clean-up): the map keeps it whole
        if st.st_ino != self.ino:
            return True  # another file under its name: the one mapped is untouched
        return st.st_size == self.size and st.st_mtime_ns == self.mtime_ns


@dataclass(frozen=True)
class Built:
    """One immutable generation of the indexed set.

    ``ann`` is None for an exact-only snapshot (before the first build finishes); then
    ``build`` is 0 and every query is brute force over ``vectors``. ``search_k`` is the
    build's calibrated Annoy effort per 10 results; 0 (BRUTE_FORCE) means Annoy could not
    reach the recall target on this data, so queries scan ``vectors`` instead.
    """

    build: int
    ids: np.ndarray  # int64 (N,), sorted, unique
    vectors: np.ndarray  # float32 (N, dim), unit rows; a read-only memmap once on disk
    ann: AnnoyIndex | None = None
    search_k: int = BRUTE_FORCE
    # The files ``ann`` and ``vectors`` read where mapped in place (none: private copies)
    mapped: tuple[Mapped, ...] = ()

    @property
    def count(self) -> int:
        return int(self.ids.shape[0])

    def intact(self) -> bool:
        """Whether every file it maps is as it was mapped (see ``Mapped``)."""
        return all(m.intact() for m in self.mapped)

    def rows_of(self, ids: np.ndarray) -> np.ndarray:
        """Rows of those ``ids`` that are in this generation (others are dropped)."""
        if self.count == 0 or ids.size == 0:
            return np.zeros(0, dtype=np.int64)
        pos = np.searchsorted(self.ids, ids)
        pos[pos >= self.count] = 0
        return pos[self.ids[pos] == ids].astype(np.int64)

    def row_of(self, id_: int) -> int | None:
        rows = self.rows_of(np.array([id_], dtype=np.int64))
        return int(rows[0]) if rows.size else None


def empty(dim: int) -> Built:
    return Built(0, np.zeros(0, dtype=np.int64), np.zeros((0, dim), dtype=np.float32))


def prepare(ids: np.ndarray, vectors: np.ndarray, dim: int) -> tuple[np.ndarray, np.ndarray]:
    """Validate a loader snapshot: ids sorted and unique (last duplicate wins), rows unit."""
    ids = as_ids(ids)
    vecs = np.asarray(vectors)
    if vecs.size == 0 and ids.size == 0:
        return ids, np.zeros((0, dim), dtype=np.float32)
    if vecs.ndim != 2 or vecs.shape != (ids.size, dim):
        raise ValueError(
            f"loader returned {ids.size} ids and vectors of shape {vecs.shape}, "
            f"expected ({ids.size}, {dim})"
        )
    # Reverse first so np.unique's "first occurrence" is the caller's last one.
    uniq, first_in_reversed = np.unique(ids[::-1], return_index=True)
    rows = ids.size - 1 - first_in_reversed
    return uniq, normalise(vecs[rows], dim)


def snapshot(ids: np.ndarray, vectors: np.ndarray, dim: int) -> Built:
    """An exact-only generation held in memory (no Annoy forest yet)."""
    ids, vecs = prepare(ids, vectors, dim)
    return Built(0, ids, vecs)


@contextlib.contextmanager
def exclusive(
    directory: Path, *, wait: bool = True, stop: Callable[[], bool] = lambda: False
) -> Iterator[bool]:
    """The folder's build lock: one writer (build, then clean-up) at a time, across
    processes. The app and the CLI on one wardrobe each build; without it, one deleted
    the other's build in progress as stray files. Yields False, holding nothing, when
    ``wait`` is False and another holds it, or when ``stop()`` turns true while waiting
    (an index being closed must not hang on another process's build). An ``flock`` on the
    folder itself (no lock file to clean up), released by the OS if the process dies;
    where the file system has no such locks (some network shares), builds go unlocked."""
    if fcntl is None:
        yield True
        return
    fd = os.open(directory, os.O_RDONLY)
    try:
        locked = _lock(fd, wait, stop)
        try:
            yield locked is not False
        finally:
            if locked:
                fcntl.flock(fd, fcntl.LOCK_UN)
    finally:
        os.close(fd)


def _lock(fd: int, wait: bool, stop: Callable[[], bool]) -> bool | None:
    """True once locked, False when given up, None where there is no locking (ENOLCK)."""
    while True:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            return True
        except BlockingIOError:
            if not wait or stop():
                return False
            time.sleep(_LOCK_POLL_S)
        except OSError as exc:
            if exc.errno in _NO_LOCKS:
                return None
            raise


def _crc(path: Path) -> int:
    crc = 0
    with path.open("rb") as f:
        while chunk := f.read(_CHUNK):
            crc = zlib.crc32(chunk, crc)
    return crc


def _fsync(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _tmp(directory: Path, name: str) -> Path:
    # Unique so a writer from a closed-but-still-building index can't collide with ours.
    return directory / f"{name}.{uuid.uuid4().hex[:8]}{_TMP_SUFFIX}"


def _describe(tmp: Path, final: Path) -> dict[str, Any]:
    """fsync a written temporary and describe it, under its final name, for the manifest."""
    _fsync(tmp)
    return {"file": final.name, "size": tmp.stat().st_size, "crc32": _crc(tmp)}


def _save_npy(tmp: Path, array: np.ndarray) -> None:
    with tmp.open("wb") as f:
        np.save(f, array, allow_pickle=False)


def read_manifest(directory: Path) -> dict[str, Any]:
    try:
        data = json.loads((directory / MANIFEST).read_text(encoding="utf-8"))
    except FileNotFoundError as exc:
        raise IndexFileError("no index has been built yet") from exc
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise IndexFileError(f"unreadable manifest: {exc}") from exc
    if not isinstance(data, dict) or data.get("format") != FORMAT:
        raise IndexFileError("manifest of an unknown format")
    return data


def _manifest_build(directory: Path) -> int | None:
    """The build the manifest names; None where there is none or it is no number
    (hand-edited, garbage): no reason not to build, the next build replaces it."""
    try:
        return int(read_manifest(directory).get("build", 0))
    except (IndexFileError, TypeError, ValueError):
        return None


def next_build_number(directory: Path) -> int:
    """One more than any build named by the manifest or by a file in the folder."""
    seen = [0, _manifest_build(directory) or 0]
    for path in directory.iterdir():
        m = _BUILD_FILE.match(path.name)
        if m:
            seen.append(int(m.group(2)))
    return max(seen) + 1


def write_build(
    directory: Path,
    build: int,
    ids: np.ndarray,
    vectors: np.ndarray,
    *,
    n_trees: int,
    search_k: int,
    recall_target: float | None = None,
    n_jobs: int = 1,
    stop: Callable[[], bool] = lambda: False,
) -> None:
    """Build the Annoy forest for prepared ``ids``/``vectors`` and publish it as ``build``.

    With a ``recall_target`` the stored search_k is calibrated from ``search_k`` upwards
    (see calibrate.py); without, ``search_k`` is stored as it is. ``stop`` is polled
    between the slow steps; when it turns true the build is abandoned (raising
    :class:`BuildCancelled`) before the manifest is touched.
    """
    # The folder is not made here: a read-only wardrobe's is removed at close, and a build
    # abandoned then must not make it again (nothing would ever remove it).
    dim = int(vectors.shape[1])
    ann = AnnoyIndex(dim, METRIC)
    for row in range(ids.size):
        ann.add_item(row, vectors[row])
        if row % 4096 == 4095 and stop():
            raise BuildCancelled
    if stop():
        raise BuildCancelled
    ann.build(n_trees, n_jobs=n_jobs)  # releases the GIL, so queries keep running
    if stop():
        raise BuildCancelled
    if recall_target is not None:
        search_k = tune_search_k(ann, vectors, search_k, recall_target)
        if stop():
            raise BuildCancelled
    # Every file under a temporary name first, renamed only once all are written.
    temps = {
        key: _tmp(directory, name)
        for key, name in (
            ("ids", f"ids-{build}.npy"),
            ("vectors", f"vectors-{build}.npy"),
            ("ann", f"index-{build}.ann"),
            ("manifest", MANIFEST),
        )
    }
    try:
        _save_npy(temps["ids"], ids)
        _save_npy(temps["vectors"], vectors)
        ann.save(str(temps["ann"]))
        ann.unload()  # save() maps the temp file; let go before renaming it (Windows)
        finals = {
            "ids": directory / f"ids-{build}.npy",
            "vectors": directory / f"vectors-{build}.npy",
            "ann": directory / f"index-{build}.ann",
        }
        files = {key: _describe(temps[key], final) for key, final in finals.items()}
        manifest = {
            "format": FORMAT,
            "build": build,
            "dim": dim,
            "metric": METRIC,
            "count": int(ids.size),
            "n_trees": n_trees,
            "search_k": search_k,
            "files": files,
        }
        temps["manifest"].write_text(json.dumps(manifest, indent=1), encoding="utf-8")
        _fsync(temps["manifest"])
        if stop():
            raise BuildCancelled
        for key, final in finals.items():
            os.replace(temps[key], final)
        os.replace(temps["manifest"], directory / MANIFEST)  # the commit point
    finally:
        for tmp in temps.values():
            tmp.unlink(missing_ok=True)


def _checked(directory: Path, info: Any, expect_name: str) -> Path:
    if not isinstance(info, dict) or info.get("file") != expect_name:
        raise IndexFileError(f"manifest does not describe {expect_name}")
    path = directory / expect_name
    try:
        size = path.stat().st_size
    except OSError as exc:
        raise IndexFileError(f"{expect_name} is missing") from exc
    # The CRC guards Annoy: it trusts node offsets blindly and can crash on garbage.
    if size != info.get("size") or _crc(path) != info.get("crc32"):
        raise IndexFileError(f"{expect_name} is corrupt")
    return path


def _write_all(fd: int, data: memoryview) -> None:
    while data:
        data = data[os.write(fd, data) :]


def _unnamed_file(place: Path) -> int:
    """A new file in ``place`` no other program can open: ``O_TMPFILE`` (Linux), else
    one unlinked as soon as it is made (a ``.tmp`` name, which ``clean`` removes where
    the process died before)."""
    tmpfile = getattr(os, "O_TMPFILE", 0)
    if tmpfile:
        try:
            return os.open(place, tmpfile | os.O_RDWR | os.O_EXCL | os.O_CLOEXEC, 0o600)
        except OSError as exc:
            # Not supported here (an older kernel, some file systems): a named one
            if exc.errno not in (errno.EOPNOTSUPP, errno.EISDIR, errno.EINVAL, errno.ENOTSUP):
                raise
    fd, name = tempfile.mkstemp(suffix=_TMP_SUFFIX, prefix=_PRIVATE_PREFIX, dir=place)
    try:
        os.unlink(name)
    except FileNotFoundError:  # another process's clean() was first
        pass
    except OSError:  # a name it keeps (a share's open file): no copy here
        os.close(fd)  # its name stays (clean() removes it from the index folder)
        raise
    return fd


def _private_copy(path: Path, places: Sequence[Path]) -> tuple[int, int, int]:
    """A copy of ``path`` in the first of ``places`` where one can be made: its open
    descriptor, size and CRC-32 (of the bytes copied, which are the bytes mapped).
    OSError where none could."""
    try:
        source = path.open("rb", buffering=0)
    except OSError as exc:  # removed since it was looked at: no reason to map in place
        raise IndexFileError(f"{path.name} is missing") from exc
    with source as src:
        error: OSError | None = None
        for place in places:
            try:
                fd = _unnamed_file(place)
            except OSError as exc:  # not writable, not there
                error = exc
                continue
            try:
                src.seek(0)
                size, crc = 0, 0
                buf = bytearray(_CHUNK)
                view = memoryview(buf)
                while n := src.readinto(buf):
                    crc = zlib.crc32(view[:n], crc)
                    _write_all(fd, view[:n])
                    size += n
                return fd, size, crc
            except OSError as exc:  # a full disk: the next place
                os.close(fd)
                error = exc
        raise error if error is not None else OSError(errno.ENOENT, "no place for a copy")


def _fd_path(fd: int) -> str:
    """A name that opens the file behind ``fd`` (also one with no name of its own).
    Where it is ``/dev/fd`` (macOS, the BSDs), opening it duplicates ``fd``, which
    shares its offset with what else opens it: fine for Annoy (it maps from 0 and
    seeks to the end for the size), not for numpy (``_npy_map``)."""
    proc = f"/proc/self/fd/{fd}"
    return proc if os.path.exists(proc) else f"/dev/fd/{fd}"


def _npy_map(fd: int) -> np.ndarray:
    """The array of the ``.npy`` file behind ``fd``, mapped read-only. Not ``np.load``
    of its ``/dev/fd`` name: that opens it twice, and where both opens duplicate ``fd``
    (one offset), the second read its header from where the first's read-ahead left
    it (a garbage header; at the copy's end, EOFError)."""
    with os.fdopen(os.dup(fd), "rb") as f:
        f.seek(0)
        version = np.lib.format.read_magic(f)
        if version == (1, 0):
            shape, fortran, dtype = np.lib.format.read_array_header_1_0(f)
        elif version == (2, 0):
            shape, fortran, dtype = np.lib.format.read_array_header_2_0(f)
        else:
            raise ValueError(f"a .npy file of version {version}")
        if dtype.hasobject:  # as np.load(allow_pickle=False)
            raise ValueError("an array of objects")
        return np.memmap(f, dtype, "r", f.tell(), shape, "F" if fortran else "C")


def _verified_bytes(directory: Path, info: Any, expect_name: str) -> bytes:
    """A small file's bytes, read once and checked against the manifest."""
    if not isinstance(info, dict) or info.get("file") != expect_name:
        raise IndexFileError(f"manifest does not describe {expect_name}")
    try:
        data = (directory / expect_name).read_bytes()
    except OSError as exc:
        raise IndexFileError(f"{expect_name} is missing") from exc
    if len(data) != info.get("size") or zlib.crc32(data) != info.get("crc32"):
        raise IndexFileError(f"{expect_name} is corrupt")
    return data


@contextlib.contextmanager
def _mappable(
    directory: Path, info: Any, expect_name: str, private: bool
) -> Iterator[tuple[str, int | None, Mapped | None]]:
    """A name to map a build's file by, once verified, and a descriptor: those of a
    private copy (closed on leaving: what mapped it keeps it), else the file's own name,
    no descriptor, and how the file was (``Mapped``)."""
    if not private:
        path = _checked(directory, info, expect_name)
        yield str(path), None, Mapped.of(path)  # taken before it is mapped
        return
    if not isinstance(info, dict) or info.get("file") != expect_name:
        raise IndexFileError(f"manifest does not describe {expect_name}")
    path = directory / expect_name
    try:
        if path.stat().st_size != info.get("size"):  # before copying all of it
            raise IndexFileError(f"{expect_name} is corrupt")
    except OSError as exc:
        raise IndexFileError(f"{expect_name} is missing") from exc
    places = [directory, Path(tempfile.gettempdir())]
    fd, size, crc = _private_copy(path, places)  # OSError: mapped in place instead
    try:
        if size != info.get("size") or crc != info.get("crc32"):
            raise IndexFileError(f"{expect_name} is corrupt")
        yield _fd_path(fd), fd, None
    finally:
        os.close(fd)


def load_build(directory: Path, dim: int) -> Built:
    """Map the build the manifest names (a private copy of it, see the module's
    docstring), verifying every file; IndexFileError otherwise."""
    if PRIVATE_COPIES:
        try:
            return _load_build(directory, dim, private=True)
        except OSError as exc:  # no copy could be made anywhere, or opened by a name
            log.info("similar-items index mapped in place (no private copy: %s)", exc)
    return _load_build(directory, dim, private=False)


def _load_build(directory: Path, dim: int, private: bool) -> Built:
    manifest = read_manifest(directory)
    try:
        build, count = int(manifest["build"]), int(manifest["count"])
        stored_dim, files = int(manifest["dim"]), manifest["files"]
        search_k = max(BRUTE_FORCE, int(manifest["search_k"]))
    except (KeyError, TypeError, ValueError) as exc:
        raise IndexFileError(f"incomplete manifest: {exc}") from exc
    if stored_dim != dim or manifest.get("metric") != METRIC:
        raise IndexFileError(f"index is for dimension {stored_dim}, expected {dim}")
    if not isinstance(files, dict):
        raise IndexFileError("incomplete manifest")
    ids_data = _verified_bytes(directory, files.get("ids"), f"ids-{build}.npy")
    try:
        ids = np.load(io.BytesIO(ids_data), allow_pickle=False)
    except (ValueError, EOFError) as exc:  # EOFError: no bytes at all
        raise IndexFileError(f"unreadable arrays: {exc}") from exc
    if ids.dtype != np.int64 or ids.shape != (count,) or np.any(np.diff(ids) <= 0):
        raise IndexFileError("index arrays do not match the manifest")
    with _mappable(directory, files.get("vectors"), f"vectors-{build}.npy", private) as (
        vec_name,
        vec_fd,
        vec_mapped,
    ):
        try:
            # A plain ndarray view of the read-only map: same pages, without np.memmap's
            # per-indexing overhead (~0.1 ms a query); the view keeps the map alive.
            if vec_fd is None:
                vectors = np.load(vec_name, mmap_mode="r", allow_pickle=False).view(np.ndarray)
            else:
                vectors = _npy_map(vec_fd).view(np.ndarray)
        except OSError as exc:
            raise IndexFileError(f"unreadable arrays: {exc}") from exc
        except (ValueError, EOFError) as exc:
            raise IndexFileError(f"unreadable arrays: {exc}") from exc
    if vectors.dtype != np.float32 or vectors.shape != (count, dim):
        raise IndexFileError("index arrays do not match the manifest")
    ann = AnnoyIndex(dim, METRIC)
    with _mappable(directory, files.get("ann"), f"index-{build}.ann", private) as (
        ann_name,
        _,
        ann_mapped,
    ):
        try:
            ann.load(ann_name)  # mmap, no prefault; Annoy opens the file itself
        except OSError as exc:
            if private:  # the copy's name would not open (no /proc nor /dev/fd here):
                raise  # mapped in place instead (load_build), where a bad file is said
            raise IndexFileError(f"unreadable Annoy file: {exc}") from exc
    if ann.get_n_items() != count:
        ann.unload()
        raise IndexFileError("Annoy file does not match the manifest")
    mapped = tuple(m for m in (vec_mapped, ann_mapped) if m is not None)
    return Built(build, ids, vectors, ann, search_k, mapped)


def clean(directory: Path, keep: int | None) -> None:
    """Delete other builds' files and stray temporaries (best effort: a file still mapped
    on Windows can't be deleted yet; it goes next time). The build the manifest names is
    kept too: another process may have published it since ``keep`` was loaded."""
    if not directory.is_dir():
        return
    kept = {keep, _manifest_build(directory)}
    for path in directory.iterdir():
        m = _BUILD_FILE.match(path.name)
        stale = (m is not None and int(m.group(2)) not in kept) or path.name.endswith(_TMP_SUFFIX)
        if stale:
            with contextlib.suppress(OSError):
                path.unlink()
