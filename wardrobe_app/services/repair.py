"""Repair: stored files ``verify`` finds missing or damaged, made again where they can be."""

from __future__ import annotations

import contextlib
import dataclasses
import threading
from pathlib import Path

from sqlalchemy import select, update

from ..store import Garment, Photo, Store, read_png, sha256_file
from .stored_files import Staged, thumbnail


@dataclasses.dataclass(frozen=True)
class RepairResult:
    photos: list[int]  # photo ids put back from the file each was imported from
    thumbnails: list[int]  # garment ids whose thumbnail was made again from the cut-out


def repair(store: Store, lock: threading.RLock) -> RepairResult:
    """Make again what can be made without guessing, of the stored files ``verify``
    finds missing or damaged: a photo from the file it was imported from, where that
    still holds the same bytes (its content hash); a thumbnail from its garment's
    cut-out. Cut-outs, masks and label maps came from the analysis and cannot."""
    files = store.files
    with store.session() as s:
        photos = s.execute(select(Photo.id, Photo.file_path, Photo.sha256, Photo.source_path)).all()
        garments = s.execute(select(Garment.id, Garment.cutout_path, Garment.thumbnail_path)).all()

    def unusable(rel: str) -> bool:
        return not files.abspath(rel).is_file() or files.is_damaged(rel)

    restored: list[int] = []
    for pid, rel, sha, source in photos:
        src = Path(source)
        if not unusable(rel) or not src.is_file():
            continue
        with contextlib.suppress(OSError):
            if sha256_file(src) != sha or files.relpath_for(sha, Path(rel).suffix) != rel:
                continue
            files.abspath(rel).unlink(missing_ok=True)  # a damaged copy is not kept
            files.put_file(src, sha, Path(rel).suffix)
            restored.append(pid)
    remade: list[int] = []
    for gid, cutout_rel, thumb_rel in garments:
        if not unusable(thumb_rel) or unusable(cutout_rel):
            continue
        files.abspath(thumb_rel).unlink(missing_ok=True)
        staged = Staged(files)
        new_rel = staged.png(thumbnail(read_png(files.abspath(cutout_rel))))
        if new_rel != thumb_rel:  # another encoder's bytes: the row follows the file
            with lock, store.write_session() as s:
                staged.restore(s)  # not left naming one another program removed
                s.execute(update(Garment).where(Garment.id == gid).values(thumbnail_path=new_rel))
        remade.append(gid)
    return RepairResult(restored, remade)
