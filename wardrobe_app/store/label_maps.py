"""A photo's stored label map replaced: by an edit of its garments, or by a purge."""

from __future__ import annotations

import logging
from collections.abc import Iterable
from typing import cast

import numpy as np
from sqlalchemy import select
from sqlalchemy.orm import Session

from ..types import LABEL_OF_CATEGORY, Category
from ..vision.label_map import of_garments, without
from .files import FileStore, stored_plane
from .models import Garment, Photo

log = logging.getLogger(__name__)


def store_label_map(
    files: FileStore, photo: Photo, labels: np.ndarray, created: list[str], replaced: list[str]
) -> None:
    """Make ``labels`` the label map of ``photo``: a file named by its content, written
    before the row changes (the caller commits it: a crash in between leaves an unused
    file for the next start's sweep, never a row naming a missing one). A new file is
    noted in ``created`` (to remove where the save fails), the one the row named in
    ``replaced`` (to remove once it is committed, unless another row uses it)."""
    rel, is_new = files.put_png(labels)
    if is_new:
        created.append(rel)
    if rel != photo.labels_path:
        if photo.labels_path:
            replaced.append(photo.labels_path)
        photo.labels_path = rel


def erase_purged(
    session: Session,
    photo_ids: Iterable[int],
    files: FileStore,
    source: FileStore,
    created: list[str],
) -> set[int]:
    """Before the deleted garments of ``photo_ids`` are purged: each photo keeping a
    garment gets its label map without their pixels (``without``), stored in ``files``
    (``source`` holds the map and masks: the same store, or the wardrobe a backup's copy
    is made of). Their masks go with them, and nothing else would leave their pixels
    out of the pages of the photo's other garments. A map, or a kept garment's mask,
    that cannot be read leaves the map as it is (a deleted one's: see ``_erased``);
    the photos whose new map could not be written (a full disk) are returned: their
    garments wait for the next purge."""
    held: set[int] = set()
    for photo in session.scalars(select(Photo).where(Photo.id.in_(sorted(photo_ids)))):
        kept = [g for g in photo.garments if g.deleted_at is None]
        if not kept or not photo.labels_path:
            continue  # purged with its garments, or no map to draw
        labels = _erased(source, photo, kept)
        if labels is None:
            continue
        try:
            store_label_map(files, photo, labels, created, [])  # the sweep takes the old one
        except OSError as exc:
            log.warning(
                "photo %s: its deleted garments kept until its map is saved (%s)", photo.id, exc
            )
            held.add(photo.id)
    return held


def _erased(source: FileStore, photo: Photo, kept: list[Garment]) -> np.ndarray | None:
    """The photo's map without its deleted garments' pixels; None where nothing changes,
    or the map or a kept garment's mask cannot be read. A deleted garment's mask that
    cannot be read (a damaged one is another program's bytes, not its pixels: erasing
    them could erase a kept garment's) has the map drawn again from the kept garments'
    masks (``of_garments``): kept as it was, it drew the purged garment on their pages
    where their masks are lost, and a lost mask of theirs was redrawn from its pixels."""
    labels = stored_plane(source, photo.labels_path or "")
    if labels is None:
        return None
    gone = [g for g in photo.garments if g.deleted_at is not None]
    kept_masks = [_plane(source, g, labels.shape) for g in kept]
    gone_masks = [_plane(source, g, labels.shape) for g in gone]
    if any(m is None for m in kept_masks):
        log.warning("photo %s: a kept garment's mask cannot be read; map kept", photo.id)
        return None
    planes = [m for m in kept_masks if m is not None]
    # In their categories: where a deleted one lay over them, they are drawn again there
    classes = [LABEL_OF_CATEGORY[cast(Category, g.category)] for g in kept]
    if any(m is None for m in gone_masks):
        unread_rows = [g for g, m in zip(gone, gone_masks, strict=True) if m is None]
        unread = [g.id for g in unread_rows]
        log.warning(
            "photo %s: the mask of deleted garment %s cannot be read; its map redrawn "
            "from its %d other garments' masks",
            photo.id,
            ", ".join(map(str, unread)),
            len(planes),
        )
        known = [m for m in gone_masks if m is not None]
        # The kept ones' specks stay, but in the class of one whose mask is lost: its
        # pixels in that class, outside every mask read, look like specks too
        lost = {LABEL_OF_CATEGORY[cast(Category, g.category)] for g in unread_rows}
        drawn = of_garments(labels, planes, known, classes, specks_but=lost)
        return None if np.array_equal(drawn, labels) else drawn
    return without(labels, [m for m in gone_masks if m is not None], planes, classes)


def _plane(source: FileStore, garment: Garment, shape: tuple[int, ...]) -> np.ndarray | None:
    """A garment's mask as a bool plane of the map's ``shape``; None where it cannot be
    read (missing, damaged, another size)."""
    if source.is_damaged(garment.mask_path):
        return None
    plane = stored_plane(source, garment.mask_path)
    return None if plane is None or plane.shape != shape else plane > 0
