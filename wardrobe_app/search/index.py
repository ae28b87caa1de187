"""SimilarIndex: Annoy over the last build, exact search over what changed since.

The indexed set at any moment is::

    (last build - tombstones - ids re-added since) + delta

The last build is an Annoy forest plus its unit vectors (both memory-mapped, from a
private copy: see storage.py); the delta
holds vectors added since, searched by brute force; tombstones hide removed ids until the
next build drops them. Builds run on one background thread from a ``loader()`` snapshot
and are swapped in under the lock; edits made after the snapshot stay in the delta. Each
read of the database is marked with the seq taken before it: a build is not swapped in
over a base read after its snapshot (``_drop_changed``), and one whose mark was taken
after a catch-up's, but which may have read before it, reads every row again once in.

A build's files truncated or written over in place by another program, even during a
query, change nothing a query reads: each process maps a private copy, made and checked at
load (a truncated map killed the process with SIGBUS, and Annoy follows a garbage file's
offsets blindly). Loads take longer: 34.5 ms against 21.0 ms mapped in place at 10,000
garments of 272 floats (1.64x), 146.9 ms against 59.8 ms at 50,000 (2.46x, 155 MB
copied; tests/benchmarks/private_copy_load.py, medians of 7, busy 2-core machine); the
copy takes that much disk (page cache, not private memory) until the build is let go, in
the index's folder; where that takes none, in the system's temporary folder, which is
memory where it is a tmpfs. Where no copy can be made (a full disk, Windows) or none
opened by a name (no /proc/self/fd nor /dev/fd), the files are mapped in place, and a
build changed on disk is dropped before a query reads it (``_drop_changed``: a stat of
each, a few microseconds); one changed during a query then still can kill the process.

Contract with the caller: commit a change to the database *before* calling ``add`` or
``remove``, so a snapshot taken after the call is guaranteed to contain it.
"""

from __future__ import annotations

import contextlib
import logging
import math
import threading
import time
from collections.abc import Callable, Collection, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from types import TracebackType

import numpy as np

from . import storage
from .calibrate import BRUTE_FORCE
from .rebuilder import Rebuilder
from .storage import Built, IndexFileError
from .vectors import (
    EMPTY_IDS,
    IdSet,
    as_ids,
    best,
    contains,
    cosine_scores,
    id_array,
    merge,
    normalise,
    outside,
)

log = logging.getLogger(__name__)

Loader = Callable[[], tuple[np.ndarray, np.ndarray]]

# Measured on 100k clustered 256-d vectors (tests/benchmarks/annoy_recall.py, 2 busy
# cores): 80 trees and 3000 nodes per 10 results give recall@10 0.994 at ~0.9 ms a query
# (50 trees needed 5000 nodes, ~1.4 ms, for the same; builds take ~35 s instead of ~15 s).
DEFAULT_TREES = 80
DEFAULT_SEARCH_K = 3000
DEFAULT_RECALL_TARGET = 0.98
# Below this many vectors brute force is as fast as Annoy and exact.
DEFAULT_EXACT_BELOW = 5000
# Annoy results requested per expected need (filtering is random-ish: leave margin), and
# widening rounds before brute force takes over.
_SLACK = 2.0
_ATTEMPTS = 3
_CHANGED = 1e-6  # a stored vector this close to the database's is the same vector
# While the index holds fewer than ``exact_below`` vectors, queries scan them whether they
# are in a build or in the delta, so a build only spares the next start its own: edits
# then wait this long for more before one runs. During an import into a wardrobe of
# 3,800 garments a build after every photo (each ~0.35 s) took a fifth of the CPU.
_SMALL_REBUILD_DELAY = 30.0
# open() covers at most this many (or a tenth of all) differences with delta + tombstones;
# beyond that the stored build is ignored and a fresh one made.
_MAX_COVER = 2000


@dataclass(frozen=True)
class _View:
    """An immutable picture of the index a query can use without holding the lock."""

    base: Built
    delta_ids: np.ndarray
    delta_vectors: np.ndarray
    shadow: np.ndarray  # sorted ids the base must not return: tombstones + re-added ids


