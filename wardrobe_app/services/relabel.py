"""A change of category's label map, drawn without the wardrobe's lock.

Reading a photo's label map and its garments' masks, drawing the map again and encoding
it takes ~200 ms at 12 MP. Under the wardrobe's lock, a field written meanwhile on the
GUI thread (a name, tags) waited for all of it. The map is drawn from what the rows
said then (``Basis``), stored as a file named by its content, and committed under the
lock only where the rows still say the same (``Edits.update_garment``); else drawn again.
"""

from __future__ import annotations

import contextlib
import dataclasses
import threading
from collections.abc import Iterable, Iterator

import numpy as np

from ..store import Garment


@dataclasses.dataclass(frozen=True)
class Basis:
    """What a garment's new label map is drawn from: the rows' names of the files it
    reads (named by their content: the same name, the same pixels) and the categories."""

    category: str
    mask_path: str
    labels_path: str | None
    # The photo's other garments (deleted ones too: an undo brings them back): their id,
    # mask and category, by id
    others: tuple[tuple[int, str, str], ...]


def basis_of(row: Garment) -> Basis:
    others = sorted((g.id, g.mask_path, g.category) for g in row.photo.garments if g.id != row.id)
    return Basis(row.category, row.mask_path, row.photo.labels_path, tuple(others))


@dataclasses.dataclass(frozen=True)
class Drawn:
    """A garment's photo's label map drawn with the garment in its new category, from
    ``basis``; ``new`` None where the map is kept (nothing to change, or it cannot be
    drawn)."""

    basis: Basis
    labels: np.ndarray | None = None  # the map stored, as read
    new: np.ndarray | None = None
    png: bytes = b""  # ``new``'s file, stored as ``rel``
    rel: str = ""


@dataclasses.dataclass(frozen=True)
class Asked:
    """A garment's row as it was when a change of its category was asked: a field that
    differs when the change is committed was written meanwhile, after it, and is kept
    (as is one ``Written`` saw written here, whatever its value)."""

    category: str
    name: str
    fine_type: str | None
    tags: tuple[str, ...]
    notes: str
    favourite: bool

    @classmethod
    def of(cls, row: Garment) -> Asked:
        tags = tuple(row.tags or ())
        return cls(row.category, row.name, row.fine_type, tags, row.notes, bool(row.favourite))


class Written:
    """The fields of a garment written here while a change of its category is drawn
    (``watch``): each is kept, though written back to the value the change was asked
    over (A, B, then A again), which compared with ``Asked`` reads as unchanged, and
    the change's own value went over the later write.

    ``Edits._save`` is the one writer of a garment's name, type, tags, notes and
    favourite in this program (a touch-up gives a type only to a garment with none: a
    new value), and says which it changed (``wrote``), under the wardrobe's lock: one
    saved again as it was (the page saves every field with the one edited) is not. Its
    category is changed here one change at a time (``Turns``): none is written while
    one is drawn. Another program's writes are seen by their values only: a field (the
    category too) written away and back while the map is drawn, within a fraction of a
    second, is taken for unchanged. The log of changed garments (migration 0007's
    tokens) cannot say more: it tells that a garment's row was written since, not which
    field, and a touch-up (its mask) or a name typed meanwhile writes the row too, where
    the change's own fields (the type it clears, an undo's type) are still to be written."""

    def __init__(self) -> None:
        self._guard = threading.Lock()
        self._watched: dict[int, list[set[str]]] = {}  # by garment: a set per watch

    @contextlib.contextmanager
    def watch(self, garment_id: int) -> Iterator[set[str]]:
        """The fields of ``garment_id`` written from now until the block ends."""
        written: set[str] = set()
        with self._guard:
            self._watched.setdefault(garment_id, []).append(written)
        try:
            yield written
        finally:
            with self._guard:
                others = [w for w in self._watched[garment_id] if w is not written]
                if others:
                    self._watched[garment_id] = others
                else:
                    del self._watched[garment_id]

    def wrote(self, garment_id: int, fields: Iterable[str]) -> None:
        """``fields`` of ``garment_id`` committed."""
        with self._guard:
            for written in self._watched.get(garment_id, ()):
                written.update(fields)


class Turns:
    """One change of category of a garment at a time: a later one (an undo of it) waits
    for the one before to be committed, so neither is drawn from a map the other is
    replacing. Taken before the wardrobe's lock, never under it."""

    def __init__(self) -> None:
        self._guard = threading.Lock()
        self._held: dict[int, tuple[threading.Lock, int]] = {}  # lock, how many want it

    @contextlib.contextmanager
    def of(self, garment_id: int) -> Iterator[None]:
        with self._guard:
            lock, wanting = self._held.get(garment_id, (threading.Lock(), 0))
            self._held[garment_id] = (lock, wanting + 1)
        try:
            with lock:
                yield
        finally:
            with self._guard:
                lock, wanting = self._held[garment_id]
                if wanting == 1:
                    del self._held[garment_id]
                else:
                    self._held[garment_id] = (lock, wanting - 1)
