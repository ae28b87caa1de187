"""Recent changes of photos' label maps, given back to the pixel when undone."""

from __future__ import annotations

import dataclasses
import threading
from collections import deque

import numpy as np

# Changes remembered: a photo's map is ~1 MB; a change, the pixels it changed.
REMEMBERED = 64


@dataclasses.dataclass(frozen=True)
class MapChange:
    """A saved edit's change of its photo's label map, as ``MapEdits.remember`` takes it."""

    garment_id: int
    was: str  # the garment's state before (its mask file, its category)
    became: str  # and after
    labels_rel: str  # the stored map it left (a file named by its content)
    stored: np.ndarray  # the map before
    labels: np.ndarray  # and after (stored as ``labels_rel``)


@dataclasses.dataclass(frozen=True)
class _Change:
    garment_id: int
    was: str  # the garment's state before (its mask file, its category)
    became: str  # and after
    labels: str  # the stored map it left (a file named by its content)
    changed: np.ndarray  # flat indices of the pixels it changed
    before: np.ndarray  # and their values before


class MapEdits:
    """A garment's edits (a touch-up, a change of category) and the changes they made
    to its photo's label map. An edit that takes a garment back to the state it had
    (``was``), the map not changed since, gives back the map it had: worked out from
    the map alone, pixels it cannot tell apart went another way (the model's edges a
    touch-up erased; a one-piece pixel inside a top made a one-piece and back)."""

    def __init__(self) -> None:
        self._changes: deque[_Change] = deque(maxlen=REMEMBERED)
        # A change of category reads and remembers without the wardrobe's lock
        self._guard = threading.Lock()

    def undone(
        self, garment_id: int, state: str, back_to: str, labels_rel: str | None, stored: np.ndarray
    ) -> np.ndarray | None:
        """The map as it was before the last change taking the garment from ``back_to``
        to ``state`` that left ``labels_rel`` (the map stored now, ``stored``); None
        where none did."""
        with self._guard:  # a deque appended to while read raises
            changes = list(self._changes)
        for change in reversed(changes):
            key = (change.garment_id, change.was, change.became, change.labels)
            if key == (garment_id, back_to, state, labels_rel):
                labels = np.array(stored, np.uint8)  # a copy: the stored one is not changed
                labels.ravel()[change.changed] = change.before
                return labels
        return None

    def remember(self, edit: MapChange) -> None:
        """A change from ``edit.stored`` to ``edit.labels``, once saved."""
        changed = np.flatnonzero(edit.labels != edit.stored)
        before = edit.stored.ravel()[changed]
        change = _Change(edit.garment_id, edit.was, edit.became, edit.labels_rel, changed, before)
        with self._guard:
            self._changes.append(change)