class SimilarIndex:
    """Similar-garment search over unit vectors by cosine similarity.

    Thread-safe: ``query``, ``add``, ``remove`` and ``vector_of`` may be called from any
    thread, also while a rebuild runs. ``background=False`` runs builds in the calling
    thread (``open`` and ``rebuild``) and leaves edits in the delta until ``rebuild()`` is
    called: for scripts and tests.
    """

    def __init__(
        self,
        directory: Path,
        dim: int,
        loader: Loader,
        *,
        n_trees: int = DEFAULT_TREES,
        background: bool = True,
        search_k: int = DEFAULT_SEARCH_K,
        recall_target: float | None = DEFAULT_RECALL_TARGET,
        exact_below: int = DEFAULT_EXACT_BELOW,
        rebuild_delay: float = 1.0,
        build_jobs: int = 1,
        reconcile: bool = True,
        build_below: int | None = None,
    ) -> None:
        """``search_k``: Annoy nodes inspected per 10 results (scaled for more); with a
        ``recall_target`` only the starting point: each build raises it until a sample of
        its own items reaches that recall@10, or falls back to brute force (calibrate.py).
        ``exact_below``: brute force instead of Annoy while the build is smaller.
        ``rebuild_delay``: seconds an edit waits for more edits before a rebuild starts
        (at least twice the last build's duration; 30 s under ``exact_below``).
        ``build_jobs``: Annoy build threads (-1: all cores).
        ``reconcile``: on ``open``, compare the stored build with ``loader()`` and cover the
        difference (edits that never reached a build before the app stopped).
        ``build_below``: with ``background=False``, ``open()`` builds only an index of
        fewer vectors; a larger one answers from the stored build and the delta, or
        exactly, until ``rebuild()`` (a command that must not wait for a build)."""
        if dim <= 0 or n_trees <= 0 or search_k <= 0:
            raise ValueError("dim, n_trees and search_k must be positive")
        self.directory = Path(directory)
        self.dim = dim
        self._loader = loader
        self._n_trees = n_trees
        self._search_k = search_k
        self._recall_target = recall_target
        self._exact_below = exact_below
        self._rebuild_delay = rebuild_delay
        self._build_jobs = build_jobs
        self._reconcile = reconcile
        self._background = background
        self._build_below = build_below

        self._lock = threading.Lock()
        self._build_lock = threading.Lock()  # one build at a time, also without the thread
        # Reads of the database in flight (a build's, a catch-up's, in any thread):
        # close() waits for them, not for a build, so none is left running when the
        # database closes. Counted, not locked: reads do not wait for one another.
        self._reads = 0
        self._reads_ended = threading.Condition(self._lock)
        self._base = storage.empty(dim)
        self._delta: dict[int, tuple[np.ndarray, int]] = {}  # id -> (unit vector, seq)
        self._tombs: dict[int, int] = {}  # id -> seq
        self._seq = 0  # bumped by every edit; a build drops edits up to its snapshot's seq
        # The seq taken before the database read the base holds: a build that read it
        # earlier must not replace it (it lacks what the base's read found).
        self._base_mark = 0
        # The mark of the build in flight, once taken (None: none). A catch-up or a
        # _drop_changed marked before it but applied meanwhile may have read the database
        # before or after the build did: its rows are ``_unsure``, read again once it lands.
        self._building: int | None = None
        self._unsure = False
        # The marks of the latest catch-ups applied, of every row (refresh) and of each id
        # read (update): one marked before them and applied after must not put back an
        # older row, where they found the build right and left nothing in the delta.
        self._read_all = 0
        self._read_at: dict[int, int] = {}
        self._view: _View | None = None
        self._prefetched: tuple[int, np.ndarray, np.ndarray] | None = None
        self._opened = False
        self._closed = False
        self._last_build_s = 0.0
        self._rebuilder = Rebuilder(self._build_once) if background else None

    # ---- lifecycle -------------------------------------------------------------------

    def open(self) -> None:
        """Map the stored build if it is valid, else start a rebuild from the loader."""
        with self._lock:
            self._check_not_closed()
            if self._opened:
                return
        self.directory.mkdir(parents=True, exist_ok=True)
        try:
            built: Built | None = storage.load_build(self.directory, self.dim)
        except IndexFileError as exc:
            log.info("similar-items index will be rebuilt: %s", exc)
            built = None
        with self._lock:
            mark = self._seq
        if built is None or self._reconcile:
            # Taken before the swap-in below, so edits made meanwhile have a later seq.
            # A read close() waits for: the caller closes the database next.
            with self._database_read() as still_open:
                if not still_open:
                    _unload(built)
                    raise RuntimeError("the similar-items index is closed")
                loaded = self._loader()
            ids, vectors = storage.prepare(*loaded, self.dim)
        changed, gone = EMPTY_IDS, EMPTY_IDS
        if built is not None and self._reconcile:
            changed, gone = _difference(built, ids, vectors)
            if changed.size + gone.size > max(_MAX_COVER, ids.size // 10):
                log.info("similar-items index is far behind the database; rebuilding")
                built = None  # mostly stale: brute force over the snapshot is as good
        needs_build = built is None or bool(changed.size or gone.size)
        with self._lock:
            if self._closed:  # closed during the read: nothing to hold, nor to build
                _unload(built)
                raise RuntimeError("the similar-items index is closed")
            if built is None:
                # Until the build lands, brute force over the snapshot keeps answers right.
                self._base = Built(0, ids, vectors)
            else:
                self._base = built
                self._cover(ids[changed], vectors[changed], gone, mark)
            self._base_mark = mark
            if needs_build:
                self._prefetched = (mark, ids, vectors)
            self._view = None
            self._opened = True
        with storage.exclusive(self.directory, wait=False) as mine:
            if mine:  # else another process is building; its clean-up will do
                storage.clean(self.directory, keep=None if built is None else built.build)
        if needs_build:
            if (
                self._rebuilder is None
                and self._build_below is not None
                and ids.size >= self._build_below
            ):
                log.info("similar-items index left unbuilt: %d vectors", ids.size)
            else:
                self._start_build(initial=True)

    def close(self, timeout: float | None = None) -> None:
        """Stop the rebuild thread (waiting up to ``timeout`` for a build in progress to
        notice) and drop the mapped files. A build still running then is abandoned: it
        publishes nothing, removes what it wrote when it ends, and its daemon thread
        does not keep the process from exiting. Waits for the reads of the database
        begun in any thread (a build's, ``refresh``'s, ``update``'s): the caller closes
        the database next; none begins after."""
        with self._lock:
            self._closed = True
        if self._rebuilder is not None and not self._rebuilder.close(timeout):
            log.info("similar-items build abandoned at close")
        with self._lock:
            # A read of the database in another thread (a build's, a catch-up's) ends
            # before the caller closes the database; none starts after (_database_read).
            self._reads_ended.wait_for(lambda: self._reads == 0)
            # Queries in flight keep their own reference; Annoy unmaps when the last goes.
            self._base = storage.empty(self.dim)
            self._delta.clear()
            self._tombs.clear()
            self._prefetched = None
            self._view = None

    def __enter__(self) -> SimilarIndex:
        self.open()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    # ---- edits -----------------------------------------------------------------------

    def add(self, ids: Sequence[int], vectors: np.ndarray) -> None:
        """Add or replace garments; searchable at once (exactly, until the next build)."""
        id_arr = as_ids(ids)
        vecs = normalise(vectors, self.dim).reshape(-1, self.dim)
        if vecs.shape[0] != id_arr.size:
            raise ValueError(f"{id_arr.size} ids but {vecs.shape[0]} vectors")
        with self._lock:
            self._check_not_closed()
            self._seq += 1
            for id_, vec in zip(id_arr.tolist(), vecs, strict=True):
                self._delta[id_] = (vec, self._seq)
                self._tombs.pop(id_, None)
            self._view = None
        self._schedule()

    def remove(self, ids: Sequence[int]) -> None:
        """Hide garments from every later query (dropped for good by the next build)."""
        id_list = as_ids(ids).tolist()
        with self._lock:
            self._check_not_closed()
            self._seq += 1
            for id_ in id_list:
                self._delta.pop(id_, None)
                self._tombs[id_] = self._seq
            self._view = None
        self._schedule()

    def refresh(self) -> bool:
        """Catch up with changes to the loader's rows that this index was not told of
        (another process on the same database): rows it lacks or holds differently go in
        the delta, ids it holds that are gone get tombstones. Edits made here meanwhile
        win. False where it could not (not open, or builds kept landing meanwhile)."""
        return self._catch_up(self._loader, whole=True)

    def update(self, read: Loader) -> bool:
        """Catch up with some of the loader's rows read again (``read()``: those another
        process may have changed, such as a garment touched up there): those this index
        holds differently, or lacks, go in the delta; edits made here meanwhile win.
        False where it could not (not open, or builds kept landing meanwhile)."""
        return self._catch_up(read, whole=False)

    def _catch_up(self, read: Loader, whole: bool) -> bool:
        """``refresh`` (``whole``: ``read`` returns every row, and ids held that it lacks
        are gone) or ``update``. The rows are compared with the build in use when they
        were read: one that lands meanwhile may have read the database after them, and
        compared with it, a garment touched up again since took their older vector over
        its newer one, one added since a tombstone. They are read again instead."""
        for attempt in range(_ATTEMPTS):
            with self._lock:
                if attempt and self._closed:
                    return False
                self._check_not_closed()
                if not self._opened:
                    return False
                # An edit's seq, taken before the read: a build snapshotted before it keeps
                # what this covers, one snapshotted after holds it anyway, or, where it
                # read the database before this read, reads it again once landed.
                self._seq += 1
                mark, base = self._seq, self._base
            with self._database_read() as still_open:
                if not still_open:
                    return False
                loaded = read()
            ids, vectors = storage.prepare(*loaded, self.dim)
            with self._lock:
                delta, tombs = dict(self._delta), set(self._tombs)
                if self._base is not base:
                    continue  # a build landed meanwhile
            if not base.intact():
                if self._drop_changed(base):
                    # Replaced by every row, read after these: compared with it, what was
                    # added between the two reads would take tombstones, what changed go
                    # back.
                    return True
                continue
            rows, gone = _behind(base, delta, tombs, ids, vectors, whole)
            with self._lock:
                if self._closed:
                    return False
                if self._base is not base:
                    continue  # a build landed meanwhile
                self._cover(ids[rows], vectors[rows], gone, mark)
                self._view = None
                if whole:
                    self._read_all = max(self._read_all, mark)
                else:
                    for id_ in ids.tolist():
                        self._read_at[id_] = max(self._read_at.get(id_, -1), mark)
                if rows.size or gone.size:
                    self._note_unsure(mark)
            return True
        return False

    # ---- rebuilds --------------------------------------------------------------------

    def rebuild(self, wait: bool = False) -> None:
        """Rebuild from ``loader()``. In the background unless ``background=False``;
        ``wait=True`` blocks until a build that started after this call has finished and
        raises RuntimeError if it failed."""
        with self._lock:
            self._check_not_closed()
        if self._rebuilder is None:
            self._build_once()
            return
        ticket = self._rebuilder.request()
        if wait:
            self._rebuilder.wait(ticket)
            if self._rebuilder.last_error is not None:
                raise RuntimeError("similar-items rebuild failed") from self._rebuilder.last_error

    def wait_idle(self, timeout: float | None = None) -> bool:
        """Until no rebuild is pending or running (a pending one starts now); False if
        ``timeout`` passed first."""
        if self._rebuilder is None:
            return True
        self._rebuilder.hurry()
        return self._rebuilder.wait_idle(timeout)

    def _schedule(self) -> None:
        if self._rebuilder is not None and self._opened:
            # Twice the last build's time: a steady trickle of edits to a big wardrobe keeps
            # at most a third of a core busy rebuilding; the delta answers exactly meanwhile.
            delay = max(self._rebuild_delay, 2 * self._last_build_s)
            with self._lock:
                small = self._base.count + len(self._delta) < self._exact_below
            if small:
                delay = max(delay, _SMALL_REBUILD_DELAY)
            self._rebuilder.request(delay)

    def _start_build(self, initial: bool) -> None:
        if self._rebuilder is not None:
            self._rebuilder.request()
            return
        try:
            self._build_once()
        except Exception as exc:
            if not initial:
                raise
            # open() must not fail over a build: the exact snapshot still answers.
            if isinstance(exc, OSError):
                # A folder it may not write in, a full disk: said in a line (a traceback
                # after every command's own output read as a crash).
                log.warning("similar-items index not built (%s); searching exactly", exc)
            else:
                log.exception("similar-items index build failed; searching exactly")

    def _build_once(self) -> None:
        with self._build_lock:
            with self._lock:
                if self._closed:
                    return
                prefetched, self._prefetched = self._prefetched, None
                if prefetched is not None and prefetched[0] < self._base_mark:
                    prefetched = None  # older than the base (_drop_changed): would not land
                mark = self._seq if prefetched is None else prefetched[0]
                self._building, self._unsure = mark, False
                # Made again where it was removed while open (every build failed after,
                # until a restart); under the lock, so never once closed: a read-only
                # wardrobe's folder is removed then, and nothing would remove it again.
                self.directory.mkdir(parents=True, exist_ok=True)
            try:
                landed = self._build_from(mark, prefetched)
            finally:
                with self._lock:
                    self._building = None
                    unsure, self._unsure = self._unsure, False
            if landed and unsure and not self._closed:
                # Edits made here are safe (their seq is later); rows read elsewhere meanwhile
                # may have been dropped with the delta entries up to the build's mark.
                log.info("similar-items index catching up after build: rows read meanwhile")
                with contextlib.suppress(RuntimeError):  # closed meanwhile
                    self._catch_up(self._loader, whole=True)

    def _build_from(self, mark: int, prefetched: tuple[int, np.ndarray, np.ndarray] | None) -> bool:
        """Build from ``prefetched`` or a fresh read marked ``mark``; whether it landed."""
        started = time.monotonic()
        if prefetched is not None:
            _, ids, vectors = prefetched
        else:
            with self._database_read() as still_open:
                if not still_open:
                    return False
                loaded = self._loader()
            ids, vectors = storage.prepare(*loaded, self.dim)
        with storage.exclusive(self.directory, stop=lambda: self._closed) as mine:
            if not mine:
                return False  # closed while another process was building
            build = storage.next_build_number(self.directory)
            try:
                storage.write_build(
                    self.directory,
                    build,
                    ids,
                    vectors,
                    n_trees=self._n_trees,
                    search_k=self._search_k,
                    recall_target=self._recall_target,
                    n_jobs=self._build_jobs,
                    stop=lambda: self._closed,
                )
            except storage.BuildCancelled:
                return False
            new = storage.load_build(self.directory, self.dim)  # re-verify what we wrote
            with self._lock:
                if self._closed:
                    return False
                if self._base_mark > mark:
                    # The base was replaced meanwhile by rows read after this build's
                    # (_drop_changed, which asked for the build that follows): landed,
                    # this build put back what they had moved on from, and the edits
                    # they held were already gone from the delta.
                    log.info(
                        "similar-items index build %d dropped: the index holds "
                        "a later read of the database",
                        new.build,
                    )
                    return False
                self._base, self._base_mark = new, mark
                # Edits up to the snapshot are in the build; later ones must survive it.
                self._delta = {i: e for i, e in self._delta.items() if e[1] > mark}
                self._tombs = {i: s for i, s in self._tombs.items() if s > mark}
                # A catch-up marked before this build and not yet applied reads again.
                self._read_at = {i: m for i, m in self._read_at.items() if m > mark}
                self._view = None
                self._last_build_s = time.monotonic() - started
            storage.clean(self.directory, keep=new.build)
        log.info("similar-items index build %d: %d vectors", new.build, new.count)
        return True

    def _drop_changed(self, base: Built) -> bool:
        """``base``'s files, mapped in place (no private copy could be made), were changed
        on disk (truncated or written over in place by another program): reading them
        could kill the process (SIGBUS) or crash Annoy. Replaced by the loader's rows, in
        memory, searched exactly until a build replaces it (at once where builds run in
        the background); edits made here after the snapshot stay in the delta. False
        where a build replaced it meanwhile; RuntimeError where the index is closed."""
        log.warning(
            "similar-items index build %d was changed on disk by another program; "
            "searching exactly until it is built again",
            base.build,
        )
        with self._lock:
            self._check_not_closed()
            self._seq += 1  # before the read: see refresh()
            mark = self._seq
        with self._database_read() as still_open:
            if not still_open:
                raise RuntimeError("the similar-items index is closed")
            ids, vectors = storage.prepare(*self._loader(), self.dim)
        with self._lock:
            self._check_not_closed()
            if self._base is not base:
                return False  # a build landed meanwhile
            self._base, self._base_mark = Built(0, ids, vectors), mark
            self._delta = {i: e for i, e in self._delta.items() if e[1] > mark}
            self._tombs = {i: s for i, s in self._tombs.items() if s > mark}
            self._view = None
            self._note_unsure(mark)
        if self._rebuilder is not None:
            self._rebuilder.request()
        return True

    @contextlib.contextmanager
    def _database_read(self) -> Iterator[bool]:
        """Around a read of the database: whether the index is still open (else read
        nothing); close() waits for every read begun while it was."""
        with self._lock:
            still_open = not self._closed
            if still_open:
                self._reads += 1
        try:
            yield still_open
        finally:
            if still_open:
                with self._lock:
                    self._reads -= 1
                    self._reads_ended.notify_all()

    def _note_unsure(self, mark: int) -> None:
        """Rows read after ``mark`` were applied (under the lock): a build in flight that
        took its mark since may have read the database before them, and drops them."""
        if self._building is not None and mark <= self._building:
            self._unsure = True

    def _cover(self, ids: np.ndarray, vectors: np.ndarray, gone: np.ndarray, seq: int) -> None:
        """Put rows the stored build lacks in the delta and tombstone ids it has that are
        gone (under the lock); edits made after the loader's snapshot win, and rows a
        later catch-up read."""

        def newer(id_: int) -> bool:
            return (
                self._delta.get(id_, (None, -1))[1] > seq
                or self._tombs.get(id_, -1) > seq
                or max(self._read_all, self._read_at.get(id_, -1)) > seq
            )

        for id_, vec in zip(ids.tolist(), vectors, strict=True):
            if not newer(id_):
                self._delta[id_] = (vec, seq)
                self._tombs.pop(id_, None)
        for id_ in gone.tolist():
            if not newer(id_):
                self._delta.pop(id_, None)
                self._tombs[id_] = seq
        if ids.size or gone.size:
            log.info(
                "similar-items index is behind the database: %d new or changed, %d gone",
                ids.size,
                gone.size,
            )

    # ---- queries ---------------------------------------------------------------------

    def query(
        self,
        vector: np.ndarray,
        k: int = 10,
        *,
        exclude: Collection[int] = (),
        allowed: Collection[int] | None = None,
    ) -> list[tuple[int, float]]:
        """The ``k`` most similar garments as (id, cosine), best first (ties: smaller id).

        ``exclude``: ids never returned (e.g. the query garment); ``allowed``: if given,
        only these ids are returned (e.g. the same category).
        """
        q = normalise(vector, self.dim)
        if q.ndim != 1:
            raise ValueError("query one vector at a time")
        if k <= 0:
            return []
        view = self._current_view()
        while not view.base.intact():  # its files changed on disk: not to be read
            self._drop_changed(view.base)
            view = self._current_view()
        excl = id_array(exclude) if len(exclude) else EMPTY_IDS
        # Candidates are tested against ``allowed`` one by one, so a set or an array is
        # used as it is: converting a large category up front would cost more than Annoy.
        allow: IdSet | None = None
        if allowed is not None:
            fast = isinstance(allowed, set | frozenset | np.ndarray)
            allow = allowed if fast else set(allowed)  # type: ignore[assignment]
        return merge(
            [
                self._search_base(view, q, k, excl, allow),
                self._search_delta(view, q, k, excl, allow),
            ],
            k,
        )

    def vector_of(self, id: int) -> np.ndarray | None:
        """The stored unit vector of ``id`` (delta or build), or None if unknown/removed."""
        while True:
            with self._lock:
                if id in self._tombs:
                    return None
                if id in self._delta:
                    return self._delta[id][0].copy()
                base = self._base
            if base.intact():
                break
            self._drop_changed(base)
        row = base.row_of(id)
        return None if row is None else np.array(base.vectors[row], dtype=np.float32)

    @property
    def built_count(self) -> int:
        """Vectors in the current Annoy build (0 until the first build lands)."""
        base = self._base
        return base.count if base.ann is not None else 0

    @property
    def last_build_s(self) -> float:
        """Seconds the last build here took (0: none yet)."""
        return self._last_build_s

    @property
    def count(self) -> int:
        """Vectors held, about (an id re-added since the build counts twice)."""
        return self._base.count + len(self._delta)

    @property
    def delta_count(self) -> int:
        """Vectors added since the current build."""
        return len(self._delta)

    @property
    def search_k(self) -> int:
        """The current build's calibrated Annoy effort per 10 results (0: brute force)."""
        return self._base.search_k

    @property
    def build_number(self) -> int:
        """Number of the build in use (0: none yet)."""
        return self._base.build

    def _check_not_closed(self) -> None:
        if self._closed:
            raise RuntimeError("the similar-items index is closed")

    def _current_view(self) -> _View:
        with self._lock:
            self._check_not_closed()
            if not self._opened:
                raise RuntimeError("call SimilarIndex.open() before querying")
            if self._view is None:
                ids = np.fromiter(self._delta, dtype=np.int64, count=len(self._delta))
                vecs = (
                    np.stack([e[0] for e in self._delta.values()])
                    if self._delta
                    else np.zeros((0, self.dim), dtype=np.float32)
                )
                shadow = np.unique(
                    np.concatenate(
                        [ids, np.fromiter(self._tombs, dtype=np.int64, count=len(self._tombs))]
                    )
                )
                self._view = _View(self._base, ids, vecs, shadow)
            return self._view

    def _search_delta(
        self, view: _View, q: np.ndarray, k: int, excl: np.ndarray, allow: IdSet | None
    ) -> list[tuple[int, float]]:
        ids = view.delta_ids
        if ids.size == 0:
            return []
        keep = outside(ids, excl)
        if allow is not None:
            keep &= contains(allow, ids)
        return best(ids[keep], cosine_scores(view.delta_vectors[keep], q), k)

    def _search_base(
        self, view: _View, q: np.ndarray, k: int, excl: np.ndarray, allow: IdSet | None
    ) -> list[tuple[int, float]]:
        base = view.base
        if base.count == 0:
            return []
        skip = np.union1d(view.shadow, excl) if view.shadow.size else excl
        # Ids the answer may come from (allowed ids outside the build overestimate it).
        pool = base.count if allow is None else min(base.count, len(allow))
        if pool == 0:
            return []
        # Expected candidates needed so that k survive filtering: skipped ids take places,
        # and only a fraction pool/count of Annoy's answers is allowed.
        expected = (k + base.rows_of(skip).size) * base.count / pool
        search_k = math.ceil(base.search_k * max(1.0, expected / 10))
        # Asking Annoy for more results than expected is nearly free (its cost is search_k).
        n = min(base.count, math.ceil(expected * _SLACK) + 10)
        for _ in range(_ATTEMPTS):
            if (
                base.ann is None
                or base.search_k == BRUTE_FORCE
                or base.count < self._exact_below
                or pool <= search_k
            ):
                break  # brute force over the pool is as cheap (or Annoy not good enough)
            found = np.asarray(base.ann.get_nns_by_vector(q.tolist(), n, search_k), np.int64)
            cand = base.ids[found]
            keep = outside(cand, skip)
            if allow is not None:
                keep &= contains(allow, cand)
            if keep.sum() >= k or found.size >= base.count:
                # Re-score exactly from the same unit vectors the exact paths use.
                return best(cand[keep], cosine_scores(base.vectors[found[keep]], q), k)
            n, search_k = min(base.count, 4 * n), 4 * search_k  # came up short: widen
        return self._exact(base, q, k, skip, allow)

    @staticmethod
    def _exact(
        base: Built, q: np.ndarray, k: int, skip: np.ndarray, allow: IdSet | None
    ) -> list[tuple[int, float]]:
        if allow is not None and len(allow) * 4 < base.count:
            # A small pool: score just its rows.
            rows = np.unique(base.rows_of(id_array(allow)))  # sorted: reads pages in order
            ids, scores = base.ids[rows], cosine_scores(base.vectors[rows], q)
            keep = outside(ids, skip)
            return best(ids[keep], scores[keep], k)
        # Scan everything, then filter only the best-scoring ids, widening until k pass:
        # testing every id against a large ``allowed`` would cost more than the scan.
        scores = cosine_scores(base.vectors, q)
        pool = base.count if allow is None else max(1, min(base.count, len(allow)))
        m = min(base.count, math.ceil((k + skip.size) * base.count / pool * _SLACK) + 10)
        while True:
            top = np.argpartition(-scores, m - 1)[:m] if m < base.count else np.arange(m)
            cand = base.ids[top]
            keep = outside(cand, skip)
            if allow is not None:
                keep &= contains(allow, cand)
            if keep.sum() >= k or m == base.count:
                return best(cand[keep], scores[top][keep], k)
            m = min(base.count, 4 * m)


def _unload(built: Built | None) -> None:
    """Let go of a build's map now (else when the last reference goes)."""
    if built is not None and built.ann is not None:
        built.ann.unload()


def _difference(
    built: Built, ids: np.ndarray, vectors: np.ndarray, whole: bool = True
) -> tuple[np.ndarray, np.ndarray]:
    """Rows of the loader snapshot the build lacks or holds differently, and the ids the
    build holds that the snapshot doesn't (none where it is not ``whole``: some rows)."""
    rows = np.searchsorted(built.ids, ids)
    rows[rows >= built.count] = 0
    known = (built.ids[rows] == ids) if built.count else np.zeros(ids.size, dtype=bool)
    changed = ~known
    for start in range(0, ids.size, 8192):  # chunks bound the temporary copies
        sl = slice(start, start + 8192)
        k = known[sl]
        diff = np.abs(vectors[sl][k] - built.vectors[rows[sl][k]]).max(axis=1, initial=0.0)
        changed[sl][np.flatnonzero(k)[diff > _CHANGED]] = True
    if not whole:
        return np.flatnonzero(changed), EMPTY_IDS
    return np.flatnonzero(changed), built.ids[~np.isin(built.ids, ids)]


def _behind(
    built: Built,
    delta: dict[int, tuple[np.ndarray, int]],
    tombs: Collection[int],
    ids: np.ndarray,
    vectors: np.ndarray,
    whole: bool = True,
) -> tuple[np.ndarray, np.ndarray]:
    """What an index (``built`` + ``delta`` - ``tombs``) lacks of a loader snapshot: rows
    of the snapshot it lacks or holds differently, and ids it holds that the snapshot
    doesn't (none where it is not ``whole``: some rows read again)."""
    changed, gone = _difference(built, ids, vectors, whole)
    rows, gone_ids = set(changed.tolist()), set(gone.tolist()) - set(tombs)
    count = ids.size

    def row_of(id_: int) -> int | None:
        row = int(np.searchsorted(ids, id_))
        return row if row < count and ids[row] == id_ else None

    held, hidden = list(delta), list(tombs)
    if not whole:  # only the rows read matter (the delta may hold thousands)
        held = [i for i in ids.tolist() if i in delta]
        hidden = [i for i in ids.tolist() if i in tombs]
    for id_ in held:  # the delta overrides the build
        vec, row = delta[id_][0], row_of(id_)
        if row is None:
            gone_ids.add(id_)
        elif np.abs(vectors[row] - vec).max(initial=0.0) > _CHANGED:
            rows.add(row)
        else:
            rows.discard(row)
    for id_ in hidden:  # hidden here, but in the database again (an undo elsewhere)
        row = row_of(id_)
        if id_ not in delta and row is not None:
            rows.add(row)
    return np.array(sorted(rows), dtype=np.int64), np.array(sorted(gone_ids), dtype=np.int64)
