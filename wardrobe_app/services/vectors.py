"""The garments' vectors and the similar-items index over them.

Vectors of one embedder version are comparable; the index holds the live garments'
vectors of the current version, caught up with changes of other processes by a cheap
fingerprint of the rows (``mark``) instead of reading every vector again.
"""

from __future__ import annotations

import contextlib
import dataclasses
import logging
import threading
from collections.abc import Callable
from typing import TYPE_CHECKING, cast

import numpy as np
from sqlalchemy import func, select, text
from sqlalchemy.orm import Session

from ..store import ChangeCount, Garment, GarmentChange, Store, read_png
from ..store.models import utcnow
from ..types import Analyser
from .data_version import DataVersion
from .live_listing import Mark, listing_mark, log_continues, log_follows

if TYPE_CHECKING:
    from ..search import SimilarIndex

log = logging.getLogger(__name__)

EMBED_BATCH = 32
# An index of fewer garments builds in under half a second. Without background builds (a
# command: the CLI) only such an index is built: a larger one answers from the stored
# build and what changed since (exactly), and builds are left to the app. At 100k
# garments a build at open, and another at close, took seconds of every `import`, and of
# a `similar` after the app had been closed during its build.
QUICK_BUILD_BELOW = 5000
# At close, how long a background build that covers this session's edits may take to
# finish, where it is expected to (a small index, or a last build that was as quick): a
# longer one (seconds at 100k garments; Annoy's build cannot be interrupted) is left to
# die with the process. It publishes nothing until it is complete, and the next open
# covers what the stored build lacks and builds again.
CLOSE_WAIT_S = 1.0
# The triggers that keep the change counters (migration 0004; tests/unit/test_store.py
# checks them against it): the counters are trusted only with all of them there.
COUNT_TRIGGERS = frozenset(
    {"garments_added", "garments_removed", "garments_set_changed", "garments_vector_changed"}
)


class EmbeddingStopped(Exception):
    """A re-embedding stopped between two batches because the wardrobe is closing. The
    batches done are committed: the next open goes on with the garments left."""

    def __init__(self, done: int, total: int) -> None:
        garments = "garment" if total == 1 else "garments"
        super().__init__(f"re-embedding stopped at close: {done} of {total} {garments} done")
        self.done, self.total = done, total


class EmbeddingInterrupted(KeyboardInterrupt):
    """Ctrl+C during a re-embedding: a KeyboardInterrupt that says what was kept (each
    batch is committed as it is done)."""

    def __init__(self, done: int, total: int, *, resumes: bool = True) -> None:
        super().__init__(done, total, resumes)
        self.done, self.total, self.resumes = done, total, resumes

    def __str__(self) -> str:
        garments = "garment" if self.total == 1 else "garments"  # not "garment(s)"
        said = f"re-embedding stopped: {self.done} of {self.total} {garments} done and kept"
        if self.resumes:  # the others still hold another model's vectors
            return f"{said}; the rest are re-embedded the next time the model loads"
        return f"{said}; the others keep the vectors they had"


@dataclasses.dataclass(frozen=True)
class ReindexResult:
    embedded: int  # garments given a vector of the current embedder
    unreadable: list[int]  # garment ids whose cut-out could not be read (see ``verify``)


