"""A photo's stored label map replaced: by an edit of its garments, or by a purge."""

from __future__ import annotations

import logging
from collections.abc import Iterable

import numpy as np
from sqlalchemy import select
from sqlalchemy.orm import Session

from ..vision.label_map import without
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
    out of the pages of the photo's other garments. A map or mask that cannot be read
    leaves the map as it is; the photos whose new map could not be written (a full
    disk) are returned: their garments wait for the next purge."""
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
    or a file cannot be read (a deleted garment's mask damaged is another program's
    bytes, not its pixels: erasing them could erase a kept garment's)."""
    labels = stored_plane(source, photo.labels_path or "")
    if labels is None:
        return None
    gone = [g for g in photo.garments if g.deleted_at is not None]
    masks = [
        None if source.is_damaged(g.mask_path) else stored_plane(source, g.mask_path)
        for g in (*kept, *gone)
    ]
    if any(m is None or m.shape != labels.shape for m in masks):
        log.warning("photo %s: a mask or its label map cannot be read; map kept", photo.id)
        return None
    planes = [m > 0 for m in masks if m is not None]
    return without(labels, planes[len(kept) :], planes[: len(kept)])
