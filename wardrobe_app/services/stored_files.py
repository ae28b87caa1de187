"""The wardrobe's stored image files as import, touch-up and repair write and read them."""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable
from typing import cast

import numpy as np
from sqlalchemy.orm import Session

from ..store import FileStore, Garment, Store
from ..store.files import stored_plane
from ..types import LABEL_OF_CATEGORY, Category

log = logging.getLogger(__name__)

THUMBNAIL_SIZE = 256


def thumbnail(cutout: np.ndarray) -> np.ndarray:
    from ..vision.garments import make_thumbnail

    return make_thumbnail(cutout, THUMBNAIL_SIZE)


def discard_files(store: Store, rels: list[str]) -> None:
    """Remove files written by a failed save, or replaced by one that committed, unless
    some row references them. A file the disk will not remove (open in another program,
    on Windows) is left for the start-up sweep: raised, it reported a save that had
    committed as failed, or hid a failed save's own error.

    The references are read, and the files removed, in a transaction that holds the
    database's write lock: another program (the app beside ``wardrobe-cli import``)
    that stored one of them too commits its row naming it before (the file is kept) or
    after it is gone, and it looks for its files under that lock (``Staged.restore``).
    Read outside it, a row committed between the look and the removal named a file no
    longer there. Where the lock is not had (another program's long write, a closed
    store) the files are left for the start-up sweep."""
    if not rels:
        return
    try:
        with store.write_session() as s:
            used = store.files_in_use(s, rels)
            for rel in rels:
                if rel in used:
                    continue
                try:
                    store.files.remove([rel])
                except OSError as exc:
                    log.warning("%s: left for the next start's clean-up (%s)", rel, exc)
    except Exception:  # the start-up sweep will do it
        log.debug("files of a save left for the next start's clean-up", exc_info=True)


class Staged:
    """The files a save stores before the transaction that names them (PNG encoding and
    fsync are not done under the database's write lock), each with how it is stored
    again. ``created``: those written here, removed where the save fails.

    Between its store and that transaction, another program's ``discard_files`` may
    remove one: a file found already stored (its own failed save's), or one written
    here with the same bytes. ``restore``, in the transaction, puts back any gone: it
    holds the write lock then, which every discard takes, and once it commits the rows
    name the files."""

    def __init__(self, files: FileStore) -> None:
        self.files = files
        self.created: list[str] = []
        self._again: dict[str, Callable[[], tuple[str, bool]]] = {}

    def png(self, image: np.ndarray) -> str:
        return self._put(lambda: self.files.put_png(image))

    def file(self, put: Callable[[], tuple[str, bool]]) -> str:
        """A file stored by ``put`` (a copy of a photo, ``FileStore.put_file``)."""
        return self._put(put)

    def _put(self, put: Callable[[], tuple[str, bool]]) -> str:
        rel, new = put()
        if new:
            self.created.append(rel)
        self._again.setdefault(rel, put)
        return rel

    def restore(self, session: Session) -> list[str]:
        """In the transaction (``Store.write_session``) that commits the rows naming
        them: each file another program removed since it was stored, stored again;
        returns those."""
        session.connection()  # the write lock taken (BEGIN IMMEDIATE) before the look
        restored = []
        for rel, put in self._again.items():
            if self.files.abspath(rel).is_file():
                continue
            log.info("%s: removed by another program since it was stored: stored again", rel)
            again, new = put()
            if new and again not in self.created:
                self.created.append(again)
            restored.append(again)
        return restored


def other_masks(files: FileStore, row: Garment, shape: tuple[int, ...]) -> list[np.ndarray]:
    """The masks of the other garments of a garment's photo, deleted ones too (an undo
    brings them back), where they can be read: their pixels of its photo's label map
    stay theirs when its own change."""
    return [mask for mask, _ in other_garments(files, row, shape)]


def other_garments(
    files: FileStore, row: Garment, shape: tuple[int, ...]
) -> list[tuple[np.ndarray, int]]:
    """``other_masks``, each with the class of its garment's category."""
    others = [(g.id, g.mask_path, g.category) for g in row.photo.garments if g.id != row.id]
    return masks_of(files, others, shape, row.id)


def masks_of(
    files: FileStore,
    others: Iterable[tuple[int, str, str]],
    shape: tuple[int, ...],
    garment_id: int,
) -> list[tuple[np.ndarray, int]]:
    """The masks of ``others`` (id, mask file, category: the other garments of
    ``garment_id``'s photo) that can be read at ``shape``, each with its category's
    class."""
    found = []
    for other_id, mask_path, category in others:
        plane = other_plane(files, other_id, mask_path, shape, garment_id)
        if plane is not None:
            found.append((plane > 0, LABEL_OF_CATEGORY[cast(Category, category)]))
    return found


def other_plane(
    files: FileStore, other_id: int, mask_path: str, shape: tuple[int, ...], garment_id: int
) -> np.ndarray | None:
    """Another garment's (``other_id``) mask, read for the label map (``shape``) redrawn
    for ``garment_id``; None where it cannot be read or is of another size, which is
    said: left out without a word, its pixels were not kept as its own nor its specks
    moved, and nothing told why."""
    plane = stored_plane(files, mask_path)
    if plane is not None and plane.shape != tuple(shape):
        outcome = f"left out of the map redrawn for garment {garment_id}"
        log.warning("%s", sizes_differ(other_id, plane.shape, shape, outcome))
        return None
    return plane


def sizes_differ(
    garment_id: int, mask: tuple[int, ...], labels: tuple[int, ...], outcome: str
) -> str:
    """What is said where a garment's mask (its shape ``mask``) is not the size of its
    photo's label map (``labels``), and what came of it (``outcome``): the same words for
    the garment whose map is redrawn and for another of the photo's."""
    return (
        f"garment {garment_id}: its mask is {mask[1]}x{mask[0]}, its photo's label map "
        f"{labels[1]}x{labels[0]}: {outcome}"
    )