class Vectors:
    """Embedding bookkeeping and the similar-items index of one wardrobe.

    ``lock`` is the wardrobe's own (its edits take it too); ``analyser_dim`` gives the
    vector size of the analyser once it is loaded and in step with the stored vectors,
    else None (the index then takes the stored vectors' size).
    """

    def __init__(
        self,
        store: Store,
        lock: threading.RLock,
        analyser_dim: Callable[[], int | None],
        *,
        background: bool,
    ) -> None:
        self.store = store
        self._lock = lock
        self._analyser_dim = analyser_dim
        self._background_index = background
        self._index: SimilarIndex | None = None
        self._index_dim: int | None = None
        self._index_dirty = False
        self._index_seen: tuple[object, ...] | None = None  # mark() it has caught up to
        # The log of changed garments (migration 0005) where it has caught up to: a
        # garment touched up elsewhere changes its vector, not which garments it holds,
        # and only the garments logged since are read again.
        self._index_logged: Mark | None = None
        self._closed = False
        # Set as the wardrobe closes: a re-embedding in progress (minutes at 100k
        # garments) stops after its batch instead of holding the close up.
        self._stop = threading.Event()
        # An older wardrobe opened read-only has no change counters: see ``_read_mark``.
        # (The schema's version, and whether the counters' triggers were all there then.)
        self._triggers: tuple[int, bool] | None = None
        self._data_version = DataVersion(store)
        self.version: str | None = self._stored_vector_version()

    def _stored_vector_version(self) -> str | None:
        """The embedder version most live garments' vectors come from."""
        with self.store.session() as s:
            row = s.execute(
                select(Garment.vector_version, func.count())
                .where(Garment.vector.is_not(None), Garment.deleted_at.is_(None))
                .group_by(Garment.vector_version)
                .order_by(func.count().desc())
                .limit(1)
            ).first()
        return None if row is None else row[0]

    def _stored_dim(self) -> int | None:
        if self.version is None:
            return None
        with self.store.session() as s:
            size = s.scalar(
                select(func.length(Garment.vector))
                .where(Garment.vector_version == self.version)
                .limit(1)
            )
        return None if not size else int(size) // 4

    @property
    def index_open(self) -> bool:
        return self._index is not None

    def close(self) -> None:
        """Leave the index's build on disk where that is quick, and close it (the caller
        holds the lock); never waits for a long build."""
        self._closed = True
        if self._index is not None:
            with contextlib.suppress(Exception):
                self.persist_index()
            with contextlib.suppress(Exception):
                # A build still running is abandoned: its thread is a daemon.
                self._index.close(timeout=0)
            self._index = None
        self._data_version.close()

    def stop(self) -> None:
        """Stop a re-embedding in progress after its batch, and any later one before it
        starts (``EmbeddingStopped``): the wardrobe is closing."""
        self._stop.set()

    def sync_embedder(self, analyser: Analyser) -> None:
        """Re-embed garments whose vectors came from another embedder version.
        ``EmbeddingStopped`` where the wardrobe closes meanwhile (those done are kept)."""
        if self.store.read_only:  # the stored vectors are all there is
            self._prefer_version(analyser)
            return
        version = analyser.embedder_version
        with self.store.session() as s:
            stale = list(
                s.scalars(
                    select(Garment.id).where(
                        (Garment.vector_version != version)
                        | Garment.vector_version.is_(None)
                        | Garment.vector.is_(None)
                    )
                )
            )
        changed = version != self.version
        self.version = version
        if stale:
            log.info("re-embedding %d garment(s) for embedder %s", len(stale), version)
            self.embed_ids(analyser, stale)
        if stale or changed or self._index_dim not in (None, analyser.dim):
            with self._lock:
                if not self._closed:
                    self._reset_index(analyser.dim)

    def _prefer_version(self, analyser: Analyser) -> None:
        """A read-only wardrobe's vectors of two embedders (a reindex stopped part-way):
        the index and queries use the installed one's where some live garment holds
        them (a photo's vectors can be compared with those), else the most common."""
        installed = analyser.embedder_version
        if installed == self.version:
            return
        with self.store.session() as s:
            held = s.scalar(
                select(Garment.id)
                .where(
                    Garment.deleted_at.is_(None),
                    Garment.vector.is_not(None),
                    Garment.vector_version == installed,
                )
                .limit(1)
            )
        if held is None:
            return
        with self._lock:
            self.version = installed
            if self._index is not None and not self._closed:
                self._reset_index(analyser.dim)

    def version_counts(self) -> list[int]:
        """How many live garments hold each embedder's vectors, most first: read from the
        database alone, where the models could not load to say which are compared."""
        with self.store.session() as s:
            return list(
                s.scalars(
                    select(func.count())
                    .where(Garment.vector.is_not(None), Garment.deleted_at.is_(None))
                    .group_by(Garment.vector_version)
                    .order_by(func.count().desc())
                )
            )

    def not_compared(self) -> list[int]:
        """Live garments the index leaves out for a vector of another embedder. Not those
        without one (a cut-out unreadable when described again; ``verify`` names them):
        every caller says "described by another version of the model"."""
        with self.store.session() as s:
            return list(
                s.scalars(
                    select(Garment.id)
                    .where(
                        Garment.deleted_at.is_(None),
                        Garment.vector.is_not(None),
                        Garment.vector_version.is_distinct_from(self.version),
                    )
                    .order_by(Garment.id)
                )
            )

    def embed_ids(
        self, analyser: Analyser, ids: list[int], unreadable: list[int] | None = None
    ) -> int:
        """Embed the cut-outs of garments ``ids``; returns how many got a vector. Those
        whose cut-out cannot be read are appended to ``unreadable`` where given. Each
        batch is committed: a stop (``stop()``: ``EmbeddingStopped``; Ctrl+C:
        ``EmbeddingInterrupted``) keeps those done."""
        counts = [0, 0]  # garments given a vector; garments whose batch is committed
        try:
            self._embed_batches(analyser, ids, unreadable, counts)
        except KeyboardInterrupt as exc:
            if isinstance(exc, EmbeddingInterrupted):
                raise
            raise EmbeddingInterrupted(counts[1], len(ids)) from exc
        return counts[0]

    def _embed_batches(
        self, analyser: Analyser, ids: list[int], unreadable: list[int] | None, counts: list[int]
    ) -> None:
        version = analyser.embedder_version
        for start in range(0, len(ids), EMBED_BATCH):
            if self._stop.is_set():
                log.info(
                    "re-embedding stopped at close: %d of %d garment(s) done, kept",
                    start,
                    len(ids),
                )
                raise EmbeddingStopped(start, len(ids))
            batch = ids[start : start + EMBED_BATCH]
            with self.store.session() as s:
                rows = s.execute(
                    select(Garment.id, Garment.cutout_path, Garment.vector_version).where(
                        Garment.id.in_(batch)
                    )
                ).all()
            cutouts, usable, unusable = [], [], []
            for gid, cutout_path, old_version in rows:
                try:
                    cutout = read_png(self.store.files.abspath(cutout_path))
                except OSError as exc:
                    log.warning("garment %d: cut-out unreadable (%s)", gid, exc)
                    if unreadable is not None:
                        unreadable.append(gid)
                    # A vector of this embedder stays good (it still finds the garment
                    # and is found); only one of another embedder's space must go.
                    if old_version != version:
                        unusable.append(gid)
                    continue
                if cutout.ndim == 2:
                    cutout = np.dstack([cutout] * 3 + [np.full_like(cutout, 255)])
                elif cutout.shape[2] == 3:
                    cutout = np.dstack([cutout, np.full(cutout.shape[:2], 255, np.uint8)])
                cutouts.append(cutout)
                usable.append(gid)
            # The network runs outside any transaction: the write lock is held only for
            # the writes, so edits elsewhere don't wait for a batch to be embedded.
            vectors: np.ndarray = np.zeros((0, analyser.dim), np.float32)
            if cutouts:
                vectors = np.asarray(analyser.embed_cutouts(cutouts), np.float32)
            given = 0
            with self.store.write_session() as s:
                for gid in unusable:
                    # Unless another process gave it a vector of this embedder meanwhile.
                    if (row := s.get(Garment, gid)) is not None and row.vector_version != version:
                        row.set_vector(None, None)
                now = utcnow()
                for gid, vector in zip(usable, vectors, strict=True):
                    if (row := s.get(Garment, gid)) is not None:
                        row.set_vector(vector, version)
                        # Marked updated, as every change of a garment is. (An index
                        # elsewhere catches up with vectors of the same model, a reindex
                        # on another device, by the log of changed garments.)
                        row.updated_at = now
                        given += 1
            counts[0] += given
            counts[1] = start + len(batch)

    def reindex(self, analyser: Analyser) -> ReindexResult:
        """Re-embed every garment with ``analyser``'s embedder and rebuild the index. A
        garment whose cut-out cannot be read keeps a vector of this embedder, if it has
        one, and is listed as unreadable."""
        unreadable: list[int] = []
        with self._lock:
            with self.store.session() as s:
                ids = list(s.scalars(select(Garment.id).order_by(Garment.id)))
            try:
                count = self.embed_ids(analyser, ids, unreadable)
            except EmbeddingInterrupted as exc:
                # Those not reached are re-embedded at the next load only where they
                # hold another model's vectors (a reindex as the first command after
                # an upgrade); else they keep theirs, as good as before.
                exc.resumes = self._held_by_others(analyser.embedder_version)
                raise
            self.version = analyser.embedder_version
            self._reset_index(analyser.dim)
            if self._index is not None:
                self._index.rebuild(wait=not self._background_index)
        return ReindexResult(count, sorted(unreadable))

    def _held_by_others(self, version: str) -> bool:
        """Whether some garment's vector is of another embedder than ``version``, or
        missing (what ``sync_embedder`` re-embeds)."""
        with self.store.session() as s:
            other = s.scalar(
                select(Garment.id)
                .where(Garment.vector_version.is_distinct_from(version) | Garment.vector.is_(None))
                .limit(1)
            )
        return other is not None

    def _load_vectors(self, logged_since: int | None = None) -> tuple[np.ndarray, np.ndarray]:
        """All live garments' current-version vectors: the index's loader; only those
        logged as changed after the log's ``logged_since`` where given."""
        version, dim = self.version, self._index_dim
        query = select(Garment.id, Garment.vector).where(
            Garment.deleted_at.is_(None),
            Garment.vector.is_not(None),
            Garment.vector_version == version,
        )
        if logged_since is not None:
            changed = select(GarmentChange.garment_id).where(GarmentChange.seq > logged_since)
            query = query.where(Garment.id.in_(changed))
        with self.store.session() as s:
            rows = s.execute(query.order_by(Garment.id)).all()
        ids, vecs = [], []
        for gid, blob in rows:
            vec = np.frombuffer(cast(bytes, blob), dtype=np.float32)
            if dim is None or vec.shape[0] == dim:
                ids.append(gid)
                vecs.append(vec)
        if not ids:
            return np.zeros(0, np.int64), np.zeros((0, dim or 0), np.float32)
        return np.asarray(ids, np.int64), np.stack(vecs).astype(np.float32)

    def _reset_index(self, dim: int) -> None:
        """(Re)create the index for ``dim``; opening it reconciles it with the database
        (a stored build of another size or with other vectors is rebuilt)."""
        if self._index is not None:
            with contextlib.suppress(Exception):
                self._index.close()
            self._index = None
        self._index_dim = dim
        self._index = self._new_index(dim)

    def mark(self, s: Session | None = None) -> tuple[object, ...]:
        """An exact fingerprint of the rows ``_load_vectors`` returns, and of their vectors:
        counters that triggers bump in every transaction that adds, deletes, restores or
        re-embeds a garment ("garment_set"), or gives one another vector
        ("garment_vectors": a touch-up), here or by another process, and the schema's
        version. Two lookups, not a scan of every garment. In ``s`` where given (a write
        transaction: what it sees, its own changes included). Not the log of changed
        garments (migration 0005) that the grid's mark reads: it moves with every edit (a
        name, a favourite), and the index must tell a change of which garments it holds
        (every vector read again) from a change of vectors (only the garments logged
        since: ``current_index``)."""
        if s is None:
            with self.store.session() as own:
                return self._read_mark(own)
        return self._read_mark(s)

    def _read_mark(self, s: Session) -> tuple[object, ...]:
        """(embedder version, schema version, "garment_set", "garment_vectors", the log's
        ``Mark``): the first three move with a change of the garments held. The
        schema's version moves where the counters may have missed changes: a migration
        that rewrote rows while their triggers were gone, a trigger dropped (every commit
        is then a change)."""
        if not self.store.counts_changes:
            # An older wardrobe opened read-only has no counters (a migration is a
            # write): every commit (all made elsewhere) is taken for a change of the
            # garments held, the index reading every vector again. Read before ``s``
            # reads the rows: a commit in between is caught at the next query.
            changes = self._data_version.read()
            return (self.version, None, changes, changes)
        schema = int(s.execute(text("PRAGMA schema_version")).scalar_one())
        if not self._counted(s, schema):
            # Read after ``s``'s first statement: a commit in between is in the rows the
            # index then reads (after this), and caught again at the next query.
            changes = self._data_version.read()
            return (self.version, schema, changes, changes)
        counts = {name: n for name, n in s.execute(select(ChangeCount.name, ChangeCount.n))}
        # And the log's mark, its newest token with it (migration 0007): an older copy
        # copied over the file, then written elsewhere as far, brings the counters back
        # where they were. Whole, so that a change made here tells the index where the
        # log is after it (``told_index``).
        return (
            self.version,
            schema,
            counts.get(ChangeCount.SET),
            counts.get(ChangeCount.VECTORS),
            listing_mark(s),
        )

    def _counted(self, s: Session, schema: int) -> bool:
        """Whether the counters' triggers (``COUNT_TRIGGERS``) are all there; looked up
        again only where the schema changed since (a trigger dropped or made changes it)."""
        known = self._triggers
        if known is None or known[0] != schema:
            names = set(s.scalars(text("SELECT name FROM sqlite_master WHERE type = 'trigger'")))
            known = self._triggers = (schema, names >= COUNT_TRIGGERS)
        return known[1]

    def _marks(self, then: Mark | None = None) -> tuple[tuple[object, ...], Mark, bool]:
        """``mark()``, and the log of changed garments' mark, in one snapshot, so that
        a change after it is a change of the mark, for the next query to catch up with;
        and whether the log is ``then``'s gone on (``log_continues``; False: no ``then``)."""
        with self.store.session() as s:
            mark = self._read_mark(s)
            # Read once: the fingerprint ends with it where the wardrobe counts changes
            logged = mark[-1] if isinstance(mark[-1], Mark) else listing_mark(s)
            return mark, logged, then is not None and log_continues(s, then)

    def told_index(self, before: tuple[object, ...], after: tuple[object, ...]) -> None:
        """A change made here, and given to the index, moved the fingerprint from
        ``before`` to ``after`` (both read in its write transaction, which no other
        process can interleave): if the index had caught up to ``before``, it holds
        ``after``, and the next query need not read every vector again. Nor the garments
        logged up to ``after``: the index's log mark moves with it (it stayed where the
        index was made or last caught up, and a catch-up after a change elsewhere read
        every garment logged here since, or every vector where the log's newest row then
        was replaced too often since to be found)."""
        if self._index is not None and self._index_seen == before:
            self._index_seen = after
            logged = after[-1]
            if isinstance(logged, Mark):  # else no log to go by: read in full anyway
                self._index_logged = logged

    def mixed_vectors(self) -> bool:
        """Whether live garments hold vectors of another embedder than the index's: a
        re-embedding stopped part-way (a kill during ``reindex`` or after an upgrade).
        The index holds one embedder's vectors; the others would go unfound."""
        with self.store.session() as s:
            other = s.scalar(
                select(Garment.id)
                .where(
                    Garment.deleted_at.is_(None),
                    Garment.vector_version != self.version,
                )
                .limit(1)
            )
        return other is not None

    def current_index(self) -> SimilarIndex | None:
        """The index for a query, first caught up with garments another process (the CLI
        beside the app) added, deleted, restored or touched up since this one last
        looked."""
        index = self.get_index()
        if index is None:
            return None
        seen = self._index_seen
        if self.mark() == seen and not _recent_file(seen):
            return index
        then = self._index_logged
        mark, logged, continues = self._marks(then)
        # Every vector read again where the garments held changed, or where the log
        # cannot say which garments changed (not there: an older wardrobe read as it is;
        # a trigger gone; an older copy restored, or copied over the file).
        if (
            seen is None
            or mark[:3] != seen[:3]
            or then is None
            or not log_follows(then, logged)
            or not continues
        ):
            if index.refresh():  # touched-up ones too
                self._caught_up(index, mark, logged)
        else:
            # Only vectors changed (a touch-up, elsewhere or here): the garments logged
            # since, not every vector. Not those updated since the latest updated_at
            # seen: the writer's clock, set back meanwhile, dated a touch-up before it.
            since = then.seq
            if index.update(lambda: self._load_vectors(logged_since=since)):
                self._caught_up(index, mark, logged)
        return index

    def _caught_up(self, index: SimilarIndex, mark: tuple[object, ...], logged: Mark) -> None:
        with self._lock:
            # After: a catch-up that failed is tried again. And only for the index that
            # caught up: one made meanwhile has its own marks.
            if self._index is index:
                self._index_seen, self._index_logged = mark, logged

    def _new_index(self, dim: int) -> SimilarIndex:
        from ..search import SimilarIndex

        self._index_seen, self._index_logged, _ = self._marks()  # before open() reads rows
        index = SimilarIndex(
            self.store.index_dir(),
            dim,
            self._load_vectors,
            background=self._background_index,
            build_below=None if self._background_index else QUICK_BUILD_BELOW,
        )
        index.open()
        return index

    def get_index(self) -> SimilarIndex | None:
        with self._lock:
            if self._index is None:
                dim = self._analyser_dim() or self._stored_dim()
                if dim is None:
                    return None
                self._index_dim = dim
                self._index = self._new_index(dim)
            return self._index

    def index_add(self, ids: list[int], vectors: list[np.ndarray]) -> bool:
        """Give the index rows just committed; False where it failed (a rebuild then
        catches it up, in its time)."""
        if not ids:
            return True
        try:
            was_open = self._index is not None
            index = self.get_index()
            if index is None:
                return True
            if was_open:
                index.add(list(ids), np.stack(vectors).astype(np.float32))
                self._index_dirty = True
            elif self._background_index:
                # Opened just now, after the commit: it read these rows and started a
                # build with them. Adding them too built the whole index a second time.
                self._index_dirty = True  # so that closing waits for that build
        except Exception:  # the database is the truth; a rebuild fixes the index
            log.exception("similar-items index: add failed; rebuilding")
            self._rebuild_index_quietly()
            return False
        return True

    def index_remove(self, ids: list[int]) -> bool:
        if not ids or self._index is None:
            return True
        try:
            self._index.remove(list(ids))
            self._index_dirty = True
        except Exception:
            log.exception("similar-items index: remove failed; rebuilding")
            self._rebuild_index_quietly()
            return False
        return True

    def persist_index(self) -> None:
        """Leave a build on disk that covers this session's edits, so that the next
        start maps it instead of rebuilding, where that build is quick (see
        ``QUICK_BUILD_BELOW`` and ``CLOSE_WAIT_S``); else the next start covers them."""
        index = self._index
        if index is None or not self._index_dirty:
            return
        self._index_dirty = False
        if not self._background_index:
            if index.count < QUICK_BUILD_BELOW:
                index.rebuild(wait=True)
        elif index.count < QUICK_BUILD_BELOW or 0 < index.last_build_s <= CLOSE_WAIT_S:
            # A pending build starts now; one that would be abandoned is not started.
            index.wait_idle(CLOSE_WAIT_S)

    def _rebuild_index_quietly(self) -> None:
        with contextlib.suppress(Exception):
            if self._index is not None:
                self._index.rebuild(wait=not self._background_index)


def _recent_file(mark: tuple[object, ...] | None) -> bool:
    """Whether ``mark`` holds a database file's identity (a log without tokens, read as
    it is) read within ``RECENT_S`` of its writing: a file copied over it since, in the
    same tick of the file system's clock, leaves it as it was (``log_follows`` then
    reads every vector again)."""
    logged = None if mark is None else mark[-1]
    return isinstance(logged, Mark) and logged.file is not None and logged.file.recent
