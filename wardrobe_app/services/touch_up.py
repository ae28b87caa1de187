"""Touch-up: a garment's mask drawn again by a person, and all that follows from it."""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from typing import cast

import numpy as np

from ..store import Garment, Store
from ..store.files import stored_plane
from ..store.label_maps import store_label_map
from ..store.models import utcnow
from ..types import LABEL_OF_CATEGORY, Analyser, Category, GarmentRecord
from ..vision.label_map import drawn_as, drawn_by, model_region, reclaimed, union_of
from .browse import Browse
from .map_edits import MapChange, MapEdits
from .stored_files import Staged, discard_files, other_garments, thumbnail
from .vectors import Vectors
from .working_copy import analysed_pixels

log = logging.getLogger(__name__)


class TouchUp:
    """Shows a garment on its photo with its mask, and stores the mask a person drew.

    ``analyser`` gives the wardrobe's analyser (its embedder makes the new vector) and
    whether the stored vectors are in step with it (not where the re-embedding for a new
    model was stopped as the wardrobe closes); ``lock`` is the wardrobe's own, which its
    other writes take too.
    """

    def __init__(
        self,
        store: Store,
        lock: threading.RLock,
        vectors: Vectors,
        browse: Browse,
        analyser: Callable[[], tuple[Analyser, bool]],
        map_edits: MapEdits,
    ) -> None:
        self.store = store
        self._lock = lock
        self._vectors = vectors
        self._browse = browse
        self._analyser = analyser
        self._map_edits = map_edits

    def garment_picture(self, garment_id: int) -> tuple[np.ndarray, np.ndarray]:
        """What a touch-up of a garment's mask starts from: the photo it was cut from at
        the size its mask refers to (RGB uint8), and the mask (bool). KeyError for no such
        garment; ImageLoadError where the stored photo is missing or damaged. A mask file
        missing or damaged (see ``verify``) is drawn again from the photo's label map
        inside the garment's box, or left empty: touching up is how to mend it."""
        import cv2

        with self.store.session() as s:
            row = s.get(Garment, int(garment_id))
            if row is None or row.deleted_at is not None:
                raise KeyError(f"no garment {garment_id}")
            photo_rel, mask_rel = row.photo.file_path, row.mask_path
            size = (row.photo.width, row.photo.height)
            box, label = row.box, LABEL_OF_CATEGORY[cast(Category, row.category)]
            others = [g.mask_path for g in row.photo.garments if g.id != row.id]
        files = self.store.files
        # Shrunk as the import's analysis shrank it: the cut-out is made from the pixels
        # its mask was found on.
        rgb = analysed_pixels(files.abspath(photo_rel), max(size))
        if rgb.shape[1::-1] != size:  # the pipeline's own resampling gave a pixel more or less
            rgb = cv2.resize(rgb, size, interpolation=cv2.INTER_AREA)
        plane = None if files.is_damaged(mask_rel) else stored_plane(self.store.files, mask_rel)
        mask = None if plane is None else plane > 0
        if mask is None:
            log.warning("garment %s: its mask file is lost or damaged; redrawn", garment_id)
            mask = np.zeros(rgb.shape[:2], bool)
            labels = self._browse.photo_labels(garment_id)
            if labels is not None and labels.shape == mask.shape:
                x0, y0, x1, y1 = box
                mask[y0:y1, x0:x1] = labels[y0:y1, x0:x1] == label
                # Not another's pixels in its box (a top made a bottom beside it, deleted
                # too: an undo brings it back); they were taken for this one's.
                for rel in others:
                    plane = stored_plane(files, rel)
                    if plane is not None and plane.shape == mask.shape:
                        mask &= plane == 0
        if mask.shape != rgb.shape[:2]:
            mask = cv2.resize(mask.view(np.uint8), size, interpolation=cv2.INTER_NEAREST) > 0
        return rgb, mask

    def set_garment_mask(self, garment_id: int, mask: np.ndarray) -> GarmentRecord:
        """Give a garment the mask a person drew (bool, the size ``garment_picture``
        gives): it is cut out, coloured and embedded again, and the photo's label map
        follows. Its name, category, tags and notes stay, and so does its type (one is
        guessed from the new cut-out, as at import, where it had none)."""
        from ..vision.garments import garment_of_mask

        rgb, old_mask = self.garment_picture(garment_id)
        mask = np.asarray(mask, bool)
        if mask.shape != old_mask.shape:
            raise ValueError(
                f"the mask is {mask.shape[1]}x{mask.shape[0]}, the photo "
                f"{old_mask.shape[1]}x{old_mask.shape[0]}"
            )
        if not mask.any():
            raise ValueError("the mask is empty: delete the garment instead")
        with self.store.session() as s:
            row = s.get(Garment, int(garment_id))
            if row is None or row.deleted_at is not None:
                raise KeyError(f"no garment {garment_id}")
            category = cast(Category, row.category)
            fine_type, confidence = row.fine_type, row.confidence
            item_photo = row.photo.kind == "item"
        garment = garment_of_mask(rgb, mask, category, confidence, item_photo=item_photo)
        garment.fine_type = fine_type
        analyser, in_step = self._analyser()
        analyser.fill_vectors([garment])
        files = self.store.files
        staged = Staged(files)
        created = staged.created  # removed if the rows are not committed

        with self._lock:
            try:
                mask_rel = staged.png(mask)
                cut_rel = staged.png(garment.cutout)
                thumb_rel = staged.png(thumbnail(garment.cutout))
                with self.store.write_session() as s:
                    staged.restore(s)  # one another program's clean-up removed meanwhile
                    before = self._vectors.mark(s)
                    row = s.get(Garment, int(garment_id))
                    if row is None or row.deleted_at is not None:
                        raise KeyError(f"no garment {garment_id}")
                    maps = self._maps(row, old_mask, mask, mask_rel)
                    replaced = [row.mask_path, row.cutout_path, row.thumbnail_path]
                    was = row.mask_path
                    if maps is not None:
                        store_label_map(files, row.photo, maps[1], created, replaced)
                    row.mask_path, row.cutout_path = mask_rel, cut_rel
                    row.thumbnail_path = thumb_rel
                    row.box = garment.box
                    row.area = garment.area
                    row.colours = [c.to_dict() for c in garment.colours]
                    if row.fine_type == fine_type:  # not one the page saved meanwhile
                        row.fine_type = garment.fine_type
                    row.set_vector(garment.vector, analyser.embedder_version)
                    row.updated_at = utcnow()
                    s.flush()  # the triggers' counts and log row, in ``after``
                    after = self._vectors.mark(s)
            except BaseException:
                discard_files(self.store, created)
                raise
            if maps is not None and was != mask_rel:  # the same mask: nothing to undo
                rel = str(row.photo.labels_path)
                self._map_edits.remember(MapChange(int(garment_id), was, mask_rel, rel, *maps))
            discard_files(self.store, replaced)  # unless still used
            # Else the index holds the other model's vectors: reset at next load. Told, it
            # need not read this garment again at the next query (nor every vector).
            vector = np.asarray(garment.vector, np.float32)
            if in_step and self._vectors.index_add([int(garment_id)], [vector]):
                self._vectors.told_index(before, after)
        return self._browse.garment(garment_id)

    def _maps(
        self, row: Garment, old_mask: np.ndarray, mask: np.ndarray, mask_rel: str
    ) -> tuple[np.ndarray, np.ndarray] | None:
        """The photo's stored label map and the one a garment's new ``mask`` (stored as
        ``mask_rel``) gives it: the map it had where this undoes (or redoes) a touch-up
        (``MapEdits``); None where it has none or it is lost."""
        labels_rel = row.photo.labels_path
        stored = stored_plane(self.store.files, labels_rel) if labels_rel else None
        if stored is None or stored.shape != mask.shape:
            return None
        labels = None
        # The mask it has saved again undoes nothing: taken for an undo of its own last
        # save, each save of it gave the map before that save back, the next the one after.
        if mask_rel != row.mask_path:
            labels = self._map_edits.undone(row.id, row.mask_path, mask_rel, labels_rel, stored)
        if labels is None:
            # In the category it has now, not the one read before the embedding: the
            # page may have saved another meanwhile.
            category = cast(Category, row.category)
            labels = self._labels_after_touch_up(row, stored, old_mask, mask, category)
        return stored, labels

    def _labels_after_touch_up(
        self,
        row: Garment,
        stored: np.ndarray,
        old_mask: np.ndarray,
        mask: np.ndarray,
        category: Category,
    ) -> np.ndarray:
        """The photo's label map (``stored``) with a garment's pixels moved from
        ``old_mask`` to ``mask`` (what the photo's overlay shows), over the others'
        where they are new."""
        labels = np.array(stored, np.uint8)  # a copy: the stored one is not changed
        found = other_garments(self.store.files, row, labels.shape)
        others, classes = [m for m, _ in found], [c for _, c in found]
        # Erased where the map drew this garment: in its category, or in the one the map
        # has for most of its old pixels (a map saved before it followed a change of
        # category kept the model's), and the model's region its old mask was cleaned of
        # (left, its edges by an erased part stayed in the garment's colour): what a
        # person drew is the garment now. Other garments' pixels stay; where it was
        # drawn over another's mask, that one is drawn there again (``reclaimed``).
        theirs = drawn_by(labels, others, classes)
        own = old_mask & np.isin(labels, drawn_as(labels, old_mask, category)) & ~theirs
        erased = (own | model_region(labels, old_mask, others)) & ~mask
        labels[erased & ~union_of(others, labels.shape)] = 0
        labels = reclaimed(labels, others, classes, [erased])
        # Drawn over another's pixels where the person drew it anew, not where its mask
        # was and stays: one drawn over it there (the bottom over a tucked-in top's hem)
        # stays over it. Drawn whole, a touch-up of the top's sleeve put its hem back
        # over the bottom on every page but the bottom's own.
        labels[mask & ~(old_mask & theirs)] = LABEL_OF_CATEGORY[category]
        return labels
